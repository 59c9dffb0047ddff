import { Chip, PeakDtype, PEAK_DTYPES } from './chips';
import energyData from './energy.json';

/**
 * Energy per operation and per byte moved. The primitive figures (pJ per multiply, per add, per DRAM
 * access) live in `energy.json` with their sources; this module derives the coefficients from them, so
 * the table the report cites and the numbers it uses cannot drift apart. Method and caveats:
 * docs/chips.md ("Energy").
 */
export type MemoryTechnology = 'hbm' | 'gddr' | 'ddr' | 'lpddr';

export interface EnergyPrimitive {
  readonly item: string;
  /** The figure, or the midpoint of a published range. */
  readonly value: number;
  readonly range: readonly [number, number] | null;
  readonly unit: string;
  readonly processNode: string;
  readonly source: string;
  readonly confidence: string;
}

export interface ArithmeticCoefficient {
  readonly dtype: PeakDtype;
  readonly pjPerFlop: number;
  /** How it was computed from the primitives, e.g. "(bf16 mult 0.21 + fp32 add 0.38) / 2". */
  readonly formula: string;
  readonly basis: string;
  readonly confidence: string;
  readonly sources: readonly string[];
}

export interface MemoryCoefficient {
  readonly technology: MemoryTechnology;
  readonly pjPerByte: number;
  readonly pjPerBit: number;
  readonly formula: string;
  readonly basis: string;
  readonly confidence: string;
  readonly sources: readonly string[];
  readonly crossChecks: readonly string[];
}

export interface EnergyTable {
  readonly approach: string;
  readonly arithmetic: Readonly<Record<PeakDtype, ArithmeticCoefficient>>;
  readonly memory: Readonly<Record<MemoryTechnology, MemoryCoefficient>>;
  readonly crossChecks: readonly string[];
}

interface RawPrimitive {
  item: string;
  value?: number;
  low?: number;
  high?: number;
  unit: string;
  processNode: string;
  source: string;
  confidence: string;
}

interface RawData {
  approach: string;
  primitives: RawPrimitive[];
  arithmetic: Record<string, { multiply: string; accumulate: string; scale?: number; basis: string; confidence: string }>;
  memory: Record<string, { access: string; bytesPerAccess: number; basis: string; confidence: string; crossChecks: string[] }>;
  crossChecks: string[];
}

const MEMORY_TECHNOLOGIES: readonly MemoryTechnology[] = ['hbm', 'gddr', 'ddr', 'lpddr'];

/** Rounds away binary noise so the table reads 0.295, not 0.29500000000000004. */
function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

function buildTable(raw: RawData): EnergyTable {
  const primitives = new Map<string, EnergyPrimitive>();
  for (const p of raw.primitives) {
    const range = p.low !== undefined && p.high !== undefined ? ([p.low, p.high] as const) : null;
    const value = range ? (range[0] + range[1]) / 2 : p.value;
    if (value === undefined) throw new Error(`energy.json: primitive '${p.item}' has no value`);
    primitives.set(p.item, { item: p.item, value, range, unit: p.unit, processNode: p.processNode, source: p.source, confidence: p.confidence });
  }
  const get = (item: string): EnergyPrimitive => {
    const p = primitives.get(item);
    if (!p) throw new Error(`energy.json: no primitive '${item}'`);
    return p;
  };
  const arithmetic = {} as Record<PeakDtype, ArithmeticCoefficient>;
  for (const dtype of PEAK_DTYPES) {
    const r = raw.arithmetic[dtype];
    if (!r) throw new Error(`energy.json: no arithmetic recipe for ${dtype}`);
    const m = get(r.multiply);
    const a = get(r.accumulate);
    const scale = r.scale ?? 1;
    arithmetic[dtype] = {
      dtype,
      pjPerFlop: tidy((scale * (m.value + a.value)) / 2),
      formula: `${scale !== 1 ? `${scale} × ` : ''}(${m.item} ${m.value} + ${a.item} ${a.value}) / 2 pJ per FLOP (${m.processNode})`,
      basis: r.basis,
      confidence: r.confidence,
      sources: [...new Set([m.source, a.source])],
    };
  }
  const memory = {} as Record<MemoryTechnology, MemoryCoefficient>;
  for (const tech of MEMORY_TECHNOLOGIES) {
    const r = raw.memory[tech];
    if (!r) throw new Error(`energy.json: no memory entry for ${tech}`);
    const p = get(r.access);
    const pjPerByte = tidy(p.value / r.bytesPerAccess);
    memory[tech] = {
      technology: tech,
      pjPerByte,
      pjPerBit: tidy(pjPerByte / 8),
      formula: `${p.range ? `midpoint of ${p.range[0]}-${p.range[1]}` : p.value} pJ per ${p.item.replace(/^.*\((\d+-bit)\)$/, '$1')} access / ${r.bytesPerAccess} bytes`,
      basis: r.basis,
      confidence: r.confidence,
      sources: [p.source],
      crossChecks: r.crossChecks,
    };
  }
  return { approach: raw.approach, arithmetic, memory, crossChecks: raw.crossChecks };
}

