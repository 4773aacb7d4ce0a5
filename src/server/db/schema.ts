import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** The 31 provincial-level divisions plus the XPCC; code = first two digits of GB/T 2260. */
export const provinces = pgTable('provinces', {
  code: text('code').primaryKey(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  /** Real-name authentication asks for the back side of the ID card (国徽面) too. */
  requiresIdCardBack: boolean('requires_id_card_back').notNull().default(false),
});

/** 发证机关: road-transport authorities that issue and process certificates. */
export const issuingAuthorities = pgTable(
  'issuing_authorities',
  {
    code: text('code').primaryKey(),
    provinceCode: text('province_code').notNull().references(() => provinces.code),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
  },
  (t) => [index('issuing_authorities_province_idx').on(t.provinceCode)],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    phone: text('phone').notNull(),
    createdAt: createdAt(),
    // Real-name identity, set once verified.
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    idNumber: text('id_number'),
    name: text('name'),
    sex: text('sex'),
    ethnicity: text('ethnicity'),
    birthDate: date('birth_date', { mode: 'string' }),
    address: text('address'),
    provinceCode: text('province_code').references(() => provinces.code),
    idPhotoKey: text('id_photo_key'),
  },
  (t) => [
    uniqueIndex('users_phone_uq').on(t.phone),
    uniqueIndex('users_id_number_uq').on(t.idNumber),
    // Staff search by the last four characters of the applicant's ID number (尾号).
    index('users_id_tail_idx').on(sql`right(${t.idNumber}, 4)`),
  ],
);

export const consents = pgTable(
  'consents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id').notNull().references(() => users.id),
    agreement: text('agreement').notNull(),
    version: text('version').notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('consents_user_idx').on(t.userId)],
);

/** Login sessions of drivers and staff; only the token's hash is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    subjectKind: text('subject_kind', { enum: ['driver', 'staff'] }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    idleExpiresAt: timestamp('idle_expires_at', { withTimezone: true }).notNull(),
    absoluteExpiresAt: timestamp('absolute_expires_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('sessions_token_hash_uq').on(t.tokenHash), index('sessions_subject_idx').on(t.subjectKind, t.subjectId)],
);

/** One-time SMS codes, stored as hashes. */
export const smsCodes = pgTable(
  'sms_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    phone: text('phone').notNull(),
    purpose: text('purpose').notNull(),
    codeHash: text('code_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
  },
  (t) => [index('sms_codes_phone_idx').on(t.phone, t.purpose, t.createdAt)],
);

/** The certificates registry (the provinces' road-transport management data). */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    number: text('number').notNull(),
    holderIdNumber: text('holder_id_number').notNull(),
    holderName: text('holder_name').notNull(),
    sex: text('sex').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    nationality: text('nationality').notNull().default('中国'),
    address: text('address').notNull().default(''),
    fileNumber: text('file_number').notNull().default(''),
    quasiDrivingType: text('quasi_driving_type').notNull().default(''),
    issuingAuthorityCode: text('issuing_authority_code').notNull().references(() => issuingAuthorities.code),
    provinceCode: text('province_code').notNull().references(() => provinces.code),
    serviceUnit: text('service_unit').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('certificates_number_uq').on(t.number),
    index('certificates_holder_idx').on(t.holderIdNumber),
    index('certificates_province_idx').on(t.provinceCode),
  ],
);

export const certificateCategories = pgTable(
  'certificate_categories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    certificateId: uuid('certificate_id').notNull().references(() => certificates.id),
    code: text('code').notNull(),
    qualifiers: jsonb('qualifiers').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    firstIssueDate: date('first_issue_date', { mode: 'string' }).notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }).notNull(),
    cancelledAt: date('cancelled_at', { mode: 'string' }),
    cancelReason: text('cancel_reason'),
  },
  (t) => [uniqueIndex('certificate_categories_uq').on(t.certificateId, t.code)],
);

