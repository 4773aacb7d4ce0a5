import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { RateRule } from '../rateLimit/index.ts';
import { intakeImage, readUploadedFile, uploadCutShort, type IntakenImage } from './intake.ts';

/** Uploads per driver and hour: a whole application with retakes is a few dozen. */
export const uploadRules: RateRule[] = [{ name: 'upload-driver-hour', limit: 120, windowSeconds: 3600 }];

export const uploadMissing = () => new AppError(400, 'UPLOAD_MISSING', { zh: '请选择要上传的图片', en: 'Choose a picture to upload' });

export const uploadMalformed = uploadCutShort;

/** A refusal for a per-account limit, with when to try again. */
export function accountLimited(code: string, retryAfterSeconds: number, what: { zh: string; en: string }): AppError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new AppError(
    429,
    code,
    { zh: `${what.zh}次数过多，请${minutes}分钟后再试`, en: `Too many ${what.en} for now; try again in ${minutes} minute(s)` },
    { retryAfterSeconds },
  );
}

/** Multipart parser errors that are the client's doing (bad boundary, cut short) versus our own limits. */
function isClientMultipartError(error: unknown): boolean {
  if (error instanceof AppError) return false;
  const code = (error as { code?: unknown }).code;
  // @fastify/multipart's own errors carry FST_ codes the error handler maps (too large, too many files…).
  if (typeof code === 'string' && code.startsWith('FST_')) return false;
  return error instanceof Error;
}

/**
 * The one way an uploaded picture comes in: counted against the driver's hourly upload limit, read
 * within the size limit, refused cleanly when the multipart body is malformed, and decoded through the
 * bounded image queue (503 with Retry-After when it is full).
 */
export async function receiveImage(ctx: AppContext, request: FastifyRequest, userId: string): Promise<IntakenImage> {
  const decision = await ctx.rateLimiter.consume(`upload:${userId}`, uploadRules);
  if (!decision.allowed) throw accountLimited('UPLOAD_RATE_LIMITED', decision.retryAfterSeconds, { zh: '上传', en: 'uploads' });
  let bytes: Buffer;
  try {
    const part = await request.file();
    if (!part) throw uploadMissing();
    bytes = await readUploadedFile(part, undefined, request.raw);
  } catch (error) {
    if (isClientMultipartError(error)) throw uploadMalformed();
    throw error;
  }
  return ctx.work.images.run(() => intakeImage(bytes));
}
