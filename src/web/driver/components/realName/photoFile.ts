/** Checks and shrinks an ID-card photo in the browser before it is uploaded. */

export const ACCEPTED_TYPES = ['image/png', 'image/jpeg'];
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Phone cameras take 12+ megapixel photos: a 2000 px JPEG reads as well and uploads in a fraction of the time. */
export async function shrinkForUpload(file: File): Promise<Blob> {
  if (file.size <= 3 * 1024 * 1024 || typeof createImageBitmap !== 'function') return file;
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const scale = Math.min(1, 2000 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
    return blob && blob.size > 0 ? blob : file;
  } catch {
    return file;
  }
}

export type PhotoProblem = 'wrongType' | 'tooLarge';

/** The blob to upload, or why the chosen file cannot be. */
export async function preparePhoto(file: File): Promise<{ blob: Blob } | { problem: PhotoProblem }> {
  if (file.type && !ACCEPTED_TYPES.includes(file.type)) return { problem: 'wrongType' };
  const blob = await shrinkForUpload(file);
  if (blob.size > MAX_UPLOAD_BYTES) return { problem: 'tooLarge' };
  return { blob };
}
