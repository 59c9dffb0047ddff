import { at } from '../ir/at';
import builtinData from './chips.json';
import { chipKey, matchChip, matchKey, VENDOR_WORDS } from './chip-key';
import { ChipEfficiency, parseChipEfficiency } from './efficiency';
import { Interconnect, parseInterconnect } from './interconnect';

/**
 * The chip database: the built-in chips (`chips.json`, figures and sources from the researched
 * reference table), lookup by id or alias, typo suggestions, and the validator for user-supplied chip
 * files. Pure: the caller reads the file and hands over its text. Schema and semantics: docs/chips.md.
 */
export type PeakDtype = 'fp64' | 'fp32' | 'tf32' | 'fp16' | 'bf16' | 'fp8' | 'int8' | 'int4' | 'fp4';

export const PEAK_DTYPES: readonly PeakDtype[] = ['fp64', 'fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'int4', 'fp4'];

export const CHIP_CATEGORIES = ['datacenter_gpu', 'consumer_gpu', 'edge', 'tpu', 'cpu', 'apple_soc', 'accelerator'] as const;

export type Peaks = Partial<Record<PeakDtype, number>>;

export interface Chip {
  /** Short id users type: 'h100' is H100 SXM; lower-case. */
  id: string;
  name: string;
  vendor: string;
  /** One of CHIP_CATEGORIES. */
  category: string;
  /** Other spellings users type, including the reference table's id. */
  aliases: string[];
  /** Device memory bandwidth in GB/s (1e9 B/s), datasheet. */
  memoryBandwidthGBs: number;
  memoryGB: number;
  l2MB: number | null;
  tdpW: number | null;
  /** Dense peaks in TFLOP/s (TOP/s for ints), split by the unit that delivers them. Missing = unsupported (or no sourced figure). */
  peaks: { tensor: Peaks; vector: Peaks };
  /** Measured achievable fractions of datasheet peaks, where known (null = unknown). */
  achievable: { memoryBandwidth: number | null; tensor: number | null; vector: number | null; basis: string };
  /** Fixed cost per kernel launch in microseconds (basis in the chip's notes and docs/chips.md). */
  kernelOverheadUs: number;
  sources: string[];
  notes: string[];
  confidence: 'high' | 'medium' | 'low';
  /** The memory technology as the vendor states it ('HBM3 (5 stacks)', 'GDDR6', 'LPDDR5-6400'): picks the energy per byte. */
  memoryType?: string;
  /** The vendor's 2:4-sparse headline rates (tensor unit), kept only to catch a sparse figure entered as dense. */
  sparsePeaks?: Peaks;
  /** Per-op-class efficiency in the achievable mode (cost/efficiency.ts); absent: one roof for every op. */
  efficiency?: ChipEfficiency;
  /** Memory the driver reports in MiB (nvidia-smi's total): what there is to fill, below the marketing GB. */
  usableMemoryMiB?: number;
  /** The link to peer GPUs, for multi-GPU serving (cost/interconnect.ts); absent: not modelled. */
  interconnect?: Interconnect;
}

export interface ChipsFileResult {
  chips: Chip[];
  errors: string[];
}

// ---------------------------------------------------------------------------------------------
// Built-ins

let builtins: readonly Chip[] | null = null;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The built-in chips, in file order. The objects are frozen: extend them with `extends` in a chips file. */
export function builtinChips(): Chip[] {
  if (builtins === null) {
    const { chips, errors } = validateChips((builtinData as { chips: unknown[] }).chips, 'built-in chips.json', []);
    // The data ships with the code and a unit test validates it; a bad entry here is a build defect.
    if (errors.length > 0) throw new Error(`invalid built-in chip data:\n${errors.join('\n')}`);
    builtins = chips.map(deepFreeze);
  }
  return [...builtins];
}

// ---------------------------------------------------------------------------------------------
// Lookup

export { chipKey } from './chip-key';

/**
 * Finds a chip by id, alias or full name; `extra` (user chips) is searched before the built-ins, so a
 * user chip with a built-in's id replaces it. 'NVIDIA H100', 'h100_sxm5' and 'H100 SXM' all find h100.
 */
export function findChip(idOrAlias: string, extra: readonly Chip[] = []): Chip | undefined {
  return matchChip([extra, builtinChips()], idOrAlias);
}

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  // The (a.length + 1) × (b.length + 1) table, row-major; every cell read below lies inside it.
  const width = b.length + 1;
  const table = new Array<number>((a.length + 1) * width).fill(0);
  const cell = (i: number, j: number): number => at(table, i * width + j, 'edit distance table');
  for (let i = 0; i <= a.length; i++) table[i * width] = i;
  for (let j = 0; j <= b.length; j++) table[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(cell(i - 1, j) + 1, cell(i, j - 1) + 1, cell(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, cell(i - 2, j - 2) + 1);
      table[i * width + j] = d;
    }
  }
  return cell(a.length, b.length);
}

