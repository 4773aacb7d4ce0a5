/**
 * ID card OCR benchmark: synthetic cards (fixed seed) through the real reader, per-field accuracy and timing.
 *
 *   npx tsx src/cli/bench/ocrBench.ts [count]
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { generateIdCards } from '../../../scripts/generate-id-cards.ts';
import type { IdCardField } from '../../server/identity/idCardParser.ts';
import { createIdCardReader, warmUpIdCardReader } from '../../server/identity/ocr.ts';

const FIELDS: IdCardField[] = ['name', 'sex', 'ethnicity', 'birthDate', 'address', 'idNumber'];

export interface OcrBenchResult {
  count: number;
  warmUpMs: number;
  meanMs: number;
  p95Ms: number;
  /** CPU time (all threads) per image: what the image costs on an otherwise idle machine. */
  meanCpuMs: number;
  /** Share of images (0..1) on which each field was read exactly right. */
  accuracy: Record<IdCardField, number>;
  /** Images whose ID number was wrong or missing, with what was read. */
  idNumberMisses: { index: number; expected: string; got: string | undefined }[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

export async function runOcrBench(opts: { count?: number; seed?: number; quiet?: boolean } = {}): Promise<OcrBenchResult> {
  const count = Math.max(1, opts.count ?? 40);
  const log = opts.quiet ? () => undefined : console.log;
  log(`Generating ${count} synthetic ID cards…`);
  const cards = await generateIdCards({ count, seed: opts.seed ?? 20240601 });

  const warmUpMs = await warmUpIdCardReader();
  const reader = createIdCardReader();
  const correct = Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<IdCardField, number>;
  const durations: number[] = [];
  let cpuMicros = 0;
  const idNumberMisses: OcrBenchResult['idNumberMisses'] = [];

  for (const [index, card] of cards.entries()) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const reading = await reader.read(card.image);
    durations.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    for (const field of FIELDS) {
      if (reading.fields[field] === card.truth[field]) correct[field] += 1;
    }
    if (reading.fields.idNumber !== card.truth.idNumber) {
      idNumberMisses.push({ index, expected: card.truth.idNumber, got: reading.fields.idNumber });
    }
  }
  await reader.close?.();

  const sorted = [...durations].sort((a, b) => a - b);
  const result: OcrBenchResult = {
    count,
    warmUpMs,
    meanMs: Math.round(durations.reduce((a, b) => a + b, 0) / durations.length),
    p95Ms: Math.round(percentile(sorted, 0.95)),
    meanCpuMs: Math.round(cpuMicros / 1000 / count),
    accuracy: Object.fromEntries(FIELDS.map((f) => [f, correct[f] / count])) as Record<IdCardField, number>,
    idNumberMisses,
  };

  log(`\nID card OCR — ${count} images (every 5th a 2000 px photo), seed ${opts.seed ?? 20240601}`);
  console.table(
    Object.fromEntries(FIELDS.map((f) => [f, { correct: correct[f], accuracy: `${(result.accuracy[f] * 100).toFixed(1)} %` }])),
  );
  log(`engine warm-up (model load, once per process): ${warmUpMs} ms`);
  log(`per image: mean ${result.meanMs} ms, p95 ${result.p95Ms} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms (wall clock)`);
  log(`per image: mean ${result.meanCpuMs} ms CPU; load average during the run ${loadavg()[0]!.toFixed(1)} on the machine's cores`);
  for (const miss of idNumberMisses) log(`  ID number miss #${miss.index}: expected ${miss.expected}, got ${miss.got ?? '(none)'}`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = process.argv[2] ? Number(process.argv[2]) : undefined;
  await runOcrBench(count ? { count } : {});
}
