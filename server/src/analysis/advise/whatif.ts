import { ModelAnalysis } from '../analyze';
import { PeakDtype } from '../cost/chips';
import { graphOutputNames, ProfileOptions } from '../cost/index';
import { computeCosts, NodeCost } from '../cost/model';
import { peakDtypeBits, servedAs } from '../cost/roofline';
import { Runtime } from '../cost/runtime';
import { KernelPlan, profile, ProfileResult } from '../cost/totals';
import { OpCost } from '../cost/types';
import { humanBytes } from '../../format/units';
import { DataType, dataTypeBits, isFloatType, isIntegerType } from '../ir/dtype';
import { InferOptions, inferModel } from '../shape/engine';

/**
 * What-ifs: the model as it would be after a change a suggestion proposes, re-profiled through the same
 * cost model, so that a suggestion's predicted saving is exactly baseline total − what-if total. The
 * model file is never touched: a what-if rewrites the per-node costs (or re-infers with new bindings).
 */
export type WeightQuantisation = 'int8' | 'int4' | 'fp8';

export type WhatIf =
  /** Each list runs as one kernel: intermediates between members neither written nor read back. `folded`: nodes absorbed into a neighbour's weights at export (BatchNormalization into Conv): their whole cost disappears. */
  | { readonly kind: 'fuse'; readonly groups: ReadonlyArray<readonly string[]>; readonly folded?: readonly string[] }
  /** Weights of `nodes` stored in `weightDtype`; `activations` (fp8/int8): the arithmetic runs in that type too, else weights are dequantised to the activations' type for the math. */
  | { readonly kind: 'quantise'; readonly nodes: readonly string[]; readonly weightDtype: WeightQuantisation; readonly activations?: 'fp8' | 'int8' }
  /** The KV cache read by `nodes` (their past_key / past_value inputs) stored in 8 bits: vLLM's and TensorRT-LLM's fp8 KV cache. */
  | { readonly kind: 'quantise-kv'; readonly nodes: readonly string[]; readonly dtype: 'fp8' | 'int8' }
  /** Re-infer with these symbolic dims bound (on top of the analysis's own bindings). */
  | { readonly kind: 'bind'; readonly bindings: Readonly<Record<string, number>> }
  /** No symbolic batch dim to bind: every node's FLOPs and activation traffic × factor, weights read once per run (an analytic stand-in). */
  | { readonly kind: 'scale-batch'; readonly factor: number }
  /** The same graph without these nodes (a model with fewer repeated blocks). */
  | { readonly kind: 'drop'; readonly nodes: readonly string[] }
  /** The same costs, kernels issued another way (cost/runtime.ts): a replayed CUDA graph, or compiled. */
  | { readonly kind: 'runtime'; readonly runtime: Runtime };

/** What a what-if needs: the analysed model, and for 'bind' the options it was inferred with. */
export interface WhatIfSubject {
  readonly model: ModelAnalysis['model'];
  readonly inference: ModelAnalysis['inference'];
  /**
   * The options the analysis was inferred with (bindings, input shapes, and the byte source that small
   * shape constants are loaded from): a 'bind' what-if re-infers with them, its own bindings on top.
   */
  readonly inferOptions?: InferOptions;
}

/**
 * Stored bits per weight: int4 is group-quantised as AWQ/GPTQ and ONNX Runtime's MatMulNBits store it
 * (groups of 128, each with an fp16 scale and a 4-bit zero point: 4 + (16 + 4)/128 bits), the same
 * layout the config.json builder uses for --weights int4 (hf-config/build/layers.ts); int8 and fp8 use
 * one scale per output channel or tensor, a negligible share of the weight, not counted.
 */
export const WEIGHT_BITS: Readonly<Record<WeightQuantisation, number>> = { int8: 8, int4: 4 + (16 + 4) / 128, fp8: 8 };

/** Ops that already run on quantised weights: quantising again is not offered. */
export const ALREADY_QUANTISED_OPS = new Set(['MatMulNBits', 'MatMulInteger', 'QLinearMatMul', 'QLinearConv', 'ConvInteger', 'DynamicQuantizeMatMul', 'MatMulIntegerToFloat', 'QAttention', 'QGemm', 'MatMulFpQ4', 'GatherBlockQuantized']);

