/**
 * Polling helpers (what @playwright/test's `expect(...).toPass()` and auto-waiting gave): run a check
 * until it passes or a deadline is reached. The waits between attempts are poll intervals that back
 * off; no test waits a fixed time for something to happen.
 */

export interface RetryOptions {
  /** Give up after this many milliseconds (the last error is rethrown, prefixed with `message`). */
  readonly timeout: number;
  /** Waits between attempts, the last one repeated (default 100, 250, 500, 1000 ms). */
  readonly intervals?: readonly number[];
  /** What was being waited for, for the error. */
  readonly message?: string;
}

const DEFAULT_INTERVALS = [100, 250, 500, 1000];

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Thrown by an attempt to stop retrying at once (the condition can never become true). */
export class GiveUp extends Error {}

/** Calls `attempt` until it resolves without throwing (or throws GiveUp); returns its value. */
export async function retry<T>(attempt: (round: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const intervals = options.intervals ?? DEFAULT_INTERVALS;
  const deadline = Date.now() + options.timeout;
  let lastError: unknown;
  for (let round = 0; ; round++) {
    try {
      return await attempt(round);
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      lastError = e;
    }
    const wait = intervals[Math.min(round, intervals.length - 1)];
    if (Date.now() + wait > deadline) break;
    await pause(wait);
  }
  const detail = lastError instanceof Error ? lastError.message : String(lastError);
  const error = new Error(`${options.message ?? 'condition'}: still failing after ${options.timeout} ms: ${detail}`);
  if (lastError instanceof Error) error.stack = `${error.message}\n--- last attempt ---\n${lastError.stack ?? ''}`;
  throw error;
}

/** Waits until `condition` returns a truthy value; returns it. */
export async function waitUntil<T>(condition: () => Promise<T | undefined | null | false> | T | undefined | null | false, options: RetryOptions): Promise<T> {
  return retry(async () => {
    const value = await condition();
    if (!value) throw new Error('not yet');
    return value;
  }, options);
}
