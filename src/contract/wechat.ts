import { z } from 'zod';
import { agreementVersionSchema, loginResponseSchema } from './auth.ts';

/** WeChat login (web pages in WeChat's browser and the mini program shell) and the account's login methods. */

export const wechatAvailabilitySchema = z.object({
  /** Web OAuth in WeChat's browser is configured. */
  web: z.boolean(),
  /** The mini program endpoint is configured. */
  miniProgram: z.boolean(),
});
export type WeChatAvailability = z.infer<typeof wechatAvailabilitySchema>;

export const wechatAuthorizeQuerySchema = z.object({
  /** base: silent, openid only (default); userinfo: the driver chose to show their WeChat nickname and avatar. */
  scope: z.enum(['base', 'userinfo']).default('base'),
  /** Where the app continues afterwards (a path of this app). */
  redirect: z.string().max(512).optional(),
  /** 1: the app tried on its own when opened; an unknown WeChat then just continues as a guest. */
  silent: z.enum(['0', '1']).optional(),
});

export const wechatCallbackQuerySchema = z.object({
  code: z.string().max(512).optional(),
  state: z.string().max(512).optional(),
});

export const pendingWeChatSchema = z.object({
  kind: z.enum(['web', 'mini_program']),
  nickname: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  expiresAt: z.string(),
});
export type PendingWeChat = z.infer<typeof pendingWeChatSchema>;

export const wechatBindRequestSchema = z.object({
  phone: z.string().max(32),
  code: z.string().max(16),
  agreementVersion: agreementVersionSchema,
  /** For API clients (the mini program's own screen); browsers carry it in a cookie. */
  bindingTicket: z.string().max(128).optional(),
});
export type WeChatBindRequest = z.infer<typeof wechatBindRequestSchema>;

export const miniProgramLoginRequestSchema = z.object({
  /** The code of `wx.login()` (valid 5 minutes, once). */
  code: z.string().min(1).max(512),
  /** The code of `<button open-type="getPhoneNumber">`, when the driver chose to use the phone bound to WeChat. */
  phoneCode: z.string().min(1).max(512).optional(),
  /** The texts the mini program showed; required when this call may create or bind an account (with phoneCode). */
  agreementVersion: agreementVersionSchema.optional(),
});
export type MiniProgramLoginRequest = z.infer<typeof miniProgramLoginRequestSchema>;

export const miniProgramLoginResponseSchema = z.discriminatedUnion('status', [
  loginResponseSchema.extend({
    status: z.literal('logged_in'),
    /** Open this path of the service in the mini program's `<web-view>`: it logs the web-view in once (2 minutes). */
    webViewUrl: z.string(),
  }),
  z.object({
    status: z.literal('binding_required'),
    /** Send with POST /auth/wechat/bindings (phone + SMS code) from the mini program; then open the login's webViewUrl. */
    bindingTicket: z.string(),
    expiresAt: z.string(),
  }),
]);
export type MiniProgramLoginResponse = z.infer<typeof miniProgramLoginResponseSchema>;

export const webViewQuerySchema = z.object({ ticket: z.string().max(128) });

export const loginMethodSchema = z.enum(['sms', 'wechat_web', 'wechat_mini_program', 'unknown']);

export const accountSecuritySchema = z.object({
  /** 138****0001: SMS login is always bound. */
  phoneMasked: z.string(),
  wechat: z
    .object({
      nickname: z.string().nullable(),
      avatarUrl: z.string().nullable(),
      /** Bound in the official account's web pages / in the mini program. */
      web: z.boolean(),
      miniProgram: z.boolean(),
      boundAt: z.string(),
      lastLoginAt: z.string().nullable(),
    })
    .nullable(),
  /** WeChat login is offered by this service. */
  wechatAvailable: z.boolean(),
  /** The latest logins, newest first. */
  logins: z.array(z.object({ method: loginMethodSchema, at: z.string(), active: z.boolean(), current: z.boolean() })),
});
export type AccountSecurity = z.infer<typeof accountSecuritySchema>;
