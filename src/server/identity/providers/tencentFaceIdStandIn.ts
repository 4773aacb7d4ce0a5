import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TENCENT_FACEID_API_VERSION } from './tencentFaceId.ts';

/**
 * A local stand-in for Tencent Cloud FaceID (API 2018-03-01), for tests and offline demos. It checks what
 * the real service checks before answering — the TC3-HMAC-SHA256 signature, the timestamp's age, the
 * SecretId, the version, the RuleId — and answers IdCardVerification, DetectAuth and GetDetectInfoEnhanced
 * in the documented shapes, so the real provider code runs unchanged against it. DetectAuth's Url opens
 * a small H5 page standing for the liveness check; it sends the phone back to RedirectUrl with
 * `token={BizToken}`, as the real flow does.
 */

export interface StandInPerson {
  name: string;
  idNumber: string;
}

export type FaceOutcome = 'pass' | 'liveness_fail' | 'face_mismatch';

export interface TencentFaceIdStandInOptions {
  secretId: string;
  secretKey: string;
  ruleId: string;
  /** The authority's records the stand-in compares with. */
  people: StandInPerson[];
  /** How old X-TC-Timestamp may be; Tencent allows 5 minutes. */
  maxClockSkewSeconds?: number;
  /** 0 (default): any free port. */
  port?: number;
}

export interface TencentFaceIdStandIn {
  /** Pass as TENCENT_FACEID_ENDPOINT. */
  readonly endpoint: string;
  /** Every call seen, with the error code answered ('' when it succeeded, 'HANG' when not answered). */
  readonly requests: { action: string; params: Record<string, unknown>; error: string }[];
  /** What the next completed face checks find (default 'pass'). */
  setFaceOutcome(outcome: FaceOutcome): void;
  /** The next `count` well-signed calls are refused with `code` (default InternalError). */
  failNext(count: number, code?: string): void;
  /** The next `count` calls get no answer until the stand-in closes. */
  hangNext(count: number): void;
  /** Finishes a face check as the H5 page would, without a browser; returns the URL it redirects to. */
  completeFaceCheck(bizToken: string): string;
  close(): Promise<void>;
}

interface FaceSession {
  name: string;
  idNumber: string;
  redirectUrl: string;
  outcome?: FaceOutcome;
  createdAt: number;
}

const SERVICE = 'faceid';

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** TC3-HMAC-SHA256, Tencent Cloud API 3.0 签名方法 v3: a canonical request, a credential scope of date/service, a derived key. */
export function tc3Signature(input: {
  secretKey: string;
  service: string;
  timestamp: number;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  signedHeaders: string[];
  body: Buffer | string;
}): string {
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalHeaders = input.signedHeaders.map((name) => `${name}:${(input.headers[name] ?? '').trim().toLowerCase()}\n`).join('');
  const canonicalRequest = [input.method, input.path, input.query, canonicalHeaders, input.signedHeaders.join(';'), sha256Hex(input.body)].join('\n');
  const scope = `${date}/${input.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${input.secretKey}`, date), input.service), 'tc3_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

