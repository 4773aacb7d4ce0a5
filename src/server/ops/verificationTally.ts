/**
 * Voucher and certificate checks counted by verdict as they are logged (`voucher_checks`), for the
 * metrics. Per process: Prometheus adds the instances up.
 */
const tally = new Map<string, number>();

export function countVerificationCheck(verdict: string): void {
  tally.set(verdict, (tally.get(verdict) ?? 0) + 1);
}

export function verificationCheckCounts(): ReadonlyMap<string, number> {
  return tally;
}
