import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeChatClient } from './client.ts';
import { startWeChatStandIn, type WeChatStandIn } from './standIn.ts';

const web = { appId: 'wx0000000000000web', secret: 'web-secret' };
const miniProgram = { appId: 'wx000000000000mini', secret: 'mini-secret' };

describe('WeChat client against the stand-in', () => {
  let wx: WeChatStandIn;
  let now = Date.now();
  let client: WeChatClient;
  beforeAll(async () => {
    wx = await startWeChatStandIn({ web, miniProgram, users: [{ key: 'a', nickname: 'A', phone: '13700000001' }], now: () => now });
    client = new WeChatClient({ web, miniProgram, apiEndpoint: wx.endpoint, openEndpoint: wx.endpoint, now: () => now });
  });
  afterAll(() => wx.close());

  it('builds the documented authorize URL', () => {
    const url = new URL(client.authorizeUrl({ redirectUri: 'https://rto.example.gov.cn/api/v1/auth/wechat/callback', scope: 'snsapi_base', state: 's1' }));
    expect(url.pathname).toBe('/connect/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      appid: web.appId,
      redirect_uri: 'https://rto.example.gov.cn/api/v1/auth/wechat/callback',
      response_type: 'code',
      scope: 'snsapi_base',
      state: 's1',
    });
    expect(url.hash).toBe('#wechat_redirect');
  });

  it('asks for one access token for concurrent callers and renews it before it expires', async () => {
    const calls = () => wx.requests.filter((r) => r.path === '/cgi-bin/token').length;
    const [a, b] = await Promise.all([client.accessToken(), client.accessToken()]);
    expect(a).toBe(b);
    expect(calls()).toBe(1);
    now += 7200_000 - 299_000;
    expect(await client.accessToken()).not.toBe(a);
    expect(calls()).toBe(2);
  });

  it('reports WeChat’s errcode, and a wrong secret', async () => {
    await expect(client.code2Session('nope')).rejects.toMatchObject({ errcode: 40029 });
    const wrong = new WeChatClient({ miniProgram: { ...miniProgram, secret: 'bad' }, apiEndpoint: wx.endpoint });
    await expect(wrong.code2Session(wx.miniProgramLoginCode('a'))).rejects.toMatchObject({ errcode: 40125 });
    const unreachable = new WeChatClient({ miniProgram, apiEndpoint: 'http://127.0.0.1:9', timeoutMs: 500 });
    await expect(unreachable.accessToken()).rejects.toMatchObject({ errcode: -2 });
  });
});
