import { ref } from 'vue';

/** Languages the web apps speak; Chinese is the default. */
export const appLocales = ['zh-CN', 'en'] as const;
export type AppLocale = (typeof appLocales)[number];

/** Text the API returns in both languages. */
export interface BilingualText {
  zh: string;
  en: string;
}

const storageKey = 'rto.locale';

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (appLocales as readonly string[]).includes(value);
}

function savedLocale(): AppLocale {
  try {
    const saved = globalThis.localStorage?.getItem(storageKey);
    if (isAppLocale(saved)) return saved;
  } catch {
    // Storage can be disabled (private mode, some in-app browsers): fall back to the default.
  }
  return 'zh-CN';
}

/** The current language, shared by vue-i18n, the UI libraries and the API client. */
export const currentLocale = ref<AppLocale>(savedLocale());

export function setLocale(locale: AppLocale): void {
  currentLocale.value = locale;
  try {
    globalThis.localStorage?.setItem(storageKey, locale);
  } catch {
    // Not persisted; the choice still holds for this page.
  }
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

/** Picks the current language's side of a bilingual text. */
export function localized(text: BilingualText, locale: AppLocale = currentLocale.value): string {
  return locale === 'en' ? text.en : text.zh;
}
