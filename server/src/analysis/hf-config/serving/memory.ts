import { DeviceMemory } from '../../cost/memory-budget';

export { DEFAULT_MEMORY_UTILIZATION, deviceMemory } from '../../cost/memory-budget';
export type { DeviceMemory } from '../../cost/memory-budget';

export interface MemoryCheck {
  /** The budget (device × utilisation) the rest must fit in, per GPU. */
  readonly capacityBytes: number;
  readonly deviceBytes: number;
  /** Device memory left out of the budget (1 − utilisation). */
  readonly reserveBytes: number;
  readonly weightBytes: number;
  readonly batch: number;
  readonly contextTokens: number;
  readonly kvCacheBytes: number;
  /** Live activations of the largest step at this batch (the prefill's largest kernel: its inputs and output). */
  readonly activationBytes: number;
  readonly totalBytes: number;
  readonly fits: boolean;
}

/** Per-GPU figures the check adds up: KV bytes per token held, and activation bytes per sequence. */
export interface MemoryLoad {
  readonly weightBytes: number;
  readonly kvBytesPerToken: number;
  readonly activationBytesPerSequence: number;
}

export function memoryCheck(memory: DeviceMemory, load: MemoryLoad, batch: number, contextTokens: number): MemoryCheck {
  const kvCacheBytes = load.kvBytesPerToken * batch * contextTokens;
  const activationBytes = load.activationBytesPerSequence * batch;
  const totalBytes = load.weightBytes + kvCacheBytes + activationBytes;
  return {
    capacityBytes: memory.budgetBytes,
    deviceBytes: memory.deviceBytes,
    reserveBytes: memory.deviceBytes - memory.budgetBytes,
    weightBytes: load.weightBytes,
    batch,
    contextTokens,
    kvCacheBytes,
    activationBytes,
    totalBytes,
    fits: totalBytes <= memory.budgetBytes,
  };
}

/** Largest batch whose weights, full-context KV cache and activations fit (0: not even one sequence). */
export function largestBatchThatFits(memory: DeviceMemory, load: MemoryLoad, contextTokens: number): number {
  const free = memory.budgetBytes - load.weightBytes;
  const perSequence = load.kvBytesPerToken * contextTokens + load.activationBytesPerSequence;
  if (free <= 0) return 0;
  return perSequence > 0 ? Math.floor(free / perSequence) : Number.POSITIVE_INFINITY;
}
