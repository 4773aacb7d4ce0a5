import { createTestApp } from './app.ts';

/** The whole system (API + built web apps) listening on a free loopback port, for browser tests. */
export async function startTestServer(options: { seed?: boolean } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const testApp = await createTestApp({ demo: options.seed ?? true });
  const address = await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  return { url: address, close: testApp.close };
}
