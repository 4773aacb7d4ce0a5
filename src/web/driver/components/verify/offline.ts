/**
 * Verifying without the server: the issuer's trust list (/.well-known/rto-keys.json) and its signed
 * status list (/.well-known/rto-status.json) are kept on the phone, fetched whenever the app is online,
 * so that a voucher or e-certificate can still be checked when the network fails — signature, key
 * window and kind, dates, and revoked / superseded as of the list's issue time ("状态截至 …"). The
 * whole padded list is downloaded, so the server never learns which document is checked. A newer
 * trust list replaces the kept one only when a key the kept one trusts signed it.
 */
import { voucherApi, type PublishedKeySet, type StatusList, type VerifyResponse } from '../../../shared/api.ts';
import { localized } from '../../../shared/locale.ts';

const storageKey = 'rto.verify.keySet';
const statusStorageKey = 'rto.verify.statusList';
/** Keys change only on rotation; the server lets caches keep them 5 minutes. */
const refreshAfterMs = 5 * 60_000;
/** Real tokens are ~250–400 base64url characters; the server refuses more than 1024. */
const tokenPattern = /^[A-Za-z0-9_-]{40,1024}$/;

export interface SavedKeySet {
  fetchedAt: number;
  keySet: PublishedKeySet;
}

/** What the verify page shows: the server's answer, or the phone's own check when `offline`. */
export type VerificationView = VerifyResponse & { offline?: boolean };

function isKeySet(value: unknown): value is PublishedKeySet {
  if (typeof value !== 'object' || value === null) return false;
  const keys = (value as { keys?: unknown }).keys;
  return (
    Array.isArray(keys) &&
    keys.every((k: unknown) => typeof k === 'object' && k !== null && typeof (k as { kid?: unknown }).kid === 'string' && typeof (k as { publicKeyHex?: unknown }).publicKeyHex === 'string')
  );
}

export function savedKeySet(): SavedKeySet | null {
  try {
    const raw = globalThis.localStorage?.getItem(storageKey);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as { fetchedAt?: unknown; keySet?: unknown };
    if (typeof parsed.fetchedAt !== 'number' || !isKeySet(parsed.keySet)) return null;
    return { fetchedAt: parsed.fetchedAt, keySet: parsed.keySet };
  } catch {
    return null;
  }
}

/**
 * Fetches the published keys and keeps them, unless a fresh copy is already kept. Failures are
 * silent: the saved copy (if any) stays. Old keys stay in the published set after rotation, so a
 * newer set never loses what an older one could verify.
 */
export async function refreshKeySet(options: { force?: boolean } = {}): Promise<void> {
  const saved = savedKeySet();
  // The status list changes more often than keys; the browser's HTTP cache (ETag, 5 minutes) keeps it cheap.
  if (!options.force && saved && Date.now() - saved.fetchedAt < refreshAfterMs) return refreshStatusList();
  try {
    const keySet = await voucherApi.keySet();
    if (!isKeySet(keySet)) return;
    const { verifyTrustList } = await import('../../../../domain/trustList.ts');
    // A signed list must be signed by a key the kept list trusts (itself on first use); a kept signed
    // list is never replaced by an unsigned one.
    const keptIsSigned = !!saved?.keySet.signatures?.length;
    if (keySet.signatures?.length) {
      if (!verifyTrustList(keySet, keptIsSigned ? saved!.keySet : undefined).ok) return;
    } else if (keptIsSigned) {
      return;
    }
    globalThis.localStorage?.setItem(storageKey, JSON.stringify({ fetchedAt: Date.now(), keySet } satisfies SavedKeySet));
  } catch {
    // Offline or storage disabled: keep what there is.
  }
  await refreshStatusList();
}

export interface SavedStatusList {
  fetchedAt: number;
  list: StatusList;
}

export function savedStatusList(): SavedStatusList | null {
  try {
    const raw = globalThis.localStorage?.getItem(statusStorageKey);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<SavedStatusList>;
    if (typeof parsed.fetchedAt !== 'number' || typeof parsed.list !== 'object' || parsed.list === null) return null;
    return parsed as SavedStatusList;
  } catch {
    return null;
  }
}

/** Fetches the whole status list and keeps it (its signature is checked when it is used). */
export async function refreshStatusList(): Promise<void> {
  try {
    const list = await voucherApi.statusList();
    if (typeof list?.encodedList !== 'string') return;
    globalThis.localStorage?.setItem(statusStorageKey, JSON.stringify({ fetchedAt: Date.now(), list } satisfies SavedStatusList));
  } catch {
    // Offline or storage disabled: keep what there is.
  }
}

/**
 * The token inside what a QR code holds: a verify URL (`…/v/{token}`, any host: the signature, not the
 * address, says whether it is ours) or a bare token. Null when it is neither.
 */
export function tokenFromScan(text: string): string | null {
  const trimmed = text.trim();
  if (tokenPattern.test(trimmed)) return trimmed;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const token = /\/v\/([^/]+)\/?$/.exec(url.pathname)?.[1];
  return token && tokenPattern.test(token) ? token : null;
}

/**
 * Checks `token` against `keySet` on this phone, as of `today` (YYYY-MM-DD, China time) and `now`, with
 * the kept status list when there is one.
 */
export async function verifyOffline(
  token: string,
  keySet: PublishedKeySet,
  today?: string,
  options: { statusList?: StatusList | null; now?: number } = {},
): Promise<VerificationView> {
  // Loaded on demand: the SM2 and inflate code is only needed when the server cannot answer.
  const [{ verifySignedToken, tokenCategoryLabel }, { chinaDate }, { openStatusList }] = await Promise.all([
    import('../../../../domain/certificateToken.ts'),
    import('../../../../domain/dates.ts'),
    import('../../../../domain/statusList.ts'),
  ]);
  const now = options.now ?? Date.now();
  const checkedOn = today ?? chinaDate(new Date(now));
  const list = options.statusList === undefined ? savedStatusList()?.list : options.statusList;
  const result = verifySignedToken(token, keySet, {
    today: checkedOn,
    now,
    ...(list ? { statusList: openStatusList(list, keySet) } : { status: null }),
  });
  const view: VerificationView = {
    verdict: result.verdict,
    message: localized(result.message),
    messages: result.message,
    checkedOn,
    offline: true,
  };
  if (result.kind) view.kind = result.kind;
  if (result.reason) view.reason = result.reason;
  if (result.statusAsOf) view.statusAsOf = result.statusAsOf;
  if (result.statusList) view.statusList = result.statusList;
  if (result.kind === 'certificate') {
    if (result.certificate) {
      const { certificateId: _id, categories, ...rest } = result.certificate;
      view.certificate = { ...rest, categories: categories.map((c) => ({ code: c.code, label: tokenCategoryLabel(c), validTo: c.validTo })) };
    }
  } else if (result.claims) {
    view.claims = result.claims;
  }
  return view;
}
