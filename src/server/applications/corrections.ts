/**
 * The materials a return for correction flags (一次性告知): staff tick the pictures to upload again;
 * the driver must replace each of them before resubmitting. A material counts as replaced when the
 * picture stored now is not the one staff saw when they returned the application (re-uploading the same
 * bytes fixes nothing). The return's log entry keeps the flagged keys and the pictures' digests.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Localized } from '../../domain/errors.ts';
import type { Executor } from '../db/client.ts';
import { applicationActions, materials } from '../db/schema.ts';
import type { ApplicationRow } from './transitions.ts';

type ActionRow = typeof applicationActions.$inferSelect;
type MaterialRow = typeof materials.$inferSelect;

export interface FlaggedMaterial {
  key: string;
  name: Localized;
  replaced: boolean;
}

/** The payload a return records for the materials it flags. */
export function returnMaterialsPayload(keys: readonly string[], uploaded: readonly Pick<MaterialRow, 'materialKey' | 'sha256'>[]): Record<string, unknown> {
  if (keys.length === 0) return {};
  const files: Record<string, string | null> = {};
  for (const key of keys) files[key] = uploaded.find((row) => row.materialKey === key)?.sha256 ?? null;
  return { materialKeys: [...keys], flaggedFiles: files };
}

/** The keys a logged action flagged (empty for other actions). */
export function flaggedKeysOf(entry: Pick<ActionRow, 'payload'>): string[] {
  const keys = entry.payload.materialKeys;
  return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === 'string') : [];
}

/** The return that the application is waiting to be corrected for, when it is returned. */
export async function pendingReturn(db: Executor, application: Pick<ApplicationRow, 'id' | 'state'>): Promise<ActionRow | undefined> {
  if (application.state !== 'returned') return undefined;
  const [entry] = await db
    .select()
    .from(applicationActions)
    .where(and(eq(applicationActions.applicationId, application.id), eq(applicationActions.action, 'return')))
    .orderBy(desc(applicationActions.id))
    .limit(1);
  return entry;
}

/** Each flagged material, named, and whether the driver has replaced it since the return. */
export function flaggedMaterials(
  entry: Pick<ActionRow, 'payload' | 'createdAt'>,
  uploaded: readonly Pick<MaterialRow, 'materialKey' | 'sha256' | 'uploadedAt'>[],
  names: ReadonlyMap<string, Localized>,
): FlaggedMaterial[] {
  const before = (entry.payload.flaggedFiles ?? {}) as Record<string, string | null | undefined>;
  return flaggedKeysOf(entry).map((key) => {
    const row = uploaded.find((candidate) => candidate.materialKey === key);
    const seen = before[key];
    // Entries written before digests were kept fall back to the upload time.
    const replaced = !!row && (seen === undefined ? row.uploadedAt > entry.createdAt : row.sha256 !== seen);
    return { key, name: names.get(key) ?? { zh: key, en: key }, replaced };
  });
}
