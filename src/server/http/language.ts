import type { FastifyRequest } from 'fastify';
import type { Localized } from '../../domain/errors.ts';

export type Language = keyof Localized;

/** The user's language: the app's explicit choice (`lang` cookie) wins over the browser's Accept-Language. */
export function requestLanguage(request: { headers: Pick<FastifyRequest['headers'], 'cookie' | 'accept-language'> }): Language {
  const cookieHeader = request.headers.cookie;
  const fromCookie = cookieHeader ? /(?:^|;\s*)lang=(zh|en)/.exec(cookieHeader)?.[1] : undefined;
  if (fromCookie === 'en' || fromCookie === 'zh') return fromCookie;
  const accept = request.headers['accept-language'];
  // Asked on every verification check: most programs send neither header.
  if (!accept) return 'zh';
  const first = accept.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
}
