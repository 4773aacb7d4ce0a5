/** Messages every app needs; each app adds its own. */
export const commonMessages = {
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
