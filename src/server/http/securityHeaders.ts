import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';

/**
 * The browser-side defences every response carries (API, web apps, `/v/…`, served files, errors):
 *
 * - Content-Security-Policy: scripts only from this origin, never inline (Vite's build emits module
 *   scripts only). Styles allow 'unsafe-inline' because Vant and Element Plus position popups and
 *   transitions through `style` attributes; styles cannot run code. Nothing may frame the apps
 *   (clickjacking the staff console), no plugins, no foreign <base>.
 * - Referrer-Policy no-referrer: verification links carry a voucher token in the path.
 * - Permissions-Policy: the camera for this origin only (the scan page); nothing else.
 * - HSTS only in production, where the service is behind HTTPS.
 *
 * Answers only programs read — the build's hashed assets (`/assets/…`: scripts, styles, fonts,
 * images), the verification API and the published key and status lists — are never pages: the
 * page-only headers (the page's long CSP, Permissions-Policy, the old XSS and download switches) mean
 * nothing on them and only weigh on a phone's slow link and on a roadside verifier's every check. They
 * carry nosniff, CORP, COOP, the frame and referrer policies, HSTS, and a CSP that allows nothing —
 * should one ever be opened as a page, it can neither run, load, nor be framed.
 */
export const contentSecurityPolicy = (config: Pick<Config, 'env'>) => ({
  useDefaults: false,
  directives: {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'media-src': ["'self'", 'blob:'],
    'connect-src': ["'self'"],
    'worker-src': ["'self'", 'blob:'],
    'manifest-src': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'frame-src': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    ...(config.env === 'production' ? { 'upgrade-insecure-requests': [] } : {}),
  },
});

export const permissionsPolicy =
  'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), display-capture=(), interest-cohort=()';

/** What a program-read answer carries instead of the page's policy: nothing may load, run, or frame it. */
export const answerContentSecurityPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Where the answers only programs read are served (webApps.ts, verify/routes.ts). */
export const PROGRAM_ANSWER_PREFIXES = ['/assets/', '/.well-known/', '/api/v1/verify/'];

const ANSWER_HEADERS = ['x-content-type-options', 'cross-origin-resource-policy', 'cross-origin-opener-policy', 'x-frame-options', 'referrer-policy', 'strict-transport-security'];

export const isProgramAnswer = (url: string): boolean => PROGRAM_ANSWER_PREFIXES.some((prefix) => url.startsWith(prefix));

export function helmetOptions(config: Pick<Config, 'env'>): HelmetOptions {
  return {
    contentSecurityPolicy: contentSecurityPolicy(config),
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: config.env === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xContentTypeOptions: true,
  };
}

/**
 * The headers helmet sets for `options`, worked out once. Helmet's middleware is a fixed function of
 * its options (no nonces here), so running it against a recording response gives exactly the headers
 * it would set on every request, without building them again per request.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  return headers;
}

export interface SecurityHeaderSets {
  page: Record<string, string>;
  answer: Record<string, string>;
}

export function securityHeaderSets(config: Pick<Config, 'env'>): SecurityHeaderSets {
  const page: Record<string, string> = { ...helmetHeaders(helmetOptions(config)), 'permissions-policy': permissionsPolicy };
  const answer: Record<string, string> = { 'content-security-policy': answerContentSecurityPolicy };
  for (const name of ANSWER_HEADERS) if (page[name] !== undefined) answer[name] = page[name];
  return { page, answer };
}

export async function registerSecurityHeaders(app: FastifyInstance, config: Pick<Config, 'env'>): Promise<void> {
  const sets = securityHeaderSets(config);
  // A plain (not async) hook: it runs on every request, the verifier's included.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(isProgramAnswer(request.url) ? sets.answer : sets.page);
    done();
  });
}
