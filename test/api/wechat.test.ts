import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentAgreementVersions } from '../../src/server/auth/agreements.ts';
import { userPhoneColumns } from '../../src/server/auth/accounts.ts';
import { loadConfig, unsafeProductionSettings } from '../../src/server/config.ts';
import { consents, sessions, users, wechatBindings } from '../../src/server/db/schema.ts';
import { queryRows } from '../../src/server/db/rows.ts';
import { safeRedirect } from '../../src/server/wechat/routes.ts';
import { startWeChatStandIn, type WeChatStandIn } from '../../src/server/wechat/standIn.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { lastCodeFor } from '../helpers/driverLogin.ts';

/**
 * WeChat login against the local WeChat stand-in: the web OAuth round trip as a browser makes it
 * (cookies carried by hand), the phone binding by SMS code, the silent return, the mini program.
 */

const WEB = { appId: 'wx00000000000web01', secret: 'web-secret-0123456789abcdef0123' };
const MINI = { appId: 'wx0000000000mini01', secret: 'mini-secret-0123456789abcdef012' };

let t: TestApp;
let wx: WeChatStandIn;
let phoneSeq = 0;
const freshPhone = () => `137${String(40_000_000 + ++phoneSeq).slice(-8)}`;
let ipSeq = 0;
const freshIp = () => `10.77.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

const users_ = [
  { key: 'li', nickname: '李师傅', avatarUrl: 'https://thirdwx.qlogo.cn/li/132', phone: '13700000001' },
  { key: 'zhao', nickname: '赵师傅', phone: '13700000002' },
  { key: 'qian', nickname: '钱师傅', hasUnionid: false, phone: '13700000003' },
  { key: 'sun', nickname: '孙师傅' },
  { key: 'zhou', nickname: '周师傅' },
  { key: 'wu', nickname: '吴师傅' },
  { key: 'zheng', nickname: '郑师傅', phone: '13700000007' },
  { key: 'feng', nickname: '冯师傅', phone: '13700000008' },
  { key: 'chen', nickname: '陈师傅', phone: '13700000009' },
  { key: 'demo', nickname: '王建国的微信' },
  { key: 'other', nickname: '另一个微信', phone: '13700000011' },
  { key: 'racer', nickname: '并发用户' },
  { key: 'late', nickname: '晚到的师傅' },
  { key: 'bystander', nickname: '旁观的师傅' },
  { key: 'snapshot', nickname: '微信用户', snapshot: true },
  { key: 'mini1', nickname: '小程序用户一', phone: '13700000012' },
  { key: 'mini2', nickname: '小程序用户二', phone: '13700000013' },
  { key: 'mini3', nickname: '小程序用户三', phone: '13700000014' },
];

beforeAll(async () => {
  // The stand-in's codes and tokens expire on the server's test clock.
  wx = await startWeChatStandIn({ web: WEB, miniProgram: MINI, users: users_, now: () => (t ? t.clock.now().getTime() : Date.now()) });
  t = await createTestApp({
    env: {
      WECHAT_APPID: WEB.appId,
      WECHAT_SECRET: WEB.secret,
      WECHAT_MINI_APPID: MINI.appId,
      WECHAT_MINI_SECRET: MINI.secret,
      WECHAT_API_ENDPOINT: wx.endpoint,
      WECHAT_OPEN_ENDPOINT: wx.endpoint,
    },
  });
});

afterAll(async () => {
  await t?.close();
  await wx?.close();
});

type Jar = Record<string, string>;
const cookieHeader = (jar: Jar) =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
function keep(jar: Jar, response: { cookies: { name: string; value: string; expires?: Date; maxAge?: number }[] }): void {
  for (const cookie of response.cookies) {
    if (cookie.value === '' || cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() <= 0)) delete jar[cookie.name];
    else jar[cookie.name] = cookie.value;
  }
}

/** GET /auth/wechat/authorize as the browser: returns the WeChat URL it is sent to, keeping the state cookie. */
async function authorize(jar: Jar, query: Record<string, string> = {}): Promise<URL> {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/auth/wechat/authorize?${new URLSearchParams(query).toString()}`, headers: { cookie: cookieHeader(jar) } });
  expect(response.statusCode, response.body).toBe(302);
  keep(jar, response);
  return new URL(response.headers.location as string);
}

