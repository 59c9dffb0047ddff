import { bytesFromGB } from '../../format/units';
import { Chip } from './chips';

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
