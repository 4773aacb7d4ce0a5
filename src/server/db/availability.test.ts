import { describe, expect, it } from 'vitest';
import { forTheDriver } from './client.ts';
import { DatabaseAvailability, DatabaseUnreachableError, PoolUse, isDatabaseUnavailable, nodeUrls, trackedPostgresClient } from './availability.ts';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** A stand-in for postgres.js as drizzle calls it: `unsafe` answers what `answer` gives, when awaited. */
function fakeClient(answer: () => Promise<unknown>) {
  const calls: string[] = [];
  const client = {
    options: { parsers: {} },
    unsafe(query: string) {
      calls.push(query);
      const pending = { values: () => pending, then: (a: (v: unknown) => unknown, b: (e: unknown) => unknown) => answer().then(a, b) };
      return pending;
    },
    begin: (run: (tx: unknown) => Promise<unknown>) => answer().then(() => run({})),
  };
  return { client, calls };
}

describe('database availability', () => {
  it('refuses new operations at once while no writable node answers, and lets them through when one does', async () => {
    let writable = false;
    let probes = 0;
    const availability = new DatabaseAvailability({
      probe: async () => {
        probes++;
        return writable;
      },
      retryMs: 20,
    });
    let fail = true;
    const { client, calls } = fakeClient(() => (fail ? Promise.reject(refused()) : Promise.resolve(['row'])));
    const db = trackedPostgresClient(client, new PoolUse(10), availability);
    try {
      await expect(Promise.resolve(db.unsafe('select 1'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // The first failure starts a probe; it finds no writable node: the next operation is refused
      // without reaching the driver.
      const started = performance.now();
      await expect(Promise.resolve(db.unsafe('select 2'))).rejects.toBeInstanceOf(DatabaseUnreachableError);
      await expect(Promise.resolve(db.begin(async () => 'tx'))).rejects.toBeInstanceOf(DatabaseUnreachableError);
      expect(performance.now() - started).toBeLessThan(500);
      expect(calls).toEqual(['select 1']);
      expect(isDatabaseUnavailable(new DatabaseUnreachableError())).toBe(true);
      expect(availability.state).toBe('down');

      // A node takes writes again: the probe, repeated meanwhile, opens the way.
      writable = true;
      fail = false;
      await expect.poll(() => availability.state, { timeout: 2000, interval: 10 }).toBe('up');
      expect(await db.unsafe('select 3')).toEqual(['row']);
      expect(probes).toBeGreaterThanOrEqual(2);
    } finally {
      availability.close();
    }
  });

  it('keeps serving when one connection fails but the database answers, and never probes for an SQL error', async () => {
    let probes = 0;
    const availability = new DatabaseAvailability({
      probe: async () => {
        probes++;
        return true;
      },
    });
    let error: Error | undefined = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const { client } = fakeClient(() => (error ? Promise.reject(error) : Promise.resolve(['row'])));
    const db = trackedPostgresClient(client, new PoolUse(10), availability);
    try {
      await expect(Promise.resolve(db.unsafe('insert'))).rejects.toMatchObject({ code: '23505' });
      expect(probes).toBe(0);
      error = refused();
      await expect(Promise.resolve(db.unsafe('select'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      error = undefined;
      // Waits for the probe's verdict (it finds the database), then goes to the driver.
      expect(await db.unsafe('select')).toEqual(['row']);
      expect(probes).toBe(1);
      expect(availability.state).toBe('up');
    } finally {
      availability.close();
    }
  });

  it('counts a probe that does not answer in time as no writable node', async () => {
    const availability = new DatabaseAvailability({ probe: () => new Promise<boolean>(() => {}), probeTimeoutMs: 50 });
    try {
      availability.suspect();
      expect(availability.state).toBe('checking');
      await expect(availability.admit()).rejects.toBeInstanceOf(DatabaseUnreachableError);
      expect(availability.state).toBe('down');
    } finally {
      availability.close();
    }
  });

  it('finds a database that is there but slow to connect to again: some later probes may take as long as a connection', async () => {
    let probes = 0;
    const availability = new DatabaseAvailability({
      // Connecting takes 120 ms: longer than the first probe may take, within a later one's time. Like
      // the driver given the probe's time as its connect timeout, a shorter attempt gives up when it
      // runs out (decided by the time given, not by which timer a busy machine runs first).
      probe: async (_signal, timeoutMs) => {
        probes++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 120)));
        return timeoutMs >= 120;
      },
      probeTimeoutMs: 50,
      retryProbeTimeoutMs: 500,
      retryMs: 20,
    });
    try {
      availability.suspect();
      await expect(availability.admit()).rejects.toBeInstanceOf(DatabaseUnreachableError);
      expect(availability.state).toBe('down');
      await expect.poll(() => availability.state, { timeout: 2000, interval: 10 }).toBe('up');
      expect(availability.admit()).toBeUndefined();
      // The first probe and four quick retries gave up; the fifth retry waited long enough.
      expect(probes).toBe(6);
    } finally {
      availability.close();
    }
  });

  it('counts operations in flight: beyond the pool size they wait', async () => {
    const use = new PoolUse(1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const availability = new DatabaseAvailability({ probe: async () => true });
    const { client } = fakeClient(() => held.then(() => []));
    const db = trackedPostgresClient(client, use, availability);
    const first = Promise.resolve(db.unsafe('a'));
    const second = Promise.resolve(db.unsafe('b').values());
    // Counted from when they are awaited, as postgres.js runs them.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(use.inFlight).toBe(2);
    release();
    await Promise.all([first, second]);
    expect(use.inFlight).toBe(0);
    availability.close();
  });

  it('splits a multi-host URL into one URL per node, without target_session_attrs', () => {
    expect(nodeUrls('postgres://rto:s%40cret@pg1:5432,pg2:5433/rto?target_session_attrs=read-write&sslmode=require')).toEqual([
      'postgres://rto:s%40cret@pg1:5432/rto?sslmode=require',
      'postgres://rto:s%40cret@pg2:5433/rto?sslmode=require',
    ]);
    expect(nodeUrls('postgres://postgres@127.0.0.1:5432/rto')).toEqual(['postgres://postgres@127.0.0.1:5432/rto']);
  });

  it('asks the driver for the primary where the URL asks libpq for a read-write node', () => {
    expect(forTheDriver('postgres://rto@pg1:5432,pg2:5432/rto?target_session_attrs=read-write')).toBe('postgres://rto@pg1:5432,pg2:5432/rto?target_session_attrs=primary');
    expect(forTheDriver('postgres://rto@pg1,pg2/rto?sslmode=require&target_session_attrs=read-write&x=1')).toBe('postgres://rto@pg1,pg2/rto?sslmode=require&target_session_attrs=primary&x=1');
    expect(forTheDriver('postgres://rto@pg1/rto?target_session_attrs=read-only')).toBe('postgres://rto@pg1/rto?target_session_attrs=read-only');
  });
});