/** The stand-in's authorize page as WeChat in the phone of `userKey` (consenting when asked): the callback URL. */
async function throughWeChat(url: URL, userKey: string, decision: 'allow' | 'deny' = 'allow'): Promise<URL> {
  const headers = { cookie: `wx_standin_user=${userKey}` };
  let response = await fetch(url.toString().replace(/#wechat_redirect$/, ''), { redirect: 'manual', headers });
  if (response.status === 200) {
    expect(await response.text()).toContain('允许');
    response = await fetch(url.toString().replace(/#wechat_redirect$/, ''), {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: userKey, decision }).toString(),
    });
  }
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!);
}

async function callback(jar: Jar, url: URL | string) {
  const target = typeof url === 'string' ? url : `${url.pathname}${url.search}`;
  const response = await t.app.inject({ method: 'GET', url: target, headers: { cookie: cookieHeader(jar) }, remoteAddress: freshIp() });
  keep(jar, response);
  return { status: response.statusCode, location: String(response.headers.location ?? ''), cookies: response.cookies };
}

/** The whole web round trip for `userKey`. */
async function webLogin(jar: Jar, userKey: string, query: Record<string, string> = {}) {
  return callback(jar, await throughWeChat(await authorize(jar, query), userKey));
}

async function smsCode(phone: string): Promise<string> {
  t.clock.advance(61_000);
  const sent = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sms-codes', payload: { phone }, remoteAddress: freshIp() });
  expect(sent.statusCode, sent.body).toBe(202);
  return lastCodeFor(t.app, phone);
}

async function bind(jar: Jar, phone: string, extra: Record<string, unknown> = {}) {
  const code = await smsCode(phone);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/wechat/bindings',
    headers: { cookie: cookieHeader(jar) },
    payload: { phone, code, agreementVersion: currentAgreementVersions, ...extra },
    remoteAddress: freshIp(),
  });
  keep(jar, response);
  return response;
}

const me = (jar: Jar) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookieHeader(jar) } });

async function miniProgram(payload: Record<string, unknown>) {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/wechat/mini-program', payload, remoteAddress: freshIp() });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> & { error?: { code: string } } };
}

