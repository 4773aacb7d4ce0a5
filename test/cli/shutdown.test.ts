import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRto } from '../helpers/cliProcess.ts';


/** A raw connection, so a test can hold a request half-sent and read pipelined answers as they come. */
function connect(url: string): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => resolve({ socket, received: () => data, closed }));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('error', reject);
  });
}

function statusLines(raw: string): number[] {
  return [...raw.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
}

async function startServe(dataDir: string, graceSeconds: number): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const { child, output, ready } = await startRto(['serve'], /API\s+(http:\/\/\S+)\/api\/v1/, {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development', SEED_DEMO: '0', LOG_LEVEL: 'info', SHUTDOWN_GRACE_SECONDS: String(graceSeconds) },
    timeoutMs: 90_000,
  });
  return { child, url: ready[1]!, output };
}

describe('rto serve on SIGTERM', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-sigterm-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('turns unready at once, lets an in-flight request finish, cuts one stuck past the grace, and exits 0', { timeout: 120_000 }, async () => {
    const { child, url, output } = await startServe(dataDir, 3);
    expect((await fetch(`${url}/api/v1/ready`)).status).toBe(200);

    const body = JSON.stringify({ phone: '13800000009' });
    // In flight: the headers and half the body are in when the signal comes.
    const inFlight = await connect(url);
    inFlight.socket.write(`POST /api/v1/auth/sms-codes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    // Stuck: a body that never comes in full.
    const stuck = await connect(url);
    stuck.socket.write(`POST /api/v1/auth/sms-codes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`);
    // A load balancer's readiness probe, its request line in before the signal and its end after.
    const probe = await connect(url);
    probe.socket.write('GET /api/v1/ready HTTP/1.1\r\nHost: x\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const exit = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // A second into the grace: readiness says 503, and the in-flight request completes and is answered.
    probe.socket.write('\r\n');
    await expect.poll(() => statusLines(probe.received()), { timeout: 10_000 }).toEqual([503]);
    inFlight.socket.write(body.slice(5));
    await expect.poll(() => statusLines(inFlight.received()).length, { timeout: 10_000 }).toBe(1);
    expect(statusLines(inFlight.received())[0]).toBeLessThan(500);
    expect(inFlight.received()).toMatch(/expiresInSeconds/);
    // No new connections are taken meanwhile.
    await expect(fetch(`${url}/api/v1/health`)).rejects.toThrow();

    const { code, at } = await exit;
    expect(code).toBe(0);
    // The stuck request held the process for the grace (3 s), not longer.
    expect(at - signalledAt).toBeGreaterThanOrEqual(2_900);
    expect(at - signalledAt).toBeLessThan(8_000);
    await stuck.closed;
    expect(statusLines(stuck.received())).toEqual([]);
    const steps = [...output().matchAll(/"shutdownStep":"(\w+)"/g)].map((m) => m[1]);
    expect(steps).toEqual(['readiness', 'outbox', 'requests', 'metrics', 'database']);
  });
});
