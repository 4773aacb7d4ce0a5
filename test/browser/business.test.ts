import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';
import { closeOpenApplications, type DriverSession, loginDemoDriver, signIn, submitAndConfirm, submitThroughApi, uploadFiles } from '../helpers/httpSession.ts';
import { formatDate } from '../../src/web/shared/dates.ts';

interface Detail {
  id: string;
  state: string;
  reference: string;
  acceptDeadline: string | null;
  personalInfo: Record<string, unknown>;
  materials: { key: string; uploaded: unknown }[];
}

browserSuite('business flows in the drivers’ app', () => {
  let server: { url: string; close(): Promise<void> };
  let wang: DriverSession;
  let liu: DriverSession;
  let ma: DriverSession;
  let files: Awaited<ReturnType<typeof uploadFiles>>;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
    // 王建国 (Beijing, eligible for everything), 刘洋 (Jiangsu, inside the renewal window) and 马超 (Beijing, renewal months away).
    wang = await loginDemoDriver(server.url, '13800000001');
    liu = await loginDemoDriver(server.url, '13800000004');
    ma = await loginDemoDriver(server.url, '13800000013');
    files = await uploadFiles();
  });
  afterAll(async () => {
    await server?.close();
  });
  // One open application per certificate and business: each flow starts from a clean slate.
  afterEach(async () => {
    await closeOpenApplications(wang);
    await closeOpenApplications(liu);
    await closeOpenApplications(ma);
  });

  const field = (page: Page, key: string) => page.locator(`[data-field="${key}"]`).locator('input, textarea').first();

  /** Notice → certificate → (answers) → materials → review → submit → result; returns the submitted application. */
  async function runFlow(
    page: Page,
    driver: DriverSession,
    flowPath: string,
    name: string,
    answer: (page: Page) => Promise<void>,
    atMaterials: (page: Page) => Promise<void> = async () => undefined,
  ): Promise<Detail> {
    await signIn(page, server.url, driver);
    await page.goto(flowPath);

    await page.locator('[data-step="notice"]').waitFor();
    await expect.poll(() => page.locator('.van-step--process').innerText()).toContain('办理须知');
    await screenshot(page, `${name}-1-notice`);
    await page.getByTestId('agree').click();

    await page.locator('[data-step="certificate"] [data-eligible="true"]').first().waitFor();
    await page.locator('[data-step="certificate"] [data-eligible="true"]').first().click();
    await screenshot(page, `${name}-2-certificate`);
    await page.getByTestId('next').click();

    await page.locator('[data-step="info"]').waitFor();
    await expect.poll(() => field(page, 'name').inputValue()).not.toBe('');
    expect(await field(page, 'name').isEditable()).toBe(false);
    await answer(page);
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
    await screenshot(page, `${name}-3-info`, { fullPage: true });
    await page.getByTestId('next').click();

    await page.locator('[data-step="materials"]').waitFor();
    const id = new URL(page.url()).searchParams.get('application')!;
    const required = page.locator('[data-step="materials"] [data-material]').filter({ has: page.locator('.material__tag', { hasText: '必传' }) });
    const keys = await required.evaluateAll((cards) => cards.map((card) => (card as HTMLElement).dataset.material!));
    expect(keys.length).toBeGreaterThan(0);
    await atMaterials(page);
    for (const [i, key] of keys.entries()) {
      const card = page.locator(`[data-material="${key}"]`);
      await card.locator('input[type="file"]').setInputFiles(await files.photo(i + 1));
      await expect.poll(() => card.getAttribute('data-uploaded'), { timeout: 15_000 }).toBe('true');
      await expect.poll(() => card.getByTestId('upload-success').innerText()).toContain('上传成功');
    }
    await screenshot(page, `${name}-4-materials`, { fullPage: true });
    await page.getByTestId('next').click();

    await page.locator('[data-section="info"]').waitFor();
    await screenshot(page, `${name}-5-review`, { fullPage: true });
    await page.getByTestId('submit').click();
    // [提交] asks first, naming what goes.
    const confirm = page.locator('.van-dialog:visible');
    await confirm.waitFor();
    await expect.poll(() => confirm.innerText()).toContain('确认提交');
    await screenshot(page, `${name}-5b-confirm`);
    await confirm.locator('.van-dialog__confirm').click();

    await page.getByTestId('submit-result').waitFor();
    const submitted = (await driver.api<Detail>('GET', `/applications/${id}`)).body;
    expect(submitted.state).toBe('submitted');
    await expect.poll(() => page.getByTestId('reference').innerText()).toBe(submitted.reference);
    await expect.poll(() => page.getByTestId('accept-deadline').innerText()).toBe(`将于 ${formatDate(submitted.acceptDeadline, 'zh-CN')} 前受理`);
    await screenshot(page, `${name}-6-result`);
    return submitted;
  }

  it('诚信考核: instructions, an eligible certificate, the prefilled service company, three materials, submitted', async () => {
    await withPage(
      'driver',
      async (page) => {
        const submitted = await runFlow(page, wang, '/business/credit_assessment', 'business-credit', async (p) => {
          await expect.poll(() => field(p, 'serviceCompany').inputValue()).toBe('北京顺通物流有限公司');
          await field(p, 'serviceCompany').fill('北京顺通物流有限公司第二车队');
        });
        expect(submitted.personalInfo.serviceCompany).toBe('北京顺通物流有限公司第二车队');
        expect(submitted.materials.every((m) => m.uploaded)).toBe(true);
        // Back from the result leads to the application, not to a flow step that can no longer change anything.
        await page.goBack();
        await page.waitForURL((url) => url.pathname === `/my-office/${submitted.id}`);
        await page.getByTestId('application-head').waitFor();
        expect(await page.getByText('该办件当前不能修改').count()).toBe(0);
        await screenshot(page, 'business-credit-7-back');
      },
      { baseURL: server.url, name: 'business-credit' },
    );
  });

  it('the demo driver 13800000001 can start all seven flows, and a reload keeps the step and the uploads', async () => {
    const flows = [
      { path: 'credit_assessment', name: '诚信考核' },
      { path: 'renewal', name: '换证' },
      { path: 'replacement', name: '补证' },
      { path: 'change/service_unit', name: '服务单位变更' },
      { path: 'change/certificate_info', name: '证件信息变更' },
      { path: 'cancellation', name: '部分注销', keep: true },
      { path: 'cancellation', name: '全部注销', keep: false },
    ];
    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, wang);
        for (const flow of flows) {
          await page.goto(`/business/${flow.path}?step=certificate`);
          const pick = page.locator('[data-step="certificate"] [data-eligible="true"]');
          await pick.first().waitFor();
          // Nothing is picked yet: the page says why 下一步 waits.
          await expect.poll(() => page.getByTestId('next-hint').innerText()).toBe('请先选择一张可以办理的证件');
          expect(await page.getByTestId('next').isDisabled()).toBe(true);
          await pick.first().click();
          await expect.poll(() => pick.first().getAttribute('aria-checked')).toBe('true');
          await expect.poll(() => page.getByTestId('next-hint').count()).toBe(0);
          await page.getByTestId('next').click();
          await page.locator('[data-step="info"]').waitFor();
          await screenshot(page, `business-seven-${flow.path.replace('/', '-')}${flow.keep === undefined ? '' : flow.keep ? '-partial' : '-full'}`);
          if (flow.keep !== undefined) {
            const boxes = page.locator('[data-field="categoriesToCancel"] .van-checkbox');
            await boxes.nth(1).click();
            if (!flow.keep) await boxes.nth(0).click();
            await page.locator('[data-field="cancelReason"] .van-radio', { hasText: '持证人申请注销' }).click();
            await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
            await page.getByTestId('next').click();
            await page.locator('[data-step="materials"]').waitFor();
            const infoPage = page.locator('[data-step="materials"] [data-material="certificate_info_page"]');
            if (flow.keep) {
              // Keeping a category asks for the certificate pages; a reload keeps the step and what was uploaded.
              await expect.poll(() => infoPage.locator('.material__tag').innerText()).toBe('必传');
              await infoPage.locator('input[type="file"]').setInputFiles(await files.photo(41));
              await expect.poll(() => infoPage.getAttribute('data-uploaded'), { timeout: 15_000 }).toBe('true');
              await page.reload();
              await page.locator('[data-step="materials"]').waitFor();
              await expect.poll(() => page.locator('[data-step="materials"] [data-material="certificate_info_page"]').getAttribute('data-uploaded')).toBe('true');
            } else {
              await expect.poll(() => infoPage.count()).toBe(0);
            }
          }
          await closeOpenApplications(wang);
        }
      },
      { baseURL: server.url, name: 'business-seven-flows' },
    );
  });

  it('a certificate with an open application of the same business is marked before it is picked', async () => {
    const open = await submitThroughApi(wang, files, { business: 'credit_assessment' }, { serviceCompany: '个体' });
    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, wang);
        await page.goto('/business/credit_assessment?step=certificate');
        const marked = page.getByTestId('open-application');
        await marked.waitFor();
        await expect.poll(() => marked.innerText()).toContain(open.reference);
        expect(await page.locator('[data-step="certificate"] [data-eligible="true"]').count()).toBe(0);
        await screenshot(page, 'business-open-marked');
        await page.getByTestId('open-application-link').click();
        await page.waitForURL((url) => url.pathname === `/my-office/${open.id}`);
      },
      { baseURL: server.url, name: 'business-open-marked' },
    );
  });

  it('补证 with self-collection: the licence class comes from the picker, every field is checked with the shared schema', async () => {
    await withPage(
      'driver',
      async (page) => {
        const submitted = await runFlow(page, wang, '/business/replacement', 'business-replacement', async (p) => {
          // A wrong phone number is refused on the spot with the schema's own message, and not saved.
          await field(p, 'contactPhone').fill('12345');
          await expect.poll(() => p.locator('[data-field="contactPhone"] .van-field__error-message').innerText()).toBe('联系电话格式不正确，应为11位手机号码');
          await field(p, 'contactPhone').fill('13900001111');
          await expect.poll(() => p.locator('[data-field="contactPhone"] .van-field__error-message').count()).toBe(0);
          await p.locator('[data-field="quasiDrivingType"]').click();
          await p.locator('.van-picker__confirm').click();
          await expect.poll(() => field(p, 'quasiDrivingType').inputValue()).toContain('A2');
          await field(p, 'reason').fill('证件遗失');
          await p.locator('[data-field="delivery"] .van-radio', { hasText: '自取' }).click();
        });
        expect(submitted.personalInfo).toMatchObject({ reason: '证件遗失', delivery: 'self_collect', contactPhone: '13900001111', quasiDrivingType: 'A2' });
      },
      { baseURL: server.url, name: 'business-replacement' },
    );
  });

  it('变更 opened without a variant asks which change first; 服务单位变更 goes through', async () => {
    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, wang);
        await page.goto('/business/change');
        await page.locator('[data-variant="service_unit"]').waitFor();
        await screenshot(page, 'business-change-0-variant');
        await page.locator('[data-variant="service_unit"]').click();
        await page.waitForURL((url) => url.pathname === '/business/change/service_unit');

        const submitted = await runFlow(page, wang, '/business/change/service_unit', 'business-change-unit', async (p) => {
          await field(p, 'workUnit').fill('北京新运物流有限公司');
          await field(p, 'unitPhone').fill('010-65551234');
          await field(p, 'reason').fill('更换工作单位');
        });
        expect(submitted.personalInfo).toMatchObject({ workUnit: '北京新运物流有限公司', unitPhone: '010-65551234' });
      },
      { baseURL: server.url, name: 'business-change-unit' },
    );
  });

  it('变更-证件信息 with mailing: the address becomes the mailing address and is required', async () => {
    await withPage(
      'driver',
      async (page) => {
        const submitted = await runFlow(page, wang, '/business/change/certificate_info', 'business-change-info', async (p) => {
          await field(p, 'unitPhone').fill('010-65551234');
          await field(p, 'reason').fill('准驾车型变化');
          await p.locator('[data-field="delivery"] .van-radio', { hasText: '邮寄' }).click();
          await expect.poll(() => p.locator('[data-field="address"] .van-field__label').innerText()).toContain('邮寄地址');
          await field(p, 'address').fill('北京市朝阳区建国路99号');
        });
        expect(submitted.personalInfo).toMatchObject({ delivery: 'mail', address: '北京市朝阳区建国路99号' });
      },
      { baseURL: server.url, name: 'business-change-info' },
    );
  });

  it('注销 of every category needs no certificate pages and does not list them; the holder cannot give a death', async () => {
    await withPage(
      'driver',
      async (page) => {
        const submitted = await runFlow(page, wang, '/business/cancellation', 'business-cancellation', async (p) => {
          const boxes = p.locator('[data-field="categoriesToCancel"] .van-checkbox');
          await expect.poll(() => boxes.count()).toBe(2);
          await boxes.nth(0).click();
          await boxes.nth(1).click();
          // A death is reported by others; staff cancel for it.
          await expect.poll(() => p.locator('[data-field="cancelReason"] .van-radio').allInnerTexts()).not.toContain('持证人死亡');
          await p.locator('[data-field="cancelReason"] .van-radio', { hasText: '持证人申请注销' }).click();
        }, async (p) => {
          // Pages needed only when some category is kept are not listed for a full cancellation.
          await expect.poll(() => p.locator('[data-step="materials"] [data-material="certificate_info_page"]').count()).toBe(0);
          await expect.poll(() => p.locator('[data-step="materials"] [data-material="certificate_violation_page"]').count()).toBe(0);
        });
        expect(submitted.personalInfo).toMatchObject({ categoriesToCancel: ['freight_driver', 'passenger_driver'], cancelReason: 'holder_request' });
        expect(submitted.materials.filter((m) => m.uploaded).map((m) => m.key)).toEqual(['id_card_front', 'id_card_back', 'photo_2inch_white']);
      },
      { baseURL: server.url, name: 'business-cancellation' },
    );
  }, 120_000);

  it('换证 for a driver inside the renewal window; a certificate outside it is greyed with the reason', async () => {
    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, ma);
        await page.goto('/business/renewal?step=certificate');
        const greyed = page.locator('[data-step="certificate"] [data-eligible="false"]').first();
        await greyed.waitFor();
        await expect.poll(() => greyed.getByTestId('ineligible-reason').innerText()).toContain('有效期届满前30日内方可申请换证');
        expect(await greyed.isDisabled()).toBe(true);
        await screenshot(page, 'business-renewal-greyed');
      },
      { baseURL: server.url, name: 'business-renewal-greyed' },
    );
    await withPage(
      'driver',
      async (page) => {
        const submitted = await runFlow(page, liu, '/business/renewal', 'business-renewal', async (p) => {
          await field(p, 'reason').fill('证件即将到期');
        });
        expect(submitted.personalInfo).toMatchObject({ name: '刘洋', reason: '证件即将到期', quasiDrivingType: 'B2' });
      },
      { baseURL: server.url, name: 'business-renewal' },
    );
  });

  it('a draft survives leaving: reopening the business offers to continue it, or to delete it and start again', async () => {
    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, wang);
        await page.goto('/business/credit_assessment?step=certificate');
        await page.locator('[data-eligible="true"]').first().click();
        await page.getByTestId('next').click();
        await page.locator('[data-step="info"]').waitFor();
        const draftId = new URL(page.url()).searchParams.get('application')!;
        await field(page, 'serviceCompany').fill('个体');
        await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state')).toBe('saved');

        // The app is closed and opened again.
        await page.goto('/');
        await page.goto('/business/credit_assessment');
        const dialog = page.locator('.van-dialog');
        await expect.poll(() => dialog.locator('.van-dialog__header').innerText()).toBe('你有未完成的草稿，继续填写？');
        await screenshot(page, 'business-draft-dialog');
        await dialog.getByRole('button', { name: '继续填写' }).click();
        await page.locator('[data-step="info"]').waitFor();
        expect(new URL(page.url()).searchParams.get('application')).toBe(draftId);
        await expect.poll(() => field(page, 'serviceCompany').inputValue()).toBe('个体');

        await page.goto('/business/credit_assessment');
        await expect.poll(() => dialog.locator('.van-dialog__header').innerText()).toBe('你有未完成的草稿，继续填写？');
        await dialog.getByRole('button', { name: '删除草稿，重新开始' }).click();
        await expect.poll(async () => (await wang.api('GET', `/applications/${draftId}`)).status).toBe(404);
        await page.locator('[data-step="notice"]').waitFor();
      },
      { baseURL: server.url, name: 'business-draft' },
    );
  });

  it('a PDF renamed .jpg is refused with the server’s message, a .pdf before it is sent; warnings do not block', async () => {
    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, wang);
        const created = await wang.api<Detail>('POST', '/applications', {
          business: 'credit_assessment',
          certificateId: ((await wang.api<{ certificates: { id: string }[] }>('GET', '/me/certificates')).body.certificates[0]!.id),
        });
        expect(created.status).toBe(201);
        await page.goto(`/business/credit_assessment?step=materials&application=${created.body.id}`);
        const card = page.locator('[data-material="education_record"]');
        await card.waitFor();

        const server415 = await fetch(`${server.url}/api/v1/applications/${created.body.id}/materials/education_record`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${wang.token}`, 'accept-language': 'zh-CN' },
          body: (() => {
            const form = new FormData();
            form.append('file', new Blob([Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF')], { type: 'image/jpeg' }), 'scan.jpg');
            return form;
          })(),
        });
        const { error } = (await server415.json()) as { error: { code: string; message: string } };
        expect(error.code).toBe('UPLOAD_UNSUPPORTED_TYPE');

        // Every upload the page sends, to tell what the browser refused without asking the server.
        const uploadsSent: string[] = [];
        page.on('request', (request) => {
          if (request.method() === 'PUT' && new URL(request.url()).pathname.includes('/materials/')) uploadsSent.push(request.url());
        });
        await card.locator('input[type="file"]').setInputFiles(files.fakeJpeg);
        const shown = card.getByTestId('upload-error');
        await expect.poll(() => shown.getAttribute('data-code')).toBe('UPLOAD_UNSUPPORTED_TYPE');
        await expect.poll(() => shown.innerText()).toContain(error.message);
        expect(await card.getAttribute('data-uploaded')).toBe('false');
        await screenshot(page, 'business-upload-refused');

        // Refused in the browser already: same words, nothing sent.
        await card.locator('input[type="file"]').setInputFiles(files.pdf);
        await expect.poll(() => shown.innerText()).toContain(error.message);

        // A small picture is stored, with a warning to consider a sharper one.
        await card.locator('input[type="file"]').setInputFiles(await files.photo(9, 420));
        await expect.poll(() => card.getAttribute('data-uploaded')).toBe('true');
        // Two uploads reached the server: the disguised PDF (refused there) and this picture; the .pdf never left the phone.
        expect(uploadsSent).toHaveLength(2);
        expect(await card.getByTestId('upload-error').count()).toBe(0);
        await expect.poll(() => card.getByTestId('upload-warning').innerText()).toContain('图片分辨率较低');
        await screenshot(page, 'business-upload-warning');

        // Deleting asks first, then the slot is empty again.
        await card.locator('.material__actions button', { hasText: '删除' }).click();
        await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click();
        await expect.poll(() => card.getAttribute('data-uploaded')).toBe('false');
        await card.locator('input[type="file"]').setInputFiles(await files.photo(10));
        await expect.poll(() => card.getAttribute('data-uploaded')).toBe('true');

        // Going on with materials missing says how many, and stays.
        await page.getByTestId('next').click();
        await expect.poll(() => page.locator('.van-toast__text').innerText()).toBe('还有 2 项必传材料未上传');
        expect(new URL(page.url()).searchParams.get('step')).toBe('materials');
      },
      { baseURL: server.url, name: 'business-upload-refused' },
    );
  });

  it('a guest reads the instructions and is sent to log in, and back, when choosing a certificate', async () => {
    await withPage(
      'driver',
      async (page) => {
        await page.goto('/business/replacement');
        await page.locator('[data-step="notice"]').waitFor();
        await page.getByTestId('agree').click();
        await page.waitForURL((url) => url.pathname === '/login');
        expect(new URL(page.url()).searchParams.get('redirect')).toBe('/business/replacement?step=certificate');
      },
      { baseURL: server.url, name: 'business-guest' },
    );
  });

  it('speaks English: steps, fields and the schema’s checks', async () => {
    await withPage(
      'driver',
      async (page) => {
        await page.addInitScript(() => localStorage.setItem('rto.locale', 'en'));
        await signIn(page, server.url, wang);
        await page.goto('/business/change/certificate_info?step=certificate');
        await page.locator('[data-eligible="true"]').first().click();
        await page.getByTestId('next').click();
        await page.locator('[data-step="info"]').waitFor();
        await expect.poll(() => page.locator('.van-step--process').innerText()).toBe('Details');
        await field(page, 'contactPhone').fill('12345');
        await expect.poll(() => page.locator('[data-field="contactPhone"] .van-field__error-message').innerText()).toBe(
          'The contact phone number is not valid: enter an 11-digit mobile number',
        );
        await expect.poll(() => page.locator('[data-field="contactPhone"] .van-field__label').innerText()).toContain('Contact phone');
        await page.getByTestId('next').click();
        // Nothing goes on while answers are missing: each says what it needs.
        await expect.poll(() => page.locator('[data-field="unitPhone"] .van-field__error-message').innerText()).toBe("Enter the unit's phone number");
        expect(new URL(page.url()).searchParams.get('step')).toBe('info');
        await screenshot(page, 'business-info-en', { fullPage: true });
      },
      { baseURL: server.url, name: 'business-en' },
    );
  });

  it('a submit whose answer is lost is retried with the same Idempotency-Key and gives one application', async () => {
    const draft = await submitThroughApi(wang, files, { business: 'credit_assessment' }, { serviceCompany: '个体' }, { submit: false });
    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, wang);
        const keys: string[] = [];
        let dropped = false;
        await page.route(`**/api/v1/applications/${draft.id}/submit`, async (route) => {
          keys.push(route.request().headers()['idempotency-key'] ?? '');
          if (dropped) return route.continue();
          // The server takes the submission but the phone never hears back.
          dropped = true;
          await route.fetch();
          return route.abort('connectionreset');
        });
        await page.goto(`/business/credit_assessment?step=review&application=${draft.id}`);
        await submitAndConfirm(page);
        await expect.poll(() => page.locator('.van-toast__text').innerText()).toBe('网络连接失败，请检查网络后重试');
        expect(new URL(page.url()).searchParams.get('step')).toBe('review');
        await submitAndConfirm(page);
        await page.getByTestId('submit-result').waitFor();
        expect(keys).toHaveLength(2);
        expect(keys[0]).toMatch(/^submit-/);
        expect(keys[1]).toBe(keys[0]);
        const submitted = (await wang.api<{ state: string; timeline: { action: string }[] }>('GET', `/applications/${draft.id}`)).body;
        expect(submitted.state).toBe('submitted');
        expect(submitted.timeline.map((entry) => entry.action)).toEqual(['submit']);
      },
      { baseURL: server.url, name: 'business-submit-retry' },
    );
  });
});