describe('WeChat web login', () => {
  it('binds a phone by SMS code on first login, then logs in silently with the same session rules', async () => {
    const jar: Jar = {};
    const authorizeUrl = await authorize(jar, { redirect: '/my-office' });
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${wx.endpoint}/connect/oauth2/authorize`);
    expect(authorizeUrl.searchParams.get('scope')).toBe('snsapi_base');
    expect(authorizeUrl.searchParams.get('appid')).toBe(WEB.appId);
    expect(authorizeUrl.hash).toBe('#wechat_redirect');
    expect(jar.rto_wechat_state).toBe(authorizeUrl.searchParams.get('state'));

    const first = await callback(jar, await throughWeChat(authorizeUrl, 'li'));
    expect(first.status).toBe(302);
    expect(first.location).toBe('/login?wechat=bind&redirect=%2Fmy-office');
    expect(jar.rto_wechat_binding).toBeTruthy();
    expect(jar.rto_session).toBeUndefined();
    const pending = await t.app.inject({ method: 'GET', url: '/api/v1/auth/wechat/pending', headers: { cookie: cookieHeader(jar) } });
    expect(pending.json()).toMatchObject({ kind: 'web', nickname: null });

    const phone = freshPhone();
    const bound = await bind(jar, phone);
    expect(bound.statusCode, bound.body).toBe(201);
    expect(bound.json()).toMatchObject({ newAccount: true, user: { verified: false } });
    expect(jar.rto_wechat_binding).toBeUndefined();
    const userId = (bound.json() as { user: { id: string } }).user.id;
    // Consent as for SMS login; the binding beside the account.
    const accepted = await t.database.db.select().from(consents).where(eq(consents.userId, userId));
    expect(accepted.map((c) => c.agreement).sort()).toEqual(['privacy_policy', 'user_agreement']);
    const [binding] = await t.database.db.select().from(wechatBindings).where(eq(wechatBindings.userId, userId));
    expect(binding).toMatchObject({ webAppId: WEB.appId, webOpenid: wx.openidOf('li', WEB.appId), unionid: wx.unionidOf('li'), miniOpenid: null });

    // Later, in a new browser: silent return.
    t.clock.advance(60_000);
    const later: Jar = {};
    const back = await webLogin(later, 'li', { redirect: '/my-office', silent: '1' });
    expect(back.location).toBe('/my-office');
    expect(later.rto_session).toBeTruthy();
    const session = back.cookies.find((c) => c.name === 'rto_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Lax');
    expect((await me(later)).json()).toMatchObject({ id: userId });
    const [row] = await t.database.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.subjectId, userId), eq(sessions.loginMethod, 'wechat_web')));
    expect(row!.absoluteExpiresAt.getTime() - row!.createdAt.getTime()).toBe(12 * 3600_000);
    expect(row!.idleExpiresAt.getTime() - row!.createdAt.getTime()).toBe(30 * 60_000);

    // 账号与安全: bound methods and the logins with their method.
    const security = await t.app.inject({ method: 'GET', url: '/api/v1/me/account-security', headers: { cookie: cookieHeader(later) } });
    expect(security.json()).toMatchObject({ wechatAvailable: true, wechat: { web: true, miniProgram: false } });
    const logins = (security.json() as { logins: { method: string; current: boolean }[] }).logins;
    expect(logins.map((l) => l.method)).toEqual(['wechat_web', 'sms']);
    expect(logins[0]!.current).toBe(true);

    // Logout ends it on the server, as for SMS login.
    await t.app.inject({ method: 'DELETE', url: '/api/v1/auth/sessions/current', headers: { cookie: cookieHeader(later) } });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${session.value}` } })).statusCode).toBe(401);
  });

  it('asks for nickname and avatar only with scope userinfo, and keeps them', async () => {
    const jar: Jar = {};
    const url = await authorize(jar, { scope: 'userinfo' });
    expect(url.searchParams.get('scope')).toBe('snsapi_userinfo');
    const result = await callback(jar, await throughWeChat(url, 'zhao'));
    expect(result.location).toBe('/login?wechat=bind');
    const pending = await t.app.inject({ method: 'GET', url: '/api/v1/auth/wechat/pending', headers: { cookie: cookieHeader(jar) } });
    expect(pending.json()).toMatchObject({ nickname: '赵师傅' });
    // Kept sealed at rest, in the ticket and, once bound, beside the account.
    const heldTickets = await queryRows<{ nickname: string | null }>(t.database.db, sql`select nickname from wechat_tickets where nickname is not null`);
    expect(heldTickets.length).toBeGreaterThan(0);
    expect(heldTickets.every((row) => row.nickname!.startsWith('s1:'))).toBe(true);
    expect((await bind(jar, freshPhone())).statusCode).toBe(201);
    const bound = await queryRows<{ nickname: string; avatar_url: string | null }>(t.database.db, sql`select nickname, avatar_url from wechat_bindings where nickname is not null`);
    expect(bound.length).toBeGreaterThan(0);
    expect(JSON.stringify(bound)).not.toContain('赵师傅');
    expect((await t.database.db.select().from(wechatBindings).where(eq(wechatBindings.webOpenid, wx.openidOf('zhao', WEB.appId))))[0]).toMatchObject({ nickname: '赵师傅' });

    const denied: Jar = {};
    const refused = await callback(denied, await throughWeChat(await authorize(denied, { scope: 'userinfo' }), 'zhao', 'deny'));
    expect(refused.location).toBe('/login?wechat_error=WECHAT_DENIED');
  });

  it('binds the verified demo driver, who logs in verified', async () => {
    const jar: Jar = {};
    await webLogin(jar, 'demo');
    const bound = await bind(jar, '13800000001');
    expect(bound.statusCode, bound.body).toBe(201);
    expect(bound.json()).toMatchObject({ newAccount: false, user: { verified: true, phoneMasked: '138****0001' } });
  });

  it('uses a code once and refuses an expired one', async () => {
    const jar: Jar = {};
    const callbackUrl = await throughWeChat(await authorize(jar), 'sun');
    expect((await callback(jar, callbackUrl)).location).toBe('/login?wechat=bind');

    // The same code with a fresh state: WeChat says 40163.
    const again: Jar = {};
    const fresh = await authorize(again);
    const reused = new URL(callbackUrl);
    reused.searchParams.set('state', fresh.searchParams.get('state')!);
    expect((await callback(again, reused)).location).toBe('/login?wechat_error=WECHAT_CODE_USED');

    // A code older than 5 minutes: 40029.
    const late: Jar = {};
    const lateUrl = await throughWeChat(await authorize(late), 'sun');
    t.clock.advance(5 * 60_000 + 1000);
    expect((await callback(late, lateUrl)).location).toBe('/login?wechat_error=WECHAT_CODE_INVALID');
    expect(wx.requests.filter((r) => r.path === '/sns/oauth2/access_token').map((r) => r.errcode)).toEqual(expect.arrayContaining([40163, 40029]));
  });

  it('refuses a state that is not this browser’s, or used already', async () => {
    const victim: Jar = {};
    const attackerJar: Jar = {};
    // The attacker's own callback link, opened in the victim's browser (login CSRF).
    const attackerUrl = await throughWeChat(await authorize(attackerJar), 'zhou');
    await authorize(victim);
    expect((await callback(victim, attackerUrl)).location).toBe('/login?wechat_error=WECHAT_STATE_MISMATCH');
    expect((await callback({}, attackerUrl)).location).toBe('/login?wechat_error=WECHAT_STATE_MISMATCH');
    expect(victim.rto_session).toBeUndefined();

    // Replaying a callback: the state cookie and ticket are gone after first use.
    const jar: Jar = {};
    const url = await throughWeChat(await authorize(jar), 'zhou');
    const saved = { ...jar };
    await callback(jar, url);
    expect((await callback(saved, url)).location).toBe('/login?wechat_error=WECHAT_STATE_EXPIRED');
  });

  it('never logs in a virtual account of WeChat’s snapshot page', async () => {
    const jar: Jar = {};
    expect((await webLogin(jar, 'snapshot', { scope: 'userinfo' })).location).toBe('/login?wechat_error=WECHAT_SNAPSHOT');
    expect(jar.rto_wechat_binding).toBeUndefined();
  });

  it('lets a silent attempt of an unknown WeChat continue as a guest', async () => {
    const jar: Jar = {};
    const result = await webLogin(jar, 'wu', { silent: '1', redirect: '/user' });
    expect(result.location).toBe('/user');
    expect(jar.rto_session).toBeUndefined();
    expect(jar.rto_wechat_binding).toBeUndefined();
  });

  it('refuses to bind a WeChat already bound, and an account bound to another WeChat', async () => {
    // Two tabs authorised the same WeChat; the first binds.
    const a: Jar = {};
    const b: Jar = {};
    await webLogin(a, 'zheng');
    await webLogin(b, 'zheng');
    const phoneA = freshPhone();
    expect((await bind(a, phoneA)).statusCode).toBe(201);
    const second = await bind(b, freshPhone());
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'WECHAT_IDENTITY_TAKEN' } });

    // Another WeChat cannot take the account of phoneA.
    const c: Jar = {};
    await webLogin(c, 'feng');
    const taken = await bind(c, phoneA);
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: { code: 'WECHAT_ACCOUNT_HAS_OTHER' } });
    // …and its ticket still works with another phone.
    expect((await bind(c, freshPhone())).statusCode).toBe(201);

    // The database holds the rule even without the checks.
    const [row] = await t.database.db.select().from(wechatBindings).where(eq(wechatBindings.webOpenid, wx.openidOf('zheng', WEB.appId)));
    const [stranger] = await t.database.db.insert(users).values(userPhoneColumns(freshPhone())).returning();
    await expect(t.database.db.insert(wechatBindings).values({ userId: stranger!.id, webAppId: WEB.appId, webOpenid: row!.webOpenid })).rejects.toThrow();
  });

  it('lets one of two racing bindings of the same WeChat win, the other is refused (not a server error)', async () => {
    const a: Jar = {};
    const b: Jar = {};
    await webLogin(a, 'racer');
    await webLogin(b, 'racer');
    const [phoneA, phoneB] = [freshPhone(), freshPhone()];
    const [codeA, codeB] = [await smsCode(phoneA), await smsCode(phoneB)];
    const attempt = (jar: Jar, phone: string, code: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/wechat/bindings',
        headers: { cookie: cookieHeader(jar) },
        payload: { phone, code, agreementVersion: currentAgreementVersions },
        remoteAddress: freshIp(),
      });
    const results = await Promise.all([attempt(a, phoneA, codeA), attempt(b, phoneB, codeB)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json()).toMatchObject({ error: { code: 'WECHAT_IDENTITY_TAKEN' } });
  });

  it('sends a driver who has not accepted the current texts to the SMS form instead of logging in', async () => {
    const jar: Jar = {};
    await webLogin(jar, 'late');
    const phone = freshPhone();
    const bound = await bind(jar, phone);
    const userId = (bound.json() as { user: { id: string } }).user.id;
    // As if the texts had changed since: no consent to the current versions.
    await t.database.db.delete(consents).where(eq(consents.userId, userId));
    const later: Jar = {};
    expect((await webLogin(later, 'late')).location).toBe('/login?wechat_error=AGREEMENT_OUTDATED');
    expect(later.rto_session).toBeUndefined();
    expect((await webLogin({}, 'late', { silent: '1', redirect: '/user' })).location).toBe('/user');
    // The mini program logs in only with the current versions, and records them.
    expect((await miniProgram({ code: wx.miniProgramLoginCode('late') })).body.error).toMatchObject({ code: 'AGREEMENT_REQUIRED' });
    expect((await miniProgram({ code: wx.miniProgramLoginCode('late'), agreementVersion: currentAgreementVersions })).status).toBe(201);
    expect(await t.database.db.select().from(consents).where(eq(consents.userId, userId))).toHaveLength(2);
  });

  it('unbinds WeChat from 账号与安全; SMS login stays and WeChat asks to bind again', async () => {
    const jar: Jar = {};
    await webLogin(jar, 'chen');
    const phone = freshPhone();
    expect((await bind(jar, phone)).statusCode).toBe(201);
    const unbind = await t.app.inject({ method: 'DELETE', url: '/api/v1/me/wechat-binding', headers: { cookie: cookieHeader(jar) } });
    expect(unbind.statusCode).toBe(204);
    const security = await t.app.inject({ method: 'GET', url: '/api/v1/me/account-security', headers: { cookie: cookieHeader(jar) } });
    expect(security.json()).toMatchObject({ wechat: null });
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/me/wechat-binding', headers: { cookie: cookieHeader(jar) } })).statusCode).toBe(404);
    expect((await webLogin({}, 'chen')).location).toBe('/login?wechat=bind');
  });
});