/**
 * The ids nearest to a mistyped query, best first ("h10" → h100, h100-nvl, h100-pcie). A name that
 * starts with something close to the query scores nearly as well as an exact length match, so
 * truncated and over-specific queries both work; names too far away are left out.
 */
export function suggestChips(query: string, chips: readonly Chip[], n = 3): string[] {
  const q = chipKey(query).replace(VENDOR_WORDS, '') || chipKey(query);
  if (q === '') return [];
  const cutoff = Math.max(2, Math.ceil(q.length / 2));
  const scored = new Map<string, { score: number; full: number; order: number }>();
  chips.forEach((chip, order) => {
    let score = Infinity;
    let full = Infinity;
    for (const name of [chip.id, ...chip.aliases]) {
      const k = chipKey(name);
      const whole = editDistance(q, k);
      const prefix = k.length > q.length ? editDistance(q, k.slice(0, q.length)) + 0.5 : Infinity;
      score = Math.min(score, whole, prefix);
      full = Math.min(full, whole);
    }
    const prev = scored.get(chip.id);
    if (score <= cutoff && (!prev || score < prev.score)) scored.set(chip.id, { score, full, order });
  });
  return [...scored.entries()]
    .sort(([, a], [, b]) => a.score - b.score || a.full - b.full || a.order - b.order)
    .slice(0, n)
    .map(([id]) => id);
}

/** Dense peak FLOP/byte ridge point for a dtype (tensor rate, else vector), against datasheet bandwidth. */
export function ridgePoint(chip: Chip, dtype: PeakDtype): number | null {
  const tflops = chip.peaks.tensor[dtype] ?? chip.peaks.vector[dtype];
  return tflops === undefined ? null : (tflops * 1e12) / (chip.memoryBandwidthGBs * 1e9);
}

// ---------------------------------------------------------------------------------------------
// Validation of chip files

/** Limits that catch unit mistakes (FLOP/s typed as TFLOP/s, MB/s as GB/s), not physics. */
export const CHIP_LIMITS = {
  maxPeakTflops: 100_000,
  maxBandwidthGBs: 100_000_000,
  maxMemoryGB: 1_000_000,
  maxCacheMB: 100_000,
  maxTdpW: 100_000,
  maxKernelOverheadUs: 10_000,
} as const;

const FIELDS = [
  'id', 'name', 'vendor', 'category', 'aliases', 'memoryType', 'memoryBandwidthGBs', 'memoryGB', 'l2MB', 'tdpW',
  'peaks', 'sparsePeaks', 'achievable', 'kernelOverheadUs', 'sources', 'notes', 'confidence', 'extends', 'efficiency',
  'usableMemoryMiB', 'interconnect',
] as const;

