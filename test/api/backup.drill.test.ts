import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/server/db/client.ts';
import { applications, auditLog, materials, users, vouchers } from '../../src/server/db/schema.ts';
import { writeBackup } from '../../src/server/ops/backup.ts';
import { checkBackup, restoreBackup, RestoreRefused } from '../../src/server/ops/restore.ts';
import { checkDataKeyFingerprint } from '../../src/server/secrets/keyFingerprint.ts';
import { dataKeyFrom, generateDataKeyBytes } from '../../src/server/secrets/sealedBox.ts';
import { secretBox } from '../../src/server/secrets/secretBox.ts';
import { createFileStorage, type FileStorage } from '../../src/server/storage/index.ts';
import { Verifier } from '../../src/server/verify/verify.ts';
import { acceptedCreditAssessment, approveWithVoucher } from '../helpers/applications.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { testSecrets } from '../helpers/dataKey.ts';
import { freshDatabase } from '../helpers/db.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';

async function ids(db: DatabaseHandle['db']) {
  const [a, m, v, l] = await Promise.all([
    db.select({ id: applications.id }).from(applications),
    db.select({ id: materials.id, fileKey: materials.fileKey, sha256: materials.sha256 }).from(materials),
    db.select({ serial: vouchers.serial }).from(vouchers),
    db.select({ id: auditLog.id }).from(auditLog),
  ]);
  return {
    applications: new Set(a.map((r) => r.id)),
    materials: new Set(m.map((r) => r.id)),
    vouchers: new Set(v.map((r) => r.serial)),
    audit: new Set(l.map((r) => String(r.id))),
  };
}