describe('WeChat mini program login', () => {
  it('logs in with the phone bound to WeChat, and hands the session to the web-view once', async () => {
    const tokenCalls = () => wx.requests.filter((r) => r.path === '/cgi-bin/token').length;
    const before = tokenCalls();
    const first = await miniProgram({ code: wx.miniProgramLoginCode('other'), phoneCode: wx.phoneCode('other'), agreementVersion: currentAgreementVersions });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ status: 'logged_in', newAccount: true, user: { phoneMasked: '137****0011' } });
    const [account] = await t.database.db.select().from(users).where(eq(users.id, (first.body.user as { id: string }).id));
    expect(account!.phone).toBe('13700000011');

    // The web-view's one-time hand-off.
    const handOff = await t.app.inject({ method: 'GET', url: first.body.webViewUrl as string });
    expect(handOff.statusCode).toBe(302);
    expect(handOff.headers.location).toBe('/');
    const jar: Jar = {};
    keep(jar, handOff);
    expect((await me(jar)).json()).toMatchObject({ phoneMasked: '137****0011' });
    const replay = await t.app.inject({ method: 'GET', url: first.body.webViewUrl as string });
    expect(replay.headers.location).toBe('/login?wechat_error=WECHAT_BINDING_EXPIRED');
    expect(replay.cookies.find((c) => c.name === 'rto_session')).toBeUndefined();

    // Again later: bound, logged in without the phone code.
    const again = await miniProgram({ code: wx.miniProgramLoginCode('other') });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ status: 'logged_in', newAccount: false });

    // The access token is cached, and renewed when WeChat says it expired (42001).
    const second = await miniProgram({ code: wx.miniProgramLoginCode('mini1'), phoneCode: wx.phoneCode('mini1'), agreementVersion: currentAgreementVersions });
    expect(second.status).toBe(201);
    expect(tokenCalls() - before).toBe(1);
    wx.expireAccessTokens();
    const third = await miniProgram({ code: wx.miniProgramLoginCode('mini2'), phoneCode: wx.phoneCode('mini2'), agreementVersion: currentAgreementVersions });
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    expect(tokenCalls() - before).toBe(2);
    expect(wx.requests.some((r) => r.path === '/wxa/business/getuserphonenumber' && r.errcode === 42001)).toBe(true);
  });

  it('keeps every redirect inside the app, tabs and backslashes included', () => {
    expect(safeRedirect('/my-office?tab=1#top')).toBe('/my-office?tab=1#top');
    for (const outside of ['//evil.example', '/\\evil.example', '/\t/evil.example', '/%09/evil.example'.replace('%09', '\t'), '/\n/evil.example', 'https://evil.example', '/ /evil.example', '']) {
      expect(safeRedirect(outside), JSON.stringify(outside)).toBe('/');
    }
  });

  it('binds only to the session that started the authorisation, never to one that appeared meanwhile', async () => {
    const logged: Jar = {};
    await webLogin(logged, 'li');
    expect(logged.rto_session).toBeTruthy();
    const jar: Jar = {};
    const url = await authorize(jar, {});
    jar.rto_session = logged.rto_session!;
    const answer = await callback(jar, await throughWeChat(url, 'bystander'));
    expect(answer.location).toContain('wechat_error=WECHAT_STATE_MISMATCH');
    expect(await t.database.db.select().from(wechatBindings).where(eq(wechatBindings.webOpenid, wx.openidOf('bystander', WEB.appId)))).toEqual([]);
  });

  it('asks for binding without the phone code; the ticket binds by SMS code', async () => {
    const asked = await miniProgram({ code: wx.miniProgramLoginCode('sun') });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ status: 'binding_required' });
    const phone = freshPhone();
    const bound = await bind({}, phone, { bindingTicket: asked.body.bindingTicket });
    expect(bound.statusCode, bound.body).toBe(201);
    const again = await miniProgram({ code: wx.miniProgramLoginCode('sun') });
    expect(again.body).toMatchObject({ status: 'logged_in', user: { id: (bound.json() as { user: { id: string } }).user.id } });

    // A binding is never continued through a link: sent to someone else, it would bind the sender's
    // WeChat to whoever then entered a phone and code. The web-view answers it as expired.
    const pendingAsk = await miniProgram({ code: wx.miniProgramLoginCode('wu') });
    expect(pendingAsk.body).not.toHaveProperty('webViewUrl');
    const view = await t.app.inject({ method: 'GET', url: `/api/v1/auth/wechat/web-view?ticket=${encodeURIComponent(pendingAsk.body.bindingTicket as string)}` });
    expect(view.headers.location).toBe('/login?wechat_error=WECHAT_BINDING_EXPIRED');
    expect(String(view.headers['set-cookie'] ?? '')).not.toContain('rto_wechat_binding');
  });

  it('finds the account by unionid across apps, and asks to bind when WeChat gives none', async () => {
    // li was bound in the web pages (first test) and has a unionid: the mini program logs in at once.
    const li = await miniProgram({ code: wx.miniProgramLoginCode('li') });
    expect(li.body).toMatchObject({ status: 'logged_in' });
    const [row] = await t.database.db.select().from(wechatBindings).where(eq(wechatBindings.unionid, wx.unionidOf('li')!));
    expect(row).toMatchObject({ webOpenid: wx.openidOf('li', WEB.appId), miniOpenid: wx.openidOf('li', MINI.appId) });

    // qian's apps share no unionid: bound on the web, the mini program cannot know it is the same person.
    const jar: Jar = {};
    await webLogin(jar, 'qian');
    expect((await bind(jar, freshPhone())).statusCode).toBe(201);
    const [qian] = await t.database.db.select().from(wechatBindings).where(eq(wechatBindings.webOpenid, wx.openidOf('qian', WEB.appId)));
    expect(qian!.unionid).toBeNull();
    expect((await miniProgram({ code: wx.miniProgramLoginCode('qian') })).body).toMatchObject({ status: 'binding_required' });
  });

  it('answers WeChat’s refusals with stable codes', async () => {
    const used = wx.miniProgramLoginCode('zhou');
    await miniProgram({ code: used });
    expect((await miniProgram({ code: used })).body.error).toMatchObject({ code: 'WECHAT_CODE_USED' });
    expect((await miniProgram({ code: 'not-a-code' })).body.error).toMatchObject({ code: 'WECHAT_CODE_INVALID' });
    wx.failNext(1, -1);
    const busy = await miniProgram({ code: wx.miniProgramLoginCode('zhou') });
    expect(busy.status).toBe(503);
    expect(busy.body.error).toMatchObject({ code: 'WECHAT_BUSY' });
    const noConsent = await miniProgram({ code: wx.miniProgramLoginCode('mini3'), phoneCode: wx.phoneCode('mini3') });
    expect(noConsent.status).toBe(422);
    expect(noConsent.body.error).toMatchObject({ code: 'AGREEMENT_REQUIRED' });
    const english = await t.app.inject({ method: 'POST', url: '/api/v1/auth/wechat/mini-program', payload: { code: 'x' }, headers: { 'accept-language': 'en' }, remoteAddress: freshIp() });
    expect(english.json()).toMatchObject({ error: { code: 'WECHAT_CODE_INVALID', message: expect.stringContaining('authorisation') } });
  });

  it('is documented in OpenAPI', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as { paths: Record<string, Record<string, { summary?: string; description?: string }>> };
    const operation = spec.paths['/api/v1/auth/wechat/mini-program']!.post!;
    expect(operation.summary).toContain('mini program');
    expect(operation.description).toContain('getPhoneNumber');
  });
});

