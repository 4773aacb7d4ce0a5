import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { closeWithin } from './start.ts';

describe('closeWithin', () => {
  it('cuts a request that outlives the shutdown deadline, so the process can stop', async () => {
    const app = Fastify();
    let reached!: () => void;
    const inHandler = new Promise<void>((resolve) => (reached = resolve));
    app.get('/stuck', async () => {
      reached();
      await new Promise(() => {}); // a stuck upload or OCR
    });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const request = fetch(`${address}/stuck`).then(
      () => 'answered',
      () => 'cut',
    );
    await inHandler;
    const started = Date.now();
    await closeWithin(app, 200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await request).toBe('cut');
  });

  it('waits for a request that finishes within the deadline', async () => {
    const app = Fastify();
    app.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { ok: true };
    });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const request = fetch(`${address}/slow`).then((response) => response.status);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = Date.now();
    await closeWithin(app, 3000);
    expect(await request).toBe(200);
    // And does not wait out the deadline for the idle keep-alive connection left behind.
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