/** Default per-launch overhead by category when a user chip gives none (docs/chips.md). */
export function defaultKernelOverheadUs(category: string): number {
  switch (category) {
    case 'cpu':
      return 1;
    case 'tpu':
    case 'accelerator':
      return 1;
    default:
      return 3;
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Some spellings the reference table and vendors use for our dtype keys. */
const DTYPE_SYNONYMS: Record<string, PeakDtype> = { fp8_e4m3: 'fp8', fp8_e5m2: 'fp8', float32: 'fp32', float16: 'fp16', bfloat16: 'bf16', half: 'fp16', float: 'fp32', double: 'fp64' };

class ChipChecker {
  ok = true;
  constructor(
    private readonly where: string,
    private readonly errors: string[],
  ) {}

  fail(field: string, message: string): void {
    this.ok = false;
    this.errors.push(`${this.where}: ${field}: ${message}`);
  }

  number(raw: Json, field: string, opts: { min: number; minExclusive?: boolean; max: number; unit: string; nullable?: boolean; fallback?: number | null }): number | null {
    const v = raw[field];
    if (v === undefined || (v === null && opts.nullable)) {
      if (v === undefined && opts.fallback === undefined) {
        this.fail(field, `missing (required: a number of ${opts.unit})`);
        return null;
      }
      return v === null ? null : (opts.fallback ?? null);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(field, `must be a number of ${opts.unit}${opts.nullable ? ' or null' : ''}, got ${show(v)}`);
      return null;
    }
    if (opts.minExclusive ? v <= opts.min : v < opts.min) {
      this.fail(field, `must be ${opts.minExclusive ? 'greater than' : 'at least'} ${opts.min} ${opts.unit}, got ${v}`);
      return null;
    }
    if (v > opts.max) {
      this.fail(field, `${v} ${opts.unit} is not plausible (limit ${opts.max.toLocaleString('en-US')}); check the unit`);
      return null;
    }
    return v;
  }

  string(raw: Json, field: string, fallback?: string): string | null {
    const v = raw[field];
    if (v === undefined && fallback !== undefined) return fallback;
    if (v === undefined) {
      this.fail(field, 'missing (required: a string)');
      return null;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      this.fail(field, `must be a non-empty string, got ${show(v)}`);
      return null;
    }
    return v;
  }

  strings(raw: Json, field: string, fallback: string[]): string[] | null {
    const v = raw[field];
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.trim() === '')) {
      this.fail(field, `must be an array of non-empty strings, got ${show(v)}`);
      return null;
    }
    return [...(v as string[])];
  }

  peaks(raw: unknown, field: string): Peaks | null {
    if (raw === undefined) return {};
    if (!isObject(raw)) {
      this.fail(field, `must be an object of dtype → TFLOP/s (dtypes: ${PEAK_DTYPES.join(', ')}), got ${show(raw)}`);
      return null;
    }
    // Bad entries are reported and left out; the good ones still take part in later checks.
    const out: Peaks = {};
    for (const [k, v] of Object.entries(raw)) {
      if (!(PEAK_DTYPES as readonly string[]).includes(k)) {
        const hint = DTYPE_SYNONYMS[k.toLowerCase()] ?? nearest(k, PEAK_DTYPES);
        this.fail(`${field}.${k}`, `unknown dtype${hint ? ` (did you mean '${hint}'?)` : ''}; use one of ${PEAK_DTYPES.join(', ')}`);
        continue;
      }
      if (v === null) continue; // explicit "unsupported", useful to drop an inherited peak
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        this.fail(`${field}.${k}`, `must be a number of TFLOP/s (TOP/s for ints), got ${show(v)}`);
      } else if (v <= 0) {
        this.fail(`${field}.${k}`, `must be greater than 0 TFLOP/s, got ${v} (leave the dtype out when the unit lacks it)`);
      } else if (v > CHIP_LIMITS.maxPeakTflops) {
        this.fail(`${field}.${k}`, `${v} TFLOP/s is not plausible (limit ${CHIP_LIMITS.maxPeakTflops.toLocaleString('en-US')}); peaks are in TFLOP/s, not FLOP/s or GFLOP/s`);
      } else {
        out[k as PeakDtype] = v;
      }
    }
    return out;
  }

  fraction(raw: Json, field: string): number | null | undefined {
    const v = raw[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1) {
      this.fail(`achievable.${field}`, `must be a fraction in (0, 1] or null, got ${show(v)} (a fraction of the datasheet peak: 0.9, not 90)`);
      return undefined;
    }
    return v;
  }
}

