import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByPhone } from '../../src/server/auth/accounts.ts';
import { SEALED_TABLES } from '../../src/server/db/sealedColumns.ts';
import { certificatesOfHolder } from '../../src/server/registry/certificates.ts';
import { fieldKeys, useFieldKeys } from '../../src/server/secrets/fieldCipher.ts';
import { fileKeyId } from '../../src/server/secrets/fileCipher.ts';
import { fingerprintOf } from '../../src/server/secrets/keyFingerprint.ts';
import { keyRing } from '../../src/server/secrets/keyRing.ts';
import { countStaleRows, resealAll, sealPlaintextFromBefore } from '../../src/server/secrets/reseal.ts';
import { dataKeyFrom, generateDataKeyBytes } from '../../src/server/secrets/sealedBox.ts';
import { secretBox } from '../../src/server/secrets/secretBox.ts';
import { EncryptedFileStorage, LocalFileStorage } from '../../src/server/storage/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { TEST_DATA_KEY_HEX } from '../helpers/dataKey.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { staffLogin, type StaffLogin } from '../helpers/staffLogin.ts';
import { queryRows } from '../../src/server/db/rows.ts';

const WANG = '13800000001';
const WANG_ID = '110105198503120012';
const oldKey = dataKeyFrom(Buffer.from(TEST_DATA_KEY_HEX, 'hex'));
const newKeyBytes = generateDataKeyBytes();
const newKey = dataKeyFrom(newKeyBytes);

/**
 * A data-key rotation on a running system: every instance holds the new key and the previous one, the
 * reseal moves everything over while drivers and staff keep reading, then the previous key can go.
 */
describe('rto keys reseal', () => {
  let t: TestApp;
  let root: string;
  let files: EncryptedFileStorage;
  let raw: LocalFileStorage;
  let wang: DriverLogin;
  let handler: StaffLogin;
  const fileKeys = Array.from({ length: 12 }, (_, i) => `identity/demo/photo-${i}.jpg`);
  let jpeg: Buffer;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'rto-reseal-'));
    raw = new LocalFileStorage(root);
    // The files stored before the rotation, under the old key.
    jpeg = await sharp({ create: { width: 80, height: 50, channels: 3, background: '#888' } }).jpeg().toBuffer();
    const before = new EncryptedFileStorage(raw, () => keyRing(oldKey));
    for (const key of fileKeys) await before.put(key, jpeg, 'image/jpeg');
    // The instance restarted with the new key, keeping the old one for opening.
    t = await createTestApp({ env: { RTO_DATA_KEY: newKeyBytes.toString('hex'), RTO_DATA_KEY_PREVIOUS: TEST_DATA_KEY_HEX }, adapters: { storage: new EncryptedFileStorage(raw, fieldKeys) } });
    files = new EncryptedFileStorage(raw, fieldKeys);
    await t.database.db.execute(sql`insert into data_key_fingerprint (id, fingerprint) values (1, ${fingerprintOf(secretBox(oldKey))}) on conflict (id) do update set fingerprint = excluded.fingerprint`);
    wang = await loginDriver(t.app, WANG);
    handler = await staffLogin(t, 'bj-handler');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rm(root, { recursive: true, force: true });
  });

  const secrets = () => secretBox(keyRing(newKey, [oldKey]));

  it('starts with the demo data under the old key and the new logins under the new one', async () => {
    expect(fieldKeys().current.id).toBe(newKey.id);
    const stale = await countStaleRows(t.database.db, fieldKeys());
    expect(stale).toBeGreaterThan(10);
    const [phone] = await queryRows<{ phone: string }>(t.database.db, sql`select phone from sms_codes order by created_at desc limit 1`);
    expect(phone!.phone.startsWith(`s1:${newKey.id}:`)).toBe(true);
  });

  it('is resumable: an interrupted run leaves readable data, the next run finishes it', async () => {
    let seen = 0;
    await expect(
      resealAll(t.database.db, secrets(), {
        onProgress: ({ done }) => {
          seen = done;
          if (done >= 5) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(seen).toBe(5);
    expect((await findUserByPhone(t.database.db, WANG))?.name).toBe('王建国');
  });

  it('moves everything to the new key under load, with no failed read, and counts what it did', async () => {
    let reads = 0;
    const failures: string[] = [];
    let running = true;
    const reader = (async () => {
      let turn = 0;
      while (running) {
        turn += 1;
        const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: wang.headers });
        const certificates = await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: wang.headers });
        const queue = await t.app.inject({ method: 'GET', url: '/api/v1/staff/applications?limit=20', headers: handler.headers });
        if (me.statusCode !== 200 || me.json().identity?.idNumberMasked === undefined) failures.push(`me ${me.statusCode} ${me.body.slice(0, 200)}`);
        if (certificates.statusCode !== 200 || certificates.json().certificates.length === 0) failures.push(`certificates ${certificates.statusCode} ${certificates.body.slice(0, 200)}`);
        if (queue.statusCode !== 200) failures.push(`queue ${queue.statusCode} ${queue.body.slice(0, 200)}`);
        try {
          if (!(await files.get(fileKeys[turn % fileKeys.length]!)).equals(jpeg)) failures.push('file differs');
        } catch (error) {
          failures.push(`file ${String(error)}`);
        }
        reads += 4;
        // A writer too: a new account signs up during the reseal.
        if (turn === 3) await loginDriver(t.app, '13900000077');
      }
    })();
    const progress: number[] = [];
    const counts = await resealAll(t.database.db, secrets(), { files, onProgress: ({ phase, done }) => phase === 'rows' && progress.push(done) });
    // Let the reader run past the end as well, on the new key alone.
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await reader;

    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(8);
    expect(counts.rows).toBeGreaterThan(10);
    expect(counts.values).toBeGreaterThan(counts.rows);
    expect(counts.secrets).toBeGreaterThanOrEqual(5);
    expect(counts.files).toEqual({ resealed: fileKeys.length, encrypted: 0, current: 0 });
    // The bar starts at 0 and moves one row at a time to the total.
    expect(progress.at(-1)).toBe(progress.length - 1);

    // Every sealed value now carries the new key's id.
    for (const table of SEALED_TABLES) {
      for (const column of table.columns) {
        const rows = await queryRows<{ n: number }>(t.database.db, sql.raw(`select count(*)::int as n from ${table.table} where ${column} is not null and ${column} not like 's1:${newKey.id}:%'`));
        expect({ table: table.table, column, left: rows[0]!.n }).toEqual({ table: table.table, column, left: 0 });
      }
    }
    for (const key of fileKeys) expect(fileKeyId(await raw.get(key))).toBe(newKey.id);
    const fingerprint = await queryRows<{ fingerprint: string }>(t.database.db, sql`select fingerprint from data_key_fingerprint`);
    expect(fingerprint[0]!.fingerprint).toBe(fingerprintOf(secretBox(newKey)));
  });

  it('is idempotent, and afterwards the new key alone opens everything: the registry is still found by ID number', async () => {
    const again = await resealAll(t.database.db, secrets(), { files });
    expect(again).toEqual({ rows: 0, values: 0, secrets: 0, files: { resealed: 0, encrypted: 0, current: fileKeys.length } });
    const previous = fieldKeys();
    useFieldKeys(keyRing(newKey));
    try {
      const found = await certificatesOfHolder(t.database.db, WANG_ID);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((certificate) => certificate.holderName === '王建国')).toBe(true);
      expect((await findUserByPhone(t.database.db, WANG))?.idNumber).toBe(WANG_ID);
      expect((await files.get(fileKeys[0]!)).equals(jpeg)).toBe(true);
      const queue = await t.app.inject({ method: 'GET', url: `/api/v1/staff/applications?q=${WANG_ID.slice(-4)}`, headers: handler.headers });
      expect(queue.statusCode).toBe(200);
    } finally {
      useFieldKeys(previous);
    }
  });
});