/** 信息核查申请: a driver says the registry is wrong; the issuing authority answers. */
export const verificationRequests = pgTable(
  'verification_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id),
    certificateId: uuid('certificate_id').notNull().references(() => certificates.id),
    provinceCode: text('province_code').notNull().references(() => provinces.code),
    field: text('field').notNull(),
    expectedValue: text('expected_value').notNull(),
    note: text('note').notNull().default(''),
    photoKey: text('photo_key'),
    state: text('state', { enum: ['submitted', 'accepted', 'corrected', 'explained'] }).notNull().default('submitted'),
    createdAt: createdAt(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    answerDeadline: date('answer_deadline', { mode: 'string' }),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    answer: text('answer'),
  },
  (t) => [index('verification_requests_province_idx').on(t.provinceCode, t.state), index('verification_requests_user_idx').on(t.userId)],
);

export const applications = pgTable(
  'applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reference: text('reference').notNull(),
    userId: uuid('user_id').notNull().references(() => users.id),
    certificateId: uuid('certificate_id').notNull().references(() => certificates.id),
    business: text('business').notNull(),
    variant: text('variant'),
    provinceCode: text('province_code').notNull().references(() => provinces.code),
    issuingAuthorityCode: text('issuing_authority_code').notNull().references(() => issuingAuthorities.code),
    // Cached from the action log (the source of truth) so queues can filter and sort on an index.
    state: text('state').notNull(),
    version: integer('version').notNull().default(0),
    personalInfo: jsonb('personal_info').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    acceptDeadline: date('accept_deadline', { mode: 'string' }),
    decideDeadline: date('decide_deadline', { mode: 'string' }),
    idempotencyKey: text('idempotency_key'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('applications_reference_uq').on(t.reference),
    index('applications_user_idx').on(t.userId, t.createdAt),
    // Staff work queue: keyset order by the running deadline (see staff/queue.ts, same expression).
    index('applications_open_queue_idx')
      .on(t.provinceCode, sql`coalesce(case ${t.state} when 'submitted' then ${t.acceptDeadline} when 'accepted' then ${t.decideDeadline} end, '9999-12-31'::date)`, t.id)
      .where(sql`state in ('submitted', 'accepted', 'returned', 'approved')`),
    index('applications_state_queue_idx').on(
      t.provinceCode,
      t.state,
      sql`coalesce(case ${t.state} when 'submitted' then ${t.acceptDeadline} when 'accepted' then ${t.decideDeadline} end, '9999-12-31'::date)`,
      t.id,
    ),
    uniqueIndex('applications_idempotency_uq').on(t.userId, t.idempotencyKey),
    // One open application per certificate and business; enforced here so two racing creates cannot both win.
    uniqueIndex('applications_open_uq')
      .on(t.certificateId, t.business)
      .where(sql`state not in ('completed', 'withdrawn', 'declined', 'rejected')`),
  ],
);

/**
 * Applications per province and state, kept by a trigger on `applications` in the same transaction as
 * each change (migration 0013); spread over slots by application id, so a reader sums `n` over them.
 */
export const applicationStateCounts = pgTable(
  'application_state_counts',
  {
    provinceCode: text('province_code').notNull(),
    state: text('state').notNull(),
    slot: smallint('slot').notNull(),
    n: bigint('n', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ name: 'application_state_counts_pk', columns: [t.provinceCode, t.state, t.slot] })],
);

/** Append-only log of every state change: who, in which role, when, why. */
export const applicationActions = pgTable(
  'application_actions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationId: uuid('application_id').notNull().references(() => applications.id),
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    actorKind: text('actor_kind', { enum: ['driver', 'staff', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    actorRole: text('actor_role').notNull(),
    reasonCodes: jsonb('reason_codes').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    reasonText: text('reason_text'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [index('application_actions_application_idx').on(t.applicationId, t.id)],
);

/** Uploaded materials of an application; files live in storage under `fileKey`. */
export const materials = pgTable(
  'materials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicationId: uuid('application_id').notNull().references(() => applications.id),
    materialKey: text('material_key').notNull(),
    fileKey: text('file_key').notNull(),
    thumbnailKey: text('thumbnail_key').notNull(),
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    sha256: text('sha256').notNull(),
    quality: jsonb('quality').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('materials_application_key_uq').on(t.applicationId, t.materialKey)],
);

export const staff = pgTable(
  'staff',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    totpSecret: text('totp_secret').notNull(),
    // A secret being enrolled; it replaces totp_secret once a code from it is confirmed.
    totpPendingSecret: text('totp_pending_secret'),
    // Time step of the last accepted code, so a code cannot be used twice within its window.
    totpLastCounter: integer('totp_last_counter'),
    role: text('role', { enum: ['handler', 'reviewer', 'province_admin', 'system_admin'] }).notNull(),
    // Null only for system admins, who see every province.
    provinceCode: text('province_code').references(() => provinces.code),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('staff_username_uq').on(t.username)],
);

/** 联系我们: the provinces' business managers. */
export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    provinceCode: text('province_code').notNull().references(() => provinces.code),
    name: text('name').notNull(),
    title: text('title').notNull().default(''),
    phone: text('phone').notNull(),
    hours: text('hours').notNull().default(''),
    /** The same in English ('' when the province has not entered it: the Chinese is shown). */
    nameEn: text('name_en').notNull().default(''),
    titleEn: text('title_en').notNull().default(''),
    hoursEn: text('hours_en').notNull().default(''),
    sortOrder: integer('sort_order').notNull().default(0),
  },
  (t) => [index('contacts_province_idx').on(t.provinceCode, t.sortOrder)],
);

