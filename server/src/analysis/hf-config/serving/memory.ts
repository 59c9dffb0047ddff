import { bytesFromGB } from '../../../format/units';
import { Chip } from '../../cost/chips';

/**
 * What one GPU can hold for serving. The device memory is what the driver reports (nvidia-smi's total,
 * `usableMemoryMiB` in the chip data: 81,559 MiB on an H100 SXM "80GB", i.e. 85.5e9 B), or the
 * datasheet's GB (10^9 B) where no such figure is sourced. Of it a serving engine plans with a fraction:
 * vLLM's `gpu_memory_utilization`, default 0.9 (the rest is the CUDA context, the allocator's slack
 * and other processes). Within that budget go the weights, the KV cache and the activations of the
 * largest step.
 */
export const DEFAULT_MEMORY_UTILIZATION = 0.9;

export interface DeviceMemory {
  /** All of the device's memory in bytes. */
  readonly deviceBytes: number;
  /** Whether deviceBytes is the driver's figure (else the datasheet's GB). */
  readonly measured: boolean;
  /** What the engine plans with: deviceBytes × utilisation. */
  readonly budgetBytes: number;
  readonly utilization: number;
}

export function deviceMemory(chip: Chip, utilization = DEFAULT_MEMORY_UTILIZATION): DeviceMemory {
  const measured = chip.usableMemoryMiB !== undefined;
  const deviceBytes = chip.usableMemoryMiB !== undefined ? chip.usableMemoryMiB * 2 ** 20 : bytesFromGB(chip.memoryGB);
  return { deviceBytes, measured, budgetBytes: deviceBytes * utilization, utilization };
}

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
