import { DataType } from '../../ir/dtype';
import { LlmConfig } from '../types';
import { GraphBuilder } from './graph-builder';

/**
 * What every block builder needs: the graph being built, the normalised config, and the step's sizes.
 * `seq` is the number of new tokens this run processes (the prompt in prefill, 1 in decode), `past`
 * the tokens already in the KV cache.
 */
export interface BuildContext {
  readonly b: GraphBuilder;
  readonly cfg: LlmConfig;
  readonly dtype: DataType;
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
