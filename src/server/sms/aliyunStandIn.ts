import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { aliyunSignature, aliyunStringToSign } from './aliyunSignature.ts';
import { ALIYUN_SMS_API_VERSION } from './aliyun.ts';

/**
 * A local stand-in for Aliyun's Dysmsapi SendSms endpoint, for tests and offline demos. It checks what
 * the real service checks before sending (signature, common parameters, key, sign name, template) and
 * answers in the same shapes, so the real provider code runs unchanged against it.
 */

export interface AliyunStandInOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** When given, any other SignName is refused (isv.SMS_SIGNATURE_ILLEGAL). */
  signName?: string;
  /** When given, any other TemplateCode is refused (isv.SMS_TEMPLATE_ILLEGAL). */
  templateCodes?: string[];
  /** How far Timestamp may be from now; Aliyun allows 15 minutes. */
  maxClockSkewMs?: number;
}

export interface AliyunStandInMessage {
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, unknown>;
  bizId: string;
  receivedAt: Date;
}

export interface AliyunStandIn {
  /** Pass as the provider's endpoint. */
  readonly endpoint: string;
  /** Messages accepted, oldest first. */
  readonly messages: AliyunStandInMessage[];
  /** Every request seen, accepted or not, with the Code answered ('HANG' when not answered). */
  readonly requests: { query: Record<string, string>; code: string }[];
  /** The next `count` well-signed requests are refused with `code` (default isv.BUSINESS_LIMIT_CONTROL). */
  failNext(count: number, code?: string, message?: string): void;
  /** The next `count` requests get no answer until the stand-in closes. */
  hangNext(count: number): void;
  close(): Promise<void>;
}

interface Refusal {
  status: number;
  code: string;
  message: string;
}

export async function startAliyunSmsStandIn(options: AliyunStandInOptions): Promise<AliyunStandIn> {
  const messages: AliyunStandInMessage[] = [];
  const requests: { query: Record<string, string>; code: string }[] = [];
  const usedNonces = new Set<string>();
  const sockets = new Set<Socket>();
  const maxSkew = options.maxClockSkewMs ?? 15 * 60_000;
  let failures: { remaining: number; code: string; message: string } = { remaining: 0, code: '', message: '' };
  let hangs = 0;

  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const refusalFor = (query: Record<string, string>): Refusal | undefined => {
    const required = [
      'AccessKeyId', 'Action', 'Format', 'RegionId', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion',
      'Timestamp', 'Version', 'Signature', 'PhoneNumbers', 'SignName', 'TemplateCode',
    ];
    for (const name of required) {
      if (!query[name]) return { status: 400, code: `Missing${name}`, message: `${name} is mandatory for this action.` };
    }
    if (query.Action !== 'SendSms') return { status: 400, code: 'InvalidAction.NotFound', message: 'Specified api is not found, please check your url and method.' };
    if (query.Version !== ALIYUN_SMS_API_VERSION) return { status: 400, code: 'InvalidVersion', message: 'Specified parameter Version is not valid.' };
    if (query.SignatureMethod !== 'HMAC-SHA1') return { status: 400, code: 'InvalidSignatureMethod', message: 'Specified signature method is not valid.' };
    if (query.SignatureVersion !== '1.0') return { status: 400, code: 'InvalidSignatureVersion', message: 'Specified signature version is not valid.' };
    if (query.AccessKeyId !== options.accessKeyId) return { status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(query.Timestamp ?? '')) {
      return { status: 400, code: 'InvalidTimeStamp.Format', message: 'Specified time stamp or date value is not well formatted.' };
    }
    if (Math.abs(Date.parse(query.Timestamp ?? '') - Date.now()) > maxSkew) {
      return { status: 400, code: 'InvalidTimeStamp.Expired', message: 'Specified time stamp or date value is expired.' };
    }

    const { Signature: given = '', ...signed } = query;
    const expected = aliyunSignature(signed, options.accessKeySecret);
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return {
        status: 400,
        code: 'SignatureDoesNotMatch',
        message: `Specified signature does not match our calculation. server string to sign is:${aliyunStringToSign(signed)}`,
      };
    }
    if (usedNonces.has(query.SignatureNonce ?? '')) {
      return { status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.' };
    }
    usedNonces.add(query.SignatureNonce ?? '');

    // Business checks: Aliyun answers these with HTTP 200 and an isv.* code.
    if (!/^(\+?86)?1\d{10}$/.test(query.PhoneNumbers ?? '')) return { status: 200, code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '非法手机号' };
    if (options.signName !== undefined && query.SignName !== options.signName) {
      return { status: 200, code: 'isv.SMS_SIGNATURE_ILLEGAL', message: '该账号下找不到对应签名' };
    }
    if (options.templateCodes && !options.templateCodes.includes(query.TemplateCode ?? '')) {
      return { status: 200, code: 'isv.SMS_TEMPLATE_ILLEGAL', message: '该账号下找不到对应模板' };
    }
    if (query.TemplateParam !== undefined) {
      try {
        const parsed: unknown = JSON.parse(query.TemplateParam);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      } catch {
        return { status: 200, code: 'isv.INVALID_JSON_PARAM', message: 'JSON参数不合法，只接受字符串值' };
      }
    }
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      return { status: 200, code: failures.code, message: failures.message };
    }
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const query = Object.fromEntries(url.searchParams);
    const requestId = randomUUID().toUpperCase();
    if (hangs > 0) {
      hangs -= 1;
      requests.push({ query, code: 'HANG' });
      return; // never answered: the socket is destroyed on close()
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      requests.push({ query, code: 'UnsupportedHTTPMethod' });
      answer(res, 400, { RequestId: requestId, HostId: 'dysmsapi.aliyuncs.com', Code: 'UnsupportedHTTPMethod', Message: 'Specified http method is not supported.' });
      return;
    }
    const refusal = refusalFor(query);
    if (refusal) {
      requests.push({ query, code: refusal.code });
      const body: Record<string, unknown> = { RequestId: requestId, Code: refusal.code, Message: refusal.message };
      if (refusal.status !== 200) {
        body.HostId = 'dysmsapi.aliyuncs.com';
        body.Recommend = `https://api.aliyun.com/troubleshoot?q=${refusal.code}&product=Dysmsapi`;
      }
      answer(res, refusal.status, body);
      return;
    }
    const bizId = `${Date.now()}^0`;
    messages.push({
      phoneNumbers: query.PhoneNumbers ?? '',
      signName: query.SignName ?? '',
      templateCode: query.TemplateCode ?? '',
      templateParam: query.TemplateParam ? (JSON.parse(query.TemplateParam) as Record<string, unknown>) : {},
      bizId,
      receivedAt: new Date(),
    });
    requests.push({ query, code: 'OK' });
    answer(res, 200, { Message: 'OK', RequestId: requestId, BizId: bizId, Code: 'OK' });
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}/`,
    messages,
    requests,
    failNext(count, code = 'isv.BUSINESS_LIMIT_CONTROL', message = '触发分钟级流控Permits:1') {
      failures = { remaining: count, code, message };
    },
    hangNext(count) {
      hangs = count;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