describe('the first start after upgrading a database with plaintext personal data', () => {
  let t: TestApp;
  let root: string;
  afterAll(async () => {
    await t?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('seals the rows and files from before, which are then found by phone and ID number as before', async () => {
    t = await createTestApp();
    root = await mkdtemp(path.join(os.tmpdir(), 'rto-upgrade-'));
    const raw = new LocalFileStorage(root);
    const db = t.database.db;
    // What migration 0009 leaves of a database from before: plaintext values, no blind indexes.
    await db.execute(sql`alter table users drop constraint users_phone_index_present`);
    await db.execute(sql`alter table certificates drop constraint certificates_number_index_present, drop constraint certificates_holder_id_number_index_present`);
    await db.execute(sql`insert into users (phone, id_number, name, birth_date, address, verified_at, province_code)
      values ('13700000042', '11010219800101002X', '赵小红', '1980-01-01', '北京市西城区金融街1号', now(), '11')`);
    await db.execute(sql`insert into certificates (number, holder_id_number, holder_name, sex, birth_date, address, issuing_authority_code, province_code)
      values ('11010219800101002X', '11010219800101002X', '赵小红', 'F', '1980-01-01', '北京市西城区金融街1号', '110000', '11')`);
    await db.execute(sql`update data_sealing set completed_at = null`);
    const jpeg = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#00f' } }).jpeg().toBuffer();
    await raw.put('identity/legacy/photo.jpg', jpeg, 'image/jpeg');

    const files = new EncryptedFileStorage(raw, fieldKeys);
    const counts = await sealPlaintextFromBefore(db, t.secrets, files);
    expect(counts).toMatchObject({ rows: 2, files: { encrypted: 1 } });
    // Done once: the next start has nothing to do.
    expect(await sealPlaintextFromBefore(db, t.secrets, files)).toBeUndefined();

    const rows = await queryRows<Record<string, string>>(db, sql`select phone, id_number, name from users where phone_index is not null and name like 's1:%' order by created_at desc limit 1`);
    expect(JSON.stringify(rows)).not.toMatch(/13700000042|赵小红/);
    const user = await findUserByPhone(db, '13700000042');
    expect(user).toMatchObject({ name: '赵小红', idNumber: '11010219800101002X', birthDate: '1980-01-01' });
    expect((await certificatesOfHolder(db, '11010219800101002x')).map((c) => c.holderName)).toEqual(['赵小红']);
    expect((await raw.get('identity/legacy/photo.jpg')).subarray(0, 4).toString('latin1')).toBe('RTOF');
    expect((await files.get('identity/legacy/photo.jpg')).equals(jpeg)).toBe(true);
  });
});
