import type { z } from 'zod';
import type {
  businessesResponseSchema,
  healthResponseSchema,
  provincesResponseSchema,
} from '../../contract/catalog.ts';
import type { AgreementsResponse, LoginRequest, LoginResponse, Me, SmsCodeResponse } from '../../contract/auth.ts';
import type { ContactsResponse } from '../../contract/catalog.ts';
import type {
  MyCertificatesResponse,
  NewVerificationRequest,
  VerificationRequestView,
  myVerificationRequestsResponseSchema,
  verificationPhotoResponseSchema,
} from '../../contract/certificates.ts';
import type { IdCardOcrResponse, VerificationRequest, VerificationResponse } from '../../contract/identity.ts';
import type { ApplicationDetail, ApplicationSummary } from '../../contract/applications.ts';
import type { ECertificate, PublishedKeySet, VerifyResponse, VoucherSummary } from '../../contract/vouchers.ts';
import { currentLocale, type AppLocale } from './locale.ts';

export type HealthResponse = z.infer<typeof healthResponseSchema>;
export type BusinessesResponse = z.infer<typeof businessesResponseSchema>;
export type BusinessEntry = BusinessesResponse['businesses'][number];
export type ProvincesResponse = z.infer<typeof provincesResponseSchema>;
export type Province = ProvincesResponse['provinces'][number];

/** §7: staff sign in with username, password and a TOTP code. */
export interface StaffLoginRequest {
  username: string;
  password: string;
  totp: string;
}

export const apiBase = '/api/v1';

/** An error answer of the API (`{ error: { code, message } }`), or a failure to reach it. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** Stable UPPER_SNAKE code, e.g. VALIDATION_FAILED; NETWORK_ERROR when the server was not reached. */
    readonly code: string,
    /** HTTP status; 0 when no answer arrived. */
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const fallbackMessages: Record<'network' | 'unexpected', Record<AppLocale, string>> = {
  network: {
    'zh-CN': '网络连接失败，请检查网络后重试',
    en: 'Could not reach the server. Check your connection and try again.',
  },
  unexpected: {
    'zh-CN': '服务暂时不可用，请稍后再试',
    en: 'The service is unavailable right now. Please try again later.',
  },
};

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** A plain value is sent as JSON; FormData goes as multipart. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const url = `${apiBase}${path.startsWith('/') ? path : `/${path}`}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${url}?${search}` : url;
}

function errorFromBody(status: number, body: unknown, locale: AppLocale): ApiError {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown };
      if (typeof code === 'string' && typeof message === 'string') {
        const extra = typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : undefined;
        return new ApiError(code, status, message, extra);
      }
    }
  }
  return new ApiError(`HTTP_${status}`, status, fallbackMessages.unexpected[locale]);
}

/** Calls `/api/v1{path}`: JSON in and out, cookies included, in the current language. */
export async function apiRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const locale = currentLocale.value;
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': locale, ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'include',
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError('NETWORK_ERROR', 0, fallbackMessages.network[locale]);
  }

  const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
  let payload: unknown = undefined;
  if (response.status !== 204 && isJson) {
    try {
      payload = await response.json();
    } catch {
      payload = undefined;
    }
  }
  if (!response.ok) throw errorFromBody(response.status, payload, locale);
  if (response.status !== 204 && !isJson) {
    throw new ApiError('UNEXPECTED_RESPONSE', response.status, fallbackMessages.unexpected[locale]);
  }
  return payload as T;
}

