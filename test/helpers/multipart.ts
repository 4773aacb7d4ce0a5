import { randomBytes } from 'node:crypto';

/** A multipart/form-data body with one file field, for `app.inject`. */
export function multipart(file: Buffer, options: { filename?: string; contentType?: string; field?: string; boundary?: string } = {}) {
  const { filename = 'photo.jpg', contentType = 'image/jpeg', field = 'file', boundary = `----rto${randomBytes(8).toString('hex')}` } = options;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
