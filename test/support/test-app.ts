// Starts a real Strata app (in-process) on a fresh database and data dir, for HTTP-level tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { EventSink } from '../../src/events/domain-events.js';
import { createPostgresDatabase, type TestDialect } from './dialects.js';

export const TEST_API_KEY = 'sk_strata_test_key_for_the_default_workspace';

export interface TestApp {
  app: App;
  dialect: TestDialect;
  dataDir: string;
  /** The PostgreSQL URL or SQLite file, for starting more processes on the same database. */
  env: Record<string, string>;
  /** In-process HTTP call with the default workspace's API key (override with headers). */
  request(opts: { method: string; url: string; body?: unknown; headers?: Record<string, string>; apiKey?: string | null }): Promise<LightMyRequestResponse>;
  /** Listens on 127.0.0.1 and returns the base URL (for real HTTP clients such as SDKs and browsers). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApp(dialect: TestDialect, env: Record<string, string> = {}, opts: { events?: EventSink } = {}): Promise<TestApp> {
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
  if (dialect === 'postgres') {
    const db = await createPostgresDatabase();
    baseEnv.DATABASE_URL = db.url;
    dropDb = db.drop;
  }
  const fullEnv = { ...baseEnv, ...env };
  const app = await createApp(loadConfig(fullEnv), { events: opts.events });
  await app.bootstrap();
  app.worker?.start();
  await app.server?.ready();
  let closed = false;
  return {
    app,
    dialect,
    dataDir,
    env: fullEnv,
    request: ({ method, url, body, headers = {}, apiKey = TEST_API_KEY }) =>
      app.server!.inject({
        method: method as 'GET',
        url,
        headers: { ...(apiKey ? { 'x-api-key': apiKey } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
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
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
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
