// Scenario: a 50,000-row dataset version built by from-filter-params (time window + metadata + tag filters) out of
// 1,000,000 stored request logs (SQLite), against a plain SELECT of the same rows through better-sqlite3 in the same run.
// The logs are seeded by bulk insert, not HTTP (ingestion has its own scenario).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const KEY = 'sk_strata_bench_filter_key_0000000000000';
const DAY = 86_400_000;
const BASE = Date.UTC(2026, 0, 1);

export function seed(file: string, count: number): void {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // A large page cache keeps the secondary indexes in memory while they are filled.
  db.pragma('cache_size = -524288');
  const ws = (db.prepare('SELECT id FROM workspaces ORDER BY id LIMIT 1').get() as { id: number }).id;
  const insLog = db.prepare(`INSERT INTO request_logs (workspace_id, provider, model, input, output, input_text, output_text, parameters,
    request_start_time, request_end_time, latency_ms, input_tokens, output_tokens, price, status, prompt_input_variables, tags, metadata, scores, score, created_at)
    VALUES (?, 'openai', ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insTag = db.prepare('INSERT INTO request_log_tags (request_log_id, workspace_id, tag, request_start_time) VALUES (?, ?, ?, ?)');
  const insMeta = db.prepare('INSERT INTO request_log_metadata (request_log_id, workspace_id, key, value, request_start_time) VALUES (?, ?, ?, ?, ?)');
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
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

export async function run(opts: { logs?: number; rows?: number } = {}): Promise<Record<string, number | string>> {
  const count = opts.logs ?? Number(process.env.BENCH_FILTER_LOGS ?? 1_000_000);
  const wanted = opts.rows ?? 50_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-filter-'));
  const config = loadConfig({ STRATA_DATA_DIR: dir, STRATA_BOOTSTRAP_API_KEY: KEY, STRATA_LOG_LEVEL: 'warn', STRATA_WORKER_POLL_MS: '50', PORT: '0', HOST: '127.0.0.1' });
  const file = config.database.kind === 'sqlite' ? config.database.file : '';
  try {
    // Schema and workspace first, then the bulk seed with the app closed.
    const setup = await createApp(config);
    await setup.bootstrap();
    await setup.close();
    const s0 = performance.now();
    seed(file, count);
    const seedSeconds = (performance.now() - s0) / 1000;

    const filters = {
      start_time: new Date(BASE + 10 * DAY).toISOString(),
      end_time: new Date(BASE + 90 * DAY).toISOString(),
      metadata_and: [{ key: 'app', value: 'app-1' }],
      tags_and: ['team-2'],
      limit: wanted,
    };

    // Baseline: the same rows, every column, by one plain SELECT.
    const raw = new SQLite(file, { readonly: true });
    const b0 = performance.now();
    const baselineRows = raw
      .prepare(
        `SELECT r.* FROM request_logs r WHERE r.workspace_id = 1 AND r.request_start_time >= ? AND r.request_start_time <= ?
         AND EXISTS (SELECT 1 FROM request_log_metadata m WHERE m.request_log_id = r.id AND m.key = 'app' AND m.value = 'app-1')
         AND EXISTS (SELECT 1 FROM request_log_tags t WHERE t.request_log_id = r.id AND t.tag = 'team-2')
         ORDER BY r.request_start_time DESC, r.id DESC LIMIT ?`,
      )
      .all(Date.parse(filters.start_time), Date.parse(filters.end_time), wanted).length;
    const baselineSeconds = (performance.now() - b0) / 1000;
    raw.close();

    const app = await createApp(config);
    try {
      app.worker?.start();
      await app.server!.ready();
      const call = async (method: string, url: string, body?: unknown) => {
        const r = await app.server!.inject({ method: method as 'GET', url, headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) }, payload: body ? JSON.stringify(body) : undefined });
        if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
        return r.json();
      };
      const group = await call('POST', '/api/public/v2/dataset-groups', { name: 'bench-from-filter' });
      const t0 = performance.now();
      const created = await call('POST', '/api/public/v2/dataset-versions/from-filter-params', { dataset_group_id: group.dataset_group.id, ...filters });
      let dataset;
      for (;;) {
        dataset = (await call('GET', `/api/public/v2/datasets/${created.dataset_id}`)).dataset;
        if (dataset.status === 'ready' || dataset.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const buildSeconds = (performance.now() - t0) / 1000;
      if (dataset.status !== 'ready') throw new Error(`build failed: ${dataset.error}`);
      if (dataset.row_count !== baselineRows) throw new Error(`version has ${dataset.row_count} rows, the baseline SELECT ${baselineRows}`);
      return {
        stored_logs: count,
        seed_seconds: Math.round(seedSeconds * 10) / 10,
        version_rows: dataset.row_count,
        build_seconds: Math.round(buildSeconds * 100) / 100,
        baseline_select_seconds: Math.round(baselineSeconds * 100) / 100,
        ratio_build_to_select: Math.round((buildSeconds / baselineSeconds) * 10) / 10,
        filters: 'time window 80% + metadata app=app-1 + tag team-2, limit 50000',
      };
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
