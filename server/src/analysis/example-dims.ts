import { Dim, dimSymbols, dimToJSON } from './ir/dim';
import { Model } from './ir/graph';

/**
 * The symbolic dims of a model's inputs, where each is used (input, axis, the input's shape), and a
 * default for the one-click "Use batch 1 and the model's example sizes": 1 for a batch dim, the model's
 * own recorded size where it records one (metadata_props, a value_info of the input with sizes), else
 * none, so the editor asks. Never a guess beyond that: a height or a sequence length is the user's.
 */
export interface DimUse {
  readonly input: string;
  readonly axis: number;
  /** The input's declared shape: `[p2o.DynamicDimension.0, 3, p2o.DynamicDimension.1, p2o.DynamicDimension.2]`. */
  readonly shape: string;
}

export interface InputDim {
  readonly name: string;
  readonly uses: readonly DimUse[];
  /** The default to bind, or null when only the user can say. */
  readonly suggested: number | null;
  /** `batch`: a batch dim (by name, or the leading dim of every input that has it); `model`: the model records it. */
  readonly suggestedFrom: 'batch' | 'model' | null;
}

/** Names that say "batch": `batch`, `batch_size`, `N`, `bs`, `bsz`, `B`. */
const BATCH_NAME = /batch|^(n|b|bs|bsz)$/i;

export function isBatchName(name: string): boolean {
  return BATCH_NAME.test(name);
}

/** `[N, 3, H, W]`; an unknown dim (null) is named like the engine names it: `x:2`. */
function shapeText(input: string, shape: readonly Dim[]): string {
  return `[${shape.map((d, axis) => (d === null ? `${input}:${axis}` : String(dimToJSON(d)))).join(', ')}]`;
}

/** Every symbol of the main graph's inputs (initializers listed as inputs excluded), in first-seen order. */
export function inputDims(model: Model): InputDim[] {
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const uses = new Map<string, DimUse[]>();
  const ranks = new Map<string, number>();
  for (const input of model.graph.inputs) {
    if (initializers.has(input.name) || input.type?.kind !== 'tensor' || !input.type.shape) continue;
    const shape = input.type.shape;
    ranks.set(input.name, shape.length);
    const text = shapeText(input.name, shape);
    shape.forEach((dim, axis) => {
      // The engine names an unknown dim after its input and axis (shape/engine.ts), so it can be bound.
      for (const name of dim === null ? [`${input.name}:${axis}`] : dimSymbols(dim)) {
        const list = uses.get(name) ?? [];
        list.push({ input: input.name, axis, shape: text });
        uses.set(name, list);
      }
    });
  }
  const recorded = recordedSizes(model);
  return [...uses].map(([name, list]) => {
    const fromModel = recorded.get(name);
    if (isBatchDim(name, list, ranks)) return { name, uses: list, suggested: 1, suggestedFrom: 'batch' };
    if (fromModel !== undefined) return { name, uses: list, suggested: fromModel, suggestedFrom: 'model' };
    return { name, uses: list, suggested: null, suggestedFrom: null };
  });
}

/** A batch dim: named like one, or the leading dim of every input (of rank ≥ 2) that uses it. */
function isBatchDim(name: string, uses: readonly DimUse[], ranks: ReadonlyMap<string, number>): boolean {
  if (isBatchName(name)) return true;
  return uses.length > 0 && uses.every((u) => u.axis === 0 && (ranks.get(u.input) ?? 0) >= 2);
}

/** A positive integer, or undefined. */
function sizeOf(text: string): number | undefined {
  if (!/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** `1x3x640x640`, `[1, 3, 640, 640]`, `1,3,640,640`: the sizes, or undefined for anything else. */
function shapeOf(text: string): number[] | undefined {
  const inner = text.trim().replace(/^\[(.*)\]$/, '$1');
  const parts = inner.split(/\s*[,x×]\s*/);
  if (parts.length < 2) return undefined;
  const sizes = parts.map(sizeOf);
  return sizes.every((n): n is number => n !== undefined) ? sizes : undefined;
}

/**
 * Sizes the model itself records for its symbols: a metadata_props entry named like the symbol
 * (`height` = `640`); a metadata entry giving an input's whole shape (key naming the input, or a
 * `shape` key when there is one input: `1x3x640x640`); a value_info of a graph input with sizes where
 * the input declares symbols.
 */
function recordedSizes(model: Model): Map<string, number> {
  const out = new Map<string, number>();
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((i) => !initializers.has(i.name) && i.type?.kind === 'tensor' && i.type.shape);
  const take = (shape: readonly Dim[], sizes: readonly (number | null)[], input: string): void => {
    if (shape.length !== sizes.length) return;
    shape.forEach((dim, axis) => {
      const size = sizes[axis];
      if (size === null || size === undefined) return;
      const names = dim === null ? [`${input}:${axis}`] : typeof dim === 'number' ? [] : dimSymbols(dim);
      const name = names[0];
      // Only a dim that is one symbol alone (not `2*seq`) takes the size directly.
      if (names.length === 1 && name !== undefined && (dim === null || dimToJSON(dim) === name) && !out.has(name)) out.set(name, size);
    });
  };
  const metadata = [...model.metadata, ...model.graph.metadata];
  for (const [key, value] of metadata) {
    const size = sizeOf(value);
    if (size !== undefined) {
      const wanted = key.trim().toLowerCase();
      const symbols = inputs.flatMap((i) => (i.type?.kind === 'tensor' ? (i.type.shape ?? []) : []).flatMap((d) => (d === null ? [] : dimSymbols(d))));
      for (const name of symbols) if (name.toLowerCase() === wanted && !out.has(name)) out.set(name, size);
      continue;
    }
    const sizes = shapeOf(value);
    if (!sizes) continue;
    for (const input of inputs) {
      const shape = input.type?.kind === 'tensor' ? input.type.shape : null;
      const named = key.toLowerCase().includes(input.name.toLowerCase()) || (inputs.length === 1 && /shape/i.test(key));
      if (shape && named) take(shape, sizes, input.name);
    }
  }
  for (const info of model.graph.valueInfo) {
    const input = inputs.find((i) => i.name === info.name);
    const declared = input?.type?.kind === 'tensor' ? input.type.shape : null;
    const recorded = info.type?.kind === 'tensor' ? info.type.shape : null;
    if (input && declared && recorded) take(declared, recorded.map((d) => (typeof d === 'number' && d >= 1 ? d : null)), input.name);
  }
  return out;
}
