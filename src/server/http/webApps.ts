import { existsSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { routeNotFound, sendError } from './errorHandling.ts';

/** Vite's output (see vite.config.ts): dist/web/{driver,staff}/index.html and dist/web/assets/. */
export const webDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/web');

export function webAppsBuilt(distDir = webDistDir): boolean {
  return existsSync(path.join(distDir, 'driver', 'index.html')) && existsSync(path.join(distDir, 'staff', 'index.html'));
}

/**
 * Serves the built drivers' app at `/` and the staff console at `/staff`, each a single-page app: any
 * unknown non-API path under its prefix gets its index.html. API paths never fall back to HTML.
 *
 * Assets go out as the build precompressed them (`.br`, else `.gz`, by the request's Accept-Encoding,
 * with `Vary: Accept-Encoding`) and are cached for a year as immutable: their names change with their
 * content. index.html is `no-cache` (always revalidated) so a new release is picked up at once; it is
 * held in memory in each encoding.
 */
export async function registerWebApps(app: FastifyInstance, distDir = webDistDir): Promise<void> {
  const built = webAppsBuilt(distDir);
  if (built) {
    await app.register(fastifyStatic, {
      root: path.join(distDir, 'assets'),
      prefix: '/assets/',
      // Hashed file names: safe to cache for a long time.
      maxAge: '365d',
      immutable: true,
      // dist/web/assets/x.js.br and x.js.gz, written by the build (vite/precompress.ts).
      preCompressed: true,
      // The body depends on Accept-Encoding, so caches must key on it (@fastify/static does not say so).
      setHeaders: (res) => res.setHeader('vary', 'Accept-Encoding'),
    });
  }
  const pages = built ? { driver: loadPage(distDir, 'driver'), staff: loadPage(distDir, 'staff') } : undefined;

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url.split('?')[0] ?? '/';
    const machinePath = url === '/api' || url === '/metrics' || ['/api/', '/assets/', '/.well-known/'].some((prefix) => url.startsWith(prefix));
    const wantsPage = (request.method === 'GET' || request.method === 'HEAD') && !machinePath;
    if (!wantsPage) return sendError(request, reply, routeNotFound);
    if (!pages) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('网页尚未构建，请先运行 npm run build。\nThe web apps are not built yet: run `npm run build`.');
    }
    const page = url === '/staff' || url.startsWith('/staff/') ? pages.staff : pages.driver;
    // The not-found handler is not a route, so the compression hook does not see it: the page goes out
    // in the encoding the browser takes, compressed once at start.
    const encoding = preferredEncoding(request.headers['accept-encoding']);
    reply.header('cache-control', 'no-cache').header('vary', 'Accept-Encoding').type('text/html; charset=utf-8');
    if (encoding !== 'identity') reply.header('content-encoding', encoding);
    return reply.send(page[encoding]);
  });
}

type PageEncoding = 'br' | 'gzip' | 'identity';

/** An app's index.html in each encoding a browser may take. */
function loadPage(distDir: string, app: 'driver' | 'staff'): Record<PageEncoding, Buffer> {
  const identity = readFileSync(path.join(distDir, app, 'index.html'));
  return {
    identity,
    br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
    gzip: gzipSync(identity, { level: constants.Z_BEST_COMPRESSION }),
  };
}

/** Brotli, else gzip, else none, by the Accept-Encoding header (an encoding with q=0 is refused). */
export function preferredEncoding(acceptEncoding: string | string[] | undefined): PageEncoding {
  const accepted = new Map<string, number>();
  for (const part of String(acceptEncoding ?? '').split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const takes = (encoding: string) => (accepted.get(encoding) ?? accepted.get('*') ?? 0) > 0;
  if (takes('br')) return 'br';
  if (takes('gzip')) return 'gzip';
  return 'identity';
}
