import type { SmsTemplate } from './types.ts';

/**
 * The texts as registered with the providers (the provider fills in `${name}` from TemplateParam).
 * The console provider renders them itself so developers see what a driver would receive.
 */
export const smsTemplateTexts: Record<SmsTemplate, string> = {
  login_code: '您的验证码为${code}，5分钟内有效，请勿泄露给他人。',
  application_update: '您的办件${applicationNo}状态已更新：${status}，请登录道路运政一网通办查看。',
  verification_answered: '您的信息核查申请已答复：${outcome}，请登录道路运政一网通办查看。',
  account_closed: '您的道路运政一网通办账号已于${date}注销，已办结的办件和凭证按规定保存。如非本人操作，请立即联系所在省份业务咨询电话。',
};

export function renderSmsText(template: SmsTemplate, params: Record<string, string>): string {
  return smsTemplateTexts[template].replace(/\$\{(\w+)\}/g, (placeholder, name: string) => params[name] ?? placeholder);
}