/** Working-day overrides on top of the State Council calendar; province null = nationwide. */
export const calendarOverrides = pgTable(
  'calendar_overrides',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    provinceCode: text('province_code').references(() => provinces.code),
    date: date('date', { mode: 'string' }).notNull(),
    kind: text('kind', { enum: ['workday', 'holiday'] }).notNull(),
    note: text('note').notNull().default(''),
  },
  (t) => [uniqueIndex('calendar_overrides_uq').on(t.provinceCode, t.date)],
);

/** A province's changes to the default materials of a business. */
export const materialOverrides = pgTable(
  'material_overrides',
  {
    provinceCode: text('province_code').notNull().references(() => provinces.code),
    business: text('business').notNull(),
    variant: text('variant').notNull().default(''),
    overrides: jsonb('overrides').$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provinceCode, t.business, t.variant] })],
);

/** Messages to the outside world, written in the transaction that causes them and sent by a worker. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    topic: text('topic').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    availableAt: timestamp('available_at', { withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_pending_idx').on(t.availableAt).where(sql`sent_at is null and failed_at is null`)],
);

/**
 * A MAC of a fixed text under the data key the database's secrets are sealed with (one row): an
 * instance started with another key is refused at start instead of failing every request that opens
 * a secret.
 */
export const dataKeyFingerprint = pgTable(
  'data_key_fingerprint',
  {
    id: integer('id').primaryKey().default(1),
    fingerprint: text('fingerprint').notNull(),
    createdAt: createdAt(),
  },
  (t) => [check('data_key_fingerprint_one_row', sql`${t.id} = 1`)],
);

/** Seed bookkeeping so demo data is written once. */
export const seedRuns = pgTable('seed_runs', {
  name: text('name').primaryKey(),
  ranAt: timestamp('ran_at', { withTimezone: true }).notNull().defaultNow(),
  complete: boolean('complete').notNull().default(true),
});

/** SM2 signing keys for vouchers and e-certificates; retired keys still verify what they signed. */
export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    algorithm: text('algorithm').notNull().default('SM2-SM3'),
    publicKeyHex: text('public_key_hex').notNull(),
    privateKeyHex: text('private_key_hex').notNull(),
    createdAt: createdAt(),
    // Null while the key signs new documents; set when rotated out.
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  // At most one active key, whatever several instances do at once.
  () => [uniqueIndex('signing_keys_one_active_uq').on(sql`(true)`).where(sql`retired_at is null`)],
);

/** Credit-assessment vouchers (诚信考核凭证) as issued, with their revocation/supersession status. */
export const vouchers = pgTable(
  'vouchers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serial: text('serial').notNull(),
    applicationId: uuid('application_id').notNull().references(() => applications.id),
    certificateId: uuid('certificate_id').notNull().references(() => certificates.id),
    userId: uuid('user_id').notNull().references(() => users.id),
    rating: text('rating').notNull(),
    cycleStart: date('cycle_start', { mode: 'string' }).notNull(),
    cycleEnd: date('cycle_end', { mode: 'string' }).notNull(),
    issuerCode: text('issuer_code').notNull().references(() => issuingAuthorities.code),
    kid: text('kid').notNull().references(() => signingKeys.kid),
    token: text('token').notNull(),
    issuedOn: date('issued_on', { mode: 'string' }).notNull(),
    expiresOn: date('expires_on', { mode: 'string' }).notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revocationReason: text('revocation_reason'),
    supersededBy: text('superseded_by'),
    supersededAt: timestamp('superseded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('vouchers_serial_uq').on(t.serial),
    uniqueIndex('vouchers_application_uq').on(t.applicationId),
    index('vouchers_certificate_cycle_idx').on(t.certificateId, t.cycleStart),
  ],
);

