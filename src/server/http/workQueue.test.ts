import { describe, expect, it } from 'vitest';
import { WorkQueue } from './workQueue.ts';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('WorkQueue', () => {
  it('runs at most `concurrency` jobs, lets `maxWaiting` wait, and refuses the next with 503 and Retry-After', async () => {
    const queue = new WorkQueue({ name: 'test', concurrency: 2, maxWaiting: 1, retryAfterSeconds: 7 });
    const g = gate();
    let peak = 0;
    let active = 0;
    const job = async () => {
      active++;
      peak = Math.max(peak, active);
      await g.opened;
      active--;
      return 'done';
    };
    const accepted = [queue.run(job), queue.run(job), queue.run(job)];
    await expect(queue.run(job)).rejects.toMatchObject({ status: 503, code: 'SERVICE_BUSY', details: { retryAfterSeconds: 7 } });
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(1);
    g.open();
    expect(await Promise.all(accepted)).toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(queue.running).toBe(0);
  });

  it('a failing job frees its slot', async () => {
    const queue = new WorkQueue({ name: 'test', concurrency: 1, maxWaiting: 0 });
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 1)).toBe(1);
  });

  it('close lets running jobs finish within the deadline, refuses waiting and new ones', async () => {
    const queue = new WorkQueue({ name: 'test', concurrency: 1, maxWaiting: 5 });
    const g = gate();
    const running = queue.run(() => g.opened.then(() => 'finished'));
    const waiting = queue.run(async () => 'never');
    const closing = queue.close(1000);
    await expect(waiting).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    await expect(queue.run(async () => 'late')).rejects.toMatchObject({ status: 503 });
    g.open();
    expect(await running).toBe('finished');
    expect(await closing).toBe(true);
  });

  it('close gives up after the deadline when a job hangs', async () => {
    const queue = new WorkQueue({ name: 'test', concurrency: 1, maxWaiting: 0 });
    void queue.run(() => new Promise(() => {}));
    const started = Date.now();
    expect(await queue.close(100)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
