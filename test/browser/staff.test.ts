import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import { browserSuite, contextOptions, ensureWebAppsBuilt, screenshot, sharedBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type DriverSession, loginDemoDriver, signIn, submitThroughApi, uploadFiles } from '../helpers/httpSession.ts';

/**
 * The staff console at 1440×900, against one server: each staff member logs in through the UI once
 * (each authenticator code works once per account) and keeps their page for the whole file.
 */

interface Submitted {
  id: string;
  reference: string;
}

browserSuite('staff console', () => {
  let server: TestServer;
  let files: Awaited<ReturnType<typeof uploadFiles>>;
  let wang: DriverSession;
  let zhao: DriverSession;
  let ma: DriverSession;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const pages = new Map<string, Page>();
  /** The test server's clock stands still where it started: authenticator codes are the ones of that moment. */
  const code = () => totpCodeAt(DEMO_TOTP_SECRET, server.clock.now());

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
    files = await uploadFiles();
    // 王建国 and 马超 hold valid Beijing certificates; 赵磊's is in the grace period, so he may renew.
    wang = await loginDemoDriver(server.url, '13800000001');
    zhao = await loginDemoDriver(server.url, '13800000007');
    ma = await loginDemoDriver(server.url, '13800000013');
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await server?.close();
  });

  async function newPage(kind: 'staff' | 'driver', label: string): Promise<Page> {
    const context = await (await sharedBrowser()).newContext({ ...contextOptions[kind], baseURL: server.url });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${label}: ${error.stack ?? error.message}`));
    return page;
  }

  async function fillLogin(page: Page, username: string): Promise<void> {
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await page.locator('input[name="totp"]').fill(code());
    await page.locator('button[type="submit"]').click();
  }

  /** The page of a staff member, logged in through the login form the first time. */
  async function staffPage(username: string): Promise<Page> {
    const existing = pages.get(username);
    if (existing) return existing;
    const page = await newPage('staff', username);
    await page.goto('/staff/login');
    await fillLogin(page, username);
    try {
      await page.waitForURL((url) => url.pathname === '/staff/', { timeout: 10_000 });
    } catch (error) {
      await screenshot(page, `failed-staff-login-${username}`);
      throw error;
    }
    pages.set(username, page);
    return page;
  }

  async function openInQueue(page: Page, application: Submitted): Promise<void> {
    await page.goto(`/staff/queue?q=${application.reference}`);
    const link = page.locator(`[data-reference="${application.reference}"]`);
    await link.click();
    await page.waitForURL((url) => url.pathname === `/staff/applications/${application.id}`);
    await page.getByTestId('reference').waitFor();
  }

  async function act(page: Page, action: string, fill?: (dialog: Page) => Promise<void>): Promise<void> {
    await page.locator(`[data-testid="actions"] [data-action="${action}"]`).click();
    const confirm = page.getByTestId('action-confirm');
    await confirm.waitFor();
    if (fill) await fill(page);
    await confirm.click();
    await confirm.waitFor({ state: 'hidden' });
  }

  const stateOf = (page: Page) => page.getByTestId('application-state').innerText();

  function assertNoPageErrors(): void {
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  }

  it('a handler logs in with password and authenticator code; the console shows who they are; a lockout names its end', async () => {
    const page = await newPage('staff', 'login');
    await page.goto('/staff/');
    // Every console page needs a login first.
    await page.waitForURL((url) => url.pathname === '/staff/login');
    await page.locator('input[name="username"]').fill('bj-handler');
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await screenshot(page, 'staff-login');
    await page.locator('input[name="totp"]').fill(code());
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.pathname === '/staff/');
    pages.set('bj-handler', page);
    await expect.poll(() => page.getByTestId('staff-name').innerText()).toBe('北京受理员');
    await expect.poll(() => page.getByTestId('staff-role').innerText()).toBe('受理人员 · 北京市');
    await expect.poll(() => page.locator('[data-menu="settings"]').count()).toBe(0);
    await screenshot(page, 'staff-dashboard-handler');

    // Five wrong passwords lock an account; the form says until when.
    for (let i = 0; i < 5; i += 1) {
      await fetch(`${server.url}/api/v1/staff/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'sh-reviewer', password: 'wrong-password', totp: '000000' }),
      });
    }
    const other = await newPage('staff', 'lockout');
    await other.goto('/staff/login');
    await fillLogin(other, 'sh-reviewer');
    const alert = other.getByTestId('login-error');
    await expect.poll(() => alert.getAttribute('data-code')).toBe('STAFF_LOCKED');
    await expect.poll(() => alert.innerText()).toMatch(/账号已锁定，请于 \d{2}:\d{2} 之后再试（约 1[45] 分钟）/);
    await screenshot(other, 'staff-login-locked');
    assertNoPageErrors();
  }, 60_000);

  let credit: Submitted;
  let renewal: Submitted;
  let replacement: Submitted;
  let change: Submitted;
  let cancellation: Submitted;

  it('processes one application of each business from the queue to completed', async () => {
    credit = await submitThroughApi(wang, files, { business: 'credit_assessment' }, { serviceCompany: '北京顺通物流有限公司' });
    renewal = await submitThroughApi(zhao, files, { business: 'renewal' }, { quasiDrivingType: 'A2', reason: '证件到期换证', contactName: '赵磊', contactPhone: '13800000007', delivery: 'self_collect' });
    replacement = await submitThroughApi(
      wang,
      files,
      { business: 'replacement' },
      { quasiDrivingType: 'A2', reason: '证件遗失', address: '北京市朝阳区建国路88号', contactName: '王建国', contactPhone: '13800000001', delivery: 'mail' },
    );
    change = await submitThroughApi(wang, files, { business: 'change', variant: 'service_unit' }, { workUnit: '北京新运物流有限公司', unitPhone: '010-65551234', reason: '更换工作单位' });
    cancellation = await submitThroughApi(wang, files, { business: 'cancellation' }, { categoriesToCancel: ['freight_driver'], cancelReason: 'holder_request', contactName: '王建国', contactPhone: '13800000001' });

    const handler = await staffPage('bj-handler');
    const reviewer = await staffPage('bj-reviewer');

    // The queue lists them by deadline with counts per state.
    await handler.goto('/staff/queue');
    const rows = handler.locator('[data-testid="queue-table"] .el-table__body tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(5);
    await expect.poll(() => handler.locator('[data-state-tab="submitted"] .tab__count').innerText()).toBe('5');
    await screenshot(handler, 'staff-queue');
    await handler.locator('[data-testid="filter-business"]').click();
    await handler.locator('.el-select-dropdown__item:visible', { hasText: '换证' }).click();
    await handler.waitForURL((url) => url.searchParams.get('business') === 'renewal');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().innerText()).toContain(renewal.reference);
    await screenshot(handler, 'staff-queue-filtered');

    // 诚信考核: accept, then the reviewer approves with a grade; the system completes it.
    await openInQueue(handler, credit);
    await expect.poll(() => handler.locator('[data-testid="applicant"]').innerText()).toContain('王建国');
    await expect.poll(() => handler.locator('[data-testid="materials"] .material').count()).toBeGreaterThan(0);
    await screenshot(handler, 'staff-application-submitted', { fullPage: true });
    // Materials open full size in a viewer that zooms and rotates.
    await handler.locator('[data-testid="materials"] .material__image').first().click();
    const viewer = handler.locator('.el-image-viewer__wrapper');
    await viewer.waitFor();
    await handler.locator('.el-image-viewer__actions .el-icon').nth(1).click();
    await screenshot(handler, 'staff-material-viewer');
    await handler.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });

    await act(handler, 'accept');
    await expect.poll(() => stateOf(handler)).toBe('已受理');
    // The decision is the reviewer's: the handler may only still return it.
    await expect.poll(() => handler.locator('[data-testid="actions"] [data-action]').evaluateAll((all) => all.map((b) => b.getAttribute('data-action')))).toEqual(['return']);

    await openInQueue(reviewer, credit);
    await reviewer.locator('[data-testid="actions"] [data-action="approve"]').click();
    await reviewer.getByTestId('action-confirm').click();
    await expect.poll(() => reviewer.getByTestId('action-dialog').locator('.el-form-item__error').first().innerText()).toBe('请选择考核等级');
    await reviewer.locator('[data-grade="AA"]').click();
    await screenshot(reviewer, 'staff-approve-rating');
    await reviewer.getByTestId('action-confirm').click();
    await expect.poll(() => stateOf(reviewer)).toBe('已办结');
    await expect.poll(() => reviewer.getByTestId('voucher').innerText()).toContain('AA');
    await screenshot(reviewer, 'staff-credit-completed', { fullPage: true });
    // A voucher found to be wrong is revoked with a reason; the public check then says so.
    await reviewer.getByTestId('revoke-voucher').click();
    await reviewer.locator('.el-message-box__input input').fill('考核等级评定有误');
    await reviewer.locator('.el-message-box__btns .el-button--danger').click();
    await expect.poll(() => reviewer.getByTestId('voucher-revoked').innerText()).toContain('考核等级评定有误');
    const voucherSummary = (await wang.api<{ token: string }>('GET', `/applications/${credit.id}/voucher`)).body;
    const publicCheck = (await (await fetch(`${server.url}/api/v1/verify/${voucherSummary.token}`)).json()) as { verdict: string };
    expect(publicCheck.verdict).toBe('revoked');
    await screenshot(reviewer, 'staff-voucher-revoked');

    // 换证 (self-collect): accept, approve, ready for collection, handed over.
    await openInQueue(handler, renewal);
    await act(handler, 'accept');
    await expect.poll(() => stateOf(handler)).toBe('已受理');
    await openInQueue(reviewer, renewal);
    await act(reviewer, 'approve');
    await expect.poll(() => stateOf(reviewer)).toBe('审核通过');
    await handler.reload();
    await act(handler, 'ready_for_pickup');
    await expect.poll(() => handler.locator('[data-timeline="ready_for_pickup"]').count()).toBe(1);
    await screenshot(handler, 'staff-renewal-ready');
    await act(handler, 'hand_over');
    await expect.poll(() => stateOf(handler)).toBe('已办结');

    // 补证 (by post): the mail dialog needs carrier and tracking number.
    await openInQueue(handler, replacement);
    await act(handler, 'accept');
    await openInQueue(reviewer, replacement);
    await act(reviewer, 'approve');
    await handler.reload();
    await act(handler, 'mail', async (page) => {
      await page.getByTestId('carrier').click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: 'EMS' }).click();
      await page.locator('input[name="trackingNumber"]').fill('EA123456789CN');
      await screenshot(page, 'staff-mail-dialog');
    });
    await expect.poll(() => stateOf(handler)).toBe('已办结');
    await expect.poll(() => handler.locator('[data-timeline="mail"]').innerText()).toContain('EMS 运单号 EA123456789CN');

    // 变更 (service unit): the registry takes the new unit on approval.
    await openInQueue(handler, change);
    await act(handler, 'accept');
    await openInQueue(reviewer, change);
    await act(reviewer, 'approve');
    await handler.reload();
    await act(handler, 'hand_over');
    await expect.poll(() => stateOf(handler)).toBe('已办结');
    await expect.poll(() => handler.locator('[data-testid="certificate"]').innerText()).toContain('北京新运物流有限公司');

    // 注销: approval cancels the category and completes.
    await openInQueue(handler, cancellation);
    await act(handler, 'accept');
    await openInQueue(reviewer, cancellation);
    await act(reviewer, 'approve');
    await expect.poll(() => stateOf(reviewer)).toBe('已办结');
    await expect.poll(() => reviewer.locator('[data-category-status]').first().getAttribute('data-category-status')).toBe('cancelled');
    await screenshot(reviewer, 'staff-cancellation-completed', { fullPage: true });

    await handler.goto('/staff/queue?state=completed');
    await expect.poll(() => handler.locator('[data-testid="queue-table"] .el-table__body tr').count()).toBe(5);
    await screenshot(handler, 'staff-queue-completed');
    assertNoPageErrors();
  }, 180_000);

  it('a return flags two materials: the driver sees them marked, must replace both before resubmitting, and both histories name them', async () => {
    const application = await submitThroughApi(
      ma,
      files,
      { business: 'replacement' },
      { quasiDrivingType: 'A1', reason: '证件损坏', contactName: '马超', contactPhone: '13800000013', delivery: 'self_collect' },
    );
    const flagged = ['photo_2inch', 'driving_licence'];

    const handler = await staffPage('bj-handler');
    await openInQueue(handler, application);
    await handler.locator('[data-testid="actions"] [data-action="return"]').click();
    await handler.getByTestId('one-time-notice').waitFor();
    await handler.locator('[data-reason="material_unclear"]').click();
    await handler.locator('[data-reason="info_incorrect"]').click();
    for (const key of flagged) await handler.locator(`[data-testid="material-keys"] [data-material="${key}"]`).click();
    // Confirming without the text asks for it; typing it clears the request at once.
    await handler.getByTestId('action-confirm').click();
    const reasonItem = handler.locator('.el-form-item').filter({ has: handler.locator('textarea[name="reason"]') });
    await expect.poll(() => reasonItem.locator('.el-form-item__error').count()).toBe(1);
    await handler.locator('textarea[name="reason"]').fill('二寸照片和驾驶证模糊，请重新拍摄上传；申请原因请写明损坏情况');
    await expect.poll(() => reasonItem.locator('.el-form-item__error').count()).toBe(0);
    await screenshot(handler, 'staff-return-dialog');
    await handler.getByTestId('action-confirm').click();
    await expect.poll(() => stateOf(handler)).toBe('退回补正');
    const staffReturn = handler.locator('[data-timeline="return"]');
    await expect.poll(() => staffReturn.innerText()).toContain('材料图片不清晰');
    await expect.poll(() => staffReturn.getByTestId('timeline-materials').innerText()).toContain('近期二寸免冠彩色照片、机动车驾驶证');
    await expect.poll(() => handler.locator('[data-material="photo_2inch"] [data-testid="material-correction"]').getAttribute('data-correction')).toBe('replace');

    const phone = await newPage('driver', 'driver');
    await signIn(phone, server.url, ma);
    await phone.goto(`/my-office/${application.id}`);
    const box = phone.getByTestId('corrections');
    await expect.poll(() => box.innerText()).toContain('材料图片不清晰');
    await expect.poll(() => box.innerText()).toContain('个人信息填写有误');
    const listed = box.getByTestId('corrections-materials');
    await expect.poll(() => listed.innerText()).toContain('近期二寸免冠彩色照片');
    await expect.poll(() => listed.innerText()).toContain('机动车驾驶证');
    // Said once: the messages card does not repeat the return the box shows.
    await expect.poll(() => phone.locator('[data-section="messages"]').innerText()).not.toContain('二寸照片和驾驶证模糊');
    await expect.poll(() => phone.locator('[data-section="materials"] [data-testid="material-correction"]').count()).toBe(2);
    await expect.poll(() => phone.getByText('二寸照片和驾驶证模糊').count()).toBe(1);
    await screenshot(phone, 'staff-roundtrip-driver-returned', { fullPage: true });

    await phone.locator('[data-action="correct"]').click();
    // Flagged materials come first: the upload step, each flagged card marked.
    await phone.locator('[data-step="materials"]').waitFor();
    const card = (key: string) => phone.locator(`[data-step="materials"] [data-material="${key}"]`);
    for (const key of flagged) await expect.poll(() => card(key).getAttribute('data-correction')).toBe('replace');
    expect(await card('certificate_info_page').getAttribute('data-correction')).toBeNull();
    await screenshot(phone, 'staff-roundtrip-driver-marked', { fullPage: true });
    // Not replaced yet: the way on is blocked with the reason.
    await phone.getByTestId('next').click();
    await expect.poll(() => phone.locator('.van-toast__text').innerText()).toBe('还有 2 项材料需按补正要求重新上传');
    expect(new URL(phone.url()).searchParams.get('step')).toBe('materials');

    for (const [i, key] of flagged.entries()) {
      await card(key).locator('input[type="file"]').setInputFiles(await files.photo(77 + i));
      await expect.poll(() => card(key).getAttribute('data-correction'), { timeout: 20_000 }).toBe('replaced');
    }
    await expect.poll(() => phone.locator('[data-testid="corrections-materials"] [data-replaced="true"]').count()).toBe(2);
    await phone.getByTestId('next').click();
    await phone.locator('[data-section="materials"]').waitFor();
    await phone.getByTestId('submit').click();
    const confirm = phone.locator('.van-dialog:visible');
    await expect.poll(() => confirm.innerText()).toContain('确认重新提交');
    await confirm.locator('.van-dialog__confirm').click();
    await phone.getByTestId('submit-result').waitFor();
    await screenshot(phone, 'staff-roundtrip-driver-resubmitted');
    // The driver's history keeps what was asked for.
    await phone.goto(`/my-office/${application.id}`);
    await expect.poll(() => phone.locator('[data-timeline="return"] [data-testid="timeline-materials"]').innerText()).toContain('近期二寸免冠彩色照片、机动车驾驶证');

    await handler.goto(`/staff/queue?state=submitted&q=${application.reference}`);
    const row = handler.locator('[data-testid="queue-table"] .el-table__body tr').first();
    await expect.poll(() => row.innerText()).toContain(application.reference);
    await expect.poll(() => row.innerText()).toContain('待受理');
    await row.click();
    await expect.poll(() => handler.locator('[data-timeline="resubmit"]').count()).toBe(1);
    for (const key of flagged) {
      await expect.poll(() => handler.locator(`[data-material="${key}"] [data-testid="material-correction"]`).getAttribute('data-correction')).toBe('replaced');
    }
    await expect.poll(() => handler.locator('[data-timeline="return"] [data-testid="timeline-materials"]').innerText()).toContain('机动车驾驶证');
    await screenshot(handler, 'staff-roundtrip-back-in-queue', { fullPage: true });
    assertNoPageErrors();
  }, 120_000);

  it('a change made meanwhile answers "已被他人处理" with the fresh state', async () => {
    const application = await submitThroughApi(ma, files, { business: 'credit_assessment' }, { serviceCompany: '北京长途客运有限公司' });
    const handler = await staffPage('bj-handler');
    await openInQueue(handler, application);
    // The driver withdraws while the handler looks at it.
    expect((await ma.api('POST', `/applications/${application.id}/withdraw`)).status).toBe(200);
    await act(handler, 'accept');
    const box = handler.locator('.el-message-box');
    await expect.poll(() => box.innerText()).toContain('已被他人处理');
    await expect.poll(() => box.innerText()).toContain('已撤回');
    await screenshot(handler, 'staff-race');
    await box.getByRole('button', { name: '确定' }).click();
    await expect.poll(() => stateOf(handler)).toBe('已撤回');
    assertNoPageErrors();
  }, 60_000);

  it("another province's handler gets the not-found page for a Beijing application, after logging in from the link", async () => {
    const page = await newPage('staff', 'sh-handler');
    await page.goto(`/staff/applications/${credit.id}`);
    await page.waitForURL((url) => url.pathname === '/staff/login');
    await fillLogin(page, 'sh-handler');
    await page.waitForURL((url) => url.pathname === `/staff/applications/${credit.id}`);
    await page.getByTestId('application-not-found').waitFor();
    await expect.poll(() => page.getByTestId('application-not-found').innerText()).toContain('页面不存在');
    await expect.poll(() => page.getByTestId('staff-role').innerText()).toBe('受理人员 · 上海市');
    await screenshot(page, 'staff-other-province-404');
    assertNoPageErrors();
  }, 60_000);

  it('a province admin sees the SLA overview, edits a contact and a calendar override, and reads the audit log', async () => {
    const admin = await staffPage('bj-admin');
    await admin.getByTestId('sla-table').waitFor();
    await expect.poll(() => admin.getByTestId('sla-table').innerText()).toContain('北京');
    await screenshot(admin, 'staff-dashboard-admin', { fullPage: true });

    await admin.locator('[data-menu="stats"]').click();
    await admin.getByTestId('sla-totals').waitFor();
    await screenshot(admin, 'staff-sla');

    await admin.locator('[data-menu="settings"]').click();
    await admin.getByTestId('calendar-panel').waitFor();
    await expect.poll(() => admin.getByTestId('calendar-coverage').getAttribute('data-official')).toMatch(/true|false/);
    const year = new Date().getFullYear();
    const date = `${year}-12-24`;
    await admin.locator('[data-testid="calendar-add"] input[name="date"]').fill(date);
    await admin.locator('[data-testid="calendar-add"] input[name="date"]').press('Enter');
    await admin.locator('[data-testid="calendar-add"] [data-kind="holiday"]').click();
    await admin.locator('[data-testid="calendar-add"] input[name="note"]').fill('地方性假日');
    await admin.locator('[data-testid="calendar-add"] button[type="submit"]').click();
    await expect.poll(() => admin.getByTestId('calendar-overrides').innerText()).toContain(date);
    await expect.poll(() => admin.getByTestId('calendar-overrides').innerText()).toContain('地方性假日');
    await screenshot(admin, 'staff-settings-calendar');
    await admin.locator(`[data-delete-override="${date}"]`).click();
    await admin.locator('.el-message-box').getByRole('button', { name: '删除' }).click();
    await expect.poll(() => admin.getByTestId('calendar-overrides').innerText()).not.toContain(date);

    await admin.locator('[data-settings-tab="contacts"]').click();
    const contacts = admin.getByTestId('contacts-table');
    await contacts.waitFor();
    const firstRow = contacts.locator('.el-table__body tr').first();
    await expect.poll(() => firstRow.count()).toBe(1);
    await firstRow.locator('[data-contact-action="edit"]').click();
    const hours = admin.locator('[data-testid="contact-dialog"] input[name="hours"]');
    await hours.fill('工作日 9:00-17:30（周三延长至19:00）');
    await screenshot(admin, 'staff-settings-contact-edit');
    await admin.getByTestId('contact-save').click();
    await expect.poll(() => firstRow.innerText()).toContain('周三延长至19:00');
    const published = (await (await fetch(`${server.url}/api/v1/contacts?province=11`)).json()) as { contacts: { hours: string }[] };
    expect(published.contacts[0]?.hours).toBe('工作日 9:00-17:30（周三延长至19:00）');
    await screenshot(admin, 'staff-settings-contacts');

    await admin.locator('[data-settings-tab="materials"]').click();
    await admin.getByTestId('materials-panel').locator('.el-table').first().waitFor();
    await screenshot(admin, 'staff-settings-materials');
    await admin.locator('[data-settings-tab="staff"]').click();
    await expect.poll(() => admin.getByTestId('staff-table').innerText()).toContain('bj-handler');
    await screenshot(admin, 'staff-settings-accounts');

    await admin.locator('[data-menu="audit"]').click();
    const audit = admin.getByTestId('audit-table');
    await expect.poll(() => audit.innerText()).toContain('修改联系人');
    await expect.poll(() => audit.innerText()).toContain('bj-admin');
    await screenshot(admin, 'staff-audit');
    // The reviewer's voucher revocation (earlier in this file) can be found by its event.
    await admin.getByTestId('audit-event').click();
    await admin.locator('.el-select-dropdown__item', { hasText: '撤销考核凭证' }).click();
    await admin.locator('form button[type="submit"]').click();
    await expect.poll(() => audit.locator('[data-event="voucher.revoke"]').count()).toBeGreaterThan(0);
    await expect.poll(() => audit.innerText()).toContain('bj-reviewer');
    assertNoPageErrors();
  }, 120_000);

  it('the console reads in English: labels, answers and coded values come in the chosen language', async () => {
    const admin = await staffPage('bj-admin');
    await admin.goto('/staff/');
    await admin.locator('.language-switch button[lang="en"]').click();
    await expect.poll(() => admin.getByTestId('staff-role').innerText()).toContain('Province admin');
    await admin.getByTestId('sla-table').waitFor();
    await screenshot(admin, 'staff-en-dashboard', { fullPage: true });

    await admin.locator('[data-menu="queue"]').click();
    await admin.locator('[data-testid="queue-table"] .el-table__body tr').first().waitFor();
    await screenshot(admin, 'staff-en-queue');

    const openCompleted = async (application: Submitted) => {
      await admin.goto(`/staff/queue?state=completed&q=${application.reference}`);
      await admin.locator(`[data-reference="${application.reference}"]`).click();
      await admin.getByTestId('answers').waitFor();
    };
    await openCompleted(cancellation);
    const answers = admin.getByTestId('answers');
    await expect.poll(() => answers.innerText()).toContain('Categories to cancel');
    await expect.poll(() => admin.locator('[data-answer="categoriesToCancel"]').innerText()).toBe('Commercial road freight transport driver');
    await expect.poll(() => admin.locator('[data-answer="cancelReason"]').innerText()).toBe('At the holder’s request');
    await expect.poll(() => admin.locator('[data-answer="sex"]').innerText()).toBe('Male');
    await screenshot(admin, 'staff-en-application-cancellation', { fullPage: true });

    await openCompleted(replacement);
    await expect.poll(() => answers.innerText()).toContain('Mailing address');
    await expect.poll(() => admin.locator('[data-answer="quasiDrivingType"]').innerText()).toBe('A2 Heavy tractor-trailer');
    await expect.poll(() => admin.locator('[data-answer="delivery"]').innerText()).toBe('By post');
    await screenshot(admin, 'staff-en-application', { fullPage: true });

    await admin.locator('[data-menu="settings"]').click();
    await admin.getByTestId('calendar-panel').waitFor();
    await screenshot(admin, 'staff-en-settings-calendar', { fullPage: true });
    for (const tab of ['contacts', 'materials', 'staff']) {
      await admin.locator(`[data-settings-tab="${tab}"]`).click();
      await admin.getByTestId(`${tab === 'staff' ? 'staff-table' : tab === 'contacts' ? 'contacts-table' : 'materials-panel'}`).waitFor();
      await screenshot(admin, `staff-en-settings-${tab}`, { fullPage: true });
    }

    // Back in Chinese, the same answers read in Chinese again.
    await admin.locator('.language-switch button[lang="zh-CN"]').click();
    await openCompleted(replacement);
    await expect.poll(() => answers.innerText()).toContain('邮寄地址');
    await expect.poll(() => admin.locator('[data-answer="quasiDrivingType"]').innerText()).toBe('A2 重型牵引挂车');
    await expect.poll(() => admin.locator('[data-answer="delivery"]').innerText()).toBe('邮寄');
    assertNoPageErrors();
  }, 120_000);

  it('an idle or ended session sends the handler to the login with a message and the way back', async () => {
    const handler = await staffPage('bj-handler');
    await handler.goto('/staff/queue?state=completed');
    await handler.locator('[data-testid="queue-table"] .el-table__body tr').first().waitFor();
    await handler.context().clearCookies();
    await handler.getByRole('button', { name: '刷新' }).click();
    await handler.waitForURL((url) => url.pathname === '/staff/login');
    expect(new URL(handler.url()).searchParams.get('redirect')).toBe('/queue?state=completed');
    await expect.poll(() => handler.getByTestId('login-expired').innerText()).toContain('请重新登录');
    await screenshot(handler, 'staff-session-expired');
    assertNoPageErrors();
  }, 60_000);
});
