import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/rto.mjs');

/** The operator's side: the commands, their messages and exit codes (0 all imported, 1 rows refused, 2 file refused). */
describe('rto registry and rto exchange', () => {
  let dataDir: string;
  const rto = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'development' }, encoding: 'utf8', timeout: 180_000 });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-registry-cli-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the template; it imports (exit 0), again changing nothing, and a dry run writes nothing', async () => {
    expect(rto('seed').status).toBe(0);
    const template = rto('registry', 'template');
    expect(template.status).toBe(0);
    const lines = template.stdout.trim().split('\n');
    expect(lines[0]).toBe('证号,姓名,身份证号,性别,出生日期,准驾车型,从业资格类别,初领日期,有效期起,有效期止,发证机关代码,服务单位,状态,注销原因,档案号');
    expect(lines).toHaveLength(3);
    const file = path.join(dataDir, 'template.csv');
    await writeFile(file, template.stdout);

    const dry = rto('registry', 'import', file, '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/试运行.*2 行：新增 2/);
    const first = rto('registry', 'import', file, '--province', '11');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/2 rows: 2 new, 0 updated, 0 unchanged, 0 refused/);
    const again = rto('registry', 'import', file);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/nothing changed/);

    const out = path.join(dataDir, 'beijing.xlsx');
    const exported = rto('registry', 'export', '--province', '11', '--out', out);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/Exported \d+ rows/);
  }, 240_000);

  it('exit 1 when rows were refused (report beside the file), 2 when the file itself is refused', async () => {
    const template = rto('registry', 'template').stdout.trim().split('\n');
    const bad = path.join(dataDir, 'bad.csv');
    await writeFile(bad, [template[0], template[1]!.replace(',男,', ',女,')].join('\n'));
    const refused = rto('registry', 'import', bad);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain(path.join(dataDir, 'bad.refused.csv'));
    expect(await readFile(path.join(dataDir, 'bad.refused.csv'), 'utf8')).toContain('SEX_MISMATCH');

    const header = path.join(dataDir, 'header.csv');
    await writeFile(header, '证号,姓名\n1,2\n');
    const wrong = rto('registry', 'import', header);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/表头缺少“身份证号”列/);
    expect(rto('registry', 'import', path.join(dataDir, 'registry.ods')).status).toBe(2);
  }, 240_000);

  it('adds a partner (key printed once), lists it without the key, revokes it', () => {
    const added = rto('exchange', 'partners', 'add', '部级系统', '--provinces', '11,31');
    expect(added.status, added.stderr).toBe(0);
    const key = added.stdout.trim();
    expect(key).toMatch(/^rtox_[A-Za-z0-9_-]{43}$/);
    expect(added.stderr).toMatch(/shown this once/);
    const list = rto('exchange', 'partners', 'list');
    expect(list.stdout).toMatch(/部级系统 .*provinces 11,31 .*active .*last pull never/);
    expect(list.stdout).not.toContain(key);
    expect(rto('exchange', 'partners', 'add', 'x', '--provinces', '99').status).toBe(2);
    expect(rto('exchange', 'partners', 'revoke', '部级系统').status).toBe(0);
    expect(rto('exchange', 'partners', 'list').stdout).toMatch(/REVOKED/);
  }, 240_000);
});
