import type { RouteLocationNormalized } from 'vue-router';
import { START_LOCATION } from 'vue-router';
import type { LoginResponse } from '../../contract/auth.ts';
import type { AccountSecurity, PendingWeChat, WeChatAvailability, WeChatBindRequest } from '../../contract/wechat.ts';
import { apiBase, apiClient } from '../shared/api.ts';
import { loadSession } from './session.ts';

/** WeChat login in the drivers' app: only inside WeChat's browser, and only when the service offers it. */

/** WeChat's in-app browser says so in its user agent. */
export function isWeChatBrowser(userAgent: string = navigator.userAgent): boolean {
  return /MicroMessenger/i.test(userAgent);
}

export const wechatApi = {
  availability: () => apiClient.get<WeChatAvailability>('/auth/wechat'),
  pending: () => apiClient.get<PendingWeChat>('/auth/wechat/pending'),
  bind: (request: WeChatBindRequest) => apiClient.post<LoginResponse>('/auth/wechat/bindings', request),
  accountSecurity: (signal?: AbortSignal) => apiClient.get<AccountSecurity>('/me/account-security', { signal }),
  unbind: () => apiClient.delete<void>('/me/wechat-binding'),
};

let availability: Promise<WeChatAvailability> | undefined;

/** Whether this service offers WeChat login, asked once per page load (a failure counts as no). */
export function wechatAvailability(): Promise<WeChatAvailability> {
  availability ??= wechatApi.availability().catch(() => ({ web: false, miniProgram: false }));
  return availability;
}

/** The server path that starts WeChat's authorisation; the browser navigates there. */
export function wechatAuthorizePath(options: { scope?: 'base' | 'userinfo'; redirect?: string; silent?: boolean } = {}): string {
  const query = new URLSearchParams({ scope: options.scope ?? 'base' });
  if (options.redirect) query.set('redirect', options.redirect);
  if (options.silent) query.set('silent', '1');
  return `${apiBase}/auth/wechat/authorize?${query.toString()}`;
}

const SILENT_KEY = 'rto.wechat.silentTried';

/**
 * Navigation guard: opening the app in WeChat logs a driver whose WeChat is bound in without a tap
 * (snsapi_base is silent). Tried once per tab, on the first navigation only, and never on the login
 * page (where the driver chooses) — an unknown WeChat just goes on as a guest.
 */
export async function wechatSilentLogin(to: RouteLocationNormalized, from: RouteLocationNormalized): Promise<true | false> {
  if (from !== START_LOCATION || to.name === 'login' || !isWeChatBrowser()) return true;
  try {
    if (sessionStorage.getItem(SILENT_KEY)) return true;
    sessionStorage.setItem(SILENT_KEY, '1');
  } catch {
    return true;
  }
  const [offer, driver] = await Promise.all([wechatAvailability(), loadSession().catch(() => undefined)]);
  if (!offer.web || driver !== null) return true;
  window.location.assign(wechatAuthorizePath({ redirect: to.fullPath, silent: true }));
  return false;
}
