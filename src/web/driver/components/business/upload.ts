import { ApiError, apiBase } from '../../../shared/api.ts';
import { currentLocale } from '../../../shared/locale.ts';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const ACCEPTED_TYPES = ['image/png', 'image/jpeg'];
const ACCEPTED_NAME = /\.(png|jpe?g)$/i;

export type UploadRefusal = 'UPLOAD_EMPTY' | 'UPLOAD_TOO_LARGE' | 'UPLOAD_UNSUPPORTED_TYPE';

/**
 * The checks that save a pointless upload: png/jpg by type or name, ≤ 10 MB, not empty. The server
 * looks at the content itself, so a renamed file is still refused there.
 */
export function refuseBeforeUpload(file: File): UploadRefusal | null {
  if (file.size === 0) return 'UPLOAD_EMPTY';
  if (!ACCEPTED_TYPES.includes(file.type) && !(file.type === '' && ACCEPTED_NAME.test(file.name))) return 'UPLOAD_UNSUPPORTED_TYPE';
  if (file.size > MAX_UPLOAD_BYTES) return 'UPLOAD_TOO_LARGE';
  return null;
}

export interface UploadResult {
  materialKey: string;
  warnings: { code: string; zh: string; en: string }[];
}

/** PUT multipart with progress (fetch cannot report upload progress), errors as ApiError. */
export function uploadMaterial(applicationId: string, materialKey: string, file: File, onProgress: (fraction: number) => void): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', `${apiBase}/applications/${applicationId}/materials/${materialKey}`);
    request.withCredentials = true;
    request.setRequestHeader('Accept', 'application/json');
    request.setRequestHeader('Accept-Language', currentLocale.value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onerror = () => reject(new ApiError('NETWORK_ERROR', 0, currentLocale.value === 'en' ? 'Could not reach the server. Check your connection and try again.' : '网络连接失败，请检查网络后重试'));
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status >= 200 && request.status < 300 && body) {
        resolve(body as UploadResult);
        return;
      }
      const error = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
      reject(
        new ApiError(
          error?.code ?? `HTTP_${request.status}`,
          request.status,
          error?.message ?? (currentLocale.value === 'en' ? 'The upload failed. Please try again.' : '上传失败，请重试'),
          error?.details,
        ),
      );
    };
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
