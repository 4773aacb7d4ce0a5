import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/helpers/globalSetup.ts'],
    setupFiles: ['test/helpers/fieldKeys.ts'],
    testTimeout: 60_000,
    // Two shared cores: a page or a worker may take seconds to get there. The poll returns as soon as
    // the value is right, so a wide bound costs nothing when things are fast.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    hookTimeout: 120_000,
    // Two cores: PGlite and OCR are memory- and CPU-heavy, keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    // `npm run test:coverage` (or `vitest run --coverage`): V8 coverage of the code the tests run in
    // Node. The web apps run in Chromium during browser tests, so src/web is not measured here.
    coverage: {
      provider: 'v8',
      include: ['src/domain/**/*.ts', 'src/contract/**/*.ts', 'src/server/**/*.ts', 'src/cli/**/*.ts'],
      exclude: ['src/**/*.test.ts', 'src/**/*.d.ts'],
      reporter: ['text', 'text-summary', 'html', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});