/** The bits of a node's widest float weight-like input (what weight-only quantisation replaces), or null when it has none. */
export function weightBitsOf(cost: NodeCost): number | null {
  let bits: number | null = null;
  for (const input of cost.record.inputs) {
    const t = input?.type;
    if (t?.kind !== 'tensor' || t.dtype === null) continue;
    // An input already in 8 bits or fewer is quantised: nothing to gain.
    if ((isIntegerType(t.dtype) || isFloatType(t.dtype)) && dataTypeBits(t.dtype) <= 8 && t.dtype !== DataType.BOOL) return null;
    if (isFloatType(t.dtype)) bits = Math.max(bits ?? 0, dataTypeBits(t.dtype));
  }
  return bits;
}

/**
 * The cost of one node with quantised weights: weight bytes × new bits / old bits; activations (and the
 * output) stay in the type the profile serves them in, unless `activations` quantises the arithmetic:
 * then activation reads shrink to 8 bits too and the arithmetic runs at that type's rate.
 */
export function quantisedCost(cost: NodeCost, options: ProfileOptions, weightDtype: WeightQuantisation, activations?: 'fp8' | 'int8'): OpCost | null {
  const c = cost.cost;
  const weightBits = weightBitsOf(cost);
  if (!c.modelled || cost.container || c.unit === 'none' || c.weightBytes <= 0 || weightBits === null || weightBits <= WEIGHT_BITS[weightDtype]) return null;
  if (ALREADY_QUANTISED_OPS.has(cost.record.node.opType)) return null;
  const served = servedAs(c, options);
  const servedDtype: PeakDtype = served.dtype ?? 'fp32';
  const activationBits = peakDtypeBits(servedDtype);
  const activationScale = activations ? Math.min(1, 8 / activationBits) : 1;
  return {
    ...c,
    weightBytes: (c.weightBytes * WEIGHT_BITS[weightDtype]) / weightBits,
    activationBytesRead: c.activationBytesRead * served.trafficScale * activationScale,
    bytesWritten: c.bytesWritten * served.trafficScale,
    arithmeticDtype: activations ?? servedDtype,
    notes: [...(c.notes ?? []), activations ? `what-if: weights and activations in ${activations}` : `what-if: weights in ${weightDtype}, dequantised to ${servedDtype} for the arithmetic`],
  };
}

/** A value name that is a KV cache passed in: transformers' and ONNX Runtime GenAI's past_key_values.N.key, past_key_N, past_value… */
const KV_INPUT = /^past(_key_values)?[._](\d+[._])?(key|value)|^past_(key|value)/i;

/**
 * Bytes of the KV cache a node reads (its past inputs: float tensors of at least 16 bits whose names say
 * they are the cache), and their element width; null when it reads none.
 */
export function kvCacheRead(cost: NodeCost): { bytes: number; bits: number } | null {
  let bytes = 0;
  let bits = 0;
  cost.record.node.inputs.forEach((name, i) => {
    const t = cost.record.inputs[i]?.type;
    if (!KV_INPUT.test(name) || t?.kind !== 'tensor' || t.dtype === null || t.shape === null || !isFloatType(t.dtype) || dataTypeBits(t.dtype) < 16) return;
    const elements = t.shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : Number.NaN), 1);
    if (!Number.isFinite(elements)) return;
    bytes += (elements * dataTypeBits(t.dtype)) / 8;
    bits = Math.max(bits, dataTypeBits(t.dtype));
  });
  return bytes > 0 ? { bytes, bits } : null;
}

/** The node's cost with its KV cache reads at 8 bits (the new positions it writes are left as they are: one token per step). */
export function kvQuantisedCost(cost: NodeCost, options: ProfileOptions): OpCost | null {
  const c = cost.cost;
  const kv = kvCacheRead(cost);
  if (!c.modelled || cost.container || kv === null) return null;
  const saved = kv.bytes * (1 - 8 / kv.bits);
  const notes = [...(c.notes ?? []), `what-if: the KV cache read in 8 bits (${humanBytes(saved)} less)`];
  const served = servedAs(c, options);
  if (served.trafficScale === 1 || served.dtype === null) return { ...c, activationBytesRead: Math.max(0, c.activationBytesRead - saved), notes };
  // Served in another type (--dtype): the rest of the traffic is sized here, as quantisedCost does, and the cache at 8 bits.
  const cacheAsServed = kv.bytes * served.trafficScale;
  const cache8 = Math.min(cacheAsServed, kv.bytes * (8 / kv.bits));
  return { ...c, activationBytesRead: Math.max(0, (c.activationBytesRead - kv.bytes) * served.trafficScale + cache8), weightBytes: c.weightBytes * served.trafficScale, bytesWritten: c.bytesWritten * served.trafficScale, arithmeticDtype: served.dtype, notes };
}

