/**
 * Every read of a driver's personal records and stored files that their data export needs, in one
 * place: when fields or files are stored sealed, this is what opens them for the export.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { applicationActions, applications, consents, idCardPhotos, materials, realNameSubmissions, users, verificationRequests, vouchers } from '../db/schema.ts';
import { certificatesOfHolder, findCertificates, type RegistryCertificate } from '../registry/certificates.ts';

export type UserRow = typeof users.$inferSelect;

export interface PersonalRecords {
  user: UserRow;
  consents: (typeof consents.$inferSelect)[];
  photos: (typeof idCardPhotos.$inferSelect)[];
  submissions: (typeof realNameSubmissions.$inferSelect)[];
  applications: (typeof applications.$inferSelect)[];
  actions: (typeof applicationActions.$inferSelect)[];
  materials: (typeof materials.$inferSelect)[];
  vouchers: (typeof vouchers.$inferSelect)[];
  verificationRequests: (typeof verificationRequests.$inferSelect)[];
  /** The registry's certificates of the verified ID number, and those the applications name. */
  certificates: RegistryCertificate[];
}

export async function readPersonalRecords(db: Executor, userId: string): Promise<PersonalRecords | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) return undefined;
  const own = await db.select().from(applications).where(eq(applications.userId, userId)).orderBy(asc(applications.createdAt));
  const applicationIds = own.map((a) => a.id);
  const [consentRows, photos, submissions, actions, materialRows, voucherRows, requests] = await Promise.all([
    db.select().from(consents).where(eq(consents.userId, userId)).orderBy(asc(consents.id)),
    db.select().from(idCardPhotos).where(eq(idCardPhotos.userId, userId)).orderBy(asc(idCardPhotos.createdAt)),
    db.select().from(realNameSubmissions).where(eq(realNameSubmissions.userId, userId)).orderBy(asc(realNameSubmissions.createdAt)),
    applicationIds.length ? db.select().from(applicationActions).where(inArray(applicationActions.applicationId, applicationIds)).orderBy(asc(applicationActions.id)) : [],
    applicationIds.length ? db.select().from(materials).where(inArray(materials.applicationId, applicationIds)).orderBy(asc(materials.uploadedAt)) : [],
    db.select().from(vouchers).where(eq(vouchers.userId, userId)),
    db.select().from(verificationRequests).where(eq(verificationRequests.userId, userId)).orderBy(asc(verificationRequests.createdAt)),
  ]);
  const holder = user.idNumber ? await certificatesOfHolder(db, user.idNumber) : [];
  const named = await findCertificates(db, own.map((a) => a.certificateId).filter((id) => !holder.some((c) => c.id === id)));
  return {
    user,
    consents: consentRows,
    photos,
    submissions,
    applications: own,
    actions,
    materials: materialRows,
    vouchers: voucherRows,
    verificationRequests: requests,
    certificates: [...holder, ...named],
  };
}

/** A stored file as the driver uploaded it; null when it is gone (expired or removed). */
export async function readStoredFile(ctx: Pick<AppContext, 'storage'>, key: string): Promise<Buffer | null> {
  try {
    return await ctx.storage.get(key);
  } catch {
    return null;
  }
}

