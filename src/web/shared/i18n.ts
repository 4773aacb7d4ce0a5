import { watch } from 'vue';
import { createI18n, type I18nOptions } from 'vue-i18n';
import { currentLocale, setLocale, type AppLocale } from './locale.ts';
import { commonMessages } from './messages.ts';

type Messages = Record<string, unknown>;

function isPlainObject(value: unknown): value is Messages {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Messages, extra: Messages): Messages {
  const merged: Messages = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const existing = merged[key];
    merged[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return merged;
}

/**
 * vue-i18n in Composition mode, following `currentLocale` (persisted in localStorage).
 * `titleKey` is the message that names the page (messages are precompiled: read them through `t`).
 */
export function createAppI18n(
  appMessages: Record<AppLocale, Messages>,
  titleKey?: string,
) {
  const messages = {
    'zh-CN': deepMerge(commonMessages['zh-CN'], appMessages['zh-CN']),
    en: deepMerge(commonMessages.en, appMessages.en),
  } as I18nOptions['messages'];
  const i18n = createI18n({ legacy: false, locale: currentLocale.value, fallbackLocale: 'zh-CN', messages });
  const apply = (locale: AppLocale) => {
    i18n.global.locale.value = locale;
    if (typeof document !== 'undefined') {
      document.documentElement.lang = locale;
      if (titleKey) document.title = i18n.global.t(titleKey);
    }
  };
  apply(currentLocale.value);
  watch(currentLocale, apply);
  return i18n;
}

export { currentLocale, setLocale };
