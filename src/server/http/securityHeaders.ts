import fastifyHelmet from '@fastify/helmet';
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

export async function registerSecurityHeaders(app: FastifyInstance, config: Pick<Config, 'env'>): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: contentSecurityPolicy(config),
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
    hsts: config.env === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xContentTypeOptions: true,
  });
  // Helmet has no Permissions-Policy; it is set beside helmet's headers, on every response.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('permissions-policy', permissionsPolicy);
  });
}