export const apiClient = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => apiRequest<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => apiRequest<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => apiRequest<T>('PATCH', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => apiRequest<T>('PUT', path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => apiRequest<T>('DELETE', path, options),
};

/** The endpoints the app shells use; feature pages add theirs beside them. */
export const api = {
  health: (signal?: AbortSignal) => apiClient.get<HealthResponse>('/health', { signal }),
  businesses: (signal?: AbortSignal) => apiClient.get<BusinessesResponse>('/catalog/businesses', { signal }),
  provinces: (signal?: AbortSignal) => apiClient.get<ProvincesResponse>('/provinces', { signal }),
  staffLogin: (request: StaffLoginRequest) => apiClient.post<unknown>('/staff/sessions', request),
};

export type { AgreementsResponse, ContactsResponse, IdCardOcrResponse, LoginResponse, Me, MyCertificatesResponse, VerificationRequestView };
export type CertificateView = MyCertificatesResponse['certificates'][number];
export type MyVerificationRequestsResponse = z.infer<typeof myVerificationRequestsResponseSchema>;
export type VerificationPhotoResponse = z.infer<typeof verificationPhotoResponseSchema>;

/**
 * Sends a multipart form with upload progress (fetch cannot report it): `onProgress` gets 0..1.
 * Errors are decoded as apiRequest does.
 */
export function apiUpload<T>(path: string, form: FormData, options: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {}): Promise<T> {
  const locale = currentLocale.value;
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', buildUrl(path));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', locale);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      let payload: unknown = undefined;
      try {
        payload = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        payload = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(payload as T);
      else reject(errorFromBody(xhr.status, payload, locale));
    };
    xhr.onerror = () => reject(new ApiError('NETWORK_ERROR', 0, fallbackMessages.network[locale]));
    xhr.onabort = () => reject(new DOMException('Aborted', 'AbortError'));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

function imageForm(file: Blob, name = 'photo.jpg'): FormData {
  const form = new FormData();
  form.append('file', file, file instanceof File ? file.name : name);
  return form;
}

/** Driver accounts: SMS login, real-name verification, certificates (PRODUCT §2). */
export const accountApi = {
  agreements: (signal?: AbortSignal) => apiClient.get<AgreementsResponse>('/auth/agreements', { signal }),
  sendSmsCode: (phone: string) => apiClient.post<SmsCodeResponse>('/auth/sms-codes', { phone }),
  login: (request: LoginRequest) => apiClient.post<LoginResponse>('/auth/sessions', request),
  logout: () => apiClient.delete<void>('/auth/sessions/current'),
  me: (signal?: AbortSignal) => apiClient.get<Me>('/me', { signal }),
  readIdCard: (file: Blob, onProgress?: (fraction: number) => void) =>
    apiUpload<IdCardOcrResponse>('/identity/id-card-ocr', imageForm(file), { onProgress }),
  verifyIdentity: (request: VerificationRequest) => apiClient.post<VerificationResponse>('/identity/verification', request),
  contacts: (province: string, signal?: AbortSignal) => apiClient.get<ContactsResponse>('/contacts', { query: { province }, signal }),
  certificates: (signal?: AbortSignal) => apiClient.get<MyCertificatesResponse>('/me/certificates', { signal }),
  verificationRequests: (signal?: AbortSignal) => apiClient.get<MyVerificationRequestsResponse>('/me/verification-requests', { signal }),
  uploadVerificationPhoto: (file: Blob, onProgress?: (fraction: number) => void) =>
    apiUpload<VerificationPhotoResponse>('/me/verification-requests/photos', imageForm(file), { onProgress }),
  requestVerification: (certificateId: string, request: NewVerificationRequest) =>
    apiClient.post<VerificationRequestView>(`/me/certificates/${encodeURIComponent(certificateId)}/verification-requests`, request),
};

export type { ApplicationDetail, ApplicationSummary };

/** The driver's applications (PRODUCT §3, §4); uploads with progress are in the business pages. */
export const applicationApi = {
  list: (state?: string, signal?: AbortSignal) => apiClient.get<{ applications: ApplicationSummary[] }>('/applications', { query: { state }, signal }),
  get: (id: string, signal?: AbortSignal) => apiClient.get<ApplicationDetail>(`/applications/${encodeURIComponent(id)}`, { signal }),
  create: (body: { business: string; certificateId: string; variant?: string }) => apiClient.post<ApplicationDetail>('/applications', body),
  update: (id: string, changes: Record<string, unknown>) => apiClient.patch<ApplicationDetail>(`/applications/${encodeURIComponent(id)}`, changes),
  discard: (id: string) => apiClient.delete<void>(`/applications/${encodeURIComponent(id)}`),
  deleteMaterial: (id: string, materialKey: string) =>
    apiClient.delete<void>(`/applications/${encodeURIComponent(id)}/materials/${encodeURIComponent(materialKey)}`),
  /** The same key for a retry of the same attempt: the server answers with the one application. */
  submit: (id: string, idempotencyKey: string) =>
    apiClient.post<ApplicationDetail>(`/applications/${encodeURIComponent(id)}/submit`, undefined, { headers: { 'Idempotency-Key': idempotencyKey } }),
  withdraw: (id: string) => apiClient.post<ApplicationDetail>(`/applications/${encodeURIComponent(id)}/withdraw`),
};

/** Route-friendly id of a catalog entry: `renewal`, `change/service_unit`. */
export function businessPath(entry: Pick<BusinessEntry, 'key' | 'variant'>): string {
  return entry.variant ? `${entry.key}/${entry.variant}` : entry.key;
}

export type { ECertificate, PublishedKeySet, VerifyResponse, VoucherSummary };
/** Where a verification came from, for the issuer's statistics. */
export type VerifyChannel = 'web' | 'app' | 'api';

/**
 * Downloads a file the API serves (`url` as the API gives it, e.g. /api/v1/applications/…/voucher.pdf)
 * as a Blob with the session cookie; `onProgress` gets 0..1 when the size is known. Errors are decoded
 * as apiRequest does.
 */
export async function apiBlob(url: string, options: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {}): Promise<Blob> {
  const locale = currentLocale.value;
  const networkError = () => new ApiError('NETWORK_ERROR', 0, fallbackMessages.network[locale]);
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'include', headers: { 'Accept-Language': locale }, signal: options.signal });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw networkError();
  }
  if (!response.ok) {
    let payload: unknown = undefined;
    try {
      payload = await response.json();
    } catch {
      payload = undefined;
    }
    throw errorFromBody(response.status, payload, locale);
  }
  const type = response.headers.get('content-type') ?? 'application/octet-stream';
  const total = Number(response.headers.get('content-length') ?? 0);
  try {
    if (!response.body || !options.onProgress || !(total > 0)) return new Blob([await response.arrayBuffer()], { type });
    const reader = response.body.getReader();
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      options.onProgress(Math.min(1, received / total));
    }
    return new Blob(chunks, { type });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw networkError();
  }
}

/** Vouchers, public verification and the electronic certificate (PRODUCT §6). */
export const voucherApi = {
  voucher: (applicationId: string, signal?: AbortSignal) =>
    apiClient.get<VoucherSummary>(`/applications/${encodeURIComponent(applicationId)}/voucher`, { signal }),
  verify: (token: string, channel: VerifyChannel, signal?: AbortSignal) =>
    apiClient.get<VerifyResponse>(`/verify/${encodeURIComponent(token)}`, { query: { channel }, signal }),
  eCertificate: (certificateId: string, signal?: AbortSignal) =>
    apiClient.get<ECertificate>(`/me/certificates/${encodeURIComponent(certificateId)}/e-certificate`, { signal }),
  /** The issuer's public keys, for checking signatures offline. */
  keySet: async (signal?: AbortSignal): Promise<PublishedKeySet> => {
    const blob = await apiBlob('/.well-known/rto-keys.json', { signal });
    try {
      return JSON.parse(await blob.text()) as PublishedKeySet;
    } catch {
      throw new ApiError('UNEXPECTED_RESPONSE', 200, fallbackMessages.unexpected[currentLocale.value]);
    }
  },
};
