import type { z } from 'zod';
import type {
  businessesResponseSchema,
  healthResponseSchema,
  provincesResponseSchema,
} from '../../contract/catalog.ts';
import type { AgreementsResponse, LoginRequest, LoginResponse, Me, SmsCodeResponse } from '../../contract/auth.ts';
import type { AccountClosed, ClosingBlocker } from '../../contract/account.ts';
import type { SensitiveConsent, SensitiveConsentKey, SensitiveConsentsResponse } from '../../contract/consent.ts';
import type { ContactsResponse } from '../../contract/catalog.ts';
import type { RegistrySettingsResponse } from '../../contract/registry.ts';
import type {
  MyCertificatesResponse,
  NewVerificationRequest,
  VerificationRequestView,
  myVerificationRequestsResponseSchema,
  verificationPhotoResponseSchema,
} from '../../contract/certificates.ts';
import type { IdentitySettings, realNameQueueResponseSchema, RealNameReject, RealNameReviewDetail, RealNameReviewSummary } from '../../contract/realNameReview.ts';
import type { IdCardOcrResponse, RealNameStatus, VerificationRequest, VerificationResponse } from '../../contract/identity.ts';
import type { ApplicationDetail, ApplicationSummary } from '../../contract/applications.ts';
import type { ECertificate, PublishedKeySet, VerifyResponse, VoucherSummary } from '../../contract/vouchers.ts';
import type { StatusList } from '../../domain/statusList.ts';
import type {
  AllowedStaffAction,
  AuditEntry,
  AuditResponse,
  RunningDeadline,
  StaffAction,
  StaffActionRequest,
  StaffApplicationDetail,
  StaffLoginResponse,
  StaffMeResponse,
  StaffProfile,
  StaffQueueResponse,
  StaffQueueRow,
  StaffRole,
  TotpEnrolmentResponse,
} from '../../contract/staff.ts';
import type {
  BusinessMaterials,
  CalendarOverrideView,
  ContactView,
  SlaDeadlineRow,
  SlaResponse,
  StaffAccount,
  StaffVerificationRequest,
  VerificationAnswer,
  businessMaterialsResponseSchema,
  calendarChangeResponseSchema,
  calendarResponseSchema,
  contactsListResponseSchema,
  manageableRoleSchema,
  materialsResponseSchema,
  newStaffAccountResponseSchema,
  passwordResetResponseSchema,
  staffAccountsResponseSchema,
  totpResetResponseSchema,
  verificationQueueResponseSchema,
} from '../../contract/admin.ts';
import type { MaterialOverride } from '../../domain/catalog.ts';
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

export type { AccountClosed, ClosingBlocker, SensitiveConsent, SensitiveConsentKey, SensitiveConsentsResponse };
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
  readIdCard: (file: Blob, onProgress?: (fraction: number) => void, side: 'portrait' | 'back' = 'portrait') =>
    apiUpload<IdCardOcrResponse>(`/identity/id-card-ocr?side=${side}`, imageForm(file), { onProgress }),
  verifyIdentity: (request: VerificationRequest) => apiClient.post<VerificationResponse>('/identity/verification', request),
  realNameStatus: (signal?: AbortSignal) => apiClient.get<RealNameStatus>('/identity/real-name', { signal }),
  completeFaceCheck: (token: string) => apiClient.post<VerificationResponse>('/identity/face-check', { token }),
  contacts: (province: string, signal?: AbortSignal) => apiClient.get<ContactsResponse>('/contacts', { query: { province }, signal }),
  certificates: (signal?: AbortSignal) => apiClient.get<MyCertificatesResponse>('/me/certificates', { signal }),
  verificationRequests: (signal?: AbortSignal) => apiClient.get<MyVerificationRequestsResponse>('/me/verification-requests', { signal }),
  uploadVerificationPhoto: (file: Blob, onProgress?: (fraction: number) => void) =>
    apiUpload<VerificationPhotoResponse>('/me/verification-requests/photos', imageForm(file), { onProgress }),
  requestVerification: (certificateId: string, request: NewVerificationRequest) =>
    apiClient.post<VerificationRequestView>(`/me/certificates/${encodeURIComponent(certificateId)}/verification-requests`, request),
  /** The separate consents to ID-card and face data (PIPL Art. 29), and whether each was given. */
  sensitiveConsents: (signal?: AbortSignal) => apiClient.get<SensitiveConsentsResponse>('/identity/consents', { signal }),
  giveSensitiveConsent: (key: SensitiveConsentKey, version: string) => apiClient.post<SensitiveConsentsResponse>('/identity/consents', { key, version }),
  /** My data as a zip (PIPL Art. 45). */
  exportMyData: (signal?: AbortSignal) => apiBlob(`${apiBase}/me/export`, { signal }),
  /** Closes the account (注销账号); 409 ACCOUNT_CLOSING_BLOCKED names what is still open. */
  closeAccount: () => apiClient.delete<AccountClosed>('/me'),
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

