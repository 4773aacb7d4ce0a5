import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TencentFaceIdCheck } from './tencentFaceId.ts';
import { startTencentFaceIdStandIn, type TencentFaceIdStandIn } from './tencentFaceIdStandIn.ts';

/** The real provider code against the stand-in, which checks signatures as Tencent does. */

const credentials = { secretId: 'AKIDstandin0000000000000000000000', secretKey: 'standin-secret-key-0000000000000', ruleId: '7' };
const holder = { name: '谢雨欣', idNumber: '310104199409273229' };

let standIn: TencentFaceIdStandIn;
let provider: TencentFaceIdCheck;

beforeAll(async () => {
  standIn = await startTencentFaceIdStandIn({ ...credentials, people: [holder] });
  provider = new TencentFaceIdCheck({ ...credentials, endpoint: standIn.endpoint, timeoutMs: 1000 });
});
afterAll(async () => {
  await standIn?.close();
});

const lastCall = () => standIn.requests.at(-1)!;

describe('身份信息认证 IdCardVerification', () => {
  it('answers match for the holder and mismatch for another name, as signed calls', async () => {
    expect(await provider.check(holder.name, holder.idNumber)).toBe('match');
    expect(lastCall()).toMatchObject({ action: 'IdCardVerification', params: { IdCard: holder.idNumber, Name: holder.name }, error: '' });
    expect(await provider.check('韩志强', holder.idNumber)).toBe('mismatch');
  });

  it('calls a number the authority has no record of inconclusive, not a match', async () => {
    expect(await provider.check('郑晓明', '110105198606163111')).toBe('inconclusive');
  });

  it('is unavailable when the service fails or does not answer in time, never a silent pass', async () => {
    standIn.failNext(1, 'InternalError');
    expect(await provider.check(holder.name, holder.idNumber)).toBe('unavailable');
    standIn.hangNext(1);
    const started = Date.now();
    expect(await provider.check(holder.name, holder.idNumber)).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(lastCall().error).toBe('HANG');
  });

  it('a wrong key is refused by the signature check', async () => {
    const forged = new TencentFaceIdCheck({ ...credentials, secretKey: 'another-key', endpoint: standIn.endpoint, timeoutMs: 1000 });
    expect(await forged.check(holder.name, holder.idNumber)).toBe('unavailable');
    expect(lastCall().error).toBe('AuthFailure.SignatureFailure');
    const unknown = new TencentFaceIdCheck({ ...credentials, secretId: 'AKIDunknown', endpoint: standIn.endpoint, timeoutMs: 1000 });
    expect(await unknown.check(holder.name, holder.idNumber)).toBe('unavailable');
    expect(lastCall().error).toBe('AuthFailure.SecretIdNotFound');
  });
});

describe('人脸核身 DetectAuth + GetDetectInfoEnhanced', () => {
  const start = async (who = holder) => {
    const session = await provider.faceCheck.start({ ...who, redirectUrl: 'http://127.0.0.1:3000/real-name?face=1' });
    if (session === 'unavailable') throw new Error('face check could not start');
    return session;
  };

  it('passes the holder after the H5 step, with the similarity, and sends the phone back with the token', async () => {
    const session = await start();
    expect(session.url).toContain(`${standIn.endpoint}/h5/detect?token=`);
    expect(await provider.faceCheck.result(session.token)).toEqual({ outcome: 'pending' });
    standIn.setFaceOutcome('pass');
    const back = standIn.completeFaceCheck(session.token);
    expect(back).toBe(`http://127.0.0.1:3000/real-name?face=1&token=${session.token}`);
    expect(await provider.faceCheck.result(session.token)).toMatchObject({ outcome: 'pass', code: '0', similarity: 92.46, liveness: 'pass' });
  });

  it('fails on a failed liveness check and on another person’s face', async () => {
    const live = await start();
    standIn.setFaceOutcome('liveness_fail');
    standIn.completeFaceCheck(live.token);
    expect(await provider.faceCheck.result(live.token)).toMatchObject({ outcome: 'fail', liveness: 'fail' });
    const other = await start();
    standIn.setFaceOutcome('face_mismatch');
    standIn.completeFaceCheck(other.token);
    expect(await provider.faceCheck.result(other.token)).toMatchObject({ outcome: 'fail', liveness: 'pass' });
    standIn.setFaceOutcome('pass');
  });

  it('treats an unknown token as a failed check and an outage as unavailable', async () => {
    expect((await provider.faceCheck.result('0C1D2E3F-0000-4000-8000-000000000000')).outcome).toBe('fail');
    standIn.failNext(1, 'InternalError');
    expect(await provider.faceCheck.start({ ...holder, redirectUrl: 'http://127.0.0.1/x' })).toBe('unavailable');
  });
});
