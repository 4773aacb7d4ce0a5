/**
 * The drivers' app on a mid-range phone: builds the web apps, serves them with the API on demo data
 * (in-memory database), and loads the home page, the login page and a business flow (a logged-in,
 * verified driver's 换证) cold in Chromium with the mid-phone profile (CPU ×4, 1.6 Mbps, 150 ms RTT).
 * Prints the bytes on the wire by kind, first contentful paint, the load event and when the page's
 * content was on screen. Targets: home ≤ 90 KB JS, business flow ≤ 160 KB JS, FCP ≤ 1.2 s, load ≤ 2 s.
 *
 *   rto bench --only web [--count N]   (N loads of each page, median reported; default 3)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentAgreementVersions } from '../../server/auth/agreements.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/client.ts';
import { seedDemoData } from '../../server/seed/demo.ts';
import { dataKeyFrom, generateDataKeyBytes } from '../../server/secrets/sealedBox.ts';
import { secretBox } from '../../server/secrets/secretBox.ts';
import { useFieldKeys } from '../../server/secrets/fieldCipher.ts';
import { kilobytes, measurePageLoad, type PageLoadReport } from './webLoad.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The demo's first driver: verified, with a certificate in its renewal window. */
const demoDriverPhone = '13800000001';

async function loginCookie(baseURL: string): Promise<{ name: string; value: string }> {
  const post = (url: string, body: unknown) =>
    fetch(`${baseURL}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const sent = await post('/api/v1/auth/sms-codes', { phone: demoDriverPhone });
  if (sent.status !== 202) throw new Error(`sms-codes answered ${sent.status}`);
  const outbox = (await (await fetch(`${baseURL}/api/v1/dev/sms-outbox?phone=${demoDriverPhone}`)).json()) as { messages: { code: string | null }[] };
  const code = outbox.messages[0]?.code;
  if (!code) throw new Error('no login code in the outbox');
  const session = await post('/api/v1/auth/sessions', { phone: demoDriverPhone, code, agreementVersion: currentAgreementVersions });
  if (session.status !== 201) throw new Error(`sessions answered ${session.status}`);
  const { token } = (await session.json()) as { token: string };
  return { name: 'rto_session', value: token };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export async function runWebBench(options: { count?: number; build?: boolean } = {}): Promise<void> {
  const count = Math.max(1, options.count ?? 3);
  if (options.build ?? true) {
    console.log('building the web apps…');
    const { build } = await import('vite');
    await build({ configFile: path.join(repoRoot, 'vite.config.ts'), logLevel: 'warn' });
  }
  const { chromium } = await import('playwright-core');
  const { buildApp } = await import('../../server/app.ts');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-web-bench-'));
  const database = await openDatabase({});
  await database.migrate();
  // One throwaway key for the seed and the app: personal data is sealed under it.
  const secrets = secretBox(dataKeyFrom(generateDataKeyBytes()));
  useFieldKeys(secrets.ring());
  await seedDemoData(database.db, secrets);
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const app = await buildApp({ config, db: database.db, secrets });
  const baseURL = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  try {
    const cookie = await loginCookie(baseURL);
    const pages: { name: string; path: string; ready: string; loggedIn: boolean; budgetJs?: number }[] = [
      { name: 'home', path: '/', ready: '[data-testid="business-tile"]', loggedIn: false, budgetJs: 90 * 1024 },
      { name: 'login', path: '/login', ready: 'input[type="tel"]', loggedIn: false },
      { name: 'business flow (换证, logged in)', path: '/business/renewal', ready: '.business-head__name', loggedIn: true, budgetJs: 160 * 1024 },
    ];
    console.log(`mid-phone profile: CPU ×4, 1.6 Mbps down, 150 ms RTT; cache off; median of ${count} cold loads`);
    for (const target of pages) {
      const runs: PageLoadReport[] = [];
      for (let i = 0; i < count; i++) {
        runs.push(await measurePageLoad(browser, baseURL, target.path, { cookies: target.loggedIn ? [cookie] : [], readySelector: target.ready }));
      }
      const last = runs.at(-1)!;
      const kinds = Object.entries(last.bodyBytes).filter(([, bytes]) => bytes > 0).map(([kind, bytes]) => `${kind} ${kilobytes(bytes)}`);
      const js = last.bodyBytes.script;
      const requests = last.resources.length;
      const headers = Object.values(last.bytes).reduce((a, b) => a + b, 0) - Object.values(last.bodyBytes).reduce((a, b) => a + b, 0);
      const budget = target.budgetJs === undefined ? '' : ` (budget ${kilobytes(target.budgetJs)}: ${js <= target.budgetJs ? 'met' : 'NOT met'})`;
      console.log(`\n${target.name} ${target.path}`);
      console.log(`  bodies on the wire: ${kinds.join(', ')}; JS ${kilobytes(js)}${budget}`);
      console.log(`  ${requests} requests, ${kilobytes(headers)} of response headers besides`);
      const uncompressed = last.resources.filter((r) => (r.kind === 'script' || r.kind === 'stylesheet') && r.transferBytes > 1500 && !r.encoding);
      if (uncompressed.length > 0) console.log(`  NOT compressed: ${uncompressed.map((r) => new URL(r.url).pathname).join(', ')}`);
      console.log(
        `  FCP ${seconds(median(runs.map((r) => r.firstContentfulPaintMs)))} (target ≤ 1.2 s), load ${seconds(median(runs.map((r) => r.loadMs)))} (target ≤ 2 s), ` +
          `content on screen ${seconds(median(runs.map((r) => r.readyMs)))}`,
      );
    }
  } finally {
    await browser.close();
    await app.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
