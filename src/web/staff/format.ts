import type { AppLocale } from '../shared/locale.ts';

const chinaTime = 'Asia/Shanghai';

/** 2026-03-02 14:05 in China time, whatever the browser's zone. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: chinaTime, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export function formatTime(iso: string): string {
  return formatDateTime(iso).slice(11);
}

/** Element Plus tag colour of an application state. */
export function stateTagType(state: string): 'primary' | 'success' | 'warning' | 'danger' | 'info' {
  switch (state) {
    case 'submitted':
      return 'primary';
    case 'accepted':
      return 'warning';
    case 'approved':
    case 'completed':
      return 'success';
    case 'returned':
      return 'warning';
    case 'declined':
    case 'rejected':
      return 'danger';
    default:
      return 'info';
  }
}

export function localeTag(locale: AppLocale): string {
  return locale === 'en' ? 'en' : 'zh-CN';
}
