/** Texts around the separate consents to sensitive personal information (PIPL Art. 29). */
export const consentMessages = {
  'zh-CN': {
    sensitiveConsent: {
      badge: '敏感个人信息',
      intro: '以下信息属于敏感个人信息，依照《个人信息保护法》第二十九条，需要您单独同意后才能处理。',
      version: '版本 {version}',
      agree: '同意并继续',
      refuse: '不同意',
      refusedTitle: '您未同意，实名认证已停止',
      refusedText: '您的账号不受影响，仍可查看办事指南、联系方式和扫码核验凭证；在线办理业务需要完成实名认证，您也可以持身份证前往窗口办理。',
      reconsider: '重新阅读',
      backToUser: '返回用户中心',
      saving: '正在记录…',
    },
  },
  en: {
    sensitiveConsent: {
      badge: 'Sensitive personal information',
      intro: 'The following is sensitive personal information: under Article 29 of the Personal Information Protection Law it is processed only with your separate consent.',
      version: 'Version {version}',
      agree: 'Agree and continue',
      refuse: 'Do not agree',
      refusedTitle: 'You did not agree; real-name verification has stopped',
      refusedText: 'Your account is unaffected: you can still read the service guides, find contacts and verify vouchers. Applying online needs real-name verification; you can also apply in person at a service counter with your ID card.',
      reconsider: 'Read again',
      backToUser: 'Back to Me',
      saving: 'Saving…',
    },
  },
} as const;
