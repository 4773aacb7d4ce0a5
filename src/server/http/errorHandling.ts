import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type Localized } from '../../domain/errors.ts';
import { AppError } from '../errors.ts';
import { materialIssueMessage } from '../../domain/catalog.ts';
import { formIssueMessage } from '../../domain/formIssues.ts';
import { requestLanguage, type Language } from './language.ts';
import { isDatabaseUnavailable, serviceUnavailable, type OutageLog } from './outage.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

function send(request: FastifyRequest, reply: FastifyReply, status: number, code: string, messages: Localized, details?: Record<string, unknown>) {
  const body: ErrorBody = { error: { code, message: messages[requestLanguage(request)], ...(details ? { details } : {}) } };
  // Every "try again later" (429, 503) says when, for people and for clients that back off.
  if (typeof details?.retryAfterSeconds === 'number' && (status === 429 || status === 503)) reply.header('retry-after', String(Math.max(1, Math.ceil(details.retryAfterSeconds))));
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** Fastify's own client errors, mapped to the contract's stable codes. */
const frameworkErrors: Record<string, { status: number; code: string; messages: Localized }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', messages: { zh: '请求内容不是有效的 JSON', en: 'The request body is not valid JSON' } },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', messages: { zh: '请求内容为空', en: 'The request body is empty' } },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', messages: { zh: '不支持的内容类型', en: 'Unsupported content type' } },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', messages: { zh: '请求内容过大', en: 'The request is too large' } },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'UPLOAD_TOO_LARGE', messages: { zh: '文件超过 10 MB，请压缩后重新上传', en: 'The file is larger than 10 MB; compress it and upload again' } },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'UPLOAD_NOT_MULTIPART', messages: { zh: '请以表单方式上传文件', en: 'Upload the file as multipart/form-data' } },
  FST_FILES_LIMIT: { status: 413, code: 'UPLOAD_TOO_MANY_FILES', messages: { zh: '一次只能上传一个文件', en: 'Upload one file at a time' } },
  FST_PARTS_LIMIT: { status: 413, code: 'UPLOAD_TOO_MANY_FILES', messages: { zh: '一次只能上传一个文件', en: 'Upload one file at a time' } },
};

/** Domain schemas carry message keys ('form.…', 'material.…'); readers get them in their language. */
function domainMessage(message: string, path: string, language: Language): string {
  if (message.startsWith('form.')) return formIssueMessage({ code: 'custom', path: path.split('.'), message }, language);
  return materialIssueMessage(message, language);
}

const validationMessages: Localized = { zh: '提交的内容有误，请检查后重试', en: 'Some fields are not valid; check them and try again' };

/**
 * What of an unexpected error goes to the log: its kind and where it happened, never its message —
 * a database error's message carries the query's parameters (phone and ID numbers).
 */
function loggableError(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; code?: unknown; stack?: string; cause?: { code?: unknown } };
  const frames = (e.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 8);
  return { type: e.name ?? typeof error, code: e.code ?? e.cause?.code, stack: frames.join('\n') };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  return send(request, reply, error.status, error.code, error.messages, error.details);
}

export function registerErrorHandling(app: FastifyInstance, outage?: OutageLog): void {
  app.setErrorHandler((error: FastifyError | AppError | DomainError, request, reply) => {
    if (error instanceof AppError || error instanceof DomainError) {
      return send(request, reply, error.status, error.code, error.messages, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const language = requestLanguage(request);
      const fields = error.validation.map((issue) => {
        const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
        return { path, message: domainMessage(issue.message ?? '', path, language) };
      });
      return send(request, reply, 400, 'VALIDATION_FAILED', validationMessages, { fields });
    }
    const known = error.code ? frameworkErrors[error.code] : undefined;
    if (known) return send(request, reply, known.status, known.code, known.messages);
    if (error.statusCode === 429) {
      return send(request, reply, 429, 'RATE_LIMITED', { zh: '操作过于频繁，请稍后再试', en: 'Too many requests; try again later' });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.info({ code: error.code }, 'client error');
      return send(request, reply, error.statusCode, 'BAD_REQUEST', { zh: '请求无效', en: 'Bad request' });
    }
    if (isDatabaseUnavailable(error)) {
      // One line per outage (OutageLog), not one per request.
      outage?.failed(loggableError(error).code as string | undefined);
      return sendError(request, reply, serviceUnavailable());
    }
    request.log.error({ err: loggableError(error) }, 'unhandled error');
    return send(request, reply, 500, 'INTERNAL_ERROR', { zh: '系统繁忙，请稍后再试', en: 'Something went wrong on our side; try again later' });
  });

}

export const routeNotFound = new AppError(404, 'NOT_FOUND', { zh: '请求的资源不存在', en: 'Not found' });
