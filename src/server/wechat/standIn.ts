import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for WeChat's login APIs (see client.ts for the documents), for tests and offline
 * demos. It serves the same paths with the same parameters and answers — `errcode`/`errmsg` with
 * HTTP 200 — so the real client runs unchanged against it:
 *
 * - `GET /connect/oauth2/authorize`: a small page standing for WeChat. Who is "signed in to WeChat" is
 *   remembered in a cookie of the stand-in; the first visit picks a person. `snsapi_base` then returns
 *   at once (silent), `snsapi_userinfo` shows the consent page (允许 / 拒绝) — a refusal returns with
 *   `state` only, as WeChat does.
 * - `GET /sns/oauth2/access_token`, `GET /sns/userinfo`, `GET /sns/jscode2session`, `GET /cgi-bin/token`,
 *   `POST /wxa/business/getuserphonenumber`.
 *
 * Codes live 5 minutes and work once: an unknown or expired code is 40029, a used one 40163; an expired
 * access token is 42001, an unknown one 40001; `failNext` answers -1 (system busy).
 */

export interface StandInWeChatUser {
  /** A stable name for the person in tests ("driver-1"). */
  key: string;
  nickname: string;
  avatarUrl?: string;
  /** The phone bound to their WeChat (getPhoneNumber); 11 digits. */
  phone?: string;
  /** False: the apps are not under one Open Platform account, so WeChat gives no unionid. */
  hasUnionid?: boolean;
  /** True: the person is on WeChat's snapshot page (a virtual account, `is_snapshotuser: 1`). */
  snapshot?: boolean;
}

export interface WeChatStandInApp {
  appId: string;
  secret: string;
}

export interface WeChatStandInOptions {
  /** The official account (web OAuth). */
  web: WeChatStandInApp;
  /** The mini program. */
  miniProgram?: WeChatStandInApp;
  users: StandInWeChatUser[];
  /** 0 (default): any free port. */
  port?: number;
  /** The current instant in ms (tests move it to expire codes and tokens). */
  now?: () => number;
}

export interface WeChatStandIn {
  /** Pass as WECHAT_API_ENDPOINT and WECHAT_OPEN_ENDPOINT. */
  readonly endpoint: string;
  /** Every API call, with the errcode answered (0 for success, 'HANG' when not answered). */
  readonly requests: { path: string; query: Record<string, string>; errcode: number | 'HANG' }[];
  /** The openid of `userKey` in the app `appId`. */
  openidOf(userKey: string, appId: string): string;
  unionidOf(userKey: string): string | null;
  /** Stands for the browser's trip through the authorize page: the code WeChat would hand to redirect_uri. */
  authorizeCode(userKey: string, scope?: 'snsapi_base' | 'snsapi_userinfo'): string;
  /** Stands for `wx.login` in the mini program. */
  miniProgramLoginCode(userKey: string): string;
  /** Stands for the getPhoneNumber button in the mini program. */
  phoneCode(userKey: string): string;
  /** Makes every access token issued so far expire now (as if 2 hours had passed). */
  expireAccessTokens(): void;
  /** The next `count` API calls answer `errcode` (default -1, system busy). */
  failNext(count: number, errcode?: number): void;
  close(): Promise<void>;
}

const CODE_TTL_MS = 5 * 60_000;
const TOKEN_TTL_S = 7200;

interface IssuedCode {
  userKey: string;
  appId: string;
  purpose: 'oauth' | 'js' | 'phone';
  scope?: string;
  expiresAt: number;
  usedAt?: number;
}

interface IssuedToken {
  appId: string;
  userKey?: string;
  scope?: string;
  expiresAt: number;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

export async function startWeChatStandIn(options: WeChatStandInOptions): Promise<WeChatStandIn> {
  const now = options.now ?? Date.now;
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, IssuedToken>();
  const requests: WeChatStandIn['requests'] = [];
  const sockets = new Set<Socket>();
  let failures = { remaining: 0, errcode: -1 };
  const apps = [options.web, ...(options.miniProgram ? [options.miniProgram] : [])];
  const user = (key: string) => options.users.find((u) => u.key === key);
  const openidOf = (userKey: string, appId: string) => `o${digest(`${appId}/${userKey}`).slice(0, 27)}`;
  const unionidOf = (userKey: string) => (user(userKey)?.hasUnionid === false ? null : `u${digest(`union/${userKey}`).slice(0, 27)}`);

  function issueCode(userKey: string, appId: string, purpose: IssuedCode['purpose'], scope?: string): string {
    if (!user(userKey)) throw new Error(`no stand-in WeChat user ${userKey}`);
    const code = randomBytes(16).toString('hex');
    codes.set(code, { userKey, appId, purpose, ...(scope ? { scope } : {}), expiresAt: now() + CODE_TTL_MS });
    return code;
  }

  function issueToken(entry: IssuedToken): string {
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, entry);
    return token;
  }

