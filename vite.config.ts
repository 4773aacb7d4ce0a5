/*
 * One multi-page build of the two web apps (base '/'):
 *
 *   dist/web/driver/index.html   drivers' app (Vant)             → served for `/` and its client-side routes
 *   dist/web/staff/index.html    staff console (Element Plus)    → served for `/staff` and `/staff/*`
 *   dist/web/assets/*            JS/CSS of both, hashed names     → served at `/assets/*`
 *
 * What the server does with it (src/server/http/webApps.ts):
 *   - `/assets/*` from dist/web/assets, cacheable for a long time (content-hashed names);
 *   - a GET for an unknown non-API path: under `/staff` → dist/web/staff/index.html, otherwise
 *     dist/web/driver/index.html (single-page apps route on the client; index.html is sent no-cache).
 * The drivers' router has base '/', the staff router base '/staff/'.
 *
 * Development: `npx vite --config vite.config.ts` serves both on http://localhost:5173 (`/` and `/staff/`)
 * and proxies /api to the server on http://127.0.0.1:3000 (override with RTO_API_ORIGIN).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';

const webRoot = fileURLToPath(new URL('./src/web', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));
const apiOrigin = process.env.RTO_API_ORIGIN ?? 'http://127.0.0.1:3000';

/** Paths the server answers itself: the API and the published signing keys (offline verification). */
const serverPaths = { '/api': { target: apiOrigin }, '/.well-known': { target: apiOrigin } };

/** In development, page navigations get the right app's index.html, as the server does in production. */
function spaFallback(): Plugin {
  return {
    name: 'rto:spa-fallback',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const url = req.url ?? '/';
        const isPage = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !url.startsWith('/api');
        if (isPage) req.url = url === '/staff' || url.startsWith('/staff/') ? '/staff/index.html' : '/driver/index.html';
        next();
      });
    },
  };
}

/**
 * Vant's icon font embeds its woff2 as a data URL but names a woff on Alibaba's CDN as a fallback. The
 * apps load nothing from other origins (the CSP forbids it, and the service must work offline), so the
 * fallback is removed from the built CSS.
 */
function noForeignFonts(): Plugin {
  const foreignFont = /,\s*url\((["']?)(?:https?:)?\/\/[^)]*\1\)\s*format\((["'])woff\2\)/g;
  return {
    name: 'rto:no-foreign-fonts',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'asset' && file.fileName.endsWith('.css') && typeof file.source === 'string') {
          file.source = file.source.replace(foreignFont, '');
        }
      }
    },
  };
}

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: false,
  appType: 'mpa',
  plugins: [vue(), spaFallback(), noForeignFonts()],
  define: {
    // vue-i18n: Composition API only, no devtools hooks in production bundles.
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2020',
    rollupOptions: {
      input: {
        driver: `${webRoot}/driver/index.html`,
        staff: `${webRoot}/staff/index.html`,
      },
    },
  },
  server: {
    port: 5173,
    proxy: serverPaths,
  },
  preview: { proxy: serverPaths },
});
