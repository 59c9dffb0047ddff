/**
 * Money per token from a predicted time and a price per GPU-hour (issue 17): what one hour of the chip
 * buys, divided by the tokens the phase produces in that hour.
 *
 * - Input (prefill): one prefill of `batch` sequences handles batch × prompt tokens in its time.
 * - Output (decode): one step produces `batch` tokens (one per sequence) in its time.
 *
 * Time only: a GPU that idles between requests, or that overlaps prefill and decode (continuous
 * batching), costs more or less per token; `gpus` multiplies the price for a model split over several.
 */
export interface TokenCost {
  readonly pricePerGpuHour: number;
  readonly gpus: number;
  /** US dollars (or the price's currency) per 10⁶ prompt tokens. */
  readonly perMillionInput: number;
  /** Per 10⁶ generated tokens; null for encoders (no decode). */
  readonly perMillionOutput: number | null;
}

export function tokenCost(pricePerGpuHour: number, gpus: number, batch: number, prompt: number, prefillSeconds: number, decodeStepSeconds: number | null): TokenCost {
  const perSecond = (pricePerGpuHour * gpus) / 3600;
  const perMillionInput = batch > 0 && prompt > 0 ? ((perSecond * prefillSeconds) / (batch * prompt)) * 1e6 : NaN;
  const perMillionOutput = decodeStepSeconds === null || batch <= 0 ? null : ((perSecond * decodeStepSeconds) / batch) * 1e6;
  return { pricePerGpuHour, gpus, perMillionInput, perMillionOutput };
}

/** An amount of money per 1M tokens as the CLI and the lenses write it: two decimals from 1 up, three significant digits below. */
export function formatPrice(amount: number): string {
  return amount >= 1 ? amount.toFixed(2) : amount.toPrecision(3);
}