  const json = (res: ServerResponse, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const html = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>微信授权（本地模拟）</title>
<body style="font-family:sans-serif;margin:0;padding:32px 24px;text-align:center;background:#ededed;color:#111">${body}</body></html>`);
  };
  const errorText: Record<number, string> = {
    [-1]: 'system error',
    40001: 'invalid credential, access_token is invalid or not latest',
    40013: 'invalid appid',
    40029: 'invalid code',
    40125: 'invalid appsecret',
    40163: 'code been used',
    41002: 'appid missing',
    42001: 'access_token expired',
    47001: 'data format error',
    48001: 'api unauthorized',
  };
  const rid = () => `${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`;
  const fail = (res: ServerResponse, record: { errcode: number | 'HANG' }, errcode: number) => {
    record.errcode = errcode;
    json(res, { errcode, errmsg: `${errorText[errcode] ?? 'error'} rid: ${rid()}` });
  };

  /** The app a request names, or the errcode to answer. */
  function appOf(query: Record<string, string>, withSecret: boolean): WeChatStandInApp | number {
    if (!query.appid) return 41002;
    const app = apps.find((a) => a.appId === query.appid);
    if (!app) return 40013;
    if (withSecret && query.secret !== app.secret) return 40125;
    return app;
  }

  /** Uses up a code of `purpose` for `appId`, or returns the errcode. */
  function takeCode(code: string | undefined, appId: string, purpose: IssuedCode['purpose']): IssuedCode | number {
    const issued = code ? codes.get(code) : undefined;
    if (!issued || issued.appId !== appId || issued.purpose !== purpose) return 40029;
    if (issued.usedAt !== undefined) return 40163;
    if (now() >= issued.expiresAt) return 40029;
    issued.usedAt = now();
    return issued;
  }

  function token(value: string | undefined): IssuedToken | number {
    const entry = value ? tokens.get(value) : undefined;
    if (!entry) return 40001;
    if (now() >= entry.expiresAt) return 42001;
    return entry;
  }

  function api(req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, string>, body: Buffer): void {
    const record: { path: string; query: Record<string, string>; errcode: number | 'HANG' } = { path, query, errcode: 0 };
    requests.push(record);
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      return fail(res, record, failures.errcode);
    }
    switch (path) {
      case '/sns/oauth2/access_token': {
        const app = appOf(query, true);
        if (typeof app === 'number') return fail(res, record, app);
        const issued = takeCode(query.code, app.appId, 'oauth');
        if (typeof issued === 'number') return fail(res, record, issued);
        const unionid = unionidOf(issued.userKey);
        const scope = issued.scope ?? 'snsapi_base';
        const accessToken = issueToken({ appId: app.appId, userKey: issued.userKey, scope, expiresAt: now() + TOKEN_TTL_S * 1000 });
        return json(res, {
          access_token: accessToken,
          expires_in: TOKEN_TTL_S,
          refresh_token: randomBytes(24).toString('base64url'),
          openid: openidOf(issued.userKey, app.appId),
          scope,
          ...(user(issued.userKey)?.snapshot ? { is_snapshotuser: 1 } : {}),
          ...(unionid ? { unionid } : {}),
        });
      }
      case '/sns/userinfo': {
        const entry = token(query.access_token);
        if (typeof entry === 'number') return fail(res, record, entry);
        if (!entry.userKey || entry.scope !== 'snsapi_userinfo') return fail(res, record, 48001);
        if (query.openid !== openidOf(entry.userKey, entry.appId)) return fail(res, record, 40003);
        const person = user(entry.userKey)!;
        const unionid = unionidOf(entry.userKey);
        return json(res, {
          openid: query.openid,
          nickname: person.nickname,
          sex: 0,
          province: '',
          city: '',
          country: '',
          headimgurl: person.avatarUrl ?? '',
          privilege: [],
          ...(unionid ? { unionid } : {}),
        });
      }
      case '/sns/jscode2session': {
        const app = appOf(query, true);
        if (typeof app === 'number') return fail(res, record, app);
        if (query.grant_type !== 'authorization_code') return fail(res, record, 40029);
        const issued = takeCode(query.js_code, app.appId, 'js');
        if (typeof issued === 'number') return fail(res, record, issued);
        const unionid = unionidOf(issued.userKey);
        return json(res, { openid: openidOf(issued.userKey, app.appId), session_key: randomBytes(16).toString('base64'), ...(unionid ? { unionid } : {}) });
      }
      case '/cgi-bin/token': {
        if (query.grant_type !== 'client_credential') return fail(res, record, 40002);
        const app = appOf(query, true);
        if (typeof app === 'number') return fail(res, record, app);
        // A new token replaces the app's older ones, as WeChat's does.
        for (const [value, entry] of tokens) if (entry.appId === app.appId && !entry.userKey) tokens.delete(value);
        return json(res, { access_token: issueToken({ appId: app.appId, expiresAt: now() + TOKEN_TTL_S * 1000 }), expires_in: TOKEN_TTL_S });
      }
      case '/wxa/business/getuserphonenumber': {
        if (req.method !== 'POST') return fail(res, record, 43002);
        const entry = token(query.access_token);
        if (typeof entry === 'number') return fail(res, record, entry);
        if (entry.userKey) return fail(res, record, 40001);
        let code: unknown;
        try {
          code = (JSON.parse(body.toString('utf8')) as { code?: unknown }).code;
        } catch {
          return fail(res, record, 47001);
        }
        const issued = takeCode(typeof code === 'string' ? code : undefined, entry.appId, 'phone');
        if (typeof issued === 'number') return fail(res, record, issued);
        const phone = user(issued.userKey)?.phone;
        if (!phone) return fail(res, record, 40029);
        return json(res, {
          errcode: 0,
          errmsg: 'ok',
          phone_info: { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86', watermark: { timestamp: Math.floor(now() / 1000), appid: entry.appId } },
        });
      }
      default:
        record.errcode = 404;
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  }

  /** The authorize page standing for WeChat in the phone: pick who is signed in, then consent if asked. */
  function authorize(req: IncomingMessage, res: ServerResponse, url: URL, form: URLSearchParams): void {
    const q = url.searchParams;
    const appId = q.get('appid') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    const scope = q.get('scope') ?? '';
    const state = q.get('state') ?? '';
    if (!apps.some((a) => a.appId === appId) || appId !== options.web.appId) return html(res, 200, '<p>错误：appid 无效（40013）</p>');
    if (!/^https?:\/\//.test(redirectUri)) return html(res, 200, '<p>错误：redirect_uri 参数错误（10003）</p>');
    if (q.get('response_type') !== 'code' || (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo')) return html(res, 200, '<p>错误：scope 参数错误或没有 scope 权限（10005）</p>');
    const back = (code?: string) => {
      const target = new URL(redirectUri);
      if (code) target.searchParams.set('code', code);
      target.searchParams.set('state', state);
      return target.toString();
    };
    const cookie = /(?:^|;\s*)wx_standin_user=([A-Za-z0-9_.-]+)/.exec(String(req.headers.cookie ?? ''))?.[1];
    const chosen = req.method === 'POST' ? form.get('user') ?? cookie : cookie;
    const signedIn = chosen && user(chosen) ? chosen : undefined;
    const remember: Record<string, string> = signedIn ? { 'set-cookie': `wx_standin_user=${signedIn}; Path=/; HttpOnly; SameSite=Lax` } : {};
    const redirect = (location: string) => {
      res.writeHead(302, { location, ...remember });
      res.end();
    };
    const action = `/connect/oauth2/authorize?${q.toString()}`;

    if (!signedIn) {
      const choices = options.users
        .map((u) => `<button name="user" value="${escapeHtml(u.key)}" data-testid="wechat-standin-user-${escapeHtml(u.key)}" style="display:block;width:100%;margin:8px 0;padding:12px;font-size:16px">${escapeHtml(u.nickname)}</button>`)
        .join('');
      return html(res, 200, `<h1 style="font-size:18px">微信 · 本地模拟服务</h1><p>选择在本机微信中登录的用户</p><form method="post" action="${escapeHtml(action)}">${choices}</form>`);
    }
    if (scope === 'snsapi_base') return redirect(back(issueCode(signedIn, appId, 'oauth', scope)));
    const decision = req.method === 'POST' ? form.get('decision') : null;
    if (decision === 'allow') return redirect(back(issueCode(signedIn, appId, 'oauth', scope)));
    if (decision === 'deny') return redirect(back());
    const person = user(signedIn)!;
    return html(
      res,
      200,
      `<h1 style="font-size:18px">微信授权 · 本地模拟服务</h1>
<p>道路运政一网通办 申请获取以下权限：</p><p><strong>获得你的公开信息（昵称、头像）</strong></p>
<p style="color:#576b95">${escapeHtml(person.nickname)}</p>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="user" value="${escapeHtml(signedIn)}">
<button name="decision" value="allow" data-testid="wechat-standin-allow" style="display:block;width:100%;margin:8px 0;padding:12px;font-size:16px;background:#07c160;color:#fff;border:0;border-radius:6px">允许</button>
<button name="decision" value="deny" data-testid="wechat-standin-deny" style="display:block;width:100%;margin:8px 0;padding:12px;font-size:16px">拒绝</button></form>`,
      remember,
    );
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const body = Buffer.concat(chunks);
      if (url.pathname === '/connect/oauth2/authorize') return authorize(req, res, url, new URLSearchParams(req.method === 'POST' ? body.toString('utf8') : ''));
      api(req, res, url.pathname, Object.fromEntries(url.searchParams), body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    requests,
    openidOf,
    unionidOf,
    authorizeCode: (userKey, scope = 'snsapi_base') => issueCode(userKey, options.web.appId, 'oauth', scope),
    miniProgramLoginCode: (userKey) => {
      if (!options.miniProgram) throw new Error('the stand-in has no mini program');
      return issueCode(userKey, options.miniProgram.appId, 'js');
    },
    phoneCode: (userKey) => {
      if (!options.miniProgram) throw new Error('the stand-in has no mini program');
      return issueCode(userKey, options.miniProgram.appId, 'phone');
    },
    expireAccessTokens: () => {
      for (const entry of tokens.values()) entry.expiresAt = Math.min(entry.expiresAt, now());
    },
    failNext: (count, errcode = -1) => {
      failures = { remaining: count, errcode };
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