export type { ECertificate, PublishedKeySet, StatusList, VerifyResponse, VoucherSummary };
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
  /** The signed status list (padded: downloading it says nothing about what is checked). */
  statusList: async (signal?: AbortSignal): Promise<StatusList> => {
    const blob = await apiBlob('/.well-known/rto-status.json', { signal });
    try {
      return JSON.parse(await blob.text()) as StatusList;
    } catch {
      throw new ApiError('UNEXPECTED_RESPONSE', 200, fallbackMessages.unexpected[currentLocale.value]);
    }
  },
};

// ---------------------------------------------------------------------------------------------------
// Staff back office (PRODUCT §5): every call but the login reports a lost session (401) to the console.

export type {
  AllowedStaffAction,
  AuditEntry,
  AuditResponse,
  BusinessMaterials,
  CalendarOverrideView,
  ContactView,
  RunningDeadline,
  SlaDeadlineRow,
  SlaResponse,
  StaffAccount,
  StaffAction,
  StaffActionRequest,
  StaffApplicationDetail,
  StaffLoginResponse,
  StaffMeResponse,
  StaffProfile,
  StaffQueueResponse,
  StaffQueueRow,
  StaffRole,
  StaffVerificationRequest,
  TotpEnrolmentResponse,
  VerificationAnswer,
};
export type CalendarResponse = z.infer<typeof calendarResponseSchema>;
export type CalendarChangeResponse = z.infer<typeof calendarChangeResponseSchema>;
export type ContactsListResponse = z.infer<typeof contactsListResponseSchema>;
export type MaterialsResponse = z.infer<typeof materialsResponseSchema>;
export type BusinessMaterialsResponse = z.infer<typeof businessMaterialsResponseSchema>;
export type StaffAccountsResponse = z.infer<typeof staffAccountsResponseSchema>;
export type NewStaffAccountResponse = z.infer<typeof newStaffAccountResponseSchema>;
export type PasswordResetResponse = z.infer<typeof passwordResetResponseSchema>;
export type TotpResetResponse = z.infer<typeof totpResetResponseSchema>;
export type VerificationQueueResponse = z.infer<typeof verificationQueueResponseSchema>;
export type RealNameQueueResponse = z.infer<typeof realNameQueueResponseSchema>;
export type { RealNameReject, RealNameReviewDetail, RealNameReviewSummary };
export type ManageableRole = z.infer<typeof manageableRoleSchema>;
export type StaffMaterialOverride = MaterialOverride;

/** Filters of the work queue (`GET /staff/applications`); empty values are left out. */
export interface StaffQueueFilters {
  state?: string;
  business?: string;
  authority?: string;
  due?: 'overdue' | 'today' | 'week';
  q?: string;
  province?: string;
  cursor?: string;
  limit?: number;
}

/** Filters of the audit log (`GET /staff/audit`). */
export interface StaffAuditFilters {
  from?: string;
  to?: string;
  username?: string;
  event?: string;
  targetId?: string;
  province?: string;
  cursor?: string;
  limit?: number;
}

