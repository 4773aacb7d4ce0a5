import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const rtoBin = path.resolve('bin/rto.mjs');

export interface CliProcess {
  child: ChildProcess;
  /** What it printed so far, stdout and stderr together. */
  output: () => string;
  /** The match of `ready` in the output once it appeared. */
  ready: RegExpExecArray;
}

/**
 * Runs `rto ARGS` as its own process and waits until its output matches `ready` (the start banner, the
 * settings a stand-in prints); refuses when it exits first or prints nothing matching within `timeoutMs`.
 */
export async function startRto(args: string[], ready: RegExp, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliProcess> {
  const child = spawn(process.execPath, [rtoBin, ...args], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rto ${args.join(' ')}: nothing matching ${ready} within ${options.timeoutMs ?? 30_000} ms:\n${output}`)), options.timeoutMs ?? 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`rto ${args.join(' ')} exited with ${code}:\n${output}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = ready.exec(output);
      if (found) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(found);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
  return { child, output: () => output, ready: match };
}

/** Sends `signal` and answers the exit code. */
export function stopRto(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill(signal);
  return exited;
}
