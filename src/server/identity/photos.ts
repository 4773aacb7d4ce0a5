import type { IntakenImage } from '../images/intake.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';

/**
 * Photos a driver uploads outside an application (evidence for a verification request; ID-card photos
 * have their own rules in realName.ts). The
 * key contains the driver's id, so a photo id only ever resolves inside its owner's folder: another
 * driver's photo id simply does not exist for the caller.
 */
export type PhotoArea = 'verification';

const PHOTO_ID = /^[0-9a-f]{64}\.(jpg|png)$/;

export const photoKey = (area: PhotoArea, userId: string, photoId: string) => `${area}/${userId}/${photoId}`;

export async function storeUserPhoto(ctx: AppContext, area: PhotoArea, userId: string, image: IntakenImage): Promise<string> {
  const photoId = `${image.sha256}.${image.mime === 'image/png' ? 'png' : 'jpg'}`;
  await ctx.storage.put(photoKey(area, userId, photoId), image.image, image.mime);
  return photoId;
}

export const photoNotFound = () =>
  new AppError(422, 'PHOTO_NOT_FOUND', { zh: '照片不存在或已失效，请重新上传', en: 'The photo was not found; upload it again' });

/** The storage key of the caller's photo, or 422 PHOTO_NOT_FOUND. */
export async function ownPhotoKey(ctx: AppContext, area: PhotoArea, userId: string, photoId: string): Promise<string> {
  if (!PHOTO_ID.test(photoId)) throw photoNotFound();
  const key = photoKey(area, userId, photoId);
  if (!(await ctx.storage.exists(key))) throw photoNotFound();
  return key;
}

export { uploadMissing } from '../images/upload.ts';