let staffSessionLost: ((error: ApiError) => void) | undefined;

/** The console's answer to a 401 from a staff route (session ended or expired): back to the login. */
export function onStaffSessionLost(handler: ((error: ApiError) => void) | undefined): void {
  staffSessionLost = handler;
}

async function staffCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) staffSessionLost?.(error);
    throw error;
  }
}

const pathPart = (value: string) => encodeURIComponent(value);
const staffQuery = (value: object) => value as Record<string, QueryValue>;

export const staffApi = {
  login: (request: StaffLoginRequest) => apiClient.post<StaffLoginResponse>('/staff/sessions', request),
  logout: () => staffCall(apiClient.delete<void>('/staff/sessions/current')),
  /** Without `reportLoss`, a 401 is only thrown (the console's start-up check asks quietly). */
  me: (signal?: AbortSignal, options: { reportLoss?: boolean } = {}) => {
    const call = apiClient.get<StaffMeResponse>('/staff/me', { signal });
    return options.reportLoss === false ? call : staffCall(call);
  },
  startTotpEnrolment: () => staffCall(apiClient.post<TotpEnrolmentResponse>('/staff/me/totp/enrolment')),
  confirmTotp: (code: string) => staffCall(apiClient.post<{ confirmed: true }>('/staff/me/totp/confirm', { code })),

  queue: (filters: StaffQueueFilters, signal?: AbortSignal) => staffCall(apiClient.get<StaffQueueResponse>('/staff/applications', { query: staffQuery(filters), signal })),
  application: (applicationId: string, signal?: AbortSignal) => staffCall(apiClient.get<StaffApplicationDetail>(`/staff/applications/${pathPart(applicationId)}`, { signal })),
  act: (applicationId: string, request: StaffActionRequest) =>
    staffCall(apiClient.post<StaffApplicationDetail>(`/staff/applications/${pathPart(applicationId)}/actions`, request)),
  revokeVoucher: (serial: string, reason: string) =>
    staffCall(apiClient.post<{ serial: string; revokedAt: string; reason: string }>(`/staff/vouchers/${pathPart(serial)}/revoke`, { reason })),
  audit: (filters: StaffAuditFilters, signal?: AbortSignal) => staffCall(apiClient.get<AuditResponse>('/staff/audit', { query: staffQuery(filters), signal })),

  sla: (province?: string, signal?: AbortSignal) => staffCall(apiClient.get<SlaResponse>('/staff/sla', { query: { province }, signal })),

  calendar: (query: { province?: string; year?: number }, signal?: AbortSignal) => staffCall(apiClient.get<CalendarResponse>('/staff/admin/calendar', { query: staffQuery(query), signal })),
  addCalendarOverride: (body: { province?: string; date: string; kind: 'workday' | 'holiday'; note?: string }) =>
    staffCall(apiClient.post<CalendarChangeResponse>('/staff/admin/calendar/overrides', body)),
  deleteCalendarOverride: (overrideId: string) => staffCall(apiClient.delete<CalendarChangeResponse>(`/staff/admin/calendar/overrides/${pathPart(overrideId)}`)),

  contacts: (province?: string, signal?: AbortSignal) => staffCall(apiClient.get<ContactsListResponse>('/staff/admin/contacts', { query: { province }, signal })),
  addContact: (body: { province?: string; name: string; title?: string; phone: string; hours?: string }) => staffCall(apiClient.post<ContactView>('/staff/admin/contacts', body)),
  updateContact: (contactId: string, body: Partial<Pick<ContactView, 'name' | 'title' | 'phone' | 'hours'>>) =>
    staffCall(apiClient.patch<ContactView>(`/staff/admin/contacts/${pathPart(contactId)}`, body)),
  deleteContact: (contactId: string) => staffCall(apiClient.delete<void>(`/staff/admin/contacts/${pathPart(contactId)}`)),
  reorderContacts: (ids: string[], province?: string) => staffCall(apiClient.put<ContactsListResponse>('/staff/admin/contacts/order', { ids, province })),

  materials: (province?: string, signal?: AbortSignal) => staffCall(apiClient.get<MaterialsResponse>('/staff/admin/materials', { query: { province }, signal })),
  saveMaterialOps: (business: string, ops: MaterialOverride[], province?: string) =>
    staffCall(apiClient.put<BusinessMaterialsResponse>(`/staff/admin/materials/${pathPart(business)}`, { ops, province })),

  staffAccounts: (province?: string, signal?: AbortSignal) => staffCall(apiClient.get<StaffAccountsResponse>('/staff/admin/staff', { query: { province }, signal })),
  createStaffAccount: (body: { province?: string; username: string; displayName: string; role: ManageableRole }) =>
    staffCall(apiClient.post<NewStaffAccountResponse>('/staff/admin/staff', body)),
  disableStaffAccount: (accountId: string) => staffCall(apiClient.post<{ staff: StaffAccount }>(`/staff/admin/staff/${pathPart(accountId)}/disable`)),
  enableStaffAccount: (accountId: string) => staffCall(apiClient.post<{ staff: StaffAccount }>(`/staff/admin/staff/${pathPart(accountId)}/enable`)),
  resetStaffPassword: (accountId: string) => staffCall(apiClient.post<PasswordResetResponse>(`/staff/admin/staff/${pathPart(accountId)}/reset-password`)),
  resetStaffTotp: (accountId: string) => staffCall(apiClient.post<TotpResetResponse>(`/staff/admin/staff/${pathPart(accountId)}/reset-totp`)),

  verificationRequests: (query: { state?: string; province?: string; limit?: number }, signal?: AbortSignal) =>
    staffCall(apiClient.get<VerificationQueueResponse>('/staff/verification-requests', { query: staffQuery(query), signal })),
  acceptVerificationRequest: (requestId: string) => staffCall(apiClient.post<StaffVerificationRequest>(`/staff/verification-requests/${pathPart(requestId)}/accept`)),
  answerVerificationRequest: (requestId: string, answer: VerificationAnswer) =>
    staffCall(apiClient.post<StaffVerificationRequest>(`/staff/verification-requests/${pathPart(requestId)}/answer`, answer)),

  registrySettings: (signal?: AbortSignal) => staffCall(apiClient.get<RegistrySettingsResponse>('/staff/admin/registry', { signal })),
  refusedRowsUrl: (importId: string) => `/api/v1/staff/admin/registry/imports/${pathPart(importId)}/refused.csv`,
  identitySettings: (signal?: AbortSignal) => staffCall(apiClient.get<IdentitySettings>('/staff/admin/identity-settings', { signal })),
  updateIdentitySettings: (body: { requiresIdCardBack: boolean }) => staffCall(apiClient.put<IdentitySettings>('/staff/admin/identity-settings', body)),
  realNameReviews: (query: { state?: string; province?: string; limit?: number }, signal?: AbortSignal) =>
    staffCall(apiClient.get<RealNameQueueResponse>('/staff/real-name-reviews', { query: staffQuery(query), signal })),
  realNameReview: (id: string, signal?: AbortSignal) => staffCall(apiClient.get<RealNameReviewDetail>(`/staff/real-name-reviews/${pathPart(id)}`, { signal })),
  realNamePhotoUrl: (id: string, side: 'portrait' | 'back') => `/api/v1/staff/real-name-reviews/${pathPart(id)}/photos/${side}`,
  approveRealName: (id: string) => staffCall(apiClient.post<RealNameReviewDetail>(`/staff/real-name-reviews/${pathPart(id)}/approve`)),
  rejectRealName: (id: string, decision: RealNameReject) => staffCall(apiClient.post<RealNameReviewDetail>(`/staff/real-name-reviews/${pathPart(id)}/reject`, decision)),
};
