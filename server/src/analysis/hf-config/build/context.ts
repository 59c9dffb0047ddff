import { DataType } from '../../ir/dtype';
import { Precision } from '../serving/precision';
import { LlmConfig } from '../types';
import { GraphBuilder } from './graph-builder';

/**
 * Which share of the model this graph is: one tensor-parallel rank (its config already has the rank's
 * heads, intermediate width and vocabulary slice: serving/parallel.ts rankConfig) and, under expert
 * parallelism, one of `ep` ranks that each hold E / ep whole experts.
 */
export interface Shard {
  readonly tp: number;
  readonly ep: number;
}

export const WHOLE_MODEL: Shard = { tp: 1, ep: 1 };

/**
 * What every block builder needs: the graph being built, the normalised config, and the step's sizes.
 * `seq` is the number of new tokens this run processes (the prompt in prefill, 1 in decode), `past`
 * the tokens already in the KV cache.
 */
export interface BuildContext {
  readonly b: GraphBuilder;
  readonly cfg: LlmConfig;
  /** The activations' element type (every value of the graph); weights and KV cache per `precision`. */
  readonly dtype: DataType;
  readonly precision: Precision;
  readonly shard: Shard;
  /** Fused: one attention kernel; unfused: eager PyTorch's separate kernels (build/attention-unfused.ts). */
  readonly attention: 'fused' | 'unfused';
  readonly batch: number;
  readonly seq: number;
  readonly past: number;
}

/** `model.layers.{i}` → `model.layers.3`; `{j}` for experts. */
export function modulePath(template: string, layer: number, expert?: number): string {
  return template.replace('{i}', String(layer)).replace('{j}', String(expert ?? 0));
}

/** The module that owns a submodule path: `mlp.down_proj` → `mlp`. */
export function parentModule(path: string): string {
  const cut = path.lastIndexOf('.');
  return cut < 0 ? path : path.slice(0, cut);
}
