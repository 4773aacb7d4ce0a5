/**
 * A copy of everything the service holds about a driver (PIPL Art. 45): one zip with `my-data.json`
 * (account, identity, real-name submissions, certificates, applications with their timelines,
 * verification requests) and the pictures they uploaded.
 *
 * fflate builds the zip: a maintained, dependency-free zip library already in the tree (pdfkit uses
 * it). A driver's files are a few megabytes, so the zip is built in memory; pictures are stored
 * without recompression (JPEG/PNG do not shrink).
 */
import { zipSync, type Zippable } from 'fflate';
import type { AccountExport } from '../../contract/account.ts';
import type { AppContext } from '../context.ts';
import { readPersonalRecords, readStoredFile } from './personalData.ts';

export const EXPORT_JSON = 'my-data.json';

const extension = (mime: string) => (mime === 'image/png' ? 'png' : 'jpg');
const mimeOfKey = (key: string) => (key.endsWith('.png') ? 'image/png' : 'image/jpeg');

export async function buildAccountExport(ctx: Pick<AppContext, 'db' | 'storage'>, userId: string, now: Date): Promise<{ zip: Uint8Array; data: AccountExport } | undefined> {
  const records = await readPersonalRecords(ctx.db, userId);
  if (!records) return undefined;
  const files: Zippable = {};
  /** Adds a stored file under `path`; null when it can no longer be read. */
  const addFile = async (key: string | null | undefined, path: string, mime: string) => {
    if (!key) return null;
    const data = await readStoredFile(ctx, key);
    if (!data) return null;
    files[path] = [data, { level: 0 }];
    return { path, mime, bytes: data.length };
  };

  const { user } = records;
  const photoFiles = new Map<string, Awaited<ReturnType<typeof addFile>>>();
  for (const photo of records.photos) {
    const mime = mimeOfKey(photo.storageKey);
    photoFiles.set(photo.id, await addFile(photo.storageKey, `id-card/${photo.side}-${photo.createdAt.toISOString().slice(0, 10)}-${photo.id.slice(0, 8)}.${extension(mime)}`, mime));
  }
  const currentPhoto = records.photos.find((p) => p.storageKey === user.idPhotoKey);
  const certificateNumber = new Map(records.certificates.map((c) => [c.id, c.number]));

  const applicationsOut: AccountExport['applications'] = [];
  for (const application of records.applications) {
    const materialsOut: AccountExport['applications'][number]['materials'] = [];
    for (const material of records.materials.filter((m) => m.applicationId === application.id)) {
      const file = await addFile(material.fileKey, `applications/${application.reference}/${material.materialKey}.${extension(material.mime)}`, material.mime);
      if (file) materialsOut.push({ ...file, materialKey: material.materialKey, uploadedAt: material.uploadedAt.toISOString() });
    }
    const voucher = records.vouchers.find((v) => v.applicationId === application.id);
    applicationsOut.push({
      reference: application.reference,
      business: application.business,
      variant: application.variant,
      state: application.state,
      certificateNumber: certificateNumber.get(application.certificateId) ?? null,
      personalInfo: application.personalInfo,
      createdAt: application.createdAt.toISOString(),
      submittedAt: application.submittedAt?.toISOString() ?? null,
      timeline: records.actions
        .filter((a) => a.applicationId === application.id)
        .map((a) => ({ action: a.action, fromState: a.fromState, toState: a.toState, actorRole: a.actorRole, at: a.createdAt.toISOString(), reasonCodes: a.reasonCodes, reasonText: a.reasonText })),
      materials: materialsOut,
      voucher: voucher ? { serial: voucher.serial, rating: voucher.rating, issuedOn: voucher.issuedOn, expiresOn: voucher.expiresOn, revoked: voucher.revokedAt !== null } : null,
    });
  }

  const requestsOut: AccountExport['verificationRequests'] = [];
  for (const [index, request] of records.verificationRequests.entries()) {
    const key = request.photoKey;
    requestsOut.push({
      field: request.field,
      expectedValue: request.expectedValue,
      note: request.note,
      state: request.state,
      createdAt: request.createdAt.toISOString(),
      answeredAt: request.answeredAt?.toISOString() ?? null,
      answer: request.answer,
      photo: key ? await addFile(key, `verification-requests/${index + 1}.${extension(mimeOfKey(key))}`, mimeOfKey(key)) : null,
    });
  }

  const data: AccountExport = {
    format: 'rto-my-data/1',
    exportedAt: now.toISOString(),
    account: {
      id: user.id,
      phone: user.phone,
      createdAt: user.createdAt.toISOString(),
      consents: records.consents.map((c) => ({ agreement: c.agreement, version: c.version, acceptedAt: c.acceptedAt.toISOString() })),
    },
    identity:
      user.verifiedAt && user.idNumber
        ? {
            name: user.name ?? '',
            idNumber: user.idNumber,
            sex: user.sex,
            ethnicity: user.ethnicity,
            birthDate: user.birthDate,
            address: user.address,
            provinceCode: user.provinceCode,
            verifiedAt: user.verifiedAt.toISOString(),
            idCardPhoto: currentPhoto ? (photoFiles.get(currentPhoto.id) ?? null) : null,
          }
        : null,
    realNameSubmissions: records.submissions.map((s) => ({
      reference: s.reference,
      state: s.state,
      claimed: s.claimed,
      createdAt: s.createdAt.toISOString(),
      decidedAt: s.decidedAt?.toISOString() ?? null,
      rejectionReasons: s.rejectionReasons,
      photos: [s.photoId, s.backPhotoId].map((id) => (id ? photoFiles.get(id) : null)).filter((f): f is NonNullable<typeof f> => !!f),
    })),
    certificates: records.certificates.map((c) => ({
      number: c.number,
      holderName: c.holderName,
      provinceCode: c.provinceCode,
      categories: c.categories.map((k) => ({ code: k.code, validFrom: k.validFrom, validTo: k.validTo })),
    })),
    applications: applicationsOut,
    verificationRequests: requestsOut,
  };
  files[EXPORT_JSON] = new TextEncoder().encode(`${JSON.stringify(data, null, 2)}\n`);
  // Fixed times inside the zip: the same data gives the same bytes.
  return { zip: zipSync(files, { mtime: now }), data };
}