const ZERO_COST = (note: string): OpCost => ({ flops: 0, macs: null, activationBytesRead: 0, weightBytes: 0, bytesWritten: 0, unit: 'none', dtype: null, modelled: true, notes: [note] });

/** Rewrites the per-node costs for a what-if that does not need re-inference. */
export function applyToCosts(costs: readonly NodeCost[], options: ProfileOptions, whatIf: WhatIf): NodeCost[] {
  switch (whatIf.kind) {
    case 'fuse': {
      const folded = new Set(whatIf.folded ?? []);
      return costs.map((c) => (folded.has(c.record.id) && c.cost.modelled ? { ...c, cost: ZERO_COST('what-if: folded into the preceding weights at export') } : c));
    }
    case 'quantise': {
      const chosen = new Set(whatIf.nodes);
      return costs.map((c) => {
        if (!chosen.has(c.record.id)) return c;
        const cost = quantisedCost(c, options, whatIf.weightDtype, whatIf.activations);
        return cost ? { ...c, cost } : c;
      });
    }
    case 'quantise-kv': {
      const chosen = new Set(whatIf.nodes);
      return costs.map((c) => {
        if (!chosen.has(c.record.id)) return c;
        const cost = kvQuantisedCost(c, options);
        return cost ? { ...c, cost } : c;
      });
    }
    case 'drop': {
      const dropped = new Set(whatIf.nodes);
      return costs.map((c) => (dropped.has(c.record.id) && c.cost.modelled ? { ...c, cost: ZERO_COST('what-if: removed (a model with fewer blocks)') } : c));
    }
    case 'scale-batch': {
      const f = whatIf.factor;
      return costs.map((c) => {
        if (!c.cost.modelled || c.container || c.cost.unit === 'none') return c;
        const x = c.cost;
        return { ...c, cost: { ...x, flops: x.flops * f, macs: x.macs === null ? null : x.macs * f, activationBytesRead: x.activationBytesRead * f, bytesWritten: x.bytesWritten * f } };
      });
    }
    case 'bind':
    case 'runtime':
      return [...costs];
  }
}

/** The kernel plan a what-if implies (only 'fuse' groups nodes). */
export function kernelPlanOf(whatIf: WhatIf): KernelPlan {
  return whatIf.kind === 'fuse' ? { fuse: whatIf.groups } : {};
}

/** The profile options a what-if runs with: the same, except the runtime a 'runtime' what-if names. */
export function whatIfOptions<T extends ProfileOptions>(options: T, whatIf: WhatIf): T {
  return whatIf.kind === 'runtime' ? { ...options, runtime: whatIf.runtime } : options;
}

/**
 * Profiles the model as the what-if would have it: new totals and per-node timing, on the same chip and
 * peak mode (and runtime, unless the what-if changes it). Null when the model was not read.
 * `baselineCosts` (computeCosts of the same analysis) saves recomputing them when many what-ifs are tried.
 */
export function profileWhatIf(subject: WhatIfSubject, options: ProfileOptions, whatIf: WhatIf, baselineCosts?: readonly NodeCost[]): ProfileResult | null {
  const { model, inference } = subject;
  if (model === null || inference === null) return null;
  const outputs = graphOutputNames(model.graph);
  if (whatIf.kind === 'bind') {
    const bindings = new Map(subject.inferOptions?.bindings ?? []);
    for (const [name, value] of Object.entries(whatIf.bindings)) bindings.set(name, value);
    const rebound = inferModel(model, { ...subject.inferOptions, bindings });
    return profile(computeCosts(model, rebound), options, outputs);
  }
  const costs = baselineCosts ?? computeCosts(model, inference);
  return profile(applyToCosts(costs, options, whatIf), whatIfOptions(options, whatIf), outputs, kernelPlanOf(whatIf));
}
