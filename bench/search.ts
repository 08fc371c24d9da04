// Scenario: filters and text search over 1,000,000 stored request logs (SQLite; PostgreSQL too with BENCH_PG_URL),
// each query timed in the SQL Strata ran before (tag/metadata EXISTS without a workspace bound, unindexed LIKE/ILIKE)
// and in the SQL it runs now (RequestLogRepository.filterSql), both in the same run on the same data; the two must
// return the same count (the old SQLite LIKE folds ASCII only, so only ASCII searches are compared).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql, type RawBuilder } from 'kysely';
import { createApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import type { LogFilter } from '../src/request-logs/log-filter.js';
import { RequestLogRepository } from '../src/request-logs/request-log.repository.js';
import { seed, seedPostgres } from './filter.js';

const KEY = 'sk_strata_bench_search_key_0000000000000';
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 3);

interface Case {
  name: string;
  filter: LogFilter;
  /** The condition before this change (`ws` = workspace 1). */
  before: (dialect: 'sqlite' | 'postgres') => string;
  page?: boolean;
}

const like = (d: 'sqlite' | 'postgres', col: string, text: string) =>
  d === 'postgres' ? `r.${col} ILIKE '%${text}%'` : `r.${col} LIKE '%${text}%' ESCAPE '\\'`;

const casesFor = (count: number): Case[] => {
  const ticket = `T-${1000 * Math.max(1, Math.floor(count / 2000))}`;
  return [
    {
      name: 'tag shard-3 (20%) count',
      filter: { kind: 'tag', tags: ['shard-3'] },
      before: () => `EXISTS (SELECT 1 FROM request_log_tags t WHERE t.request_log_id = r.id AND t.tag = 'shard-3')`,
    },
    {
      name: 'tag rare (0.1%) count',
      filter: { kind: 'tag', tags: ['rare'] },
      before: () => `EXISTS (SELECT 1 FROM request_log_tags t WHERE t.request_log_id = r.id AND t.tag = 'rare')`,
    },
    {
      name: 'tag rare (0.1%) newest 50',
      page: true,
      filter: { kind: 'tag', tags: ['rare'] },
      before: () => `EXISTS (SELECT 1 FROM request_log_tags t WHERE t.request_log_id = r.id AND t.tag = 'rare')`,
    },
    {
      name: 'metadata app=app-1 (25%) count',
      filter: { kind: 'meta', key: 'app', op: 'eq', values: ['app-1'] },
      before: () =>
        `EXISTS (SELECT 1 FROM request_log_metadata m WHERE m.request_log_id = r.id AND m.key = 'app' AND m.value = 'app-1')`,
    },
    {
      name: 'metadata ticket=T-<id> (1 log) count',
      filter: { kind: 'meta', key: 'ticket', op: 'eq', values: [ticket] },
      before: () =>
        `EXISTS (SELECT 1 FROM request_log_metadata m WHERE m.request_log_id = r.id AND m.key = 'ticket' AND m.value = '${ticket}')`,
    },
    {
      name: 'q "order 123456" count',
      filter: { kind: 'q', text: 'order 123456' },
      before: (d) => `(${like(d, 'input_text', 'order 123456')} OR ${like(d, 'output_text', 'order 123456')})`,
    },
    {
      name: 'q "order 123456" newest 50',
      page: true,
      filter: { kind: 'q', text: 'order 123456' },
      before: (d) => `(${like(d, 'input_text', 'order 123456')} OR ${like(d, 'output_text', 'order 123456')})`,
    },
    {
      name: 'q "day 27." (3.6%) count',
      filter: { kind: 'q', text: 'day 27.' },
      before: (d) => `(${like(d, 'input_text', 'day 27.')} OR ${like(d, 'output_text', 'day 27.')})`,
    },
    {
      name: 'q "day 27." newest 50',
      page: true,
      filter: { kind: 'q', text: 'day 27.' },
      before: (d) => `(${like(d, 'input_text', 'day 27.')} OR ${like(d, 'output_text', 'day 27.')})`,
    },
    // Two characters: too short for a trigram, so both databases scan (the folded LIKE on SQLite).
    {
      name: 'q "27" (2 chars, no index) count',
      filter: { kind: 'q', text: '27' },
      before: (d) => `(${like(d, 'input_text', '27')} OR ${like(d, 'output_text', '27')})`,
    },
    {
      name: 'output_text contains "ORDER 4242" count',
      filter: { kind: 'text', column: 'output_text', op: 'contains', value: 'ORDER 4242' },
      before: (d) => like(d, 'output_text', 'ORDER 4242'),
    },
  ];
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(dbh: DatabaseHandle, query: RawBuilder<{ n: unknown }>): Promise<{ ms: number; n: number }> {
  const times: number[] = [];
  let n = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await query.execute(dbh.db);
    times.push(performance.now() - t0);
    n = res.rows.length === 1 && 'n' in res.rows[0] ? Number(res.rows[0].n) : res.rows.length;
  }
  return { ms: median(times), n };
}

