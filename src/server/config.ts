import path from 'node:path';
import { z } from 'zod';
import { parseDataKey } from './secrets/sealedBox.ts';

/** Environment variables are the only configuration; a bad value stops the start with its name. */
const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

const envShape = z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATA_DIR: z.string().min(1).default('./data'),
    // libpq's URI form, with several hosts for a replicated cluster: postgres://u@h1:5432,h2:5432/db?target_session_attrs=read-write
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\/[^/?#\s]*(\/[^?#\s]*)?(\?\S*)?$/, { message: 'must be a postgres:// URL (several hosts separated by commas)' })
        .optional(),
    ),
    // The role that owns the tables and runs migrations; the server's own role (DATABASE_URL) owns none.
    DATABASE_MIGRATION_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\/[^/?#\s]*(\/[^?#\s]*)?(\?\S*)?$/, { message: 'must be a postgres:// URL (several hosts separated by commas)' })
        .optional(),
    ),
    PUBLIC_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SEED_DEMO: booleanFlag.optional(),
    TRUST_PROXY: booleanFlag.default(false),
    API_DOCS: booleanFlag.optional(),
    REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
    // How old the verifier's in-memory revocation state may be before a check looks again (every instance).
    VERIFY_STATUS_MAX_AGE_MS: z.coerce.number().int().min(0).max(60_000).optional(),
    SMS_PROVIDER: z.enum(['console', 'aliyun']).default('console'),
    ALIYUN_SMS_ACCESS_KEY_ID: optionalString,
    ALIYUN_SMS_ACCESS_KEY_SECRET: optionalString,
    ALIYUN_SMS_SIGN_NAME: optionalString,
    ALIYUN_SMS_TEMPLATE_LOGIN: optionalString,
    ALIYUN_SMS_TEMPLATE_UPDATE: optionalString,
    /** The template telling a driver their information-verification request was answered. */
    ALIYUN_SMS_TEMPLATE_VERIFICATION: optionalString,
    /** The template confirming that a driver closed their account (注销账号). */
    ALIYUN_SMS_TEMPLATE_ACCOUNT_CLOSED: optionalString,
    ALIYUN_SMS_ENDPOINT: optionalString.pipe(z.url().optional()),
    // Who checks that a name belongs to an ID number and that the phone's holder is that person.
    IDENTITY_PROVIDER: optionalString.pipe(z.enum(['local', 'manual', 'tencent']).default('local')),
    // 'always': every real-name binding passes the provider's face check; 'phone-change': only a move of an ID to a new phone.
    IDENTITY_FACE_CHECK: optionalString.pipe(z.enum(['always', 'phone-change']).default('always')),
    TENCENT_SECRET_ID: optionalString,
    TENCENT_SECRET_KEY: optionalString,
    TENCENT_FACEID_RULE_ID: optionalString,
    TENCENT_FACEID_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    // WeChat login: the official account (web OAuth in WeChat's browser) and the mini program; unset hides it.
    WECHAT_APPID: optionalString,
    WECHAT_SECRET: optionalString,
    WECHAT_MINI_APPID: optionalString,
    WECHAT_MINI_SECRET: optionalString,
    /** Only to point at the local WeChat stand-in in development (refused in production). */
    WECHAT_API_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    WECHAT_OPEN_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    S3_ENDPOINT: optionalString.pipe(z.url().optional()),
    S3_REGION: z.string().default('us-east-1'),
    S3_BUCKET: optionalString,
    S3_ACCESS_KEY_ID: optionalString,
    S3_SECRET_ACCESS_KEY: optionalString,
    // How long in-flight requests (and the outbox delivery in hand) get after SIGTERM before they are cut.
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(20),
    // Prometheus metrics: /metrics on the main port behind this bearer token, or on METRICS_PORT (no token).
    METRICS_TOKEN: optionalString.pipe(z.string().min(16, { message: 'must be at least 16 characters' }).optional()),
    METRICS_PORT: optionalString.transform((value) => (value === undefined ? undefined : Number(value))).pipe(z.number().int().min(1).max(65535).optional()),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    // Seals secrets kept in the database (signing keys, staff TOTP secrets); never logged.
    RTO_DATA_KEY: optionalString.pipe(
      z
        .string()
        .refine((value) => parseDataKey(value) !== undefined, { message: 'must be 32 bytes as base64 or 64 hex characters' })
        .optional(),
    ),
    // During a data-key rotation: the key(s) replaced, comma-separated; they still open what they sealed
    // until `rto keys reseal` has moved everything to RTO_DATA_KEY.
    RTO_DATA_KEY_PREVIOUS: optionalString.pipe(
      z
        .string()
        .refine((value) => value.split(',').every((part) => parseDataKey(part) !== undefined), { message: 'must be data keys (32 bytes as base64 or 64 hex characters), comma-separated' })
        .optional(),
    ),
});

