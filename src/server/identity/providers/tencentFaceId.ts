import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import type { FaceCheck, FaceCheckOutcome, FaceCheckSession, IdentityCheck, IdentityCheckResult } from '../identityCheck.ts';

/**
 * Tencent Cloud FaceID (慧眼人脸核身), API version 2018-03-01, through Tencent's own SDK core, which signs
 * every call with TC3-HMAC-SHA256:
 * - 身份信息认证 IdCardVerification {IdCard, Name} → Result "0" consistent, "-1" inconsistent, "-2"/"-3"
 *   invalid number/name, "-4"/"-6" the authority's database unavailable, "-5" no record, "-7" daily limit
 *   (https://www.tencentcloud.com/document/api/1061/79049; 实名信息核验相关接口, https://cloud.tencent.com/document/api/1007/39764);
 * - 实名核身鉴权 DetectAuth {RuleId, IdCard, Name, RedirectUrl} → {Url, BizToken}: the phone opens Url (the H5
 *   liveness and face comparison), then comes back to RedirectUrl with the BizToken
 *   (https://cloud.tencent.com/document/api/1007/31816);
 * - 获取实名核身结果信息增强版 GetDetectInfoEnhanced {BizToken, RuleId, InfoType} → Text {ErrCode (0 passed,
 *   null not finished), ErrMsg, LiveStatus, Comparestatus, Sim, …}
 *   (https://cloud.tencent.com/document/api/1007/41957).
 * Errors come as Response.Error {Code, Message} (AuthFailure.*, FailedOperation.*, InternalError, …).
 */

export const TENCENT_FACEID_API_VERSION = '2018-03-01';
export const TENCENT_FACEID_DEFAULT_ENDPOINT = 'https://faceid.tencentcloudapi.com';

export interface TencentFaceIdConfig {
  secretId: string;
  secretKey: string;
  /** 业务流程ID of the H5 face check, created in the FaceID console. */
  ruleId: string;
  /** Scheme and host; the stand-in's address in tests. */
  endpoint?: string;
  /** Per call; a slow service must not hold the driver's request for long. */
  timeoutMs?: number;
  logger?: { warn(details: Record<string, unknown>, message: string): void };
}

interface ProviderError {
  code?: string;
  message?: string;
  requestId?: string;
}

type Answer<T> = { ok: true; value: T } | { ok: false; error: ProviderError };

export class TencentFaceIdCheck implements IdentityCheck {
  readonly name = 'tencent';
  readonly #client: CommonClient;
  readonly #config: TencentFaceIdConfig;
  readonly faceCheck: FaceCheck;

  constructor(config: TencentFaceIdConfig) {
    this.#config = config;
    const endpoint = new URL(config.endpoint ?? TENCENT_FACEID_DEFAULT_ENDPOINT);
    this.#client = new CommonClient(endpoint.host, TENCENT_FACEID_API_VERSION, {
      credential: { secretId: config.secretId, secretKey: config.secretKey },
      region: '',
      profile: {
        httpProfile: {
          endpoint: endpoint.host,
          protocol: `${endpoint.protocol}//`,
          reqMethod: 'POST',
          reqTimeout: Math.max(1, Math.ceil((config.timeoutMs ?? 10_000) / 1000)),
        },
      },
    });
    this.faceCheck = { start: (input) => this.#startFaceCheck(input), result: (token) => this.#faceResult(token) };
  }

  async #call<T>(action: string, params: Record<string, unknown>): Promise<Answer<T>> {
    try {
      return { ok: true, value: (await this.#client.request(action, params)) as T };
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown; requestId?: unknown; name?: unknown; type?: unknown };
      const failure: ProviderError = {
        code: typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : 'Error',
        ...(typeof e.message === 'string' ? { message: e.message.slice(0, 200) } : {}),
        ...(typeof e.requestId === 'string' && e.requestId ? { requestId: e.requestId } : {}),
      };
      this.#config.logger?.warn({ action, code: failure.code, requestId: failure.requestId }, 'identity service call failed');
      return { ok: false, error: failure };
    }
  }

  async check(name: string, idNumber: string): Promise<IdentityCheckResult> {
    const answer = await this.#call<{ Result?: string }>('IdCardVerification', { IdCard: idNumber, Name: name });
    if (!answer.ok) return 'unavailable';
    switch (answer.value.Result) {
      case '0':
        return 'match';
      case '-1':
      case '-2':
      case '-3':
        return 'mismatch';
      case '-5':
        return 'inconclusive';
      default:
        // -4, -6: the authority's database is down or upgrading; -7: the day's limit.
        return 'unavailable';
    }
  }

  async #startFaceCheck(input: { name: string; idNumber: string; redirectUrl: string }): Promise<FaceCheckSession | 'unavailable'> {
    const answer = await this.#call<{ Url?: string; BizToken?: string }>('DetectAuth', {
      RuleId: this.#config.ruleId,
      IdCard: input.idNumber,
      Name: input.name,
      RedirectUrl: input.redirectUrl,
    });
    if (!answer.ok || !answer.value.Url || !answer.value.BizToken) return 'unavailable';
    return { url: answer.value.Url, token: answer.value.BizToken };
  }

  async #faceResult(token: string): Promise<FaceCheckOutcome> {
    const answer = await this.#call<{ Text?: DetectInfoText | null }>('GetDetectInfoEnhanced', { BizToken: token, RuleId: this.#config.ruleId, InfoType: '1' });
    if (!answer.ok) {
      // An unknown or expired BizToken is the driver's to redo, not an outage.
      if (answer.error.code?.startsWith('InvalidParameter') || answer.error.code === 'FailedOperation.BizTokenExpired') {
        return { outcome: 'fail', code: answer.error.code, ...(answer.error.message ? { message: answer.error.message } : {}) };
      }
      return { outcome: 'unavailable', ...(answer.error.code ? { code: answer.error.code } : {}) };
    }
    const text = answer.value.Text;
    if (!text || text.ErrCode === null || text.ErrCode === undefined) return { outcome: 'pending' };
    const similarity = text.Sim !== null && text.Sim !== undefined && Number.isFinite(Number(text.Sim)) ? Number(text.Sim) : undefined;
    // A pass needs the final result, the liveness step and the comparison to have passed.
    const passed = Number(text.ErrCode) === 0 && Number(text.LiveStatus ?? 0) === 0 && Number(text.Comparestatus ?? 0) === 0;
    return {
      outcome: passed ? 'pass' : 'fail',
      ...(text.IdCard ? { idNumber: String(text.IdCard) } : {}),
      code: String(text.ErrCode),
      ...(text.ErrMsg ? { message: String(text.ErrMsg) } : {}),
      ...(similarity !== undefined ? { similarity } : {}),
      ...(text.LiveStatus !== null && text.LiveStatus !== undefined ? { liveness: Number(text.LiveStatus) === 0 ? ('pass' as const) : ('fail' as const) } : {}),
    };
  }
}

interface DetectInfoText {
  ErrCode?: number | null;
  ErrMsg?: string | null;
  IdCard?: string | null;
  Name?: string | null;
  LiveStatus?: number | null;
  LiveMsg?: string | null;
  Comparestatus?: number | null;
  Comparemsg?: string | null;
  Sim?: string | null;
}
