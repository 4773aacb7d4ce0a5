import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import { requestLanguage, type Language } from './language.ts';

/**
 * Text the database cannot keep faithfully: NUL (PostgreSQL text refuses it; the request failed as a 500)
 * and unpaired UTF-16 surrogates (not Unicode; they turn silently into U+FFFD on the way in).
 * Refused for every JSON body, query and path parameter before any route sees it.
 */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isUnsafeText = (text: string): boolean => text.includes('\u0000') || loneSurrogate.test(text);

export function badTextPaths(value: unknown, path: string[] = [], found: string[] = []): string[] {
  if (found.length >= 20) return found;
  if (typeof value === 'string') {
    if (isUnsafeText(value)) found.push(path.join('.'));
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => badTextPaths(item, [...path, String(index)], found));
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (isUnsafeText(key)) found.push([...path, key].join('.'));
      else badTextPaths(item, [...path, key], found);
    }
  }
  return found;
}

const invalidCharacters = { zh: '含有空字符或无效的 Unicode 字符，请删除后重试', en: 'Contains a NUL or an invalid Unicode character; remove it and try again' };

const textRefused = (paths: string[], language: Language) =>
  new AppError(
    400,
    'VALIDATION_FAILED',
    { zh: '提交的内容含有无法识别的字符，请删除后重试', en: 'Some fields contain characters that cannot be accepted; remove them and try again' },
    {
      fields: paths.map((path) => ({
        path,
        code: 'INVALID_CHARACTERS',
        message: invalidCharacters[language],
      })),
    },
  );

export function registerTextInputGuard(app: FastifyInstance): void {
  // A plain (not async) hook: it runs on every request.
  app.addHook('preValidation', (request, _reply, done) => {
    const paths = [
      // Named as the validation answers name them: the field's own name.
      ...badTextPaths(request.params),
      ...badTextPaths(request.query),
      ...badTextPaths(request.body),
    ];
    if (paths.length > 0) done(textRefused(paths, requestLanguage(request)));
    else done();
  });
}
