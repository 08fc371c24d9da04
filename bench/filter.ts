// Scenario: a 50,000-row dataset version built by from-filter-params (time window + metadata + tag filters) out of
// 1,000,000 stored request logs (SQLite), against a plain SELECT of the same rows through better-sqlite3 in the same run.
// The logs are seeded by bulk insert, not HTTP (ingestion has its own scenario). With BENCH_PG_URL (a PostgreSQL
// server URL) the same scenario also runs on PostgreSQL, seeded by generate_series.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { registerSqliteFunctions } from '../src/db/database.js';

const KEY = 'sk_strata_bench_filter_key_0000000000000';
const DAY = 86_400_000;
const BASE = Date.UTC(2026, 0, 1);

export function seed(file: string, count: number): void {
  const db = new SQLite(file);
  // The text-search index's triggers (and its filling below) call strata_fold.
  registerSqliteFunctions(db);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // A large page cache keeps the secondary indexes in memory while they are filled.
  db.pragma('cache_size = -524288');
  const ws = (db.prepare('SELECT id FROM workspaces ORDER BY id LIMIT 1').get() as { id: number }).id;
  const insLog =
    db.prepare(`INSERT INTO request_logs (workspace_id, provider, model, input, output, input_text, output_text, parameters,
    request_start_time, request_end_time, latency_ms, input_tokens, output_tokens, price, status, prompt_input_variables, tags, metadata, scores, score, created_at)
    VALUES (?, 'openai', ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insTag = db.prepare(
    'INSERT INTO request_log_tags (request_log_id, workspace_id, tag, request_start_time) VALUES (?, ?, ?, ?)',
  );
  const insMeta = db.prepare(
    'INSERT INTO request_log_metadata (request_log_id, workspace_id, key, value, request_start_time) VALUES (?, ?, ?, ?, ?)',
  );
  const insScore = db.prepare('INSERT INTO request_log_scores (request_log_id, name, value) VALUES (?, ?, ?)');
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const start = BASE + Math.floor((i * 100 * DAY) / count);
      const q = `What is the status of order ${i}?`;
      const a = `Order ${i} shipped on day ${i % 28}.`;
      const tags = [`shard-${i % 5}`, `team-${i % 3}`];
      const meta = { app: `app-${i % 4}`, env: i % 10 < 7 ? 'prod' : 'dev' };
      const score = i % 101;
      const id = insLog.run(
        ws,
        i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
        JSON.stringify({ type: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: q }] }] }),
        JSON.stringify({ type: 'chat', messages: [{ role: 'assistant', content: [{ type: 'text', text: a }] }] }),
        q,
        a,
        start,
        start + 700,
        700,
        30 + (i % 50),
        10 + (i % 20),
        0.0003,
        i % 40 === 0 ? 'ERROR' : 'SUCCESS',
        JSON.stringify({ question: q, order: String(i) }),
        JSON.stringify(tags),
        JSON.stringify(meta),
        JSON.stringify({ default: score }),
        score,
        start,
      ).lastInsertRowid;
      for (const t of tags) insTag.run(id, ws, t, start);
      for (const [k, v] of Object.entries(meta)) insMeta.run(id, ws, k, v, start);
      insScore.run(id, 'default', score);
    }
  });
  for (let i = 0; i < count; i += 50_000) batch(i, Math.min(count, i + 50_000));
  // The text index, as the server's LogTextIndexer would have filled it (searches then read it, not the tail).
  db.exec(`INSERT INTO request_logs_fts (rowid, input_text, output_text)
    SELECT id, strata_fold(input_text), strata_fold(output_text) FROM request_logs WHERE id > (SELECT indexed_through FROM request_logs_fts_state);
    UPDATE request_logs_fts_state SET indexed_through = (SELECT COALESCE(MAX(id), 0) FROM request_logs)`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

const DAYS = { from: 10, to: 90 };

function filtersFor(limit: number) {
  return {
    start_time: new Date(BASE + DAYS.from * DAY).toISOString(),
    end_time: new Date(BASE + DAYS.to * DAY).toISOString(),
    metadata_and: [{ key: 'app', value: 'app-1' }],
    tags_and: ['team-2'],
    limit,
  };
}

/** The plain SELECT every build is compared with: the same rows, every column, one statement. */
const BASELINE_SQL = `SELECT r.* FROM request_logs r WHERE r.workspace_id = 1 AND r.request_start_time >= $1 AND r.request_start_time <= $2
  AND EXISTS (SELECT 1 FROM request_log_metadata m WHERE m.request_log_id = r.id AND m.key = 'app' AND m.value = 'app-1')
  AND EXISTS (SELECT 1 FROM request_log_tags t WHERE t.request_log_id = r.id AND t.tag = 'team-2')
  ORDER BY r.request_start_time DESC, r.id DESC LIMIT $3`;

/** Builds the version through the real route and job; returns its row count and seconds from request to ready. */
async function build(config: Config, limit: number): Promise<{ rows: number; seconds: number }> {
  const app = await createApp(config);
  try {
    app.worker?.start();
    await app.server!.ready();
    const call = async (method: string, url: string, body?: unknown) => {
      const r = await app.server!.inject({
        method: method as 'GET',
        url,
        headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
        payload: body ? JSON.stringify(body) : undefined,
      });
      if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
      return r.json();
    };
    const group = await call('POST', '/api/public/v2/dataset-groups', { name: 'bench-from-filter' });
    const t0 = performance.now();
    const created = await call('POST', '/api/public/v2/dataset-versions/from-filter-params', {
      dataset_group_id: group.dataset_group.id,
      ...filtersFor(limit),
    });
    let dataset;
    for (;;) {
      dataset = (await call('GET', `/api/public/v2/datasets/${created.dataset_id}`)).dataset;
      if (dataset.status === 'ready' || dataset.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    if (dataset.status !== 'ready') throw new Error(`build failed: ${dataset.error}`);
    return { rows: dataset.row_count, seconds };
  } finally {
    await app.close();
  }
}

const r2 = (n: number) => Math.round(n * 100) / 100;

async function sqliteRun(count: number, wanted: number): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-filter-'));
  const config = loadConfig({
    STRATA_DATA_DIR: dir,
    STRATA_BOOTSTRAP_API_KEY: KEY,
    STRATA_LOG_LEVEL: 'warn',
    STRATA_WORKER_POLL_MS: '50',
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const file = config.database.kind === 'sqlite' ? config.database.file : '';
  try {
    // Schema and workspace first, then the bulk seed with the app closed.
    const setup = await createApp(config);
    await setup.bootstrap();
    await setup.close();
    const s0 = performance.now();
    seed(file, count);
    const seedSeconds = (performance.now() - s0) / 1000;

    const raw = new SQLite(file, { readonly: true });
    const b0 = performance.now();
    const f = filtersFor(wanted);
    const baselineRows = raw
      .prepare(BASELINE_SQL.replace(/\$\d/g, '?'))
      .all(Date.parse(f.start_time), Date.parse(f.end_time), wanted).length;
    const baselineSeconds = (performance.now() - b0) / 1000;
    raw.close();

    const built = await build(config, wanted);
    if (built.rows !== baselineRows)
      throw new Error(`version has ${built.rows} rows, the baseline SELECT ${baselineRows}`);
    return {
      stored_logs: count,
      seed_seconds: Math.round(seedSeconds * 10) / 10,
      version_rows: built.rows,
      build_seconds: r2(built.seconds),
      baseline_select_seconds: r2(baselineSeconds),
      ratio_build_to_select: Math.round((built.seconds / baselineSeconds) * 10) / 10,
      filters: 'time window 80% + metadata app=app-1 + tag team-2, limit 50000',
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The same logs as `seed`, on PostgreSQL (workspace 1), set-wise by generate_series. */
export async function seedPostgres(client: pg.Client, count: number): Promise<void> {
  const start = `(${BASE}::bigint + (i::bigint * ${Math.floor((100 * DAY) / count)}))`;
  await client.query(`INSERT INTO request_logs (id, workspace_id, provider, model, input, output, input_text, output_text, parameters, request_start_time,
      request_end_time, latency_ms, input_tokens, output_tokens, price, status, prompt_input_variables, tags, metadata, scores, score, created_at)
    SELECT i, 1, 'openai', CASE WHEN i % 2 = 1 THEN 'gpt-4o' ELSE 'gpt-4o-mini' END,
      '{"type":"chat","messages":[{"role":"user","content":[{"type":"text","text":"What is the status of order ' || i || '?"}]}]}',
      '{"type":"chat","messages":[{"role":"assistant","content":[{"type":"text","text":"Order ' || i || ' shipped on day ' || i % 28 || '."}]}]}',
      'What is the status of order ' || i || '?', 'Order ' || i || ' shipped on day ' || i % 28 || '.', '{}', ${start}, ${start} + 700, 700,
      30 + i % 50, 10 + i % 20, 0.0003, CASE WHEN i % 40 = 0 THEN 'ERROR' ELSE 'SUCCESS' END,
      '{"question":"What is the status of order ' || i || '?","order":"' || i || '"}', '["shard-' || i % 5 || '","team-' || i % 3 || '"]',
      '{"app":"app-' || i % 4 || '","env":"' || CASE WHEN i % 10 < 7 THEN 'prod' ELSE 'dev' END || '"}', '{"default":' || i % 101 || '}', i % 101, ${start}
    FROM generate_series(0, ${count - 1}) AS i`);
  await client.query(`SELECT setval(pg_get_serial_sequence('request_logs', 'id'), ${count})`);
  await client.query(
    `INSERT INTO request_log_tags SELECT i, 1, t, ${start} FROM generate_series(0, ${count - 1}) AS i, LATERAL (VALUES ('shard-' || i % 5), ('team-' || i % 3)) AS v(t)`,
  );
  await client.query(`INSERT INTO request_log_metadata SELECT i, 1, k, val, ${start} FROM generate_series(0, ${count - 1}) AS i,
    LATERAL (VALUES ('app', 'app-' || i % 4), ('env', CASE WHEN i % 10 < 7 THEN 'prod' ELSE 'dev' END)) AS v(k, val)`);
  await client.query(
    `INSERT INTO request_log_scores SELECT i, 'default', i % 101 FROM generate_series(0, ${count - 1}) AS i`,
  );
}

/** The same data on PostgreSQL, seeded set-wise by generate_series. */
async function postgresRun(adminUrl: string, count: number, wanted: number): Promise<Record<string, number | string>> {
  const name = `strata_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-filter-pg-'));
  const config = loadConfig({
    STRATA_DATA_DIR: dir,
    DATABASE_URL: url.toString(),
    STRATA_BOOTSTRAP_API_KEY: KEY,
    STRATA_LOG_LEVEL: 'warn',
    STRATA_WORKER_POLL_MS: '50',
    PORT: '0',
    HOST: '127.0.0.1',
  });
  try {
    const setup = await createApp(config);
    await setup.bootstrap();
    await setup.close();
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const s0 = performance.now();
      await seedPostgres(client, count);
      const seedSeconds = (performance.now() - s0) / 1000;
      const f = filtersFor(wanted);
      const b0 = performance.now();
      const baseline = await client.query(BASELINE_SQL, [Date.parse(f.start_time), Date.parse(f.end_time), wanted]);
      const baselineSeconds = (performance.now() - b0) / 1000;
      const built = await build(config, wanted);
      if (built.rows !== baseline.rowCount)
        throw new Error(`version has ${built.rows} rows, the baseline SELECT ${baseline.rowCount}`);
      return {
        pg_seed_seconds: Math.round(seedSeconds * 10) / 10,
        pg_version_rows: built.rows,
        pg_build_seconds: r2(built.seconds),
        pg_baseline_select_seconds: r2(baselineSeconds),
        pg_ratio_build_to_select: Math.round((built.seconds / baselineSeconds) * 10) / 10,
      };
    } finally {
      await client.end();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: { logs?: number; rows?: number } = {}): Promise<Record<string, number | string>> {
  const count = opts.logs ?? Number(process.env.BENCH_FILTER_LOGS ?? 1_000_000);
  const wanted = opts.rows ?? 50_000;
  const figures = await sqliteRun(count, wanted);
  const pgUrl = process.env.BENCH_PG_URL;
  return pgUrl ? { ...figures, ...(await postgresRun(pgUrl, count, wanted)) } : figures;
}
