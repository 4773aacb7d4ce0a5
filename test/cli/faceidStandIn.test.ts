import { describe, expect, it } from 'vitest';
import { startRto, stopRto } from '../helpers/cliProcess.ts';
import { TencentFaceIdCheck } from '../../src/server/identity/providers/tencentFaceId.ts';
import { demoIdNumber, demoPeople } from '../../src/server/seed/demo.ts';

describe('rto faceid-stand-in', () => {
  it('serves the FaceID API for development with the settings it prints, and stops on Ctrl-C', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { child, output: printed } = await startRto(['faceid-stand-in', '--port', String(port)], /npm start/);
    try {
      const output = printed();
      const settings = Object.fromEntries([...output.matchAll(/(TENCENT_[A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
      expect(settings.TENCENT_FACEID_ENDPOINT).toBe(`http://127.0.0.1:${port}`);
      const provider = new TencentFaceIdCheck({ secretId: settings.TENCENT_SECRET_ID!, secretKey: settings.TENCENT_SECRET_KEY!, ruleId: settings.TENCENT_FACEID_RULE_ID!, endpoint: settings.TENCENT_FACEID_ENDPOINT! });
      const wang = demoPeople.find((p) => p.name === '王建国')!;
      expect(await provider.check('王建国', demoIdNumber(wang))).toBe('match');
      expect(await provider.check('王建军', demoIdNumber(wang))).toBe('mismatch');
    } finally {
      expect(await stopRto(child)).toBe(0);
    }
  }, 60_000);
});
