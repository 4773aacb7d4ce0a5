/**
 * How many times a test runs a `Promise.all` race. Embedded PGlite has one connection, so its
 * transactions run one after the other and a race there never overlaps: one round is enough to check
 * the outcome. On PostgreSQL (TEST_DATABASE_URL) the requests do overlap, and a lost race shows only
 * some of the time, so the race runs many rounds.
 */
export const RACE_ROUNDS = process.env.TEST_DATABASE_URL ? Number(process.env.TEST_RACE_ROUNDS ?? 20) : 1;

/** `RACE_ROUNDS` round numbers, for `for (const round of raceRounds())`. */
export function raceRounds(): number[] {
  return Array.from({ length: RACE_ROUNDS }, (_, i) => i);
}
