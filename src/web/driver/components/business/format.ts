import { formatDate as formatSharedDate, formatDateTime as formatSharedDateTime } from '../../../shared/dates.ts';
import { currentLocale } from '../../../shared/locale.ts';
import type { ApplicationState } from '../../../../domain/stateMachine.ts';

/** Dates in the reader's language, one format everywhere (see shared/dates.ts). */
export function formatDateTime(iso: string | null | undefined): string {
  return formatSharedDateTime(iso, currentLocale.value);
}

export function formatDate(iso: string | null | undefined): string {
  return formatSharedDate(iso, currentLocale.value);
}

export { formatTime } from '../../../shared/dates.ts';

/** Tag colours: waiting blue, needs the driver orange, good green, closed grey, refused red. */
export const STATE_TONES: Record<ApplicationState, { color: string; background: string }> = {
  draft: { color: '#5b6577', background: '#eef1f6' },
  submitted: { color: '#1764d8', background: '#e8f1ff' },
  accepted: { color: '#0b7fb8', background: '#e2f4fc' },
  approved: { color: '#0f9d76', background: '#e3f6ef' },
  completed: { color: '#0f9d76', background: '#e3f6ef' },
  withdrawn: { color: '#8a94a6', background: '#f2f3f5' },
  returned: { color: '#d46b08', background: '#fff3e3' },
  declined: { color: '#d9453b', background: '#fdebea' },
  rejected: { color: '#d9453b', background: '#fdebea' },
};

/** A fresh Idempotency-Key for one submit attempt. */
export function newIdempotencyKey(): string {
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `submit-${random}`;
}

/** Replacing a material keeps its address: this tells caches it is a different picture. */
export function imageVersion(file: { uploadedAt: string; bytes: number; width: number; height: number }): string {
  return encodeURIComponent(`${file.uploadedAt}-${file.bytes}-${file.width}x${file.height}`);
}
