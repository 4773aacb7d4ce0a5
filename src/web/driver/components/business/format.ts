import type { ApplicationState } from '../../../../domain/stateMachine.ts';

/** 2026-03-04T08:05:00Z → 2026-03-04 16:05 (China time, as staff and the deadlines count). */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const china = new Date(date.getTime() + 8 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${china.getUTCFullYear()}-${pad(china.getUTCMonth() + 1)}-${pad(china.getUTCDate())} ${pad(china.getUTCHours())}:${pad(china.getUTCMinutes())}`;
}

export function formatDate(iso: string): string {
  return formatDateTime(iso).slice(0, 10);
}

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