/** The coefficient table, with formulas and sources, for reports and docs. */
export const ENERGY_TABLE: EnergyTable = buildTable(energyData as RawData);

/**
 * The memory technology of a chip, from its `memoryType` ('HBM3 (5 stacks)', 'GDDR6X', 'LPDDR5-6400',
 * 'DDR5-4800'); without one, a guess from the category (documented in docs/chips.md).
 */
export function memoryTechnology(chip: Chip): MemoryTechnology {
  const t = (chip.memoryType ?? '').toLowerCase();
  if (t.includes('hbm')) return 'hbm';
  if (t.includes('gddr')) return 'gddr';
  if (t.includes('lpddr')) return 'lpddr';
  if (t.includes('ddr')) return 'ddr';
  switch (chip.category) {
    case 'consumer_gpu':
      return 'gddr';
    case 'cpu':
      return 'ddr';
    case 'edge':
    case 'apple_soc':
      return 'lpddr';
    default:
      return 'hbm';
  }
}

/** pJ per FLOP for a dtype; an unknown dtype is priced as fp32. */
export function arithmeticPjPerFlop(dtype: PeakDtype | null): number {
  return ENERGY_TABLE.arithmetic[dtype ?? 'fp32'].pjPerFlop;
}

export function memoryPjPerByte(chip: Chip): number {
  return ENERGY_TABLE.memory[memoryTechnology(chip)].pjPerByte;
}

/**
 * Joules for `flops` of arithmetic in `dtype` (null: priced as fp32) and `bytes` of DRAM/HBM traffic
 * on `chip`. Arithmetic is the arithmetic-unit energy only (a lower bound); memory is per byte moved
 * to or from device memory for the chip's memory technology.
 */
export function energyJoules(flops: number, dtype: PeakDtype | null, bytes: number, chip: Chip, pjPerByte = memoryPjPerByte(chip)): { arithmetic: number; memory: number } {
  return {
    arithmetic: flops * arithmeticPjPerFlop(dtype) * 1e-12,
    memory: bytes * pjPerByte * 1e-12,
  };
}

/**
 * What the energy figures are, for every view that shows one: a reader comparing H100 and A100 sees the
 * same millijoules and must be told why (both HBM, the same arithmetic table), not left to guess.
 */
export const ENERGY_BASIS =
  'Energy is a per-op estimate from fixed figures (docs/chips.md, "Energy"): arithmetic per FLOP by dtype at 7 nm, memory traffic per byte by memory type (HBM, GDDR, DDR, LPDDR). It is not scaled per chip or process node, so chips with the same memory type (H100 and A100: HBM) get the same energy for the same model; only their time differs. Static and idle power are left out.';

/** The sources behind the coefficients, deduplicated, for the report to cite. */
export function energySources(): string[] {
  const all: string[] = [];
  for (const a of Object.values(ENERGY_TABLE.arithmetic)) all.push(...a.sources);
  for (const m of Object.values(ENERGY_TABLE.memory)) all.push(...m.sources);
  return [...new Set(all)];
}
