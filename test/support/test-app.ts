// Starts a real Strata app (in-process) on a fresh database and data dir, for HTTP-level tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { EventSink } from '../../src/events/domain-events.js';
import { REDACTED_PATHS } from '../../src/http/server.js';
import { createPostgresDatabase, type TestDialect } from './dialects.js';
import { startS3Server, S3_KEY_ID, S3_SECRET, type TestS3 } from './s3-server.js';

export const TEST_API_KEY = 'sk_strata_test_key_for_the_default_workspace';

export interface TestApp {
  app: App;
  dialect: TestDialect;
  dataDir: string;
  /** The PostgreSQL URL or SQLite file, for starting more processes on the same database. */
  env: Record<string, string>;
  /** In-process HTTP call with the default workspace's API key (override with headers). */
  request(opts: {
    method: string;
    url: string;
    body?: unknown;
    headers?: Record<string, string>;
    apiKey?: string | null;
  }): Promise<LightMyRequestResponse>;
  /** Every log line (JSON text) when started with `captureLogs`. */
  logLines: string[];
  /** The s3rver behind STRATA_STORAGE=s3, when the app stores blobs in S3. */
  s3?: TestS3;
  /** Listens on 127.0.0.1 and returns the base URL (for real HTTP clients such as SDKs and browsers). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Blobs go to S3 (a fresh s3rver bucket) when `env.STRATA_STORAGE` is 's3' without an endpoint, or when the suite runs
 * with STRATA_TEST_STORAGE=s3. `captureLogs` logs at trace level into `logLines`, through the production redaction list.
 */
export async function startTestApp(
  dialect: TestDialect,
  env: Record<string, string> = {},
  opts: { captureLogs?: boolean; events?: EventSink } = {},
): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-test-'));
  let dropDb: (() => Promise<void>) | undefined;
  const baseEnv: Record<string, string> = {
    STRATA_DATA_DIR: dataDir,
    STRATA_BOOTSTRAP_API_KEY: TEST_API_KEY,
    STRATA_LOG_LEVEL: process.env.STRATA_TEST_LOG_LEVEL ?? 'silent',
    STRATA_WORKER_POLL_MS: '50',
    STRATA_JWT_SECRET: 'test-jwt-secret-test-jwt-secret-0123',
    PORT: '0',
    HOST: '127.0.0.1',
  };
  // A given DATABASE_URL (an upgrade test's restored fixture) is used as it is; otherwise a fresh database.
  if (dialect === 'postgres' && !env.DATABASE_URL) {
    const db = await createPostgresDatabase();
    baseEnv.DATABASE_URL = db.url;
    dropDb = db.drop;
  }
  let s3: TestS3 | undefined;
  const wantS3 =
    env.STRATA_STORAGE === 's3' || (process.env.STRATA_TEST_STORAGE === 's3' && env.STRATA_STORAGE === undefined);
  if (wantS3 && !env.STRATA_S3_ENDPOINT) {
    s3 = await startS3Server(['strata-blobs']);
    Object.assign(baseEnv, {
      STRATA_STORAGE: 's3',
      STRATA_S3_ENDPOINT: s3.endpoint,
      STRATA_S3_BUCKET: 'strata-blobs',
      STRATA_S3_PREFIX: 'test',
      STRATA_S3_ACCESS_KEY_ID: S3_KEY_ID,
      STRATA_S3_SECRET_ACCESS_KEY: S3_SECRET,
    });
  }
  const fullEnv = { ...baseEnv, ...env };
  const logLines: string[] = [];
  const logger = opts.captureLogs
    ? pino(
        { level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
        new Writable({
          write(chunk, _enc, cb) {
            logLines.push(...String(chunk).split('\n').filter(Boolean));
            cb();
          },
        }),
      )
    : undefined;
  const app = await createApp(loadConfig(fullEnv), { logger, events: opts.events });
  await app.bootstrap();
  app.worker?.start();
  await app.server?.ready();
  let closed = false;
  return {
    app,
    dialect,
    dataDir,
    env: fullEnv,
    logLines,
    s3,
    request: ({ method, url, body, headers = {}, apiKey = TEST_API_KEY }) =>
      app.server!.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(apiKey ? { 'x-api-key': apiKey } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    listen: async () => {
      const address = await app.server!.listen({ port: 0, host: '127.0.0.1' });
      return address;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      await dropDb?.();
      await s3?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
