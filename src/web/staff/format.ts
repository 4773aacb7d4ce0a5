import { formatDate as formatSharedDate, formatDateTime as formatSharedDateTime } from '../shared/dates.ts';
import { currentLocale, type AppLocale } from '../shared/locale.ts';

/** Dates in the reader's language, one format everywhere (see shared/dates.ts). */
export function formatDateTime(iso: string | null | undefined): string {
  return formatSharedDateTime(iso, currentLocale.value);
}

export function formatDate(iso: string | null | undefined): string {
  return formatSharedDate(iso, currentLocale.value);
}

export { formatTime } from '../shared/dates.ts';

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
