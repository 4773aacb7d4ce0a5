import { createTestApp, type TestClock } from './app.ts';

export interface TestServer {
  url: string;
  /** The server's clock: it stands still unless a test moves it. */
  clock: TestClock;
  close(): Promise<void>;
}

/** The whole system (API + built web apps) listening on a free loopback port, for browser tests. */
export async function startTestServer(options: { seed?: boolean } = {}): Promise<TestServer> {
  const testApp = await createTestApp({ demo: options.seed ?? true });
  const address = await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  return { url: address, clock: testApp.clock, close: testApp.close };
}
