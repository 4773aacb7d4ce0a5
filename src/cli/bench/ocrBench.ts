/**
 * ID card OCR benchmark: generated 12-megapixel phone photos of both sides (fixed seed, every condition of
 * scripts/generate-id-photos.ts) through the real reader. Reports, per field and per condition, what was
 * right, what was left empty and what was wrong (a value returned that is not the card's: the worst
 * outcome), the time per photo, and the peak memory of the process with the engine loaded.
 *
 *   npx tsx src/cli/bench/ocrBench.ts [photos per condition]
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { generateIdPhotos, PHOTO_CONDITIONS, type GeneratedIdPhoto, type PhotoCondition } from '../../../scripts/generate-id-photos.ts';
import type { IdCardBackField, IdCardField } from '../../domain/idCardLayout.ts';
import { createIdCardReader, warmUpIdCardReader } from '../../server/identity/ocr.ts';

const FRONT_FIELDS: IdCardField[] = ['idNumber', 'name', 'sex', 'ethnicity', 'birthDate', 'address'];
const BACK_FIELDS: IdCardBackField[] = ['issuingAuthority', 'validFrom', 'validTo'];
type Field = IdCardField | IdCardBackField;
/** The date the back sides are checked against (expired or not). */
const TODAY = '2026-12-01';

interface Tally {
  right: number;
  empty: number;
  wrong: number;
}

