import type { SmsTemplate } from './types.ts';

/**
 * The texts as registered with the providers (the provider fills in `${name}` from TemplateParam).
 * The console provider renders them itself so developers see what a driver would receive.
 */
export const smsTemplateTexts: Record<SmsTemplate, string> = {
  login_code: '您的验证码为${code}，5分钟内有效，请勿泄露给他人。',
  application_update: '您的办件${applicationNo}状态已更新：${status}，请登录道路运政一网通办查看。',
  verification_answered: '您的信息核查申请已答复：${outcome}，请登录道路运政一网通办查看。',
};

export function renderSmsText(template: SmsTemplate, params: Record<string, string>): string {
  return smsTemplateTexts[template].replace(/\$\{(\w+)\}/g, (placeholder, name: string) => params[name] ?? placeholder);
}
