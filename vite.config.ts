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
 * First load: vue-i18n's runtime-only build with messages precompiled (vite/precompiledMessages.ts),
 * Element Plus components imported where a staff page's template uses them (each route's chunk carries
 * its own), and a Brotli and a gzip copy of each text asset (vite/precompress.ts).
 *
 * Development: `npx vite --config vite.config.ts` serves both on http://localhost:5173 (`/` and `/staff/`)
 * and proxies /api to the server on http://127.0.0.1:3000 (override with RTO_API_ORIGIN).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { precompiledMessages } from './vite/precompiledMessages.ts';
import { precompress } from './vite/precompress.ts';
import { vantIconSubset } from './vite/vantIconSubset.ts';
import { driverChunkGroups, noChunkCycles } from './vite/driverChunks.ts';

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
  plugins: [
    vue(),
    // Staff templates: <el-…> components and v-loading resolved to on-demand imports with their CSS.
    Components({
      include: [/\/src\/web\/staff\/.*\.vue$/, /\/src\/web\/staff\/.*\.vue\?vue/],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: false,
    }),
    precompiledMessages(),
    spaFallback(),
    noForeignFonts(),
    vantIconSubset(),
    noChunkCycles(),
    precompress(),
  ],
  resolve: {
    // The runtime-only build: messages arrive compiled, so the message compiler stays out of the apps.
    alias: { 'vue-i18n': 'vue-i18n/dist/vue-i18n.runtime.esm-bundler.js' },
  },
  define: {
    // vue-i18n: Composition API only, no devtools hooks in production bundles, no message compiler.
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    // Every component is <script setup> (Vant's and Element Plus's use setup() too): no Options API.
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
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
      output: {
        codeSplitting: {
          // zod, and the catalog's schemas built with it, in chunks of their own: otherwise they are merged
          // with the domain code both apps share (eligibility, dates), and the drivers' business flow,
          // which validates nothing with zod, would download them.
          groups: [
            { name: 'zod', test: /[\\/]node_modules[\\/]zod[\\/]/, priority: 2 },
            { name: 'catalog-schemas', test: /[\\/]src[\\/]domain[\\/](?:catalog|formIssues)\.ts$/, priority: 1, includeDependenciesRecursively: false },
            // The drivers' pages in a few files rather than one per set of pages sharing a module.
            ...driverChunkGroups({
              driverEntry: `${webRoot}/driver/main.ts`,
              staffEntry: `${webRoot}/staff/main.ts`,
              homePage: `${webRoot}/driver/pages/HomePage.vue`,
              isPage: (id) => id.startsWith(`${webRoot}/driver/pages/`),
            }),
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: serverPaths,
  },
  preview: { proxy: serverPaths },
});