describe('backup and restore drill', () => {
  let t: TestApp;
  let storage: FileStorage;
  let work: string;
  beforeAll(async () => {
    t = await createTestApp();
    storage = createFileStorage(t.config.storage);
    work = await mkdtemp(path.join(os.tmpdir(), 'rto-backup-drill-'));
    await checkDataKeyFingerprint(t.database.db, testSecrets);
  });
  afterAll(async () => {
    await t.close();
    await rm(work, { recursive: true, force: true });
  });

  /** A material as an upload leaves it: the file stored first, then the row pointing at it. */
  async function uploadMaterial(applicationId: string): Promise<void> {
    const data = randomBytes(2048);
    const fileKey = `applications/${applicationId}/materials/${randomUUID()}.jpg`;
    const thumbnailKey = fileKey.replace('.jpg', '-thumb.jpg');
    await storage.put(fileKey, data, 'image/jpeg');
    await storage.put(thumbnailKey, data.subarray(0, 256), 'image/jpeg');
    const sha256 = (await import('node:crypto')).createHash('sha256').update(data).digest('hex');
    await t.database.db.insert(materials).values({ applicationId, materialKey: `photo_${randomUUID().slice(0, 8)}`, fileKey, thumbnailKey, mime: 'image/jpeg', bytes: data.length, width: 10, height: 10, sha256 });
  }

  it('backs up a system under writes and restores every row and file of that instant elsewhere, the voucher still verifying', { timeout: 180_000 }, async () => {
    const now = t.clock.now();
    const [driver] = await t.database.db.select().from(users).where(userPhoneIs('13800000001'));
    const accepted = await acceptedCreditAssessment(t.database.db, driver!.id, now);
    const voucher = await approveWithVoucher(t.database.db, accepted, 'A', now);
    for (let i = 0; i < 3; i++) await uploadMaterial(accepted.id);

    // Writers go on during the backup: materials with their files, audit records.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await uploadMaterial(accepted.id);
        await t.database.db.insert(auditLog).values({ username: 'bj-handler', role: 'handler', provinceCode: '11', event: 'read_materials', targetKind: 'application', targetId: accepted.id });
        written++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = await ids(t.database.db);
    const out = path.join(work, 'backup');
    const phases = new Set<string>();
    const result = await writeBackup({ db: t.database.db, kind: t.database.kind, storage, outDir: out, progress: (phase) => phases.add(phase) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    writing = false;
    await writer;
    const after = await ids(t.database.db);
    expect(written).toBeGreaterThan(2);
    expect([...phases].sort()).toEqual(['database', 'files']);
    expect(result.manifest.missingFiles).toEqual([]);

    // Restored elsewhere: a new database, a new file store, the same data key.
    const target = await freshDatabase({ demo: false });
    try {
      const targetStorage = createFileStorage({ kind: 'local', root: path.join(work, 'restored-files') });
      await restoreBackup({ dir: out, db: target.db, storage: targetStorage, secrets: testSecrets });
      const restored = await ids(target.db);
      // Every row that existed when the backup began is there; nothing that did not exist by its end.
      for (const kind of ['applications', 'materials', 'vouchers', 'audit'] as const) {
        for (const id of before[kind]) expect(restored[kind].has(id), `${kind} ${id}`).toBe(true);
        for (const id of restored[kind]) expect(after[kind].has(id), `${kind} ${id}`).toBe(true);
      }
      // Every restored material's file is there, byte for byte.
      const rows = await target.db.select().from(materials);
      for (const row of rows) {
        const data = await targetStorage.get(row.fileKey);
        expect((await import('node:crypto')).createHash('sha256').update(data).digest('hex')).toBe(row.sha256);
        expect(await targetStorage.exists(row.thumbnailKey)).toBe(true);
      }
      // The voucher verifies against the restored system (its signing key restored, sealed with the same key).
      const verifier = new Verifier(target.db, { maxStatusAgeMs: 0 });
      const outcome = await verifier.verify(voucher.token, now, 'api');
      await verifier.close();
      expect(outcome.verdict).toBe('valid');
      // The kept state counts were rebuilt as the applications came in.
      const counts = (await target.db.execute(sql`select (select coalesce(sum(n), 0) from application_state_counts)::int as kept, (select count(*) from applications)::int as full`)) as unknown as { rows?: { kept: number; full: number }[] } | { kept: number; full: number }[];
      const [row] = Array.isArray(counts) ? counts : counts.rows!;
      expect(Number(row!.kept)).toBe(Number(row!.full));
      // A second restore into the now full database is refused.
      await expect(restoreBackup({ dir: out, db: target.db, storage: targetStorage, secrets: testSecrets })).rejects.toThrow(/not empty/);
      // New rows get new ids after the restored ones.
      await target.db.insert(auditLog).values({ username: 'sys-admin', role: 'admin', provinceCode: null, event: 'read_materials', targetKind: 'application', targetId: 'x' });
    } finally {
      await target.close();
    }
  });

  it('refuses a damaged file, a missing file and another data key before writing anything', async () => {
    const out = path.join(work, 'backup');
    await expect(checkBackup(out, testSecrets)).resolves.toMatchObject({ format: 'rto-backup/1' });
    const otherKey = secretBox(dataKeyFrom(generateDataKeyBytes()));
    await expect(checkBackup(out, otherKey)).rejects.toThrow(/RTO_DATA_KEY/);

    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as { checksums: Record<string, unknown> };
    const file = Object.keys(manifest.checksums).find((f) => f.startsWith('files/'))!;
    const original = await readFile(path.join(out, file));
    // One byte flipped (files are stored encrypted, so any fixed replacement could equal the original).
    const damaged = Buffer.from(original);
    damaged[10] = damaged[10]! ^ 0xff;
    await writeFile(path.join(out, file), damaged);
    const error = await checkBackup(out, testSecrets).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestoreRefused);
    expect((error as RestoreRefused).problems).toEqual([`${file}: checksum does not match the manifest (changed or damaged)`]);
    await rm(path.join(out, 'database', 'vouchers.jsonl'));
    const target = await freshDatabase({ demo: false });
    try {
      await expect(restoreBackup({ dir: out, db: target.db, storage, secrets: testSecrets })).rejects.toThrow(/vouchers\.jsonl: missing/);
      const [row] = await target.db.select({ n: sql<string>`count(*)` }).from(applications);
      expect(Number(row!.n)).toBe(0);
    } finally {
      await target.close();
    }
  });
});
