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
import { sealedJson, sealedText } from './sealedColumns.ts';

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
    // Personal data is sealed (db/sealedColumns.ts); phone and ID number are found by their blind indexes.
    phone: sealedText('users.phone')('phone').notNull(),
    phoneIndex: text('phone_index').notNull(),
    createdAt: createdAt(),
    // Real-name identity, set once verified.
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    idNumber: sealedText('users.id_number')('id_number'),
    idNumberIndex: text('id_number_index'),
    /** The last four characters' blind index: the staff queue's search (尾号). */
    idTailIndex: text('id_tail_index'),
    name: sealedText('users.name')('name'),
    sex: text('sex'),
    ethnicity: text('ethnicity'),
    birthDate: sealedText('users.birth_date')('birth_date'),
    address: sealedText('users.address')('address'),
    provinceCode: text('province_code').references(() => provinces.code),
    idPhotoKey: text('id_photo_key'),
    /** Set when the driver closed the account (注销): the row stays as an anonymous stand-in for what the office keeps. */
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('users_phone_index_uq').on(t.phoneIndex),
    uniqueIndex('users_id_number_index_uq').on(t.idNumberIndex),
    // Staff search by the last four characters of the applicant's ID number (尾号).
    index('users_id_tail_index_idx').on(t.idTailIndex),
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
    /** How a driver session began: 'sms', 'wechat_web', 'wechat_mini_program' (null for staff and older rows). */
    loginMethod: text('login_method'),
  },
  (t) => [uniqueIndex('sessions_token_hash_uq').on(t.tokenHash), index('sessions_subject_idx').on(t.subjectKind, t.subjectId)],
);

/** One-time SMS codes, stored as hashes. */
export const smsCodes = pgTable(
  'sms_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    phone: sealedText('sms_codes.phone')('phone').notNull(),
    phoneIndex: text('phone_index').notNull(),
    purpose: text('purpose').notNull(),
    codeHash: text('code_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
  },
  (t) => [index('sms_codes_phone_index_idx').on(t.phoneIndex, t.purpose, t.createdAt)],
);

/** The certificates registry (the provinces' road-transport management data). */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // The certificate number is usually the holder's ID number: sealed too, unique by its blind index.
    number: sealedText('certificates.number')('number').notNull(),
    numberIndex: text('number_index').notNull(),
    holderIdNumber: sealedText('certificates.holder_id_number')('holder_id_number').notNull(),
    holderIdNumberIndex: text('holder_id_number_index').notNull(),
    holderName: sealedText('certificates.holder_name')('holder_name').notNull(),
    sex: text('sex').notNull(),
    birthDate: sealedText('certificates.birth_date')('birth_date').notNull(),
    nationality: text('nationality').notNull().default('中国'),
    address: sealedText('certificates.address')('address').notNull().$defaultFn(() => ''),
    fileNumber: text('file_number').notNull().default(''),
    quasiDrivingType: text('quasi_driving_type').notNull().default(''),
    issuingAuthorityCode: text('issuing_authority_code').notNull().references(() => issuingAuthorities.code),
    provinceCode: text('province_code').notNull().references(() => provinces.code),
    serviceUnit: text('service_unit').notNull().default(''),
    /** Entry in the signed status list (from status_list_index_seq). */
    statusIndex: integer('status_index').notNull().default(sql`nextval('status_list_index_seq')`),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('certificates_number_index_uq').on(t.numberIndex),
    index('certificates_holder_index_idx').on(t.holderIdNumberIndex),
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
    /** verify_state.status_version when cancelled_at last changed (set by a trigger). */
    statusVersion: bigint('status_version', { mode: 'number' }).notNull().default(0),
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
    expectedValue: sealedText('verification_requests.expected_value')('expected_value').notNull(),
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
    personalInfo: sealedJson<Record<string, unknown>>('applications.personal_info')('personal_info').notNull().$defaultFn(() => ({})),
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
    // The same for a system administrator's queue across every province (migration 0015).
    index('applications_open_national_queue_idx')
      .on(sql`coalesce(case ${t.state} when 'submitted' then ${t.acceptDeadline} when 'accepted' then ${t.decideDeadline} end, '9999-12-31'::date)`, t.id)
      .where(sql`state in ('submitted', 'accepted', 'returned', 'approved')`),
    index('applications_state_national_queue_idx').on(
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
    /** Entry in the signed status list; carried in the token. */
    statusIndex: integer('status_index').notNull().default(sql`nextval('status_list_index_seq')`),
    /** verify_state.status_version when revoked_at / superseded_by last changed (set by a trigger). */
    statusVersion: bigint('status_version', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    uniqueIndex('vouchers_serial_uq').on(t.serial),
    uniqueIndex('vouchers_application_uq').on(t.applicationId),
    index('vouchers_certificate_cycle_idx').on(t.certificateId, t.cycleStart),
  ],
);

