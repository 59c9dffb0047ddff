import * as assert from 'node:assert/strict';
import { tokenCost } from '../../server/src/analysis/hf-config/token-cost';

describe('cost per token (hf-config/token-cost.ts), hand-derived', () => {
  it('LLaMA-2-7B on one H100 at $2/h: prefill 33.147 ms for 1 × 2048 tokens, decode 5.645 ms per step of 1 token', () => {
    // $2 / 3600 s = $0.000555… per second.
    // Input: 0.033147 s × $0.000555… = $1.8415e-5 for 2048 tokens → × 1e6 / 2048 = $0.008992 per 1M.
    // Output: 0.005645 s × $0.000555… = $3.1361e-6 per token → $3.1361 per 1M.
    const c = tokenCost(2, 1, 1, 2048, 0.033147, 0.005645);
    assert.ok(Math.abs(c.perMillionInput - 0.0089918) < 1e-6, String(c.perMillionInput));
    assert.ok(c.perMillionOutput !== null && Math.abs(c.perMillionOutput - 3.13611) < 1e-4, String(c.perMillionOutput));
  });

  it('batching divides the output cost by the tokens a step makes; several GPUs multiply the price', () => {
    // 8 GPUs at $2/h = $16/h; a 20 ms step of batch 64 makes 64 tokens: $16/3600 × 0.02 / 64 × 1e6 = $1.3889 per 1M.
    const c = tokenCost(2, 8, 64, 512, 0.5, 0.02);
    assert.ok(c.perMillionOutput !== null && Math.abs(c.perMillionOutput - 1.388889) < 1e-5, String(c.perMillionOutput));
    // Prefill: $16/3600 × 0.5 s / (64 × 512 tokens) × 1e6 = $0.067817 per 1M.
    assert.ok(Math.abs(c.perMillionInput - 0.0678168) < 1e-6, String(c.perMillionInput));
  });

  it('an encoder has no output cost', () => {
    assert.equal(tokenCost(1, 1, 1, 128, 0.001, null).perMillionOutput, null);
  });
});
