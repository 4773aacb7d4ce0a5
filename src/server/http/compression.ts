import { constants as zlib } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/** Smaller bodies gain nothing worth the work (the build's precompressed assets use the same bar). */
export const compressionThresholdBytes = 1024;

/**
 * Compresses the API's JSON and the apps' index.html on the fly (Brotli, else gzip, by Accept-Encoding,
 * with `Vary: Accept-Encoding`) above a small size. Static assets arrive precompressed from the build
 * (`@fastify/static` `preCompressed`); a reply that already has a Content-Encoding is left as it is.
 * Images and PDFs are not compressible types and go out as they are.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCompress, {
    global: true,
    encodings: ['br', 'gzip'],
    threshold: compressionThresholdBytes,
    // A phone's request should not wait for Brotli's slowest settings: 4 is its fast, still-good level.
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  });
}
