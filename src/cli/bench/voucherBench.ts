/**
 * Voucher benchmark: SM2 signing and verification of voucher tokens, rendering the voucher to PNG and
 * PDF (done once, at the first download), issuing (sign + both files) and a later download (the
 * stored file read back), with a fresh key and fixed claims.
 *
 *   npx tsx src/cli/bench/voucherBench.ts [rounds]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalFileStorage } from '../../server/storage/index.ts';
import { generateSigningKey, signVoucher, verifyVoucherToken, voucherVerifyUrl } from '../../domain/voucherToken.ts';
import { renderVoucherPdf, renderVoucherPng, type VoucherDocument } from '../../server/vouchers/render.ts';

export interface BenchStat {
  rounds: number;
  meanMs: number;
  p95Ms: number;
  opsPerSecond: number;
}

export interface VoucherBenchResult {
  sign: BenchStat;
  verify: BenchStat;
  renderPng: BenchStat;
  renderPdf: BenchStat;
  /** What issuing costs when both files are rendered at once: sign + PNG + PDF. */
  issue: BenchStat;
  /** A later download: the stored file read back from (local) file storage. */
  download: BenchStat;
  pngBytes: number;
  pdfBytes: number;
}

async function measure(rounds: number, work: () => unknown): Promise<BenchStat> {
  await work(); // warm-up: fonts, JIT, precomputed keys
  const durations: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await work();
    durations.push(performance.now() - start);
  }
  durations.sort((a, b) => a - b);
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  const p95 = durations[Math.min(durations.length - 1, Math.ceil(0.95 * durations.length) - 1)] ?? 0;
  return { rounds, meanMs: round(mean), p95Ms: round(p95), opsPerSecond: round(1000 / mean) };
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function runVoucherBench(opts: { rounds?: number; renderRounds?: number; quiet?: boolean } = {}): Promise<VoucherBenchResult> {
  const rounds = Math.max(1, opts.rounds ?? 200);
  const renderRounds = Math.max(1, opts.renderRounds ?? 10);
  const log = opts.quiet ? () => undefined : console.log;
  const key = generateSigningKey();
  const claims = {
    serial: 'CX2026K7MXP3AD',
    holder: '王*国',
    idMasked: '1101**********0012',
    certificateNumberMasked: '1101**********0012',
    rating: 'AA' as const,
    cycleStart: '2025-03-12',
    cycleEnd: '2026-03-11',
    issuer: '北京市交通委员会',
    issuerCode: '110000',
    issuedAt: '2026-03-20',
    expiresAt: '2027-03-11',
  };
  const keySet = { keys: [{ kid: key.kid, publicKeyHex: key.publicKeyHex }] };
  const token = signVoucher(claims, key);
  const doc: VoucherDocument = {
    title: '道路运输驾驶员诚信考核凭证',
    holderName: '王建国',
    idMasked: claims.idMasked,
    certificateNumber: claims.certificateNumberMasked,
    categories: ['经营性道路货物运输驾驶员'],
    cycle: { start: claims.cycleStart, end: claims.cycleEnd },
    rating: claims.rating,
    issuer: claims.issuer,
    issuedAt: claims.issuedAt,
    serial: claims.serial,
    verifyUrl: voucherVerifyUrl('https://rto.example.cn', token),
  };

  const sign = await measure(rounds, () => signVoucher(claims, key));
  log(`sign        ${sign.meanMs} ms  (${sign.opsPerSecond}/s)`);
  const verify = await measure(rounds, () => verifyVoucherToken(token, keySet, { today: '2026-06-01' }));
  log(`verify      ${verify.meanMs} ms  (${verify.opsPerSecond}/s)`);
  let pngBytes = 0;
  const renderPng = await measure(renderRounds, async () => {
    pngBytes = (await renderVoucherPng(doc)).length;
  });
  log(`render PNG  ${renderPng.meanMs} ms  p95 ${renderPng.p95Ms} ms  (${pngBytes} bytes)`);
  let pdfBytes = 0;
  const renderPdf = await measure(renderRounds, async () => {
    pdfBytes = (await renderVoucherPdf(doc)).length;
  });
  log(`render PDF  ${renderPdf.meanMs} ms  p95 ${renderPdf.p95Ms} ms  (${pdfBytes} bytes)`);
  const issue = await measure(renderRounds, async () => {
    signVoucher(claims, key);
    await Promise.all([renderVoucherPng(doc), renderVoucherPdf(doc)]);
  });
  log(`issue       ${issue.meanMs} ms  p95 ${issue.p95Ms} ms  (sign + PNG + PDF)`);
  const root = await mkdtemp(join(tmpdir(), 'rto-voucher-bench-'));
  try {
    const storage = new LocalFileStorage(root);
    await storage.put('vouchers/bench/voucher.png', await renderVoucherPng(doc), 'image/png');
    const download = await measure(rounds, async () => {
      await storage.get('vouchers/bench/voucher.png');
    });
    log(`download    ${download.meanMs} ms  p95 ${download.p95Ms} ms  (stored PNG read back from file storage)`);
    return { sign, verify, renderPng, renderPdf, issue, download, pngBytes, pdfBytes };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rounds = Number(process.argv[2] ?? 200);
  await runVoucherBench({ rounds });
}