const AUTHORIZATION = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startTencentFaceIdStandIn(options: TencentFaceIdStandInOptions): Promise<TencentFaceIdStandIn> {
  const requests: TencentFaceIdStandIn['requests'] = [];
  const sessions = new Map<string, FaceSession>();
  const sockets = new Set<Socket>();
  const maxSkew = options.maxClockSkewSeconds ?? 300;
  let faceOutcome: FaceOutcome = 'pass';
  let failures = { remaining: 0, code: 'InternalError' };
  let hangs = 0;
  let base = '';

  const person = (idNumber: unknown) => options.people.find((p) => p.idNumber === idNumber);

  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const apiError = (res: ServerResponse, code: string, message: string) =>
    send(res, 200, { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } });

  function redirectFor(token: string, session: FaceSession): string {
    const target = new URL(session.redirectUrl);
    target.searchParams.set('token', token);
    return target.toString();
  }

  function complete(token: string): string {
    const session = sessions.get(token);
    if (!session) throw new Error(`no face check ${token}`);
    session.outcome = faceOutcome;
    return redirectFor(token, session);
  }

  function detectText(session: FaceSession) {
    if (!session.outcome) {
      return { ErrCode: null, ErrMsg: null, IdCard: null, Name: null, LiveStatus: null, LiveMsg: null, Comparestatus: null, Comparemsg: null, Sim: null };
    }
    const known = person(session.idNumber);
    const live = session.outcome !== 'liveness_fail';
    const sameFace = live && session.outcome === 'pass' && known !== undefined && known.name === session.name;
    const errCode = !live ? 1004 : sameFace ? 0 : known ? 2004 : 2006;
    return {
      ErrCode: errCode,
      ErrMsg: errCode === 0 ? '成功' : !live ? '活体检测未通过' : known ? '比对相似度未达到通过标准' : '库中无此号',
      IdCard: session.idNumber,
      Name: session.name,
      LiveStatus: live ? 0 : 1004,
      LiveMsg: live ? '成功' : '活体检测未通过',
      Comparestatus: live ? (sameFace ? 0 : errCode) : null,
      Comparemsg: live ? (sameFace ? '成功' : '比对相似度未达到通过标准') : null,
      Sim: live ? (sameFace ? '92.46' : '31.05') : null,
    };
  }

  async function api(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const action = String(req.headers['x-tc-action'] ?? '');
    let params: Record<string, unknown> = {};
    try {
      params = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      // judged below: an unparsable body fails the signature or the parameters
    }
    const record = { action, params, error: '' };
    requests.push(record);
    const refuse = (code: string, message: string) => {
      record.error = code;
      apiError(res, code, message);
    };

    if (hangs > 0) {
      hangs -= 1;
      record.error = 'HANG';
      return;
    }
    const match = AUTHORIZATION.exec(String(req.headers.authorization ?? ''));
    if (!match) return refuse('AuthFailure.InvalidAuthorization', 'Authorization header is not TC3-HMAC-SHA256');
    const [, secretId, date, service, signed, signature] = match as unknown as [string, string, string, string, string, string];
    if (secretId !== options.secretId) return refuse('AuthFailure.SecretIdNotFound', 'The SecretId is not found');
    const timestamp = Number(req.headers['x-tc-timestamp']);
    if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > maxSkew) return refuse('AuthFailure.SignatureExpire', 'Signature expired');
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return refuse('AuthFailure.SignatureFailure', 'The credential date is not the timestamp’s');
    // The SDK names the service after the host's first label; on loopback that is not 'faceid'.
    const hostLabel = String(req.headers.host ?? '').split(/[.:]/)[0] ?? '';
    if (service !== SERVICE && service !== hostLabel) return refuse('AuthFailure.SignatureFailure', 'The credential scope names another service');
    const signedHeaders = signed.split(';');
    if (!signedHeaders.includes('content-type') || !signedHeaders.includes('host')) return refuse('AuthFailure.SignatureFailure', 'content-type and host must be signed');
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = req.headers[name];
      headers[name] = name === 'host' ? String(value ?? '').replace(/:\d+$/, '') : String(value ?? '');
    }
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const expected = tc3Signature({
      secretKey: options.secretKey,
      service,
      timestamp,
      method: req.method ?? 'POST',
      path: url.pathname,
      query: url.search.slice(1),
      headers,
      signedHeaders,
      body,
    });
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) return refuse('AuthFailure.SignatureFailure', 'The provided credentials could not be validated');
    if (req.headers['x-tc-version'] !== TENCENT_FACEID_API_VERSION) return refuse('InvalidParameterValue', `Version must be ${TENCENT_FACEID_API_VERSION}`);
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      return refuse(failures.code, 'The stand-in was told to fail this call');
    }

    const respond = (fields: Record<string, unknown>) => send(res, 200, { Response: { ...fields, RequestId: randomUUID() } });
    switch (action) {
      case 'IdCardVerification': {
        const { IdCard, Name } = params;
        if (typeof IdCard !== 'string' || typeof Name !== 'string') return refuse('MissingParameter', 'IdCard and Name are required');
        if (!/^\d{17}[\dX]$/.test(IdCard)) return respond({ Result: '-2', Description: '非法身份证号(长度、校验位等不正确)' });
        if (Name.length === 0 || Name.length > 32) return respond({ Result: '-3', Description: '非法姓名(长度、格式等不正确)' });
        const known = person(IdCard);
        if (!known) return respond({ Result: '-5', Description: '证件库中无此身份证记录' });
        return known.name === Name ? respond({ Result: '0', Description: '姓名和身份证号一致' }) : respond({ Result: '-1', Description: '姓名和身份证号不一致' });
      }
      case 'DetectAuth': {
        if (params.RuleId !== options.ruleId) return refuse('InvalidParameterValue.RuleIdNotExist', 'RuleId does not exist');
        const { IdCard, Name, RedirectUrl } = params;
        if (typeof IdCard !== 'string' || typeof Name !== 'string') return refuse('InvalidParameter', 'IdCard and Name are required by this RuleId');
        if (typeof RedirectUrl !== 'string' || !/^https?:\/\//.test(RedirectUrl)) return refuse('InvalidParameterValue', 'RedirectUrl is not a URL');
        const token = randomUUID().toUpperCase();
        sessions.set(token, { name: Name, idNumber: IdCard, redirectUrl: RedirectUrl, createdAt: Date.now() });
        return respond({ Url: `${base}/h5/detect?token=${encodeURIComponent(token)}`, BizToken: token });
      }
      case 'GetDetectInfoEnhanced': {
        if (params.RuleId !== options.ruleId) return refuse('InvalidParameterValue.RuleIdNotExist', 'RuleId does not exist');
        const session = typeof params.BizToken === 'string' ? sessions.get(params.BizToken) : undefined;
        if (!session) return refuse('InvalidParameterValue.BizTokenIllegal', 'BizToken is illegal');
        if (Date.now() - session.createdAt > 3 * 24 * 3600_000) return refuse('FailedOperation.BizTokenExpired', 'BizToken expired');
        return respond({ Text: detectText(session), IdCardData: null, BestFrame: null });
      }
      default:
        return refuse('InvalidAction', `The action ${action} is not found`);
    }
  }

  /** The H5 page standing for Tencent's liveness check. */
  function h5(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const token = url.searchParams.get('token') ?? '';
    const session = sessions.get(token);
    if (!session) return send(res, 404, '<!doctype html><meta charset="utf-8"><p>核身链接无效或已过期</p>', 'text/html; charset=utf-8');
    if (url.pathname === '/h5/complete' && req.method === 'POST') {
      res.writeHead(303, { location: complete(token) });
      res.end();
      return;
    }
    const page = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>人脸核身（本地模拟）</title>
<body style="font-family:sans-serif;padding:24px;text-align:center">
<h1 style="font-size:20px">人脸核身 · 本地模拟服务</h1>
<p>${escapeHtml(session.name.slice(0, 1))}** 请正对屏幕，按提示完成动作。</p>
<form method="post" action="/h5/complete?token=${encodeURIComponent(token)}">
<button type="submit" data-testid="face-standin-complete" style="font-size:18px;padding:12px 32px">开始验证</button>
</form></body></html>`;
    send(res, 200, page, 'text/html; charset=utf-8');
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1 << 20) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path?.startsWith('/h5/')) return h5(req, res);
      if (req.method !== 'POST') return send(res, 405, { Response: { Error: { Code: 'UnsupportedOperation', Message: 'POST only' }, RequestId: randomUUID() } });
      void api(req, res, Buffer.concat(chunks));
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
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint: base,
    requests,
    setFaceOutcome: (outcome) => {
      faceOutcome = outcome;
    },
    failNext: (count, code = 'InternalError') => {
      failures = { remaining: count, code };
    },
    hangNext: (count) => {
      hangs = count;
    },
    completeFaceCheck: complete,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