/** Merges a user entry over the chip it extends: peak tables and achievable merge key by key. */
function mergeExtends(base: Chip, raw: Json, fileName: string): Json {
  const merged: Json = { ...(base as unknown as Json) };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'extends') continue;
    if (k === 'peaks' && isObject(v)) {
      merged.peaks = {
        tensor: { ...base.peaks.tensor, ...(isObject(v.tensor) ? v.tensor : {}) },
        vector: { ...base.peaks.vector, ...(isObject(v.vector) ? v.vector : {}) },
      };
      for (const unit of Object.keys(v)) if (unit !== 'tensor' && unit !== 'vector') (merged.peaks as Json)[unit] = v[unit];
      for (const unit of ['tensor', 'vector'] as const) if (v[unit] !== undefined && !isObject(v[unit])) (merged.peaks as Json)[unit] = v[unit];
    } else if ((k === 'achievable' || k === 'sparsePeaks' || k === 'efficiency') && isObject(v)) {
      merged[k] = { ...((base[k] ?? {}) as Json), ...v };
    } else {
      merged[k] = v;
    }
  }
  // Aliases belong to the base chip; sources and notes accumulate.
  merged.aliases = raw.aliases ?? [];
  const userSources = Array.isArray(raw.sources) ? raw.sources : raw.sources === undefined ? [] : raw.sources;
  merged.sources = Array.isArray(userSources) ? [...userSources, ...base.sources] : userSources;
  const userNotes = Array.isArray(raw.notes) ? raw.notes : raw.notes === undefined ? [] : raw.notes;
  merged.notes = Array.isArray(userNotes) ? [...userNotes, `Extends '${base.id}' (${fileName}); fields not given are its.`, ...base.notes] : userNotes;
  // Changed figures are the user's, not the researched ones: unless told otherwise, confidence is low.
  if (raw.confidence === undefined && (raw.memoryBandwidthGBs !== undefined || raw.peaks !== undefined)) merged.confidence = 'low';
  if (raw.achievable === undefined) {
    // Measured fractions belong to the measured hardware: drop the ones whose figures were overridden.
    const rawPeaks = isObject(raw.peaks) ? raw.peaks : {};
    const a = { ...base.achievable };
    const dropped: string[] = [];
    if (raw.memoryBandwidthGBs !== undefined && a.memoryBandwidth !== null) {
      a.memoryBandwidth = null;
      dropped.push('memoryBandwidth');
    }
    if (rawPeaks.tensor !== undefined && a.tensor !== null) {
      a.tensor = null;
      dropped.push('tensor');
    }
    if (rawPeaks.vector !== undefined && a.vector !== null) {
      a.vector = null;
      dropped.push('vector');
    }
    if (dropped.length > 0) a.basis = `${a.basis} [${fileName}: ${dropped.join(', ')} fraction(s) of '${base.id}' dropped because those figures were overridden]`;
    merged.achievable = a;
  }
  return merged;
}