/**
 * Verifications of vouchers: the outcome only, nothing about who checked. A row stands for `checks`
 * identical checks (serial, verdict, reason, channel) within the second `checked_at` starts.
 */
export const voucherChecks = pgTable(
  'voucher_checks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    serial: text('serial'),
    verdict: text('verdict').notNull(),
    reason: text('reason'),
    channel: text('channel').notNull(),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull().defaultNow(),
    checks: integer('checks').notNull().default(1),
  },
  (t) => [index('voucher_checks_serial_idx').on(t.serial)],
);

/** Version stamps of what the verifiers keep in memory (one row; bumped by triggers). */
export const verifyState = pgTable('verify_state', {
  id: smallint('id').primaryKey(),
  statusVersion: bigint('status_version', { mode: 'number' }).notNull().default(0),
  keysVersion: bigint('keys_version', { mode: 'number' }).notNull().default(0),
});

/** A voucher's PNG and PDF as rendered once and stored (file storage key, ETag). */
export const voucherRenderings = pgTable(
  'voucher_renderings',
  {
    voucherId: uuid('voucher_id').notNull().references(() => vouchers.id),
    format: text('format', { enum: ['png', 'pdf'] }).notNull(),
    baseUrl: text('base_url').notNull(),
    storageKey: text('storage_key').notNull(),
    etag: text('etag').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.voucherId, t.format] })],
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
    /** SM3 hash chain (domain/auditChain.ts); null on rows written before the chain began. */
    previousHash: text('previous_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_log_province_at_idx').on(t.provinceCode, t.at),
    // The audit list pages newest first by id within a province.
    index('audit_log_province_id_idx').on(t.provinceCode, t.id),
    index('audit_log_target_idx').on(t.targetKind, t.targetId),
  ],
);

