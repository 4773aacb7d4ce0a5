import type { Localized } from '../../domain/errors.ts';
import { AppError } from '../errors.ts';

export interface WorkQueueOptions {
  /** Stable name (logs, metrics). */
  name: string;
  /** Jobs running at once in this process. */
  concurrency: number;
  /** Jobs allowed to wait for a slot; one more is refused at once with 503. */
  maxWaiting: number;
  /** What a refused caller is told to wait before trying again. */
  retryAfterSeconds?: number;
  /** What the refused caller reads. */
  busyMessage?: Localized;
}

export const serviceBusy = (retryAfterSeconds: number, messages: Localized = defaultBusy) =>
  new AppError(503, 'SERVICE_BUSY', messages, { retryAfterSeconds });

const defaultBusy: Localized = { zh: '当前使用人数较多，请稍后再试', en: 'The service is busy right now; try again in a moment' };

const shuttingDown = () =>
  new AppError(503, 'SERVICE_UNAVAILABLE', { zh: '服务正在重启，请稍后再试', en: 'The service is restarting; try again in a moment' }, { retryAfterSeconds: 5 });

/**
 * A bounded queue for costly work (image decoding, OCR): at most `concurrency` jobs run at once, at
 * most `maxWaiting` wait; beyond that the caller gets 503 SERVICE_BUSY with Retry-After at once,
 * rather than every request slowing down until the process runs out of memory.
 */
export class WorkQueue {
  readonly #options: Required<WorkQueueOptions>;
  #running = 0;
  /** Waiters; called with true when handed a slot, false when the queue closes. */
  readonly #waiting: ((granted: boolean) => void)[] = [];
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: WorkQueueOptions) {
    if (!(options.concurrency >= 1) || !(options.maxWaiting >= 0)) throw new Error(`WorkQueue ${options.name}: concurrency ≥ 1 and maxWaiting ≥ 0`);
    this.#options = { retryAfterSeconds: 5, busyMessage: defaultBusy, ...options };
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `job` when a slot is free; throws 503 at once when the queue is full or closing. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#closed) throw shuttingDown();
    if (this.#running >= this.#options.concurrency) {
      if (this.#waiting.length >= this.#options.maxWaiting) throw serviceBusy(this.#options.retryAfterSeconds, this.#options.busyMessage);
      const granted = await new Promise<boolean>((resolve) => this.#waiting.push(resolve));
      if (!granted) throw shuttingDown();
    } else {
      this.#running++;
    }
    const running = (async () => job())();
    this.#inFlight.add(running);
    try {
      return await running;
    } finally {
      this.#inFlight.delete(running);
      this.#next();
    }
  }

  /** Hands the slot of a finished job to the next waiter, or frees it. */
  #next(): void {
    const wake = this.#waiting.shift();
    if (wake) wake(true);
    else this.#running--;
  }

  /**
   * Stops taking jobs (waiting ones get 503) and waits for the running ones, at most `deadlineMs`.
   * Resolves true when everything finished in time.
   */
  async close(deadlineMs: number): Promise<boolean> {
    this.#closed = true;
    for (const wake of this.#waiting.splice(0)) wake(false);
    if (this.#inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), deadlineMs);
      timer.unref();
    });
    const settled = Promise.allSettled([...this.#inFlight]).then(() => true as const);
    try {
      return await Promise.race([settled, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
