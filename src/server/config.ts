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

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    PUBLIC_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SEED_DEMO: booleanFlag.optional(),
    TRUST_PROXY: booleanFlag.default(false),
    REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
    SMS_PROVIDER: z.enum(['console', 'aliyun']).default('console'),
    ALIYUN_SMS_ACCESS_KEY_ID: optionalString,
    ALIYUN_SMS_ACCESS_KEY_SECRET: optionalString,
    ALIYUN_SMS_SIGN_NAME: optionalString,
    ALIYUN_SMS_TEMPLATE_LOGIN: optionalString,
    ALIYUN_SMS_TEMPLATE_UPDATE: optionalString,
    /** The template telling a driver their information-verification request was answered. */
    ALIYUN_SMS_TEMPLATE_VERIFICATION: optionalString,
    ALIYUN_SMS_ENDPOINT: optionalString.pipe(z.url().optional()),
    S3_ENDPOINT: optionalString.pipe(z.url().optional()),
    S3_REGION: z.string().default('us-east-1'),
    S3_BUCKET: optionalString,
    S3_ACCESS_KEY_ID: optionalString,
    S3_SECRET_ACCESS_KEY: optionalString,
    // Seals secrets kept in the database (signing keys, staff TOTP secrets); never logged.
    RTO_DATA_KEY: optionalString.pipe(
      z
        .string()
        .refine((value) => parseDataKey(value) !== undefined, { message: 'must be 32 bytes as base64 or 64 hex characters' })
        .optional(),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.RTO_DATA_KEY) {
      ctx.addIssue({ code: 'custom', path: ['RTO_DATA_KEY'], message: 'required when NODE_ENV=production (32 bytes as base64 or 64 hex characters, e.g. `openssl rand -base64 32`)' });
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

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  publicBaseUrl: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  seedDemo: boolean;
  trustProxy: boolean;
  redisUrl: string | undefined;
  sms: Pick<Env, 'SMS_PROVIDER' | 'ALIYUN_SMS_ACCESS_KEY_ID' | 'ALIYUN_SMS_ACCESS_KEY_SECRET' | 'ALIYUN_SMS_SIGN_NAME' | 'ALIYUN_SMS_TEMPLATE_LOGIN' | 'ALIYUN_SMS_TEMPLATE_UPDATE' | 'ALIYUN_SMS_TEMPLATE_VERIFICATION' | 'ALIYUN_SMS_ENDPOINT'>;
  /** RTO_DATA_KEY's bytes; unset outside production means a key file under dataDir (secrets/secretBox.ts). */
  dataKey: Buffer | undefined;
  storage: { kind: 'local'; root: string } | { kind: 's3'; endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
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
    publicBaseUrl: env.PUBLIC_BASE_URL,
    logLevel: env.LOG_LEVEL,
    // Demo data is for trying the system out; production never gets it, whatever SEED_DEMO says.
    seedDemo: env.NODE_ENV !== 'production' && (env.SEED_DEMO ?? true),
    trustProxy: env.TRUST_PROXY,
    redisUrl: env.REDIS_URL,
    // Only the SMS settings: the whole environment here would carry the data key along.
    sms: {
      SMS_PROVIDER: env.SMS_PROVIDER,
      ALIYUN_SMS_ACCESS_KEY_ID: env.ALIYUN_SMS_ACCESS_KEY_ID,
      ALIYUN_SMS_ACCESS_KEY_SECRET: env.ALIYUN_SMS_ACCESS_KEY_SECRET,
      ALIYUN_SMS_SIGN_NAME: env.ALIYUN_SMS_SIGN_NAME,
      ALIYUN_SMS_TEMPLATE_LOGIN: env.ALIYUN_SMS_TEMPLATE_LOGIN,
      ALIYUN_SMS_TEMPLATE_UPDATE: env.ALIYUN_SMS_TEMPLATE_UPDATE,
      ALIYUN_SMS_TEMPLATE_VERIFICATION: env.ALIYUN_SMS_TEMPLATE_VERIFICATION,
      ALIYUN_SMS_ENDPOINT: env.ALIYUN_SMS_ENDPOINT,
    },
    dataKey: env.RTO_DATA_KEY ? parseDataKey(env.RTO_DATA_KEY) : undefined,
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