export interface OcrBenchResult {
  photos: number;
  perCondition: number;
  warmUpMs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** CPU time (all threads) per photo: what a photo costs on an otherwise idle machine. */
  meanCpuMs: number;
  /** Resident memory (MB) before the engine, after loading it, and the peak while reading (sampled every 20 ms). */
  rssBeforeEngineMb: number;
  rssAfterWarmUpMb: number;
  peakRssReadingMb: number;
  fields: Partial<Record<Field, Tally>>;
  conditions: Partial<Record<PhotoCondition, { photos: number; idNumber?: Tally; name?: Tally; allRight: number; expiredRight?: number; meanMs: number; maxMs: number }>>;
  /** Every value returned that is not what the card says. */
  wrongReads: { index: number; condition: PhotoCondition; field: Field; expected: string; got: string; confidence?: number | undefined }[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
const pct = (n: number, of: number) => (of ? `${((n / of) * 100).toFixed(1)} %` : '—');

export async function runOcrBench(opts: { perCondition?: number; seed?: number; quiet?: boolean } = {}): Promise<OcrBenchResult> {
  const perCondition = Math.max(1, opts.perCondition ?? 4);
  const seed = opts.seed ?? 20240601;
  const log = opts.quiet ? () => undefined : console.log;
  log(`Generating ${perCondition} photo(s) for each of ${PHOTO_CONDITIONS.length} conditions (12 MP, seed ${seed})…`);
  const photos: GeneratedIdPhoto[] = await generateIdPhotos({ perCondition, seed });

  const rssBeforeEngineMb = rssMb();
  const warmUpMs = await warmUpIdCardReader();
  const rssAfterWarmUpMb = rssMb();
  let peakRssReadingMb = rssAfterWarmUpMb;
  const sampler = setInterval(() => {
    peakRssReadingMb = Math.max(peakRssReadingMb, rssMb());
  }, 20);
  const reader = createIdCardReader();
  const fields: Partial<Record<Field, Tally>> = {};
  const conditions: OcrBenchResult['conditions'] = {};
  const wrongReads: OcrBenchResult['wrongReads'] = [];
  const durations: number[] = [];
  let cpuMicros = 0;

  const tally = (
    field: Field,
    expected: string,
    got: string | undefined,
    index: number,
    condition: PhotoCondition,
    confidence?: number,
  ): 'right' | 'empty' | 'wrong' => {
    const t = (fields[field] ??= { right: 0, empty: 0, wrong: 0 });
    const outcome = got === undefined ? 'empty' : got === expected ? 'right' : 'wrong';
    t[outcome] += 1;
    if (outcome === 'wrong') wrongReads.push({ index, condition, field, expected, got: got!, confidence });
    return outcome;
  };

  for (const [index, photo] of photos.entries()) {
    const c = (conditions[photo.condition] ??= { photos: 0, allRight: 0, meanMs: 0, maxMs: 0 });
    const started = performance.now();
    const cpu = process.cpuUsage();
    let allRight = true;
    if (photo.side === 'portrait') {
      const reading = await reader.read(photo.image);
      const ms = performance.now() - started;
      durations.push(ms);
      c.meanMs += ms;
      c.maxMs = Math.max(c.maxMs, ms);
      for (const field of FRONT_FIELDS) {
        const outcome = tally(field, String(photo.truth[field]), reading.fields[field], index, photo.condition, reading.fieldConfidence[field]);
        if (outcome !== 'right') allRight = false;
        if (field === 'idNumber' || field === 'name') {
          const t = (c[field] ??= { right: 0, empty: 0, wrong: 0 });
          t[outcome] += 1;
        }
      }
    } else {
      const reading = await reader.readBack(photo.image, TODAY);
      const ms = performance.now() - started;
      durations.push(ms);
      c.meanMs += ms;
      c.maxMs = Math.max(c.maxMs, ms);
      for (const field of BACK_FIELDS) {
        if (tally(field, photo.back[field], reading.fields[field], index, photo.condition) !== 'right') allRight = false;
      }
      const expired = photo.back.validTo !== 'long-term' && photo.back.validTo < TODAY;
      if (reading.expired === expired) c.expiredRight = (c.expiredRight ?? 0) + 1;
    }
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    c.photos += 1;
    if (allRight) c.allRight += 1;
  }
  clearInterval(sampler);
  peakRssReadingMb = Math.max(peakRssReadingMb, rssMb());
  await reader.close?.();
  for (const c of Object.values(conditions)) {
    c.meanMs = Math.round(c.meanMs / c.photos);
    c.maxMs = Math.round(c.maxMs);
  }

  const sorted = [...durations].sort((a, b) => a - b);
  const result: OcrBenchResult = {
    photos: photos.length,
    perCondition,
    warmUpMs,
    medianMs: Math.round(percentile(sorted, 0.5)),
    p95Ms: Math.round(percentile(sorted, 0.95)),
    maxMs: Math.round(sorted.at(-1) ?? 0),
    meanCpuMs: Math.round(cpuMicros / 1000 / photos.length),
    rssBeforeEngineMb,
    rssAfterWarmUpMb,
    peakRssReadingMb,
    fields,
    conditions,
    wrongReads,
  };

  log(`\nID card OCR — ${photos.length} photos, ${perCondition} per condition`);
  log('Per field (wrong = a value that is not the card’s; empty = left for the driver to type):');
  console.table(
    Object.fromEntries(
      Object.entries(fields).map(([field, t]) => {
        const n = t.right + t.empty + t.wrong;
        return [field, { right: pct(t.right, n), empty: pct(t.empty, n), wrong: pct(t.wrong, n), photos: n }];
      }),
    ),
  );
  log('Per condition:');
  console.table(
    Object.fromEntries(
      Object.entries(conditions).map(([condition, c]) => [
        condition,
        {
          photos: c.photos,
          'ID number right': c.idNumber ? `${c.idNumber.right}/${c.photos}` : '',
          'ID number empty': c.idNumber?.empty ?? '',
          'ID number wrong': c.idNumber?.wrong ?? '',
          'name right': c.name ? `${c.name.right}/${c.photos}` : '',
          'every field right': `${c.allRight}/${c.photos}`,
          'expired right': c.expiredRight === undefined ? '' : `${c.expiredRight}/${c.photos}`,
          'mean ms': c.meanMs,
          'max ms': c.maxMs,
        },
      ]),
    ),
  );
  log(`engine warm-up (model load, once per process): ${warmUpMs} ms`);
  log(`memory (RSS): ${rssBeforeEngineMb} MB before the engine (generated photos held), ${rssAfterWarmUpMb} MB with the models loaded, peak ${peakRssReadingMb} MB while reading`);
  log(`per photo: median ${result.medianMs} ms, p95 ${result.p95Ms} ms, max ${result.maxMs} ms (wall clock, one OCR at a time)`);
  log(`per photo: mean ${result.meanCpuMs} ms CPU; load average during the run ${loadavg()[0]!.toFixed(1)} on the machine's cores`);
  for (const w of wrongReads) {
    log(`  wrong read #${w.index} (${w.condition}) ${w.field}: expected ${w.expected}, got ${w.got}${w.confidence === undefined ? '' : ` (confidence ${w.confidence})`}`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const perCondition = process.argv[2] ? Number(process.argv[2]) : undefined;
  await runOcrBench(perCondition ? { perCondition } : {});
}
