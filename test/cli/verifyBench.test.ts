/** `rto bench --only verify` at a small size: it runs end to end and reports (numbers are not asserted). */
import { describe, expect, it } from 'vitest';
import { runVerifyBench } from '../../src/cli/bench/verifyBench.ts';

describe('verification throughput benchmark', () => {
  it('drives the bare route, the bare route with the answer\'s bytes and the real endpoint with the same load and reports the ratios', async () => {
    const result = await runVerifyBench({ vouchers: 300, distinct: 30, seconds: 1, connections: 4, quiet: true });
    console.log(`verify bench (small): bare ${result.bare.requestsPerSecond} req/s, verify ${result.verify.requestsPerSecond} req/s, ratio ${result.ratio} %`);
    expect(result.bare.requestsPerSecond).toBeGreaterThan(0);
    expect(result.verify.requestsPerSecond).toBeGreaterThan(0);
    expect(result.verify.errors).toBe(0);
    expect(result.verify.non2xx).toBe(0);
    expect(result.ratio).toBeGreaterThan(0);
    // The ceiling: the bare route answering the endpoint's bytes.
    expect(result.sameBytes.requestsPerSecond).toBeGreaterThan(0);
    expect(result.sameBytes.non2xx).toBe(0);
    expect(result.sameBytesRatio).toBeGreaterThan(0);
  }, 180_000);
});