export const configSchema = envShape.superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.RTO_DATA_KEY) {
      ctx.addIssue({ code: 'custom', path: ['RTO_DATA_KEY'], message: 'required when NODE_ENV=production (32 bytes as base64 or 64 hex characters, e.g. `openssl rand -base64 32`)' });
    }
    identityProblems(env, ctx);
    for (const [id, secret] of [['WECHAT_APPID', 'WECHAT_SECRET'], ['WECHAT_MINI_APPID', 'WECHAT_MINI_SECRET']] as const) {
      if (env[id] && !env[secret]) ctx.addIssue({ code: 'custom', path: [secret], message: `required when ${id} is set` });
      if (env[secret] && !env[id]) ctx.addIssue({ code: 'custom', path: [id], message: `required when ${secret} is set` });
    }
    if (env.SMS_PROVIDER === 'aliyun') {
      for (const key of ['ALIYUN_SMS_ACCESS_KEY_ID', 'ALIYUN_SMS_ACCESS_KEY_SECRET', 'ALIYUN_SMS_SIGN_NAME', 'ALIYUN_SMS_TEMPLATE_LOGIN'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when SMS_PROVIDER=aliyun' });
      }
    }
    if (env.S3_BUCKET) {
      for (const key of ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when S3_BUCKET is set' });
      }
    }
  });

export type Env = z.infer<typeof configSchema>;

