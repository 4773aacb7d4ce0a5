import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { idCheckDigit } from '../../src/domain/idNumber.ts';
import { REGISTRY_HEADER_ZH } from '../../src/domain/registryRow.ts';
import { addPartner } from '../../src/server/exchange/partners.ts';
import { importRegistryFile } from '../../src/server/registry/import.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import { browserSuite, contextOptions, ensureWebAppsBuilt, screenshot, sharedBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The province admin sees the last registry import (refused rows downloadable) and the exchange partners’ last pull. */
browserSuite('registry and exchange settings', () => {
  let server: TestServer;
  let dir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
    dir = await mkdtemp(path.join(os.tmpdir(), 'rto-registry-ui-'));
    const id = (seq: number) => {
      const first17 = `11010119800304${String(seq).padStart(3, '0')}`;
      return first17 + idCheckDigit(first17);
    };
    const line = (idNumber: string, sex = '男') =>
      [idNumber, '赵一', idNumber, sex, '1980-03-04', 'A2', '经营性道路货物运输驾驶员', '2010-05-01', '2022-05-01', '2028-04-30', '110000', '北京通达货运有限公司', '有效', '', '1100001'].join(',');
    const file = path.join(dir, '北京市从业资格证.csv');
    await writeFile(file, [REGISTRY_HEADER_ZH.join(','), line(id(11)), line(id(13)), line(id(15), '女')].join('\r\n'));
    await importRegistryFile(server.testApp.database.db, { file });
    const { key } = await addPartner(server.testApp.database.db, '部级道路运输管理信息系统', ['11'], new Date());
    expect((await fetch(`${server.url}/api/exchange/v1/changes`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    const correction = await fetch(`${server.url}/api/exchange/v1/registry-corrections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: 'MOT-1', certificateNumber: id(11), field: 'serviceUnit', value: '北京新运物流有限公司', note: '全国系统登记为新单位' }),
    });
    expect(correction.status).toBe(202);
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the counts, offers the refused rows, and lists the partner with its last pull', async () => {
    context = await (await sharedBrowser()).newContext({ ...contextOptions.staff, baseURL: server.url });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/staff/login');
    await page.locator('input[name="username"]').fill('bj-admin');
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await page.locator('input[name="totp"]').fill(totpCodeAt(DEMO_TOTP_SECRET, server.clock.now()));
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.pathname === '/staff/');
    await page.goto('/staff/settings?tab=registry');
    await page.getByTestId('last-import').waitFor();
    await expect.poll(() => page.getByTestId('last-import').innerText()).toContain('北京市从业资格证.csv');
    await expect.poll(() => page.getByTestId('refused-count').innerText()).toContain('1');
    const partners = page.getByTestId('partners');
    await expect.poll(() => partners.innerText()).toContain('部级道路运输管理信息系统');
    await expect.poll(() => partners.innerText()).not.toContain('从未拉取');
    await expect.poll(() => page.getByTestId('inbound').innerText()).toContain('北京新运物流有限公司');
    await expect.poll(() => page.getByTestId('inbound').innerText()).toContain('登记更正');
    await expect.poll(() => page.getByTestId('inbound').innerText()).toContain('服务单位');
    await screenshot(page, 'staff-settings-registry', { fullPage: true });

    const href = await page.getByTestId('download-refused').getAttribute('href');
    const report = await page.request.get(href!);
    expect(report.status()).toBe(200);
    const text = await report.text();
    expect(text).toContain('行号,列,代码,说明');
    expect(text).toContain('SEX_MISMATCH');
    expect(errors).toEqual([]);
  });
});
