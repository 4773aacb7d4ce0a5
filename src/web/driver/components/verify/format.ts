import { formatDateTime } from '../../../shared/dates.ts';
import { currentLocale } from '../../../shared/locale.ts';

/** A server instant (ISO 8601) in the reader's language, China time: 2026-11-20 10:00 / 20 Nov 2026, 10:00. */
export function formatInstant(iso: string | undefined): string {
  return iso ? formatDateTime(iso, currentLocale.value) : '';
}

/** Saves a Blob under `filename` through a temporary <a download>. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser time to start reading the blob before it goes.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** WeChat's built-in browser does not download files; pictures are saved by long-press instead. */
export function inWeChat(): boolean {
  return typeof navigator !== 'undefined' && /MicroMessenger/i.test(navigator.userAgent);
}

export function onPhone(): boolean {
  return typeof navigator !== 'undefined' && /Android|iPhone|iPad|iPod|Mobile/i.test(navigator.userAgent);
}
