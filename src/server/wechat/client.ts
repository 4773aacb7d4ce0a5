/**
 * WeChat's server APIs used for login, as documented by WeChat:
 *
 * - Web pages in WeChat's browser (公众号网页授权), `/connect/oauth2/authorize`, `/sns/oauth2/access_token`,
 *   `/sns/userinfo`: https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
 *   — the code is single use and lives 5 minutes; `snsapi_base` is silent and gives the openid only,
 *   `snsapi_userinfo` asks the user and gives nickname and avatar. Since 12 July 2022 a page that asks for
 *   `snsapi_userinfo` on entry opens as a "snapshot page" whose users are virtual (`is_snapshotuser: 1`):
 *   https://developers.weixin.qq.com/community/develop/doc/000c2c34068880629ced91a2f56001
 * - Mini program login, `/sns/jscode2session` (auth.code2Session):
 *   https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
 *   (errcode -1 busy, 40029 invalid code, 45011 rate limit, 40226 high-risk user)
 * - The interface credential, `/cgi-bin/token` (getAccessToken, valid 7200 s, to be cached):
 *   https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-access-token
 * - The phone bound to WeChat, `POST /wxa/business/getuserphonenumber` (phonenumber.getPhoneNumber; the
 *   code from `<button open-type="getPhoneNumber">`, single use, 5 minutes):
 *   https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-info/phone-number/getPhoneNumber.html
 *
 * Errors come back as `{ errcode, errmsg }` with HTTP 200. WeChat's `access_token` for `/cgi-bin/token`
 * is replaced by each new request for it, so the client keeps one per process and asks again only when
 * it is about to expire or WeChat says it has (40001 / 42001).
 */

export const WECHAT_API_ENDPOINT = 'https://api.weixin.qq.com';
export const WECHAT_OPEN_ENDPOINT = 'https://open.weixin.qq.com';

export interface WeChatApp {
  appId: string;
  secret: string;
}

export interface WeChatClientOptions {
  /** The official account whose web pages log in (公众号). */
  web?: WeChatApp;
  /** The mini program whose shell logs in (小程序). */
  miniProgram?: WeChatApp;
  /** Defaults to https://api.weixin.qq.com (a stand-in in development). */
  apiEndpoint?: string;
  /** Defaults to https://open.weixin.qq.com. */
  openEndpoint?: string;
  timeoutMs?: number;
  /** The current instant in ms (tests move it to expire the cached access token). */
  now?: () => number;
}

/** An answer of WeChat other than success: its errcode (or a local code such as -2 for no answer). */
export class WeChatApiError extends Error {
  override readonly name = 'WeChatApiError';
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
    options?: { cause?: unknown },
  ) {
    super(`WeChat ${api}: ${errcode} ${errmsg}`, options);
  }
}

/** errcodes the login flows tell apart. */
export const WeChatErrcode = {
  BUSY: -1,
  /** Local: no answer, a timeout, or a body that is not WeChat's JSON. */
  UNREACHABLE: -2,
  INVALID_CREDENTIAL: 40001,
  INVALID_CODE: 40029,
  CODE_USED: 40163,
  ACCESS_TOKEN_EXPIRED: 42001,
  API_UNAUTHORIZED: 48001,
} as const;

export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo';

export interface WebAuthorization {
  openid: string;
  unionid: string | null;
  accessToken: string;
  scope: string;
  /** WeChat's snapshot page: the user is a virtual account and must not be logged in. */
  snapshotUser: boolean;
}

export interface WebUserInfo {
  openid: string;
  unionid: string | null;
  nickname: string;
  avatarUrl: string;
}

export interface MiniProgramSession {
  openid: string;
  unionid: string | null;
}

export interface WeChatPhone {
  /** Without the country code. */
  purePhoneNumber: string;
  countryCode: string;
}

