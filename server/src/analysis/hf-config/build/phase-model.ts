import { DataType } from '../../ir/dtype';
import { Model } from '../../ir/graph';
import { LlmConfig, Phase } from '../types';
import { Precision, uniformPrecision } from '../serving/precision';
import { BuildContext, Shard, WHOLE_MODEL } from './context';
import { buildDecoder } from './decoder';
import { buildEncoder } from './encoder';
import { GraphBuilder } from './graph-builder';

/**
 * The ONNX model of one phase. Prefill: `prompt` new tokens per sequence, no cache. Decode: one new
 * token per sequence over a cache of `prompt + ⌊generated / 2⌋` past tokens — the middle step of the
 * generation. Attention work and KV reads grow linearly with the position, so the middle step's time
 * is the mean step time and `generated × step` is the whole decode (exactly, up to half a token).
 */
export interface PhaseShape {
  readonly phase: Phase;
  readonly batch: number;
  readonly prompt: number;
  readonly generated: number;
  /** Default 'fused'. */
  readonly attention?: 'fused' | 'unfused';
}

export interface PhaseModel {
  readonly model: Model;
  /** Parameters as transformers counts them: all experts, tied weights once, no buffers. */
  readonly params: number;
  readonly activeParams: number;
  readonly layerOf: ReadonlyMap<string, number>;
  /** Bytes of the weights as stored (packed n-bit weights with their scales and zero points included), and of those inside the layer stack. */
  readonly weightBytes: { readonly total: number; readonly inLayers: number };
  /** New tokens per sequence in this run, and tokens already cached. */
  readonly seq: number;
  readonly past: number;
}

export function decodePastLength(prompt: number, generated: number): number {
  return prompt + Math.floor(generated / 2);
}

export function buildPhaseModel(cfg: LlmConfig, shape: PhaseShape, dtype: DataType, precision: Precision = uniformPrecision(dtype), shard: Shard = WHOLE_MODEL): PhaseModel {
  const decode = shape.phase === 'decode' && cfg.kind === 'decoder';
  const seq = decode ? 1 : shape.prompt;
  const past = decode ? decodePastLength(shape.prompt, shape.generated) : 0;
  const b = new GraphBuilder();
  const ctx: BuildContext = { b, cfg, dtype: precision.activations, precision, shard, attention: shape.attention ?? 'fused', batch: shape.batch, seq, past };
  if (cfg.kind === 'encoder') buildEncoder(ctx);
  else buildDecoder(ctx);
  const counts = b.counts();
  const activeExperts = cfg.experts === null ? counts.expert : (counts.expert * cfg.experts.perToken) / cfg.experts.count;
  const what = decode ? `decode step at position ${past} (batch ${shape.batch})` : `${cfg.kind === 'encoder' ? 'forward pass' : 'prefill'} of ${seq} tokens (batch ${shape.batch})`;
  return {
    model: b.model(`${cfg.modelType} ${decode ? 'decode' : 'prefill'}`, `Built by Ridgepoint from a Hugging Face config (${cfg.modelType}): ${what}.`),
    params: counts.param + counts.expert,
    activeParams: counts.param + activeExperts,
    layerOf: b.layerOf,
    weightBytes: b.weightBytes(),
    seq,
    past,
  };
}
