import { existsSync, readFileSync } from 'node:fs';
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
    });
  }
  const pages = built
    ? {
        driver: readFileSync(path.join(distDir, 'driver', 'index.html'), 'utf8'),
        staff: readFileSync(path.join(distDir, 'staff', 'index.html'), 'utf8'),
      }
    : undefined;

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url.split('?')[0] ?? '/';
    const machinePath = url === '/api' || ['/api/', '/assets/', '/.well-known/'].some((prefix) => url.startsWith(prefix));
    const wantsPage = (request.method === 'GET' || request.method === 'HEAD') && !machinePath;
    if (!wantsPage) return sendError(request, reply, routeNotFound);
    if (!pages) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('网页尚未构建，请先运行 npm run build。\nThe web apps are not built yet: run `npm run build`.');
    }
    const page = url === '/staff' || url.startsWith('/staff/') ? pages.staff : pages.driver;
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page);
  });
}
