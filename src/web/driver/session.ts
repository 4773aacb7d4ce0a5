import { computed, shallowRef } from 'vue';
import type { RouteLocationNormalized, RouteLocationRaw } from 'vue-router';
import { accountApi, ApiError, type AgreementsResponse, type Me } from '../shared/api.ts';

/**
 * The driver using this browser, as the server knows them (GET /me). The session itself is an
 * HTTP-only cookie, so the app only learns about it by asking.
 */
const me = shallowRef<Me | null>(null);
/** True once the server has answered at least once (logged in or not). */
const known = shallowRef(false);
let pending: Promise<Me | null> | undefined;

export const currentDriver = computed(() => me.value);
export const sessionKnown = computed(() => known.value);
export const isLoggedIn = computed(() => me.value !== null);
export const isVerified = computed(() => me.value?.verified === true);

/**
 * The current driver, asking the server unless already known (`force` asks again).
 * A 401 means logged out; other failures (network) leave the driver unknown and are thrown.
 */
export function loadSession(options: { force?: boolean } = {}): Promise<Me | null> {
  if (known.value && !options.force) return Promise.resolve(me.value);
  pending ??= accountApi
    .me()
    .then(
      (driver) => {
        me.value = driver;
        known.value = true;
        return driver;
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) {
          me.value = null;
          known.value = true;
          return null;
        }
        throw error;
      },
    )
    .finally(() => {
      pending = undefined;
    });
  return pending;
}

/** After login or real-name verification the server answers with the driver: keep it. */
export function setCurrentDriver(driver: Me | null): void {
  me.value = driver;
  known.value = true;
}

/** Ends the session on the server; the app forgets the driver even if the server cannot be reached. */
export async function logout(): Promise<void> {
  try {
    await accountApi.logout();
  } finally {
    setCurrentDriver(null);
  }
}

/** A request refused because the session ended (expired elsewhere): forget the driver. */
export function forgetOnUnauthenticated(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) setCurrentDriver(null);
}

let agreements: Promise<AgreementsResponse> | undefined;

/** The current User Agreement and Privacy Policy, fetched once per page load (again after a failure). */
export function loadAgreements(): Promise<AgreementsResponse> {
  agreements ??= accountApi.agreements().catch((error: unknown) => {
    agreements = undefined;
    throw error;
  });
  return agreements;
}

/** Forget the cached texts (the server said they changed). */
export function resetAgreements(): void {
  agreements = undefined;
}

/** A `redirect` query value that stays inside this app (no other sites, no protocol-relative URLs). */
export function safeRedirect(value: unknown): string | undefined {
  const target = Array.isArray(value) ? value[0] : value;
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return undefined;
  return target;
}

/**
 * Navigation guard for `meta.auth`: 'driver' pages need a login (else /login?redirect=…), 'verified'
 * pages also need real-name verification (else /real-name?redirect=…&reason=verify, which explains why).
 * When the server cannot be reached the page opens and shows the failure of its own requests.
 */
export async function accountGuard(to: RouteLocationNormalized): Promise<RouteLocationRaw | true> {
  const need = to.meta.auth;
  if (!need) return true;
  let driver: Me | null;
  try {
    driver = await loadSession();
  } catch {
    return true;
  }
  if (!driver) return { name: 'login', query: { redirect: to.fullPath } };
  if (need === 'verified' && !driver.verified) return { name: 'real-name', query: { redirect: to.fullPath, reason: 'verify' } };
  return true;
}
