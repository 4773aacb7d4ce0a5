import { describe, expect, it } from 'vitest';
import { startRto, stopRto } from '../helpers/cliProcess.ts';
import { createWeChatClient } from '../../src/server/wechat/client.ts';

describe('rto wechat-stand-in', () => {
  it('serves WeChat’s login APIs for development with the settings it prints, and stops on Ctrl-C', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { child, output: printed } = await startRto(['wechat-stand-in', '--port', String(port)], /npm start/);
    try {
      const output = printed();
      const settings = Object.fromEntries([...output.matchAll(/(WECHAT_[A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
      expect(settings.WECHAT_API_ENDPOINT).toBe(`http://127.0.0.1:${port}`);
      const client = createWeChatClient(settings)!;
      // The demo driver "signed in to WeChat" on the stand-in's page: a silent authorisation comes back with a code.
      const authorize = client.authorizeUrl({ redirectUri: 'http://127.0.0.1:3000/api/v1/auth/wechat/callback', scope: 'snsapi_base', state: 'abc' });
      const back = await fetch(authorize.replace(/#wechat_redirect$/, ''), { redirect: 'manual', headers: { cookie: 'wx_standin_user=13800000001' } });
      const code = new URL(back.headers.get('location')!).searchParams.get('code')!;
      expect((await client.exchangeWebCode(code)).openid).toMatch(/^o/);
      await expect(client.exchangeWebCode(code)).rejects.toMatchObject({ errcode: 40163 });
      expect(await client.accessToken()).toBeTruthy();
    } finally {
      expect(await stopRto(child)).toBe(0);
    }
  }, 60_000);
});