/** One row per verification of a voucher: the outcome only, nothing about who checked. */
export const voucherChecks = pgTable(
  'voucher_checks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    serial: text('serial'),
    verdict: text('verdict').notNull(),
    reason: text('reason'),
    channel: text('channel').notNull(),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('voucher_checks_serial_idx').on(t.serial)],
);

/** Staff audit trail: every read of an applicant's materials and every action. Append-only (trigger). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    staffId: uuid('staff_id').references(() => staff.id),
    username: text('username').notNull(),
    role: text('role').notNull(),
    provinceCode: text('province_code'),
    event: text('event').notNull(),
    targetKind: text('target_kind').notNull(),
    targetId: text('target_id'),
    ip: text('ip'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_province_at_idx').on(t.provinceCode, t.at),
    // The audit list pages newest first by id within a province.
    index('audit_log_province_id_idx').on(t.provinceCode, t.id),
    index('audit_log_target_idx').on(t.targetKind, t.targetId),
  ],
);

/**
 * ID-card photos uploaded for real-name authentication, with what the reader saw on them. A photo
 * belongs to the account that uploaded it, serves one submission and expires unused.
 */
export const idCardPhotos = pgTable(
  'id_card_photos',
  {
    /** The photo id the driver's app holds: random, not derived from the picture. */
    id: text('id').primaryKey(),
    userId: uuid('user_id').notNull().references(() => users.id),
    side: text('side', { enum: ['portrait', 'back'] }).notNull(),
    storageKey: text('storage_key').notNull(),
    /** Of the stored picture: the same picture cannot serve two accounts. */
    sha256: text('sha256').notNull(),
    reading: jsonb('reading').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('id_card_photos_user_idx').on(t.userId, t.createdAt), index('id_card_photos_sha_idx').on(t.sha256)],
);

/**
 * Every real-name submission and its outcome: bound at once ('verified'), waiting for the face check
 * ('face_check') or a clerk ('pending'), then 'approved' or 'rejected'; 'failed' when the face check
 * refused it. Kept as the evidence of why an identity was bound.
 */
export const realNameSubmissions = pgTable(
  'real_name_submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reference: text('reference').notNull(),
    userId: uuid('user_id').notNull().references(() => users.id),
    /** The ID number's province: its handlers review it. */
    provinceCode: text('province_code').notNull().references(() => provinces.code),
    state: text('state', { enum: ['verified', 'face_check', 'pending', 'approved', 'rejected', 'failed'] }).notNull(),
    idNumber: text('id_number').notNull(),
    claimed: jsonb('claimed').$type<Record<string, string>>().notNull(),
    photoId: text('photo_id').notNull().references(() => idCardPhotos.id),
    backPhotoId: text('back_photo_id').references(() => idCardPhotos.id),
    reading: jsonb('reading').$type<Record<string, unknown>>().notNull(),
    differences: jsonb('differences').$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
    reviewReasons: jsonb('review_reasons').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    registryNames: jsonb('registry_names').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    identityCheck: jsonb('identity_check').$type<Record<string, unknown>>().notNull(),
    /** The account the ID number was bound to when this was submitted (a move to a new phone). */
    boundUserId: uuid('bound_user_id'),
    faceToken: text('face_token'),
    /** Where the driver's phone continues an unfinished face check. */
    faceUrl: text('face_url'),
    createdAt: createdAt(),
    deadline: date('deadline', { mode: 'string' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: uuid('decided_by').references(() => staff.id),
    rejectionReasons: jsonb('rejection_reasons').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    decisionNote: text('decision_note'),
  },
  (t) => [
    uniqueIndex('real_name_submissions_reference_uq').on(t.reference),
    uniqueIndex('real_name_submissions_one_open_uq').on(t.userId).where(sql`${t.state} in ('pending', 'face_check')`),
    index('real_name_submissions_queue_idx').on(t.provinceCode, t.state, t.deadline),
    index('real_name_submissions_user_idx').on(t.userId, t.createdAt),
  ],
);
