import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Adapters } from '../../src/server/adapters.ts';
import { buildApp, type App } from '../../src/server/app.ts';
import { loadConfig, type Config } from '../../src/server/config.ts';
import { MemoryRateLimiter } from '../../src/server/rateLimit/index.ts';
import type { DatabaseHandle } from '../../src/server/db/client.ts';
import type { SecretBox } from '../../src/server/secrets/secretBox.ts';
import { TEST_DATA_KEY_HEX, testSecrets } from './dataKey.ts';
import { freshDatabase } from './db.ts';
import { DEMO_SEEDED_AT } from './demoDate.ts';

/** A controllable clock for expiry and deadline tests; it stands still unless a test moves it. */
export class TestClock {
  constructor(private current = new Date(DEMO_SEEDED_AT)) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(instant: Date | string): void {
    this.current = new Date(instant);
  }
}

export interface TestApp {
  app: App;
  database: DatabaseHandle;
  config: Config;
  clock: TestClock;
  /** Seals and opens database secrets with the key the templates were seeded with. */
  secrets: SecretBox;
  close(): Promise<void>;
}

/**
 * The whole API on a fresh database (demo data unless `demo: false`), driven with `app.inject`. Its clock
 * starts at DEMO_SEEDED_AT, the day the demo data was seeded from; with `startsNow` it starts at the real
 * time on demo data seeded at the start of the run (for a real browser, which judges cookie expiry by
 * the real time).
 */
export async function createTestApp(
  options: { demo?: boolean; startsNow?: boolean; env?: Record<string, string>; adapters?: Partial<Adapters> } = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-test-data-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, RTO_DATA_KEY: TEST_DATA_KEY_HEX, ...options.env });
  const database = await freshDatabase({ demo: options.demo ?? true, seededNow: options.startsNow ?? false });
  const clock = new TestClock(options.startsNow ? new Date() : new Date(DEMO_SEEDED_AT));
  const app = await buildApp({
    config,
    db: database.db,
    now: clock.now,
    // Limits follow the test clock, so moving it forward frees them as real time would.
    adapters: { rateLimiter: new MemoryRateLimiter({ now: () => clock.now().getTime() }), ...options.adapters },
    poolStats: database.poolStats,
  });
  await app.ready();
  return {
    app,
    database,
    config,
    clock,
    secrets: testSecrets,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
