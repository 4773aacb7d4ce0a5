/**
 * `rto verify IMAGE_OR_TOKEN`: reads the QR from a picture (or takes a token or verify URL) and
 * verifies it — offline against a trust list (a rto-keys.json file or URL) and a status list (a
 * rto-status.json file or URL; from the keys URL's origin by default), answering with the status as
 * of the list's issue time ("状态截至 …"), or without a list "authentic, status not checked" — or online
 * through a server's /api/v1/verify.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tokenCategoryLabel, verifySignedToken } from '../../domain/certificateToken.ts';
import { chinaToday } from '../../domain/dates.ts';
import { openStatusList, type OpenedStatusList } from '../../domain/statusList.ts';
import { verifyTrustList } from '../../domain/trustList.ts';
import type { VoucherKeySet } from '../../domain/voucherToken.ts';
import type { VerifyResponse } from '../../contract/vouchers.ts';
import { extractToken } from './verify.ts';

export interface VerifyCommandOptions {
  input: string;
  /** rto-keys.json file or URL; verification is offline when given. */
  keys?: string;
  /** rto-status.json file or URL (offline); defaults to the keys URL's origin when keys is a URL. */
  status?: string;
  offline?: boolean;
  /** Server to ask online; defaults to the verify URL's own origin, then PUBLIC_BASE_URL. */
  server?: string;
  now?: Date;
}

export interface VerifyCommandResult {
  exitCode: number;
  lines: string[];
}

const isUrl = (text: string) => /^https?:\/\//i.test(text);

async function loadJson(source: string): Promise<unknown> {
  const text = isUrl(source) ? await (await fetch(source)).text() : await readFile(source, 'utf8');
  return JSON.parse(text) as unknown;
}

/** A key set (`rto-keys.json`) from a file or a URL. */
export async function loadKeySet(source: string): Promise<VoucherKeySet> {
  const parsed = (await loadJson(source)) as { keys?: unknown };
  if (!Array.isArray(parsed.keys)) throw new Error('the key set has no "keys" array');
  return parsed as VoucherKeySet;
}

const listProblems: Record<string, string> = {
  stale: '状态列表已过期，状态未能确认 / the status list is out of date: status not confirmed',
  tampered: '状态列表签名无效，未使用 / the status list signature does not hold: not used',
  unknown_key: '状态列表由未知密钥签名，未使用 / the status list is signed by an unknown key: not used',
  malformed: '状态列表格式无效，未使用 / the status list is not valid: not used',
  not_listed: '此凭证不在状态列表中（旧版二维码）/ not in the status list (older QR code)',
};

async function readInput(input: string): Promise<string | null> {
  if (existsSync(input)) {
    const { decodeQrFromImage } = await import('../vouchers/qrDecode.ts');
    return decodeQrFromImage(await readFile(input));
  }
  return input;
}

function describe(result: Pick<VerifyResponse, 'verdict' | 'messages' | 'claims' | 'certificate' | 'revokedAt' | 'supersededAt' | 'reason'>): string[] {
  const lines = [`${result.messages.zh}`, `${result.messages.en}`, `verdict: ${result.verdict}${result.reason ? ` (${result.reason})` : ''}`];
  const c = result.claims;
  if (c) {
    lines.push(
      `凭证编号 serial:      ${c.serial}`,
      `持证人 holder:        ${c.holder}  ${c.idMasked}`,
      `考核等级 rating:      ${c.rating}`,
      `考核周期 cycle:       ${c.cycleStart} – ${c.cycleEnd}`,
      `发证机关 issuer:      ${c.issuer} (${c.issuerCode})`,
      `签发/有效期 dates:    ${c.issuedAt} – ${c.expiresAt}`,
      `密钥 key id:          ${c.kid}`,
    );
  }
  const cert = result.certificate;
  if (cert) {
    lines.push(
      `从业资格证 certificate: ${cert.certificateNumberMasked}`,
      `持证人 holder:        ${cert.holder}  ${cert.idMasked}`,
      ...cert.categories.map((k) => `类别 category:        ${k.label} (至 ${k.validTo})`),
      `发证机关 issuer:      ${cert.issuer} (${cert.issuerCode})`,
      `密钥 key id:          ${cert.kid}`,
    );
  }
  if (result.revokedAt) lines.push(`撤销 revoked:         ${result.revokedAt}`);
  if (result.supersededAt) lines.push(`取代 superseded:      ${result.supersededAt}`);
  return lines;
}

export async function runVerifyCommand(options: VerifyCommandOptions): Promise<VerifyCommandResult> {
  const raw = await readInput(options.input);
  if (raw === null) {
    return { exitCode: 1, lines: ['图片中没有找到二维码', 'No QR code found in the picture'] };
  }
  const token = extractToken(raw);
  const ok = (verdict: string) => (verdict === 'valid' || verdict === 'authentic_unchecked' ? 0 : 1);

  if (options.offline || options.keys) {
    if (!options.keys) return { exitCode: 2, lines: ['--offline needs --keys FILE_OR_URL (a rto-keys.json)'] };
    const keySet = await loadKeySet(options.keys);
    const trust = verifyTrustList(keySet);
    const statusSource = options.status ?? (isUrl(options.keys) ? new URL('/.well-known/rto-status.json', options.keys).toString() : undefined);
    let statusList: OpenedStatusList | undefined;
    if (statusSource) {
      try {
        statusList = openStatusList(await loadJson(statusSource), keySet);
      } catch {
        statusList = { ok: false, problem: 'malformed' };
      }
    }
    const now = options.now ?? new Date();
    const result = verifySignedToken(token, keySet, { today: chinaToday(now), now: now.getTime(), ...(statusList ? { statusList } : { status: null }) });
    const claims = result.kind === 'certificate' ? undefined : result.claims;
    const certificate =
      result.kind === 'certificate' && result.certificate
        ? {
            ...result.certificate,
            categories: result.certificate.categories.map((k) => ({ code: k.code, label: tokenCategoryLabel(k), validTo: k.validTo })),
          }
        : undefined;
    const lines = describe({
      verdict: result.verdict,
      messages: result.message,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(claims ? { claims } : {}),
      ...(certificate ? { certificate } : {}),
    });
    if (result.statusAsOf) {
      const ageMinutes = Math.max(0, Math.round((now.getTime() - Date.parse(result.statusAsOf)) / 60_000));
      lines.push(`状态截至 status as of: ${result.statusAsOf} (${ageMinutes} min ago)`);
    }
    if (result.statusList) lines.push(listProblems[result.statusList] ?? result.statusList);
    lines.push(
      trust.ok
        ? '信任列表 trust list:   signed'
        : `信任列表 trust list:   ${trust.problem === 'unsigned' || trust.problem === 'malformed' ? 'unsigned (older key set)' : 'SIGNATURE DOES NOT HOLD'}`,
    );
    return { exitCode: ok(result.verdict), lines };
  }

  const origin = isUrl(raw.trim()) ? new URL(raw.trim()).origin : undefined;
  const server = (options.server ?? origin ?? process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
  const response = await fetch(`${server}/api/v1/verify/${token}?channel=api`, { headers: { 'accept-language': 'zh' } });
  if (response.status !== 200) {
    return { exitCode: 1, lines: [`核验服务返回 ${response.status}`, `The verify service answered ${response.status}: ${await response.text()}`] };
  }
  const body = (await response.json()) as VerifyResponse;
  return { exitCode: ok(body.verdict), lines: describe(body) };
}