function statement(c: Case, where: RawBuilder<unknown>): RawBuilder<{ n: unknown }> {
  return c.page
    ? sql<{
        n: unknown;
      }>`SELECT r.id AS id FROM request_logs r WHERE ${where} ORDER BY r.request_start_time DESC, r.id DESC LIMIT 50`
    : sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM request_logs r WHERE ${where}`;
}

async function measure(
  dialect: 'sqlite' | 'postgres',
  dbh: DatabaseHandle,
  count: number,
): Promise<Record<string, string>> {
  const repo = new RequestLogRepository(dbh.db, dbh.dialect);
  const out: Record<string, string> = {};
  for (const c of casesFor(count)) {
    const before = await time(dbh, statement(c, sql`r.workspace_id = 1 AND ${sql.raw(c.before(dialect))}`));
    const after = await time(dbh, statement(c, repo.filterSql(1, c.filter)));
    if (before.n !== after.n) throw new Error(`${dialect} ${c.name}: before ${before.n} rows, after ${after.n}`);
    out[`${dialect} ${c.name}`] =
      `${before.ms.toFixed(1)} ms -> ${after.ms.toFixed(1)} ms (x${(before.ms / after.ms).toFixed(1)}, n=${after.n})`;
  }
  return out;
}

function configFor(dir: string, databaseUrl?: string): Config {
  return loadConfig({
    STRATA_DATA_DIR: dir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    STRATA_BOOTSTRAP_API_KEY: KEY,
    STRATA_LOG_LEVEL: 'warn',
    STRATA_ROLES: 'api',
    PORT: '0',
    HOST: '127.0.0.1',
  });
}

/** One log in a thousand gets tag `rare` and metadata ticket=T-<id>: selective filters beside the seed's broad ones. */
const RARE_TAGS = `INSERT INTO request_log_tags (request_log_id, workspace_id, tag, request_start_time) SELECT id, workspace_id, 'rare', request_start_time FROM request_logs WHERE id % 1000 = 0`;
const RARE_META = `INSERT INTO request_log_metadata (request_log_id, workspace_id, key, value, request_start_time) SELECT id, workspace_id, 'ticket', 'T-' || id, request_start_time FROM request_logs WHERE id % 1000 = 0`;

async function sqliteRun(count: number): Promise<Record<string, string | number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-search-'));
  const config = configFor(dir);
  try {
    const setup = await createApp(config);
    await setup.bootstrap();
    await setup.close();
    const s0 = performance.now();
    seed(config.database.kind === 'sqlite' ? config.database.file : '', count);
    const dbh = openDatabase(config.database);
    try {
      await sql.raw(RARE_TAGS).execute(dbh.db);
      await sql.raw(RARE_META).execute(dbh.db);
      await sql`ANALYZE`.execute(dbh.db);
      const seedSeconds = (performance.now() - s0) / 1000;
      return { sqlite_seed_seconds_with_fts: Math.round(seedSeconds), ...(await measure('sqlite', dbh, count)) };
    } finally {
      await dbh.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresRun(adminUrl: string, count: number): Promise<Record<string, string | number>> {
  const name = `strata_bench_search_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-search-pg-'));
  const config = configFor(dir, url.toString());
  try {
    const setup = await createApp(config);
    await setup.bootstrap();
    await setup.close();
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const s0 = performance.now();
    try {
      await seedPostgres(client, count);
      await client.query(RARE_TAGS);
      await client.query(RARE_META);
      await client.query('VACUUM ANALYZE');
    } finally {
      await client.end();
    }
    const seedSeconds = (performance.now() - s0) / 1000;
    const dbh = openDatabase(config.database);
    try {
      return { pg_seed_seconds_with_trgm: Math.round(seedSeconds), ...(await measure('postgres', dbh, count)) };
    } finally {
      await dbh.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: { logs?: number } = {}): Promise<Record<string, number | string>> {
  const count = opts.logs ?? Number(process.env.BENCH_SEARCH_LOGS ?? 1_000_000);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const figures: Record<string, number | string> = {
    stored_logs: count,
    cpus: os.cpus().length,
    load_avg_at_start: load,
  };
  if (process.env.BENCH_SEARCH_SKIP_SQLITE !== '1') Object.assign(figures, await sqliteRun(count));
  const pgUrl = process.env.BENCH_PG_URL;
  if (pgUrl) Object.assign(figures, await postgresRun(pgUrl, count));
  figures.load_avg_at_end = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return figures;
}