describe('WeChat login without settings', () => {
  it('is hidden, and production refuses the stand-in', async () => {
    const plain = await createTestApp({ demo: false });
    try {
      expect((await plain.app.inject({ method: 'GET', url: '/api/v1/auth/wechat' })).json()).toEqual({ web: false, miniProgram: false });
      const refused = await plain.app.inject({ method: 'GET', url: '/api/v1/auth/wechat/authorize' });
      expect(refused.statusCode).toBe(404);
      expect(refused.json()).toMatchObject({ error: { code: 'WECHAT_DISABLED' } });
      expect((await plain.app.inject({ method: 'POST', url: '/api/v1/auth/wechat/mini-program', payload: { code: 'x' } })).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
    const production = { NODE_ENV: 'production', RTO_DATA_KEY: 'a'.repeat(64), WECHAT_APPID: WEB.appId, WECHAT_SECRET: WEB.secret };
    expect(unsafeProductionSettings(loadConfig(production)).some((p) => p.startsWith('WECHAT'))).toBe(false);
    expect(unsafeProductionSettings(loadConfig({ ...production, WECHAT_API_ENDPOINT: 'http://127.0.0.1:9400' })).some((p) => p.startsWith('WECHAT_API_ENDPOINT'))).toBe(true);
    expect(() => loadConfig({ WECHAT_APPID: WEB.appId })).toThrow(/WECHAT_SECRET/);
  });
});
