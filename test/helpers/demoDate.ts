/**
 * The instant the demo data of the API and unit tests is seeded from, and where their test clock
 * starts: a Monday, 10:00 in Beijing. Certificate validity and the renewal window are dates relative to
 * the seeding day, so a fixed day keeps every certificate's status the same whatever day the suite runs.
 */
export const DEMO_SEEDED_AT = new Date('2026-03-02T02:00:00Z');
