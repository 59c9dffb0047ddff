/**
 * How a chip talks to its peers, for tensor, pipeline and expert parallelism (hf-config/serving/
 * parallel.ts). Collectives are costed the way nccl-tests reports them: a ring all-reduce of M bytes
 * over N GPUs moves 2(N−1)/N · M per GPU, so its time is `latency + 2(N−1)/N · M / busBandwidth`, where
 * busBandwidth is the measured "busbw" (already net of protocol overhead) and latency the measured
 * time of a small all-reduce. Every figure is sourced in the chip's `interconnect.basis`.
 */
export interface Link {
  /** 'NVLink 4 (NVSwitch)', 'InfiniBand NDR'. */
  readonly name: string;
  /** Datasheet bandwidth per GPU in one direction, GB/s. */
  readonly linkGBs: number;
  /** Measured all-reduce bus bandwidth (nccl-tests busbw), GB/s. */
  readonly allReduceBusGBs: number;
  /** Measured time of a small (latency-bound) collective, µs. */
  readonly collectiveLatencyUs: number;
}

export interface Interconnect extends Link {
  /** GPUs one node's fabric connects (tensor parallelism stays within it). */
  readonly gpusPerNode: number;
  /** Between nodes (pipeline stages beyond one node); absent: not modelled. */
  readonly interNode?: Link;
  readonly basis: string;
}

type Fail = (field: string, message: string) => void;

function positive(raw: Record<string, unknown>, field: string, where: string, fail: Fail, max: number): number | null {
  const v = raw[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) {
    fail(`${where}.${field}`, `must be a positive number up to ${max}, got ${JSON.stringify(v)}`);
    return null;
  }
  return v;
}

function parseLink(raw: unknown, where: string, fail: Fail): Link | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail(where, 'must be an object { name, linkGBs, allReduceBusGBs, collectiveLatencyUs }');
    return null;
  }
  const r = raw as Record<string, unknown>;
  const name = typeof r['name'] === 'string' && r['name'].trim() !== '' ? r['name'] : null;
  if (name === null) fail(`${where}.name`, 'must be a non-empty string');
  const linkGBs = positive(r, 'linkGBs', where, fail, 100_000);
  const allReduceBusGBs = positive(r, 'allReduceBusGBs', where, fail, 100_000);
  const collectiveLatencyUs = positive(r, 'collectiveLatencyUs', where, fail, 100_000);
  if (name === null || linkGBs === null || allReduceBusGBs === null || collectiveLatencyUs === null) return null;
  return { name, linkGBs, allReduceBusGBs, collectiveLatencyUs };
}

/** Validates a chip file's `interconnect` object; null (with failures reported) when it is malformed. */
export function parseInterconnect(raw: unknown, fail: Fail): Interconnect | null {
  const link = parseLink(raw, 'interconnect', fail);
  if (link === null) return null;
  const r = raw as Record<string, unknown>;
  const gpusPerNode = positive(r, 'gpusPerNode', 'interconnect', fail, 1024);
  const basis = typeof r['basis'] === 'string' && r['basis'].trim() !== '' ? r['basis'] : null;
  if (basis === null) fail('interconnect.basis', 'missing: say where the figures come from');
  const interNode = r['interNode'] === undefined ? undefined : parseLink(r['interNode'], 'interconnect.interNode', fail);
  if (gpusPerNode === null || basis === null || interNode === null) return null;
  return { ...link, gpusPerNode, basis, ...(interNode !== undefined ? { interNode } : {}) };
}

/** Ring all-reduce of `bytes` over `gpus` GPUs on `link`: seconds. */
export function allReduceSeconds(link: Link, bytes: number, gpus: number): number {
  if (gpus <= 1 || bytes <= 0) return 0;
  return link.collectiveLatencyUs * 1e-6 + ((2 * (gpus - 1)) / gpus) * (bytes / (link.allReduceBusGBs * 1e9));
}

/**
 * All-gather (or all-to-all) where each GPU ends up with `bytes` in total, (N−1)/N of it from the
 * others: seconds. nccl-tests defines both collectives' busbw with the factor (N−1)/N.
 */
export function allGatherSeconds(link: Link, bytes: number, gpus: number): number {
  if (gpus <= 1 || bytes <= 0) return 0;
  return link.collectiveLatencyUs * 1e-6 + ((gpus - 1) / gpus) * (bytes / (link.allReduceBusGBs * 1e9));
}

/** One point-to-point send of `bytes` between pipeline stages: seconds. */
export function sendSeconds(link: Link, bytes: number): number {
  if (bytes <= 0) return 0;
  return link.collectiveLatencyUs * 1e-6 + bytes / (link.linkGBs * 1e9);
}
