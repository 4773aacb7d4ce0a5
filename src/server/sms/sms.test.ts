import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import pino from 'pino';
import { AppError } from '../errors.ts';
import { aliyunCanonicalQuery, aliyunPercentEncode, aliyunSignature } from './aliyunSignature.ts';
import { startAliyunSmsStandIn, type AliyunStandIn } from './aliyunStandIn.ts';
import {
  AliyunSmsProvider,
  ConsoleSmsProvider,
  createSmsProvider,
  maskPhone,
  SmsSendError,
  smsSendFailed,
  type AliyunSmsConfig,
  type SmsLogger,
} from './index.ts';

function recordingLogger() {
  const lines: { level: 'info' | 'warn'; obj: object; msg: string | undefined }[] = [];
  const logger: SmsLogger = {
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
  };
  return { logger, lines, text: () => JSON.stringify(lines) };
}

describe('Aliyun RPC signature', () => {
  // The worked example of Aliyun's SMS "HTTP协议及签名" documentation (testId / testSecret), whose published
  // signature is zJDF+Lrzhj/ThnlvIToysFRq6t4= — independent of this code, so a shared mistake in the
  // signer cannot make provider and stand-in agree on a wrong signature.
  const documented = {
    AccessKeyId: 'testId',
    Action: 'SendSms',
    Format: 'XML',
    OutId: '123',
    PhoneNumbers: '15300000001',
    RegionId: 'cn-hangzhou',
    SignName: '阿里云短信测试专用',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
    SignatureVersion: '1.0',
    TemplateCode: 'SMS_71390007',
    TemplateParam: '{"customer":"test"}',
    Timestamp: '2017-07-12T02:42:19Z',
    Version: '2017-05-25',
  };

  it('reproduces the signature of the documented example', () => {
    expect(aliyunSignature(documented, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it('builds the documented canonicalized query, whatever order the parameters come in', () => {
    const shuffled = Object.fromEntries(Object.entries(documented).reverse());
    expect(aliyunCanonicalQuery(shuffled)).toBe(
      'AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou' +
        '&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8' +
        '&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0' +
        '&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D' +
        '&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25',
    );
  });

  it("percent-encodes with Aliyun's rules (space %20, * %2A, ~ kept)", () => {
    expect(aliyunPercentEncode("a b*c~d!'()+/=")).toBe('a%20b%2Ac~d%21%27%28%29%2B%2F%3D');
    expect(aliyunPercentEncode('-_.~AZaz09')).toBe('-_.~AZaz09');
  });

  it('changes with the secret and with any parameter', () => {
    const base = aliyunSignature(documented, 'testSecret');
    expect(aliyunSignature(documented, 'otherSecret')).not.toBe(base);
    expect(aliyunSignature({ ...documented, PhoneNumbers: '15300000002' }, 'testSecret')).not.toBe(base);
  });
});

describe('maskPhone', () => {
  it('keeps the first 3 and last 4 digits', () => {
    expect(maskPhone('13800000001')).toBe('138****0001');
  });
});

describe('ConsoleSmsProvider', () => {
  it('keeps messages per phone, newest first, with the rendered text', async () => {
    const { logger } = recordingLogger();
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const sms = new ConsoleSmsProvider(logger, { now: () => new Date((clock += 1000)) });
    await sms.send({ phone: '13800000001', template: 'login_code', params: { code: '111111' } });
    await sms.send({ phone: '13900000002', template: 'login_code', params: { code: '222222' } });
    await sms.send({ phone: '13800000001', template: 'login_code', params: { code: '333333' } });

    const outbox = sms.outbox('13800000001');
    expect(outbox.map((m) => m.params.code)).toEqual(['333333', '111111']);
    expect(outbox[0]?.text).toContain('333333');
    expect(outbox[0]?.template).toBe('login_code');
    expect(outbox[0]!.sentAt.getTime()).toBeGreaterThan(outbox[1]!.sentAt.getTime());
    expect(sms.outbox('13700000000')).toEqual([]);
  });

  it('renders application updates from their parameters', async () => {
    const sms = new ConsoleSmsProvider(recordingLogger().logger);
    await sms.send({ phone: '13800000001', template: 'application_update', params: { applicationNo: 'BJ2026000123', status: '已受理' } });
    expect(sms.outbox('13800000001')[0]?.text).toMatch(/BJ2026000123.*已受理/);
  });

  it('forgets the oldest messages past its capacity', async () => {
    const sms = new ConsoleSmsProvider(recordingLogger().logger, { capacity: 3 });
    for (let i = 1; i <= 5; i++) {
      await sms.send({ phone: '13800000001', template: 'login_code', params: { code: `00000${i}` } });
    }
    expect(sms.outbox('13800000001').map((m) => m.params.code)).toEqual(['000005', '000004', '000003']);
  });

  it('logs the code with a masked phone, never the whole number', async () => {
    const log = recordingLogger();
    const sms = new ConsoleSmsProvider(log.logger);
    await sms.send({ phone: '13800000001', template: 'login_code', params: { code: '654321' } });
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]?.level).toBe('info');
    expect(log.text()).toContain('138****0001');
    expect(log.text()).toContain('654321');
    expect(log.text()).not.toContain('13800000001');
  });

  it('hands out copies, so a reader cannot change the outbox', async () => {
    const sms = new ConsoleSmsProvider(recordingLogger().logger);
    await sms.send({ phone: '13800000001', template: 'login_code', params: { code: '123456' } });
    sms.outbox('13800000001')[0]!.params.code = 'xxxxxx';
    expect(sms.outbox('13800000001')[0]?.params.code).toBe('123456');
  });
});

describe('AliyunSmsProvider against the local stand-in', () => {
  const credentials = { accessKeyId: 'LTAI5tStandInKeyId', accessKeySecret: 'stand-in secret with * and ~' };
  const templateCodes = { login_code: 'SMS_100000001', application_update: 'SMS_100000002', verification_answered: 'SMS_100000003', account_closed: 'SMS_100000004' };
  let standIn: AliyunStandIn;
  let config: AliyunSmsConfig;

  beforeEach(async () => {
    standIn = await startAliyunSmsStandIn({ ...credentials, signName: '道路运政一网通办', templateCodes: Object.values(templateCodes) });
    config = { ...credentials, signName: '道路运政一网通办', templateCodes, endpoint: standIn.endpoint, timeoutMs: 1000 };
  });
  afterEach(async () => {
    await standIn.close();
  });

  it('sends a login code with the configured sign name and template', async () => {
    const sms = new AliyunSmsProvider(config);
    await sms.send({ phone: '13800000001', template: 'login_code', params: { code: '246810' } });
    expect(standIn.messages).toHaveLength(1);
    expect(standIn.messages[0]).toMatchObject({
      phoneNumbers: '13800000001',
      signName: '道路运政一网通办',
      templateCode: 'SMS_100000001',
      templateParam: { code: '246810' },
    });
    const query = standIn.requests[0]!.query;
    expect(query).toMatchObject({ Action: 'SendSms', Version: '2017-05-25', Format: 'JSON', RegionId: 'cn-hangzhou', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0' });
    expect(query.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('uses a fresh nonce for every message', async () => {
    const sms = new AliyunSmsProvider(config);
    await sms.send({ phone: '13800000001', template: 'login_code', params: { code: '111111' } });
    await sms.send({ phone: '13800000001', template: 'application_update', params: { applicationNo: 'A1', status: '已办结' } });
    expect(standIn.messages.map((m) => m.templateCode)).toEqual(['SMS_100000001', 'SMS_100000002']);
    expect(new Set(standIn.requests.map((r) => r.query.SignatureNonce)).size).toBe(2);
  });

  it('is refused when signed with the wrong secret', async () => {
    const sms = new AliyunSmsProvider({ ...config, accessKeySecret: 'wrong secret' });
    const error = await sms.send({ phone: '13800000001', template: 'login_code', params: { code: '1' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsSendError);
    expect(error).toMatchObject({ provider: 'aliyun', providerCode: 'SignatureDoesNotMatch' });
    expect(standIn.messages).toHaveLength(0);
  });

  it('turns a provider refusal into SmsSendError carrying its code, and logs it with a masked phone', async () => {
    const log = recordingLogger();
    const sms = new AliyunSmsProvider(config, log.logger);
    standIn.failNext(1);
    const error = await sms.send({ phone: '13800000001', template: 'login_code', params: { code: '1' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsSendError);
    expect((error as SmsSendError).providerCode).toBe('isv.BUSINESS_LIMIT_CONTROL');
    expect(log.lines[0]?.level).toBe('warn');
    expect(log.text()).toContain('138****0001');
    expect(log.text()).not.toContain('13800000001');
    expect(log.text()).not.toContain(credentials.accessKeySecret);

    await sms.send({ phone: '13800000001', template: 'login_code', params: { code: '2' } });
    expect(standIn.messages).toHaveLength(1);
  });

  it('reports an unknown template code from the provider', async () => {
    const sms = new AliyunSmsProvider({ ...config, templateCodes: { ...templateCodes, login_code: 'SMS_999' } });
    await expect(sms.send({ phone: '13800000001', template: 'login_code', params: { code: '1' } })).rejects.toMatchObject({
      providerCode: 'isv.SMS_TEMPLATE_ILLEGAL',
    });
  });

  it('gives up with TIMEOUT when the provider does not answer in time', async () => {
    const sms = new AliyunSmsProvider({ ...config, timeoutMs: 300 });
    standIn.hangNext(1);
    const started = performance.now();
    await expect(sms.send({ phone: '13800000001', template: 'login_code', params: { code: '1' } })).rejects.toMatchObject({
      name: 'SmsSendError',
      providerCode: 'TIMEOUT',
    });
    // It waited for the configured 300 ms, and gave up long before the 5 s default would have. The
    // upper bound leaves seconds for a busy machine.
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(4_000);
  });

  it('reports NETWORK_ERROR when nothing listens at the endpoint', async () => {
    const port = await freePort();
    const sms = new AliyunSmsProvider({ ...config, endpoint: `http://127.0.0.1:${port}/` });
    await expect(sms.send({ phone: '13800000001', template: 'login_code', params: { code: '1' } })).rejects.toMatchObject({
      name: 'SmsSendError',
      providerCode: 'NETWORK_ERROR',
    });
  });

  it('refuses to start without credentials or template codes', () => {
    expect(() => new AliyunSmsProvider({ ...config, accessKeySecret: '' })).toThrow(/accessKeySecret/);
    expect(() => new AliyunSmsProvider({ ...config, templateCodes: { ...templateCodes, application_update: '' } })).toThrow(/application_update/);
  });
});

describe('createSmsProvider', () => {
  const logger = pino({ level: 'silent' });

  it('makes the console provider by default configuration', () => {
    const sms = createSmsProvider({ provider: 'console' }, logger);
    expect(sms).toBeInstanceOf(ConsoleSmsProvider);
    expect(sms.name).toBe('console');
  });

  it('makes the Aliyun provider when configured, and refuses it without settings', () => {
    const aliyun = {
      accessKeyId: 'id',
      accessKeySecret: 'secret',
      signName: '道路运政一网通办',
      templateCodes: { login_code: 'SMS_1', application_update: 'SMS_2', verification_answered: 'SMS_3', account_closed: 'SMS_4' },
    };
    expect(createSmsProvider({ provider: 'aliyun', aliyun }, logger)).toBeInstanceOf(AliyunSmsProvider);
    expect(() => createSmsProvider({ provider: 'aliyun' }, logger)).toThrow();
  });
});

describe('smsSendFailed', () => {
  it('is a 502 with a stable code and both languages', () => {
    const error = smsSendFailed(new SmsSendError('aliyun', 'isv.BUSINESS_LIMIT_CONTROL', 'limit'));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 502, code: 'SMS_SEND_FAILED', messages: { zh: '短信发送失败，请稍后重试', en: 'Could not send the SMS, please try again' } });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