/** An identity provider needs its credentials. */
function identityProblems(env: z.infer<typeof envShape>, ctx: z.RefinementCtx): void {
  if (env.IDENTITY_PROVIDER === 'tencent') {
    for (const key of ['TENCENT_SECRET_ID', 'TENCENT_SECRET_KEY', 'TENCENT_FACEID_RULE_ID'] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when IDENTITY_PROVIDER=tencent' });
    }
  }
}

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Where migrations run (the owner role); undefined = DATABASE_URL, allowed outside production only. */
  databaseMigrationUrl: string | undefined;
  publicBaseUrl: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  seedDemo: boolean;
  trustProxy: boolean;
  /** Serve the interactive API docs at /api/docs (off in production unless API_DOCS=1). */
  apiDocs: boolean;
  redisUrl: string | undefined;
  /** A revocation is seen by every instance's verifier within this many milliseconds (0 in tests: every check). */
  verifyStatusMaxAgeMs: number;
  identity: Pick<Env, 'IDENTITY_PROVIDER' | 'IDENTITY_FACE_CHECK' | 'TENCENT_SECRET_ID' | 'TENCENT_SECRET_KEY' | 'TENCENT_FACEID_RULE_ID' | 'TENCENT_FACEID_ENDPOINT'>;
  sms: Pick<Env, 'SMS_PROVIDER' | 'ALIYUN_SMS_ACCESS_KEY_ID' | 'ALIYUN_SMS_ACCESS_KEY_SECRET' | 'ALIYUN_SMS_SIGN_NAME' | 'ALIYUN_SMS_TEMPLATE_LOGIN' | 'ALIYUN_SMS_TEMPLATE_UPDATE' | 'ALIYUN_SMS_TEMPLATE_VERIFICATION' | 'ALIYUN_SMS_TEMPLATE_ACCOUNT_CLOSED' | 'ALIYUN_SMS_ENDPOINT'>;
  /** WeChat login; each app is on when its id and secret are set. */
  wechat: Pick<Env, 'WECHAT_APPID' | 'WECHAT_SECRET' | 'WECHAT_MINI_APPID' | 'WECHAT_MINI_SECRET' | 'WECHAT_API_ENDPOINT' | 'WECHAT_OPEN_ENDPOINT'>;
  /** RTO_DATA_KEY's bytes; unset outside production means a key file under dataDir (secrets/secretBox.ts). */
  dataKey: Buffer | undefined;
  /** RTO_DATA_KEY_PREVIOUS: keys being rotated out, accepted for opening only. */
  previousDataKeys: Buffer[];
  /** In-flight requests get this long after SIGTERM (SHUTDOWN_GRACE_SECONDS). */
  shutdownGraceMs: number;
  /** `/metrics`: on the main port behind `token`, and/or on its own `port` (bound to `host`) without one. */
  metrics: { token: string | undefined; port: number | undefined; host: string };
  storage: { kind: 'local'; root: string } | { kind: 's3'; endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Settings that work in development but are unsafe in production; `serve` refuses to start with any
 * of them (each line says what to change). Other commands (migrate, seed, keys) still run.
 */
export function unsafeProductionSettings(config: Pick<Config, 'env' | 'sms' | 'publicBaseUrl' | 'identity'> & Partial<Pick<Config, 'wechat' | 'databaseUrl' | 'databaseMigrationUrl'>>): string[] {
  if (config.env !== 'production') return [];
  const problems: string[] = [];
  // Production never binds identities on local rules alone (PRODUCT §2.2).
  if (config.identity.IDENTITY_PROVIDER === 'local') {
    problems.push(
      "IDENTITY_PROVIDER: 'local' checks no identity outside this server and is refused in production: set IDENTITY_PROVIDER=tencent (with TENCENT_SECRET_ID, TENCENT_SECRET_KEY and TENCENT_FACEID_RULE_ID), or IDENTITY_PROVIDER=manual to have staff review every real-name submission",
    );
  }
  if (config.identity.IDENTITY_FACE_CHECK === 'phone-change') {
    problems.push("IDENTITY_FACE_CHECK: 'phone-change' would bind an identity from a card picture and a name that fits the number, without the holder's face; it is refused in production");
  }
  if (config.identity.TENCENT_FACEID_ENDPOINT?.startsWith('http://')) {
    problems.push('TENCENT_FACEID_ENDPOINT: must be https in production');
  }
  if (config.sms.SMS_PROVIDER === 'console') {
    problems.push('SMS_PROVIDER: the console provider writes login codes into the log; set SMS_PROVIDER=aliyun (and its ALIYUN_SMS_* settings) in production');
  }
  // Production speaks to WeChat itself, never to the local stand-in (or anything else that could answer for it).
  for (const key of ['WECHAT_API_ENDPOINT', 'WECHAT_OPEN_ENDPOINT'] as const) {
    if (config.wechat?.[key]) {
      problems.push(`${key}: points WeChat login at ${config.wechat[key]} instead of WeChat (the local stand-in is for development); unset it in production`);
    }
  }
  if (!config.publicBaseUrl) {
    problems.push('PUBLIC_BASE_URL: required in production (e.g. https://rto.example.gov.cn); without it links and QR codes would be built from the Host header a client sends');
  }
  // The audit trail is out of the server's reach only when the server's role owns no table (audit/privileges.ts).
  if (config.databaseUrl && !config.databaseMigrationUrl) {
    problems.push('DATABASE_MIGRATION_URL: required in production with DATABASE_URL: migrations run as the role that owns the tables, and the server connects (DATABASE_URL) as a role that owns none (see README, "Database roles")');
  }
  if (config.databaseUrl && config.databaseMigrationUrl && sameRole(config.databaseUrl, config.databaseMigrationUrl)) {
    problems.push('DATABASE_URL: connects as the same role as DATABASE_MIGRATION_URL; the server must use its own role that owns no table (see README, "Database roles")');
  }
  return problems;
}

function sameRole(a: string, b: string): boolean {
  try {
    return decodeURIComponent(new URL(a).username || '') === decodeURIComponent(new URL(b).username || '');
  } catch {
    return false;
  }
}

/** Throws ConfigError listing every unsafe production setting. */
export function refuseUnsafeProduction(config: Pick<Config, 'env' | 'sms' | 'publicBaseUrl' | 'identity'> & Partial<Pick<Config, 'wechat' | 'databaseUrl' | 'databaseMigrationUrl'>>): void {
  const problems = unsafeProductionSettings(config);
  if (problems.length > 0) throw new ConfigError(problems);
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    databaseMigrationUrl: env.DATABASE_MIGRATION_URL,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    logLevel: env.LOG_LEVEL,
    // Demo data is for trying the system out; production never gets it, whatever SEED_DEMO says.
    seedDemo: env.NODE_ENV !== 'production' && (env.SEED_DEMO ?? true),
    trustProxy: env.TRUST_PROXY,
    apiDocs: env.API_DOCS ?? env.NODE_ENV !== 'production',
    redisUrl: env.REDIS_URL,
    verifyStatusMaxAgeMs: env.VERIFY_STATUS_MAX_AGE_MS ?? (env.NODE_ENV === 'test' ? 0 : 250),
    identity: {
      IDENTITY_PROVIDER: env.IDENTITY_PROVIDER,
      IDENTITY_FACE_CHECK: env.IDENTITY_FACE_CHECK,
      TENCENT_SECRET_ID: env.TENCENT_SECRET_ID,
      TENCENT_SECRET_KEY: env.TENCENT_SECRET_KEY,
      TENCENT_FACEID_RULE_ID: env.TENCENT_FACEID_RULE_ID,
      TENCENT_FACEID_ENDPOINT: env.TENCENT_FACEID_ENDPOINT,
    },
    // Only the SMS settings: the whole environment here would carry the data key along.
    sms: {
      SMS_PROVIDER: env.SMS_PROVIDER,
      ALIYUN_SMS_ACCESS_KEY_ID: env.ALIYUN_SMS_ACCESS_KEY_ID,
      ALIYUN_SMS_ACCESS_KEY_SECRET: env.ALIYUN_SMS_ACCESS_KEY_SECRET,
      ALIYUN_SMS_SIGN_NAME: env.ALIYUN_SMS_SIGN_NAME,
      ALIYUN_SMS_TEMPLATE_LOGIN: env.ALIYUN_SMS_TEMPLATE_LOGIN,
      ALIYUN_SMS_TEMPLATE_UPDATE: env.ALIYUN_SMS_TEMPLATE_UPDATE,
      ALIYUN_SMS_TEMPLATE_VERIFICATION: env.ALIYUN_SMS_TEMPLATE_VERIFICATION,
      ALIYUN_SMS_TEMPLATE_ACCOUNT_CLOSED: env.ALIYUN_SMS_TEMPLATE_ACCOUNT_CLOSED,
      ALIYUN_SMS_ENDPOINT: env.ALIYUN_SMS_ENDPOINT,
    },
    wechat: {
      WECHAT_APPID: env.WECHAT_APPID,
      WECHAT_SECRET: env.WECHAT_SECRET,
      WECHAT_MINI_APPID: env.WECHAT_MINI_APPID,
      WECHAT_MINI_SECRET: env.WECHAT_MINI_SECRET,
      WECHAT_API_ENDPOINT: env.WECHAT_API_ENDPOINT,
      WECHAT_OPEN_ENDPOINT: env.WECHAT_OPEN_ENDPOINT,
    },
    shutdownGraceMs: Math.round(env.SHUTDOWN_GRACE_SECONDS * 1000),
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT, host: env.METRICS_HOST },
    dataKey: env.RTO_DATA_KEY ? parseDataKey(env.RTO_DATA_KEY) : undefined,
    previousDataKeys: env.RTO_DATA_KEY_PREVIOUS ? env.RTO_DATA_KEY_PREVIOUS.split(',').map((part) => parseDataKey(part)!) : [],
    storage: env.S3_BUCKET
      ? {
          kind: 's3',
          endpoint: env.S3_ENDPOINT!,
          region: env.S3_REGION,
          bucket: env.S3_BUCKET,
          accessKeyId: env.S3_ACCESS_KEY_ID!,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
        }
      : { kind: 'local', root: path.join(dataDir, 'files') },
  };
}