function validateChip(raw: unknown, index: number, fileName: string, errors: string[], resolve: (id: string) => Chip | undefined): Chip | null {
  const idText = isObject(raw) && typeof raw.id === 'string' && raw.id.trim() !== '' ? `chip '${raw.id}'` : `chip #${index + 1}`;
  const c = new ChipChecker(`${fileName}: ${idText}`, errors);
  if (!isObject(raw)) {
    c.fail('(entry)', `must be a JSON object, got ${show(raw)}`);
    return null;
  }
  for (const key of Object.keys(raw)) {
    if (key.startsWith('$') || key.startsWith('//') || key === 'comment') continue;
    if (!(FIELDS as readonly string[]).includes(key)) {
      const hint = nearest(key, FIELDS);
      c.fail(key, `unknown field${hint ? ` (did you mean '${hint}'?)` : ''}`);
    }
  }
  let entry: Json = raw;
  if (raw.extends !== undefined) {
    if (typeof raw.extends !== 'string') {
      c.fail('extends', `must be the id of a built-in chip, got ${show(raw.extends)}`);
      return null;
    }
    const base = resolve(raw.extends);
    if (!base) {
      const near = suggestChips(raw.extends, builtinChips());
      c.fail('extends', `no chip '${raw.extends}' to extend${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
      return null;
    }
    entry = mergeExtends(base, raw, fileName);
    if (raw.id === undefined) c.fail('id', `missing: a chip that extends '${base.id}' needs its own id (reuse '${base.id}' to replace the built-in)`);
    if (raw.name === undefined) entry.name = `${base.name} (${String(raw.id ?? 'custom')})`;
  }

  const id = c.string(entry, 'id');
  if (id !== null && !/^[a-z0-9][a-z0-9.+_-]*$/.test(id)) c.fail('id', `must be lower-case letters, digits, '.', '+', '_' or '-' (it is what users type), got ${show(id)}`);
  const name = c.string(entry, 'name');
  const vendor = c.string(entry, 'vendor', 'unknown');
  const category = c.string(entry, 'category', 'accelerator');
  if (category !== null && !(CHIP_CATEGORIES as readonly string[]).includes(category)) c.fail('category', `must be one of ${CHIP_CATEGORIES.join(', ')}, got ${show(category)}`);
  const aliases = c.strings(entry, 'aliases', []);
  const memoryType = entry.memoryType === undefined ? undefined : c.string(entry, 'memoryType');
  const bandwidth = c.number(entry, 'memoryBandwidthGBs', { min: 0, minExclusive: true, max: CHIP_LIMITS.maxBandwidthGBs, unit: 'GB/s' });
  const memoryGB = c.number(entry, 'memoryGB', { min: 0, minExclusive: true, max: CHIP_LIMITS.maxMemoryGB, unit: 'GB' });
  const l2MB = c.number(entry, 'l2MB', { min: 0, max: CHIP_LIMITS.maxCacheMB, unit: 'MB', nullable: true, fallback: null });
  const tdpW = c.number(entry, 'tdpW', { min: 0, minExclusive: true, max: CHIP_LIMITS.maxTdpW, unit: 'W', nullable: true, fallback: null });

  let tensor: Peaks | null = null;
  let vector: Peaks | null = null;
  const peaks = entry.peaks;
  if (peaks === undefined) {
    c.fail('peaks', 'missing (required): { "tensor": { dtype: TFLOP/s }, "vector": { dtype: TFLOP/s } }');
  } else if (!isObject(peaks)) {
    c.fail('peaks', `must be an object { "tensor": { dtype: TFLOP/s }, "vector": { dtype: TFLOP/s } }, got ${show(peaks)}`);
  } else {
    for (const k of Object.keys(peaks)) if (k !== 'tensor' && k !== 'vector') c.fail(`peaks.${k}`, `unknown unit; peaks are split into "tensor" (matrix units) and "vector" (SIMD/ALU units)`);
    tensor = c.peaks(peaks.tensor, 'peaks.tensor');
    vector = c.peaks(peaks.vector, 'peaks.vector');
    const given = (u: unknown): number => (isObject(u) ? Object.values(u).filter((v) => v !== null).length : 0);
    if (tensor && vector && given(peaks.tensor) + given(peaks.vector) === 0) c.fail('peaks', 'no compute rate given: at least one dtype under "tensor" or "vector"');
  }

  const sparsePeaks = entry.sparsePeaks === undefined ? undefined : c.peaks(entry.sparsePeaks, 'sparsePeaks');
  if (tensor && sparsePeaks) {
    for (const [d, sparse] of Object.entries(sparsePeaks) as [PeakDtype, number][]) {
      const dense = tensor[d];
      if (dense === undefined) continue;
      if (dense === sparse) {
        c.fail(`peaks.tensor.${d}`, `${dense} equals the sparse headline sparsePeaks.${d}; peaks must be dense. NVIDIA (Ampere and later) and AMD (MI300) datasheets headline 2:4 structured-sparsity rates, marked '*': the dense rate is half (${sparse / 2})`);
      } else if (dense > sparse) {
        c.fail(`peaks.tensor.${d}`, `dense ${dense} exceeds the sparse headline sparsePeaks.${d} ${sparse}; sparse rates are 2x dense, so the two look swapped`);
      }
    }
  }

  let achievable: Chip['achievable'] | null = { memoryBandwidth: null, tensor: null, vector: null, basis: 'not measured' };
  if (entry.achievable !== undefined) {
    const a = entry.achievable;
    if (!isObject(a)) {
      c.fail('achievable', `must be an object { memoryBandwidth, tensor, vector, basis }, got ${show(a)}`);
      achievable = null;
    } else {
      for (const k of Object.keys(a)) if (!['memoryBandwidth', 'tensor', 'vector', 'basis'].includes(k)) c.fail(`achievable.${k}`, 'unknown field (memoryBandwidth, tensor, vector, basis)');
      const mb = c.fraction(a, 'memoryBandwidth');
      const t = c.fraction(a, 'tensor');
      const v = c.fraction(a, 'vector');
      const measured = [mb, t, v].some((x) => typeof x === 'number');
      let basis = 'not measured';
      if (a.basis !== undefined) {
        if (typeof a.basis !== 'string' || a.basis.trim() === '') c.fail('achievable.basis', `must be a non-empty string saying how the fractions were measured, got ${show(a.basis)}`);
        else basis = a.basis;
      } else if (measured) {
        c.fail('achievable.basis', 'missing: say how the fractions were measured (benchmark, source)');
      }
      achievable = mb === undefined || t === undefined || v === undefined ? null : { memoryBandwidth: mb, tensor: t, vector: v, basis };
    }
  }

  const kernelOverheadUs = c.number(entry, 'kernelOverheadUs', { min: 0, max: CHIP_LIMITS.maxKernelOverheadUs, unit: 'µs', fallback: defaultKernelOverheadUs(category ?? '') });
  const sources = c.strings(entry, 'sources', [`user-supplied (${fileName})`]);
  const notes = c.strings(entry, 'notes', []);
  const rawConfidence = entry.confidence === undefined ? 'low' : entry.confidence;
  const confidence = rawConfidence === 'high' || rawConfidence === 'medium' || rawConfidence === 'low' ? rawConfidence : null;
  const efficiency = entry.efficiency === undefined ? undefined : (parseChipEfficiency(entry.efficiency, (field, message) => c.fail(field, message)) ?? undefined);
  const usableMemoryMiB = entry.usableMemoryMiB === undefined ? undefined : c.number(entry, 'usableMemoryMiB', { min: 0, minExclusive: true, max: CHIP_LIMITS.maxMemoryGB * 1024, unit: 'MiB' });
  const interconnect = entry.interconnect === undefined ? undefined : parseInterconnect(entry.interconnect, (field, message) => c.fail(field, message));
  if (confidence === null) c.fail('confidence', `must be "high", "medium" or "low", got ${show(rawConfidence)}`);

  if (!c.ok || id === null || name === null || vendor === null || category === null || aliases === null || bandwidth === null || memoryGB === null) return null;
  if (!tensor || !vector || !achievable || kernelOverheadUs === null || sources === null || notes === null || memoryType === null || sparsePeaks === null || confidence === null) return null;
  if (sources.length === 0) {
    c.fail('sources', 'must name at least one source');
    return null;
  }
  const chip: Chip = {
    id, name, vendor, category, aliases,
    memoryBandwidthGBs: bandwidth, memoryGB, l2MB, tdpW,
    peaks: { tensor, vector },
    achievable, kernelOverheadUs, sources, notes,
    confidence,
  };
  if (memoryType !== undefined) chip.memoryType = memoryType;
  if (sparsePeaks !== undefined) chip.sparsePeaks = sparsePeaks;
  if (efficiency !== undefined) chip.efficiency = efficiency;
  if (usableMemoryMiB !== undefined && usableMemoryMiB !== null) chip.usableMemoryMiB = usableMemoryMiB;
  if (interconnect !== undefined && interconnect !== null) chip.interconnect = interconnect;
  return chip;
}

function validateChips(entries: unknown[], fileName: string, base: readonly Chip[]): ChipsFileResult {
  const errors: string[] = [];
  const chips: Chip[] = [];
  const taken = new Map<string, string>(); // chipKey of id/alias → 'chip 'x' (#n)'
  entries.forEach((raw, index) => {
    const resolve = (id: string): Chip | undefined => matchKey([chips, base], chipKey(id)) ?? matchKey([chips, base], chipKey(id).replace(VENDOR_WORDS, ''));
    const chip = validateChip(raw, index, fileName, errors, resolve);
    if (!chip) return;
    const where = `${fileName}: chip '${chip.id}'`;
    const clashes: string[] = [];
    for (const [field, name] of [['id', chip.id] as const, ...chip.aliases.map((a) => ['aliases', a] as const)]) {
      const owner = taken.get(chipKey(name));
      if (owner) clashes.push(`${field}: ${field === 'id' ? 'duplicate id' : 'alias'} '${name}' is already used by ${owner} in this file`);
    }
    if (clashes.length > 0) {
      for (const m of clashes) errors.push(`${where} (#${index + 1}): ${m}`);
      return;
    }
    taken.set(chipKey(chip.id), `chip '${chip.id}' (#${index + 1})`);
    for (const a of chip.aliases) taken.set(chipKey(a), `chip '${chip.id}' (#${index + 1})`);
    chips.push(chip);
  });
  return { chips, errors };
}

/**
 * Validates a user chips file: a JSON array of chips, or `{ "chips": [...] }`. Errors name the file,
 * the chip and the field; the valid chips of a file with some invalid ones are still returned. A chip
 * may `extends` a built-in (or an earlier chip of the same file) and override fields. Never throws.
 */
export function parseChipsFile(text: string, fileName: string): ChipsFileResult {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { chips: [], errors: [`${fileName}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`] };
  }
  let entries: unknown[];
  if (Array.isArray(data)) entries = data;
  else if (isObject(data) && Array.isArray(data.chips)) entries = data.chips;
  else return { chips: [], errors: [`${fileName}: expected a JSON array of chips or an object { "chips": [...] }, got ${show(data)}`] };
  if (entries.length === 0) return { chips: [], errors: [`${fileName}: no chips in the file`] };
  return validateChips(entries, fileName, builtinChips());
}
