/** `rto bench --only verify` at a small size: it runs end to end and reports (numbers are not asserted). */
import { describe, expect, it } from 'vitest';
import { runVerifyBench } from '../../src/cli/bench/verifyBench.ts';

describe('verification throughput benchmark', () => {
  it('drives the bare route and the real endpoint with the same load and reports the ratio', async () => {
    const result = await runVerifyBench({ vouchers: 300, distinct: 30, seconds: 1, connections: 4, quiet: true });
    console.log(`verify bench (small): bare ${result.bare.requestsPerSecond} req/s, verify ${result.verify.requestsPerSecond} req/s, ratio ${result.ratio} %`);
    expect(result.bare.requestsPerSecond).toBeGreaterThan(0);
    expect(result.verify.requestsPerSecond).toBeGreaterThan(0);
    expect(result.verify.errors).toBe(0);
    expect(result.verify.non2xx).toBe(0);
    expect(result.ratio).toBeGreaterThan(0);
  }, 180_000);
});
