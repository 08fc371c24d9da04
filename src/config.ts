// Reads and validates the environment once; everything else receives the frozen Config object.
import path from 'node:path';
import { z } from 'zod';

const roleList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(['api', 'worker'])).min(1, 'STRATA_ROLES needs at least one of api, worker'));

const intFrom = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s));

/** Every environment variable Strata reads, with its default. The README's configuration table mirrors this. */
const envSchema = z.object({
  PORT: intFrom(8080, 0),
  HOST: z.string().default('0.0.0.0'),
  STRATA_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalString.refine(
    (u) => u === undefined || /^postgres(ql)?:\/\//.test(u) || /^sqlite:/.test(u),
    'DATABASE_URL must be a postgres:// URL (or sqlite:PATH)',
  ),
  STRATA_DB_POOL_SIZE: intFrom(10, 1),
  STRATA_DB_STATEMENT_TIMEOUT_MS: intFrom(120_000, 0),
  STRATA_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: intFrom(30_000, 0),
  STRATA_DB_CONNECT_TIMEOUT_MS: intFrom(10_000, 0),
  STRATA_BOOTSTRAP_API_KEY: optionalString,
  STRATA_JWT_SECRET: optionalString,
  STRATA_JWT_TTL_SECONDS: intFrom(12 * 3600, 60),
  STRATA_ROLES: roleList.default(['api', 'worker']),
  STRATA_MAX_FILE_BYTES: intFrom(100 * 1024 * 1024, 1),
  STRATA_SYNC_VALIDATE_BYTES: intFrom(10 * 1024 * 1024, 0),
  STRATA_WORKER_CONCURRENCY: intFrom(2, 1),
  STRATA_WORKER_POLL_MS: intFrom(250, 10),
  STRATA_JOB_LEASE_MS: intFrom(60_000, 500),
  STRATA_JOB_MAX_ATTEMPTS: intFrom(5, 1),
  STRATA_TRANSIENT_RETRY_WINDOW_MS: intFrom(30 * 60_000, 0),
  STRATA_TRANSIENT_RETRY_MAX_DELAY_MS: intFrom(30_000, 1),
  STRATA_TMP_MAX_AGE_MS: intFrom(3600_000, 1000),
  STRATA_SHUTDOWN_GRACE_MS: intFrom(10_000, 0),
  STRATA_FAILED_RETENTION_HOURS: z.coerce
    .number()
    .min(0)
    .default(24 * 7),
  STRATA_IMPORT_BATCH_ROWS: intFrom(2000, 1),
  STRATA_DELETED_ROWS_GRACE_MINUTES: z.coerce.number().min(0).default(15),
  STRATA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STRATA_OUTBOUND_ALLOWLIST: z.string().default(''),
  STRATA_WEBHOOK_TIMEOUT_MS: intFrom(10_000, 100),
  STRATA_WEBHOOK_BACKOFF_BASE_MS: intFrom(5_000, 1),
  STRATA_WEBHOOK_BACKOFF_MAX_MS: intFrom(3600_000, 1),
  STRATA_WEBHOOK_RETRY_WINDOW_MS: intFrom(24 * 3600_000, 1),
  STRATA_WEBHOOK_CONCURRENCY: intFrom(4, 1),
  STRATA_SECRET_KEY: optionalString,
  STRATA_STORAGE: z.enum(['local', 's3']).default('local'),
  STRATA_S3_ENDPOINT: optionalString,
  STRATA_S3_REGION: z.string().default('us-east-1'),
  STRATA_S3_BUCKET: optionalString,
  STRATA_S3_PREFIX: z.string().default(''),
  STRATA_S3_ACCESS_KEY_ID: optionalString,
  STRATA_S3_SECRET_ACCESS_KEY: optionalString,
  STRATA_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database:
    { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };
  /** PostgreSQL connection pool and server-side timeouts (0 disables a timeout). */
  readonly db: DatabaseOptions;
  readonly bootstrapApiKey?: string;
  readonly jwtSecret?: string;
  readonly jwtTtlSeconds: number;
  readonly roles: ReadonlyArray<'api' | 'worker'>;
  readonly maxFileBytes: number;
  readonly syncValidateBytes: number;
  readonly worker: {
    readonly concurrency: number;
    readonly pollMs: number;
    readonly leaseMs: number;
    readonly maxAttempts: number;
    readonly importBatchRows: number;
    /** Infrastructure failures re-queue a job without spending an attempt for this long, backing off up to the max delay. */
    readonly transientWindowMs: number;
    readonly transientMaxDelayMs: number;
  };
  /** Temporary upload files (`<data dir>/tmp/*.part`) untouched for this long are left-overs of a crash and are removed. */
  readonly tmpMaxAgeMs: number;
  /**
   * On shutdown, requests still running (a slow download) get this long to finish before their connections are
   * closed; then the worker's running jobs get as long (unfinished ones resume elsewhere once their lease lapses).
   */
  readonly shutdownGraceMs: number;
  readonly failedRetentionMs: number;
  /** Rows of a deleted version are purged once it has been deleted this long (reads already under way finish). */
  readonly deletedRowsGraceMs: number;
  readonly logLevel: string;
  readonly outboundAllowlist: readonly string[];
  /** Webhook delivery: per-attempt timeout, exponential backoff (base doubling up to max), retry window before giving up. */
  readonly webhooks: {
    readonly timeoutMs: number;
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
    readonly retryWindowMs: number;
    readonly concurrency: number;
  };
  readonly secretKey?: string;
  readonly storage:
    | { readonly kind: 'local'; readonly dir: string }
    | {
        readonly kind: 's3';
        readonly endpoint?: string;
        readonly region: string;
        readonly bucket: string;
        readonly prefix: string;
        readonly accessKeyId?: string;
        readonly secretAccessKey?: string;
        readonly forcePathStyle: boolean;
      };
}

export interface DatabaseOptions {
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly idleInTransactionTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export class ConfigError extends Error {}

/** Parses an environment (process.env by default) into a frozen Config, or throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.STRATA_DATA_DIR);
  const url = e.DATABASE_URL;
  const database: Config['database'] =
    url && /^postgres/.test(url)
      ? { kind: 'postgres', url }
      : { kind: 'sqlite', file: url ? path.resolve(url.replace(/^sqlite:/, '')) : path.join(dataDir, 'strata.db') };
  let storage: Config['storage'];
  if (e.STRATA_STORAGE === 's3') {
    if (!e.STRATA_S3_BUCKET)
      throw new ConfigError('invalid configuration:\n  STRATA_S3_BUCKET: required when STRATA_STORAGE=s3');
    storage = {
      kind: 's3',
      endpoint: e.STRATA_S3_ENDPOINT,
      region: e.STRATA_S3_REGION,
      bucket: e.STRATA_S3_BUCKET,
      prefix: e.STRATA_S3_PREFIX,
      accessKeyId: e.STRATA_S3_ACCESS_KEY_ID,
      secretAccessKey: e.STRATA_S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.STRATA_S3_FORCE_PATH_STYLE,
    };
  } else {
    storage = { kind: 'local', dir: path.join(dataDir, 'blobs') };
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    db: Object.freeze({
      poolSize: e.STRATA_DB_POOL_SIZE,
      statementTimeoutMs: e.STRATA_DB_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: e.STRATA_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      connectTimeoutMs: e.STRATA_DB_CONNECT_TIMEOUT_MS,
    }),
    bootstrapApiKey: e.STRATA_BOOTSTRAP_API_KEY,
    jwtSecret: e.STRATA_JWT_SECRET,
    jwtTtlSeconds: e.STRATA_JWT_TTL_SECONDS,
    roles: Object.freeze([...e.STRATA_ROLES]),
    maxFileBytes: e.STRATA_MAX_FILE_BYTES,
    syncValidateBytes: e.STRATA_SYNC_VALIDATE_BYTES,
    worker: Object.freeze({
      concurrency: e.STRATA_WORKER_CONCURRENCY,
      pollMs: e.STRATA_WORKER_POLL_MS,
      leaseMs: e.STRATA_JOB_LEASE_MS,
      maxAttempts: e.STRATA_JOB_MAX_ATTEMPTS,
      importBatchRows: e.STRATA_IMPORT_BATCH_ROWS,
      transientWindowMs: e.STRATA_TRANSIENT_RETRY_WINDOW_MS,
      transientMaxDelayMs: e.STRATA_TRANSIENT_RETRY_MAX_DELAY_MS,
    }),
    tmpMaxAgeMs: e.STRATA_TMP_MAX_AGE_MS,
    shutdownGraceMs: e.STRATA_SHUTDOWN_GRACE_MS,
    failedRetentionMs: e.STRATA_FAILED_RETENTION_HOURS * 3600_000,
    deletedRowsGraceMs: e.STRATA_DELETED_ROWS_GRACE_MINUTES * 60_000,
    logLevel: e.STRATA_LOG_LEVEL,
    outboundAllowlist: Object.freeze(
      e.STRATA_OUTBOUND_ALLOWLIST.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    webhooks: Object.freeze({
      timeoutMs: e.STRATA_WEBHOOK_TIMEOUT_MS,
      backoffBaseMs: e.STRATA_WEBHOOK_BACKOFF_BASE_MS,
      backoffMaxMs: e.STRATA_WEBHOOK_BACKOFF_MAX_MS,
      retryWindowMs: e.STRATA_WEBHOOK_RETRY_WINDOW_MS,
      concurrency: e.STRATA_WEBHOOK_CONCURRENCY,
    }),
    secretKey: e.STRATA_SECRET_KEY,
    storage: Object.freeze(storage),
  });
}
