import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type DriverSession, loginDemoDriver, loginDemoStaff, signIn, submitAndConfirm, submitThroughApi, uploadFiles } from '../helpers/httpSession.ts';
import { formatDate } from '../../src/web/shared/dates.ts';

interface Detail {
  id: string;
  state: string;
  reference: string;
  acceptDeadline: string | null;
  personalInfo: Record<string, unknown>;
  timeline: { action: string }[];
}

browserSuite('My Office in the drivers’ app', () => {
  let server: TestServer;
  let wang: DriverSession;
  let handler: Awaited<ReturnType<typeof loginDemoStaff>>;
  let files: Awaited<ReturnType<typeof uploadFiles>>;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
    wang = await loginDemoDriver(server.url, '13800000001');
    handler = await loginDemoStaff(server.url, 'bj-handler', server.clock.now());
    files = await uploadFiles();
  });
  afterAll(async () => {
    await server?.close();
  });

  const detail = async (id: string) => (await wang.api<Detail>('GET', `/applications/${id}`)).body;

  it('lists applications newest first with filters; the detail shows timeline and materials; withdraw asks first', async () => {
    const credit = await submitThroughApi(wang, files, { business: 'credit_assessment' }, { serviceCompany: '北京顺通物流有限公司' });
    server.clock.advance(60_000); // the draft is opened a minute later
    const draft = await submitThroughApi(
      wang,
      files,
      { business: 'cancellation' },
      { categoriesToCancel: ['freight_driver'], cancelReason: 'holder_request' },
      { submit: false },
    );
    const { acceptDeadline } = await detail(credit.id);

    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, wang);
        await page.goto('/my-office');
        const cards = page.locator('[data-testid="applications"] .app');
        // Newest first: the draft opened a minute after the credit assessment comes first, in the API and on the page.
        const serverOrder = (await wang.api<{ applications: { reference: string }[] }>('GET', '/applications')).body.applications.map((a) => a.reference);
        expect(serverOrder).toEqual([draft.reference, credit.reference]);
        await expect.poll(() => cards.evaluateAll((all) => all.map((card) => (card as HTMLElement).dataset.reference))).toEqual([draft.reference, credit.reference]);
        const creditCard = page.locator(`[data-reference="${credit.reference}"]`);
        await expect.poll(() => creditCard.locator('.state-tag').innerText()).toBe('待受理');
        await expect.poll(() => creditCard.innerText()).toContain(`受理期限 ${formatDate(acceptDeadline, 'zh-CN')}`);
        await expect.poll(() => page.locator(`[data-reference="${draft.reference}"] .state-tag`).innerText()).toBe('草稿');
        await screenshot(page, 'my-office-list');

        await page.locator('.van-tab', { hasText: '已受理' }).click();
        await page.getByTestId('office-empty').waitFor();
        await expect.poll(() => page.getByTestId('office-empty').innerText()).toContain('没有“已受理”的办件');
        await page.locator('.van-tab', { hasText: '待受理' }).click();
        await expect.poll(() => cards.count()).toBe(1);
        await screenshot(page, 'my-office-filtered');

        await creditCard.click();
        await page.waitForURL((url) => url.pathname === `/my-office/${credit.id}`);
        await expect.poll(() => page.getByTestId('application-state').innerText()).toBe('待受理');
        await expect.poll(() => page.getByTestId('deadline').innerText()).toContain(`受理期限 ${formatDate(acceptDeadline, 'zh-CN')}`);
        await expect.poll(() => page.locator('[data-section="timeline"] [data-timeline]').count()).toBe(1);
        await expect.poll(() => page.locator('[data-section="materials"] .thumbs__item').count()).toBe(3);
        await screenshot(page, 'my-office-detail', { fullPage: true });

        // Full size on tap.
        await page.locator('[data-section="materials"] .thumbs__item').first().click();
        await page.locator('.van-image-preview').waitFor();
        await expect.poll(() => page.locator('.van-image-preview img').first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(500);
        await screenshot(page, 'my-office-preview');
        await page.locator('.van-image-preview__close-icon').click();
        await page.locator('.van-image-preview').waitFor({ state: 'hidden' });

        await page.locator('[data-action="withdraw"]').click();
        const dialog = page.locator('.van-dialog');
        await expect.poll(() => dialog.innerText()).toContain('确定撤回');
        await screenshot(page, 'my-office-withdraw-confirm');
        // Cancelling keeps it.
        await dialog.getByRole('button', { name: '取消' }).click();
        expect((await detail(credit.id)).state).toBe('submitted');
        await page.locator('[data-action="withdraw"]').click();
        await dialog.getByRole('button', { name: '确认' }).click();
        await expect.poll(() => page.getByTestId('application-state').innerText()).toBe('已撤回');
        expect((await detail(credit.id)).state).toBe('withdrawn');
        expect(await page.locator('[data-action="withdraw"]').count()).toBe(0);
        await screenshot(page, 'my-office-withdrawn', { fullPage: true });

        // A draft offers to continue or to be deleted.
        await page.goto(`/my-office/${draft.id}`);
        await page.locator('[data-action="continue"]').waitFor();
        await screenshot(page, 'my-office-draft');
        await page.locator('[data-action="delete"]').click();
        await dialog.getByRole('button', { name: '确认' }).click();
        await page.waitForURL((url) => url.pathname === '/my-office');
        await expect.poll(async () => (await wang.api('GET', `/applications/${draft.id}`)).status).toBe(404);
      },
      { baseURL: server.url, name: 'my-office-withdraw' },
    );
  });

  it('a withdrawal that loses to the acceptance shows the new state and says why', async () => {
    const replacement = await submitThroughApi(
      wang,
      files,
      { business: 'replacement' },
      { quasiDrivingType: 'A2', reason: '证件遗失', contactName: '王建国', contactPhone: '13800000001', delivery: 'self_collect' },
    );
    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, wang);
        await page.goto(`/my-office/${replacement.id}`);
        await page.locator('[data-action="withdraw"]').waitFor();
        // Staff accept it while the driver is looking at the page.
        expect(await handler.act(replacement.id, { action: 'accept' })).toBe(200);
        await page.locator('[data-action="withdraw"]').click();
        await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click();
        const message = page.locator('.van-dialog', { hasText: '不能撤回' });
        await expect.poll(() => message.innerText()).toContain('办件状态已变为“已受理”，不能撤回。');
        await expect.poll(() => page.getByTestId('application-state').innerText()).toBe('已受理');
        await screenshot(page, 'my-office-withdraw-lost');
        expect((await detail(replacement.id)).state).toBe('accepted');
      },
      { baseURL: server.url, name: 'my-office-withdraw-race' },
    );
  });

  it('a returned application lists every correction; the driver corrects answers and a material and resubmits', async () => {
    const change = await submitThroughApi(
      wang,
      files,
      { business: 'change', variant: 'service_unit' },
      { workUnit: '北京新运物流有限公司', unitPhone: '010-65551234', reason: '换单位' },
    );
    expect(
      await handler.act(change.id, { action: 'return', reasonCodes: ['material_unclear', 'info_incorrect'], reason: '劳动合同照片不清晰；申请原因请写明新单位名称' }),
    ).toBe(200);

    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, wang);
        await page.goto('/my-office');
        await expect.poll(() => page.locator(`[data-reference="${change.reference}"] .state-tag`).innerText()).toBe('退回补正');
        await page.locator(`[data-reference="${change.reference}"]`).click();
        const box = page.getByTestId('corrections');
        await expect.poll(() => box.innerText()).toContain('材料图片不清晰');
        await expect.poll(() => box.innerText()).toContain('个人信息填写有误');
        await expect.poll(() => box.innerText()).toContain('劳动合同照片不清晰；申请原因请写明新单位名称');
        // The notice is said once: above the timeline, not again among the messages.
        await expect.poll(() => page.getByText('劳动合同照片不清晰；申请原因请写明新单位名称').count()).toBe(1);
        await screenshot(page, 'my-office-returned', { fullPage: true });

        await page.locator('[data-action="correct"]').click();
        await page.locator('[data-step="info"]').waitFor();
        expect(new URL(page.url()).searchParams.get('application')).toBe(change.id);
        await page.getByTestId('corrections').waitFor();
        await page.locator('[data-field="reason"] textarea').fill('调入北京新运物流有限公司');
        await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state')).toBe('saved');
        await page.getByTestId('next').click();

        const contract = page.locator('[data-material="employment_contract"]');
        await contract.waitFor();
        const before = await contract.locator('img').getAttribute('src');
        await contract.locator('input[type="file"]').setInputFiles(await files.photo(42));
        await expect.poll(() => contract.locator('img').getAttribute('src')).not.toBe(before);
        await screenshot(page, 'my-office-correcting');
        await page.getByTestId('next').click();
        await submitAndConfirm(page, '确认重新提交');
        await page.getByTestId('submit-result').waitFor();
        await expect.poll(() => page.locator('.result__title').innerText()).toBe('已重新提交');
        await screenshot(page, 'my-office-resubmitted');

        const fresh = await detail(change.id);
        expect(fresh.state).toBe('submitted');
        expect(fresh.personalInfo.reason).toBe('调入北京新运物流有限公司');
        expect(fresh.timeline.map((entry) => entry.action)).toEqual(['submit', 'return', 'resubmit']);
      },
      { baseURL: server.url, name: 'my-office-returned' },
    );
  });
});