type Json = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export class WeChatClient {
  readonly web: WeChatApp | undefined;
  readonly miniProgram: WeChatApp | undefined;
  readonly #api: string;
  readonly #open: string;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #token: { value: string; expiresAt: number } | undefined;
  #tokenPending: Promise<string> | undefined;

  constructor(options: WeChatClientOptions) {
    this.web = options.web;
    this.miniProgram = options.miniProgram;
    this.#api = (options.apiEndpoint ?? WECHAT_API_ENDPOINT).replace(/\/+$/, '');
    this.#open = (options.openEndpoint ?? WECHAT_OPEN_ENDPOINT).replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  /** Where the browser goes to authorise (the fragment `#wechat_redirect` is required by WeChat). */
  authorizeUrl(input: { redirectUri: string; scope: OAuthScope; state: string }): string {
    const app = this.#app('web');
    const query = new URLSearchParams({ appid: app.appId, redirect_uri: input.redirectUri, response_type: 'code', scope: input.scope, state: input.state });
    return `${this.#open}/connect/oauth2/authorize?${query.toString()}#wechat_redirect`;
  }

  /** Trades the callback's code for the openid (and unionid when the account has one). */
  async exchangeWebCode(code: string): Promise<WebAuthorization> {
    const app = this.#app('web');
    const body = await this.#call('sns/oauth2/access_token', 'GET', { appid: app.appId, secret: app.secret, code, grant_type: 'authorization_code' });
    const openid = text(body.openid);
    const accessToken = text(body.access_token);
    if (!openid || !accessToken) throw new WeChatApiError('sns/oauth2/access_token', WeChatErrcode.UNREACHABLE, 'no openid in the answer');
    return { openid, unionid: text(body.unionid), accessToken, scope: text(body.scope) ?? '', snapshotUser: body.is_snapshotuser === 1 };
  }

  /** Nickname and avatar, after an `snsapi_userinfo` authorisation. */
  async userInfo(accessToken: string, openid: string): Promise<WebUserInfo> {
    const body = await this.#call('sns/userinfo', 'GET', { access_token: accessToken, openid, lang: 'zh_CN' });
    return { openid: text(body.openid) ?? openid, unionid: text(body.unionid), nickname: text(body.nickname) ?? '', avatarUrl: text(body.headimgurl) ?? '' };
  }

  /** auth.code2Session: the mini program's `wx.login` code for the openid (the session_key is not kept). */
  async code2Session(jsCode: string): Promise<MiniProgramSession> {
    const app = this.#app('miniProgram');
    const body = await this.#call('sns/jscode2session', 'GET', { appid: app.appId, secret: app.secret, js_code: jsCode, grant_type: 'authorization_code' });
    const openid = text(body.openid);
    if (!openid) throw new WeChatApiError('sns/jscode2session', WeChatErrcode.UNREACHABLE, 'no openid in the answer');
    return { openid, unionid: text(body.unionid) };
  }

  /** phonenumber.getPhoneNumber with the mini program's access token; a token WeChat calls stale is renewed once. */
  async phoneNumber(code: string): Promise<WeChatPhone> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.accessToken(attempt > 0);
      try {
        const body = await this.#call('wxa/business/getuserphonenumber', 'POST', { access_token: token }, { code });
        const info = (body.phone_info ?? {}) as Json;
        const purePhoneNumber = text(info.purePhoneNumber);
        if (!purePhoneNumber) throw new WeChatApiError('wxa/business/getuserphonenumber', WeChatErrcode.UNREACHABLE, 'no phone_info in the answer');
        return { purePhoneNumber, countryCode: String(info.countryCode ?? '') };
      } catch (error) {
        const stale = error instanceof WeChatApiError && (error.errcode === WeChatErrcode.ACCESS_TOKEN_EXPIRED || error.errcode === WeChatErrcode.INVALID_CREDENTIAL);
        if (!stale || attempt > 0) throw error;
        if (this.#token?.value === token) this.#token = undefined;
      }
    }
  }

  /**
   * The mini program's interface credential from `/cgi-bin/token`, cached until 5 minutes before its
   * `expires_in`; concurrent callers share one request. `refresh` asks WeChat for a new one.
   */
  async accessToken(refresh = false): Promise<string> {
    if (!refresh && this.#token && this.#now() < this.#token.expiresAt) return this.#token.value;
    this.#tokenPending ??= (async () => {
      try {
        const app = this.#app('miniProgram');
        const body = await this.#call('cgi-bin/token', 'GET', { grant_type: 'client_credential', appid: app.appId, secret: app.secret });
        const value = text(body.access_token);
        if (!value) throw new WeChatApiError('cgi-bin/token', WeChatErrcode.UNREACHABLE, 'no access_token in the answer');
        const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 7200;
        this.#token = { value, expiresAt: this.#now() + Math.max(60, lifetime - 300) * 1000 };
        return value;
      } finally {
        this.#tokenPending = undefined;
      }
    })();
    return this.#tokenPending;
  }

  #app(kind: 'web' | 'miniProgram'): WeChatApp {
    const app = this[kind];
    if (!app) throw new Error(`WeChat: the ${kind === 'web' ? 'official account (WECHAT_APPID)' : 'mini program (WECHAT_MINI_APPID)'} is not configured`);
    return app;
  }

  async #call(api: string, method: 'GET' | 'POST', query: Record<string, string>, body?: Json): Promise<Json> {
    const url = `${this.#api}/${api}?${new URLSearchParams(query).toString()}`;
    let parsed: unknown;
    try {
      const response = await fetch(url, {
        method,
        signal: AbortSignal.timeout(this.#timeoutMs),
        ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
      parsed = JSON.parse(await response.text());
    } catch (error) {
      const name = (error as { name?: string }).name;
      const reason = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${this.#timeoutMs} ms` : name === 'SyntaxError' ? 'the answer is not JSON' : 'network error';
      throw new WeChatApiError(api, WeChatErrcode.UNREACHABLE, reason, { cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null) throw new WeChatApiError(api, WeChatErrcode.UNREACHABLE, 'the answer is not an object');
    const answer = parsed as Json;
    const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
    if (errcode !== 0) throw new WeChatApiError(api, errcode, typeof answer.errmsg === 'string' ? answer.errmsg : '');
    return answer;
  }
}

/** A client for the configured apps, or none when neither the official account nor the mini program is set. */
export function createWeChatClient(config: {
  WECHAT_APPID?: string | undefined;
  WECHAT_SECRET?: string | undefined;
  WECHAT_MINI_APPID?: string | undefined;
  WECHAT_MINI_SECRET?: string | undefined;
  WECHAT_API_ENDPOINT?: string | undefined;
  WECHAT_OPEN_ENDPOINT?: string | undefined;
}): WeChatClient | undefined {
  const web = config.WECHAT_APPID && config.WECHAT_SECRET ? { appId: config.WECHAT_APPID, secret: config.WECHAT_SECRET } : undefined;
  const miniProgram = config.WECHAT_MINI_APPID && config.WECHAT_MINI_SECRET ? { appId: config.WECHAT_MINI_APPID, secret: config.WECHAT_MINI_SECRET } : undefined;
  if (!web && !miniProgram) return undefined;
  return new WeChatClient({
    ...(web ? { web } : {}),
    ...(miniProgram ? { miniProgram } : {}),
    ...(config.WECHAT_API_ENDPOINT ? { apiEndpoint: config.WECHAT_API_ENDPOINT } : {}),
    ...(config.WECHAT_OPEN_ENDPOINT ? { openEndpoint: config.WECHAT_OPEN_ENDPOINT } : {}),
  });
}
