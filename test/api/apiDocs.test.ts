import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS, operationKey } from '../../src/contract/operations.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

/** The API description integrators use: every operation says what it does, for whom, and how it fails. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ demo: false, env: { API_DOCS: '1' } });
});
afterAll(async () => {
  await t?.close();
});

describe('/api/docs', () => {
  it('every operation has a summary, a description naming whom it serves, and its error codes', async () => {
    const spec = t.app.swagger() as { paths: Record<string, Record<string, { summary?: string; description?: string; 'x-error-codes'?: string[] }>> };
    const missing: string[] = [];
    let count = 0;
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        count += 1;
        if (!operation.summary || !operation.description?.includes('*For:*')) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing, 'operations without a description in src/contract/operations.ts').toEqual([]);
    expect(count).toBeGreaterThan(70);
    const feed = spec.paths['/api/exchange/v1/changes']!.get!;
    expect(feed['x-error-codes']).toEqual(expect.arrayContaining(['EXCHANGE_KEY_REVOKED', 'CURSOR_INVALID']));
    expect(feed.description).toContain('`401 EXCHANGE_KEY_MISSING`');
  });

  it('every entry of the table names a registered route (none left behind)', async () => {
    const registered = new Set<string>();
    // The app's routes by their keys in the table, as the document lists them ({id} → :id, {*} → *).
    const spec = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const method of Object.keys(operations)) registered.add(operationKey(method, path.replace(/\{\*\}/, '*').replace(/\{([^}]+)\}/g, ':$1')));
    }
    expect(Object.keys(OPERATIONS).filter((key) => !registered.has(key))).toEqual([]);
  });

  it('the document validates against the OpenAPI schema', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).toBe(200);
    const result = await new Validator().validate(response.json());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
