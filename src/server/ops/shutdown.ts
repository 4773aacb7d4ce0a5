import type { FastifyBaseLogger } from 'fastify';

/**
 * The instance's life as a load balancer sees it. `draining` turns readiness (`/api/v1/ready`) to 503
 * the moment a stop begins, before anything else closes.
 */
export class Lifecycle {
  #draining = false;

  get draining(): boolean {
    return this.#draining;
  }

  drain(): void {
    this.#draining = true;
  }
}

/** One step of the shutdown; `remainingMs` is what is left of the grace period when it starts. */
export interface ShutdownStep {
  name: string;
  run(remainingMs: number): Promise<unknown>;
}

/**
 * Runs the steps one after another, in order, within one grace period shared by all of them (a step that
 * needs the database comes before the `database` step). A failing step is logged and the next one still
 * runs: a shutdown that stops half-way leaves connections and locks behind. Answers whether every step
 * succeeded.
 */
export async function runShutdown(steps: readonly ShutdownStep[], graceMs: number, logger: Pick<FastifyBaseLogger, 'info' | 'error'>, now: () => number = Date.now): Promise<boolean> {
  const deadline = now() + graceMs;
  let clean = true;
  for (const step of steps) {
    const started = now();
    try {
      await step.run(Math.max(0, deadline - started));
      logger.info({ shutdownStep: step.name, ms: now() - started }, 'shutdown step done');
    } catch (error) {
      clean = false;
      logger.error({ shutdownStep: step.name, err: { type: (error as Error)?.name, code: (error as { code?: unknown })?.code } }, 'shutdown step failed');
    }
  }
  return clean;
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle;
  }
}
