import type { AppLocale } from './locale.ts';

/**
 * The one date format of each language, used by both apps (times in China time, whatever the
 * browser's zone — deadlines and office hours are counted there):
 * - zh: 2026年12月1日 · 2026-12-01 14:37
 * - en: 1 Dec 2026 · 1 Dec 2026, 14:37
 */

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CHINA_OFFSET_MS = 8 * 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

interface Parts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
}

/** A calendar day ('2026-12-01') stays that day; an instant is read in China time. */
function partsOf(value: string | Date): Parts | null {
  if (typeof value === 'string') {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (day) return { year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) };
  }
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const china = new Date(date.getTime() + CHINA_OFFSET_MS);
  return { year: china.getUTCFullYear(), month: china.getUTCMonth() + 1, day: china.getUTCDate(), hour: china.getUTCHours(), minute: china.getUTCMinutes() };
}

const isEnglish = (locale: AppLocale | string) => locale === 'en' || locale.startsWith('en-');

function dayText(parts: Parts, locale: AppLocale | string): string {
  return isEnglish(locale) ? `${parts.day} ${MONTHS_EN[parts.month - 1]} ${parts.year}` : `${parts.year}年${parts.month}月${parts.day}日`;
}

/** 2026年12月1日 / 1 Dec 2026. Empty input gives '—'; text that is no date is shown as it is. */
export function formatDate(value: string | Date | null | undefined, locale: AppLocale | string): string {
  if (value == null || value === '') return '—';
  const parts = partsOf(value);
  return parts ? dayText(parts, locale) : String(value);
}

/** 2026-12-01 14:37 / 1 Dec 2026, 14:37. */
export function formatDateTime(value: string | Date | null | undefined, locale: AppLocale | string): string {
  if (value == null || value === '') return '—';
  const parts = partsOf(value);
  if (!parts) return String(value);
  if (parts.hour === undefined) return dayText(parts, locale);
  const time = `${pad(parts.hour)}:${pad(parts.minute ?? 0)}`;
  return isEnglish(locale) ? `${dayText(parts, locale)}, ${time}` : `${parts.year}-${pad(parts.month)}-${pad(parts.day)} ${time}`;
}

/** 14:37 in China time. */
export function formatTime(value: string | Date): string {
  const parts = partsOf(value);
  return parts?.hour === undefined ? '' : `${pad(parts.hour)}:${pad(parts.minute ?? 0)}`;
}