/** SM2-signed checkpoints of the audit chain's head, written daily and at shutdown. Append-only (trigger). */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    auditId: bigint('audit_id', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    kid: text('kid').notNull().references(() => signingKeys.kid),
    signature: text('signature').notNull(),
    reason: text('reason', { enum: ['daily', 'shutdown', 'manual'] }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('audit_checkpoints_at_idx').on(t.at)],
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
    reading: sealedJson<Record<string, unknown>>('id_card_photos.reading')('reading').notNull(),
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
    idNumber: sealedText('real_name_submissions.id_number')('id_number').notNull(),
    claimed: sealedJson<Record<string, string>>('real_name_submissions.claimed')('claimed').notNull(),
    photoId: text('photo_id').notNull().references(() => idCardPhotos.id),
    backPhotoId: text('back_photo_id').references(() => idCardPhotos.id),
    reading: sealedJson<Record<string, unknown>>('real_name_submissions.reading')('reading').notNull(),
    differences: sealedJson<unknown[]>('real_name_submissions.differences')('differences').notNull().$defaultFn(() => []),
    reviewReasons: jsonb('review_reasons').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    registryNames: sealedJson<string[]>('real_name_submissions.registry_names')('registry_names').notNull().$defaultFn(() => []),
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

/**
 * One-off sealing steps: 'plaintext_from_before' is open (completed_at null) while rows and files
 * written before personal data was sealed at rest are still plaintext; the next start seals them.
 */
export const dataSealing = pgTable('data_sealing', {
  name: text('name').primaryKey(),
  completedAt: timestamp('completed_at', { withTimezone: true }),
});

/**
 * The WeChat person bound to a driver account, beside the account: at most one per account (user_id),
 * and each WeChat identity — the unionid, the openid in the official account's web pages, the openid in
 * the mini program — belongs to at most one account.
 */
export const wechatBindings = pgTable(
  'wechat_bindings',
  {
    userId: uuid('user_id').primaryKey().references(() => users.id),
    unionid: text('unionid'),
    webAppId: text('web_app_id'),
    webOpenid: text('web_openid'),
    miniAppId: text('mini_app_id'),
    miniOpenid: text('mini_openid'),
    nickname: sealedText('wechat_bindings.nickname')('nickname'),
    avatarUrl: sealedText('wechat_bindings.avatar_url')('avatar_url'),
    createdAt: createdAt(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('wechat_bindings_unionid_uq').on(t.unionid),
    uniqueIndex('wechat_bindings_web_openid_uq').on(t.webAppId, t.webOpenid),
    uniqueIndex('wechat_bindings_mini_openid_uq').on(t.miniAppId, t.miniOpenid),
    check('wechat_bindings_some_identity', sql`${t.webOpenid} is not null or ${t.miniOpenid} is not null`),
  ],
);

/** Short-lived single-use tickets of the WeChat flows (OAuth state, identity waiting for a phone, web-view hand-off); hashed. */
export const wechatTickets = pgTable(
  'wechat_tickets',
  {
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose', { enum: ['oauth_state', 'binding', 'web_view'] }).notNull(),
    kind: text('kind', { enum: ['web', 'mini_program'] }),
    appId: text('app_id'),
    openid: text('openid'),
    unionid: text('unionid'),
    nickname: sealedText('wechat_tickets.nickname')('nickname'),
    avatarUrl: sealedText('wechat_tickets.avatar_url')('avatar_url'),
    scope: text('scope'),
    redirect: text('redirect'),
    /** The account a web-view hand-off logs in. */
    userId: uuid('user_id'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('wechat_tickets_expires_idx').on(t.expiresAt)],
);

/** Each run of `rto registry import`: what it found, and the refused rows' report (row, column, code, message). */
export const registryImports = pgTable(
  'registry_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The province the file was restricted to (`--province`), or null for any authority the system knows. */
    provinceCode: text('province_code'),
    fileName: text('file_name').notNull(),
    format: text('format').notNull(),
    encoding: text('encoding').notNull(),
    dryRun: boolean('dry_run').notNull(),
    rowsTotal: integer('rows_total').notNull().default(0),
    rowsInserted: integer('rows_inserted').notNull().default(0),
    rowsUpdated: integer('rows_updated').notNull().default(0),
    rowsUnchanged: integer('rows_unchanged').notNull().default(0),
    rowsRefused: integer('rows_refused').notNull().default(0),
    refusedReport: text('refused_report').notNull().default(''),
    refusedReportTruncated: boolean('refused_report_truncated').notNull().default(false),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('registry_imports_province_idx').on(t.provinceCode, t.startedAt)],
);

/**
 * The signed change feed for the ministerial system: one row per decision of a province, written in
 * the decision's transaction. `seq` is the feed's order (and cursor); `id` the change's stable id.
 */
export const exchangeChanges = pgTable(
  'exchange_changes',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull(),
    type: text('type').notNull(),
    provinceCode: text('province_code').notNull(),
    authorityCode: text('authority_code').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    /** The change as signed (canonical JSON of this object is what the signature covers); sealed: it names the holder. */
    body: sealedJson<Record<string, unknown>>('exchange_changes.body')('body').notNull(),
    kid: text('kid').notNull().references(() => signingKeys.kid),
    signature: text('signature').notNull(),
  },
  (t) => [uniqueIndex('exchange_changes_id_uq').on(t.id), index('exchange_changes_province_seq_idx').on(t.provinceCode, t.seq)],
);

/** Systems allowed to call the exchange API (the ministerial system): an API key, stored hashed, scoped to provinces. */
export const exchangePartners = pgTable(
  'exchange_partners',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** The key's first characters, to tell keys apart in lists (not enough to use it). */
    keyPrefix: text('key_prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    provinces: jsonb('provinces').$type<string[]>().notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastPullAt: timestamp('last_pull_at', { withTimezone: true }),
    lastCursor: text('last_cursor'),
  },
  (t) => [
    uniqueIndex('exchange_partners_key_hash_uq').on(t.keyHash),
    uniqueIndex('exchange_partners_name_uq').on(t.name).where(sql`revoked_at is null`),
  ],
);

/** Every call to the exchange API, refused ones included. */
export const exchangeCalls = pgTable(
  'exchange_calls',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    partnerId: uuid('partner_id'),
    method: text('method').notNull(),
    route: text('route').notNull(),
    status: integer('status').notNull(),
    ip: text('ip'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('exchange_calls_partner_idx').on(t.partnerId, t.id)],
);

/** What the ministerial system sent in: information-verification requests and registry corrections, for the province to handle. */
export const exchangeInbound = pgTable(
  'exchange_inbound',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partnerId: uuid('partner_id').notNull().references(() => exchangePartners.id),
    kind: text('kind', { enum: ['verification_request', 'registry_correction'] }).notNull(),
    /** The sender's own id: sending the same one twice is answered with the first receipt. */
    externalId: text('external_id').notNull(),
    provinceCode: text('province_code').notNull(),
    certificateId: uuid('certificate_id').references(() => certificates.id),
    body: sealedJson<Record<string, unknown>>('exchange_inbound.body')('body').notNull(),
    state: text('state').notNull().default('received'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('exchange_inbound_external_uq').on(t.partnerId, t.kind, t.externalId),
    index('exchange_inbound_province_idx').on(t.provinceCode, t.state, t.receivedAt),
  ],
);
