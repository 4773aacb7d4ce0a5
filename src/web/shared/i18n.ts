import { watch } from 'vue';
import { createI18n, type I18nOptions } from 'vue-i18n';
import { currentLocale, setLocale, type AppLocale } from './locale.ts';

/** Messages every app needs; each app adds its own. */
const commonMessages = {
  'zh-CN': {
    common: {
      loading: '加载中…',
      retry: '重新加载',
      loadFailed: '加载失败',
      login: '登录',
      backHome: '返回首页',
      notFound: '页面不存在',
      language: '语言',
      cancel: '取消',
      colon: '：',
    },
  },
  en: {
    common: {
      loading: 'Loading…',
      retry: 'Try again',
      loadFailed: 'Could not load',
      login: 'Log in',
      backHome: 'Back to home',
      notFound: 'Page not found',
      language: 'Language',
      cancel: 'Cancel',
      colon: ': ',
    },
  },
} as const;

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
 * `documentTitle` names the page in each language.
 */
export function createAppI18n(
  appMessages: Record<AppLocale, Messages>,
  documentTitle?: Record<AppLocale, string>,
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
      if (documentTitle) document.title = documentTitle[locale];
    }
  };
  apply(currentLocale.value);
  watch(currentLocale, apply);
  return i18n;
}

export { currentLocale, setLocale };
