import { createTestApp, type TestApp, type TestClock } from './app.ts';

export interface TestServer {
  url: string;
  /** The server's clock: it starts at the real time and stands still unless a test moves it. */
  clock: TestClock;
  /** The server's app and database, for setting up data a test cannot make through the pages. */
  testApp: TestApp;
  close(): Promise<void>;
}

/**
 * The whole system (API + built web apps) listening on a free loopback port, for browser tests. It runs
 * on the real time (a browser drops a cookie whose expiry has passed by its own clock), on demo data
 * seeded at the start of the run.
 */
export async function startTestServer(options: { seed?: boolean; env?: Record<string, string> } = {}): Promise<TestServer> {
  const testApp = await createTestApp({ demo: options.seed ?? true, startsNow: true, ...(options.env ? { env: options.env } : {}) });
  const address = await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  return { url: address, clock: testApp.clock, testApp, close: testApp.close };
}
