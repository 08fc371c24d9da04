// Scenario: request-log ingestion through the real POST /log-request route of a Strata server process on loopback
// (SQLite, every log acknowledged only after a durable commit), against raw better-sqlite3 INSERTs of the same rows in
// the same run (one durable commit per log, as an acknowledging service without group commit would do); and the same
// number of SDK-wrapper calls through POST /track-request (OpenAI chat-completions kwargs + response, mapped server-side).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'sk_strata_bench_ingest_key_0000000000000';

export function logBody(i: number) {
  const start = 1_776_000_000 + i;
  return {
    provider: 'openai',
    model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
    input: { type: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: `Summarise ticket ${i}: the printer on floor ${i % 9} is out of toner again` }] }] },
    output: { type: 'chat', messages: [{ role: 'assistant', content: [{ type: 'text', text: `Ticket ${i}: replace the toner on floor ${i % 9}.` }] }] },
    request_start_time: start,
    request_end_time: start + 0.8,
    tags: ['bench', `shard-${i % 8}`],
    metadata: { app: `app-${i % 4}`, user: `user-${i % 100}` },
    input_tokens: 40 + (i % 13),
    output_tokens: 12 + (i % 7),
    price: 0.0004,
    score: i % 101,
    status: i % 50 === 0 ? 'ERROR' : 'SUCCESS',
  };
}

/** What the JS SDK's pl.OpenAI wrapper posts after one chat.completions.create call (API key in the body). */
export function trackBody(i: number) {
  const start = new Date(Date.UTC(2026, 3, 12) + i * 1000);
  return {
    api_key: KEY,
    provider_type: 'openai',
    function_name: 'openai.chat.completions.create',
    request_start_time: start.toISOString(),
    request_end_time: new Date(start.getTime() + 800).toISOString(),
    kwargs: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Summarise ticket ${i}: the printer on floor ${i % 9} is out of toner again` }], temperature: 0.2 },
    request_response: {
      id: `chatcmpl-${i}`,
      object: 'chat.completion',
      created: 1_776_000_000,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: `Ticket ${i}: replace the toner on floor ${i % 9}.` }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 40 + (i % 13), completion_tokens: 12 + (i % 7), total_tokens: 52 + (i % 20) },
    },
    tags: ['bench', `shard-${i % 8}`],
    return_pl_id: true,
    span_id: (i + 1).toString(16).padStart(16, '0'),
  };
}

async function startServer(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, STRATA_DATA_DIR: dataDir, STRATA_BOOTSTRAP_API_KEY: KEY, STRATA_LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('bench server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** The same rows straight into a table shaped like request_logs, one durable transaction per row. */
function baseline(file: string, count: number): number {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE logs (id INTEGER PRIMARY KEY, provider TEXT, model TEXT, input TEXT, output TEXT, request_start_time INTEGER,
    request_end_time INTEGER, tags TEXT, metadata TEXT, input_tokens INTEGER, output_tokens INTEGER, price REAL, score REAL, status TEXT);
    CREATE INDEX logs_time ON logs (request_start_time);
    CREATE TABLE tags (log_id INTEGER, tag TEXT, PRIMARY KEY (log_id, tag));
    CREATE TABLE meta (log_id INTEGER, key TEXT, value TEXT, PRIMARY KEY (log_id, key));`);
  const insLog = db.prepare(`INSERT INTO logs (provider, model, input, output, request_start_time, request_end_time, tags, metadata, input_tokens, output_tokens, price, score, status)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insTag = db.prepare('INSERT INTO tags VALUES (?, ?)');
  const insMeta = db.prepare('INSERT INTO meta VALUES (?, ?, ?)');
  const one = db.transaction((b: ReturnType<typeof logBody>) => {
    const id = insLog.run(b.provider, b.model, JSON.stringify(b.input), JSON.stringify(b.output), b.request_start_time * 1000, b.request_end_time * 1000, JSON.stringify(b.tags), JSON.stringify(b.metadata), b.input_tokens, b.output_tokens, b.price, b.score, b.status).lastInsertRowid;
    for (const t of b.tags) insTag.run(id, t);
    for (const [k, v] of Object.entries(b.metadata)) insMeta.run(id, k, v);
  });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) one(logBody(i));
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return seconds;
}

export async function run(opts: { logs?: number; concurrency?: number } = {}): Promise<Record<string, number | string>> {
  const count = opts.logs ?? Number(process.env.BENCH_INGEST_LOGS ?? 5000);
  const concurrency = opts.concurrency ?? Number(process.env.BENCH_INGEST_CONCURRENCY ?? 32);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-ingest-'));
  try {
    const baselineSeconds = baseline(path.join(dir, 'baseline.db'), count);
    const server = await startServer(path.join(dir, 'data'));
    let httpSeconds: number;
    let trackSeconds: number;
    let ceiling: number;
    try {
      /** Posts every body with `concurrency` clients (the first 50 one by one, to warm up); returns the timed seconds. */
      const measure = async (route: string, bodies: string[], headers: Record<string, string>, okStatus: number) => {
        const post = async (body: string) => {
          const r = await fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
          if (r.status !== okStatus) throw new Error(`${route} answered ${r.status}: ${await r.text()}`);
          await r.arrayBuffer();
        };
        for (let i = 0; i < 50; i++) await post(bodies[i]); // warm-up (JIT, connections); counted in the stored total
        let next = 50;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < bodies.length) await post(bodies[next++]);
          }),
        );
        return (performance.now() - t0) / 1000;
      };
      httpSeconds = await measure('/log-request', Array.from({ length: count }, (_, i) => JSON.stringify(logBody(i))), { 'x-api-key': KEY }, 201);
      trackSeconds = await measure('/track-request', Array.from({ length: count }, (_, i) => JSON.stringify(trackBody(i))), {}, 200);
      // The loopback HTTP ceiling of this machine (client and server share its cores): an empty GET.
      let probes = 0;
      const p0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (probes < 2000) {
            probes++;
            await (await fetch(`${server.url}/healthz`)).arrayBuffer();
          }
        }),
      );
      ceiling = probes / ((performance.now() - p0) / 1000);
      const stored = await (
        await fetch(`${server.url}/api/public/v2/requests/search`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify({ per_page: 1 }) })
      ).json();
      if (stored.total !== 2 * count) throw new Error(`stored ${stored.total} logs, expected ${2 * count}`);
    } finally {
      await server.stop();
    }
    const httpRate = (count - 50) / httpSeconds;
    const trackRate = (count - 50) / trackSeconds;
    const baselineRate = count / baselineSeconds;
    return {
      logs: count,
      concurrency,
      http_logs_per_s: Math.round(httpRate),
      baseline_raw_insert_logs_per_s: Math.round(baselineRate),
      ratio_http_to_baseline: Math.round((httpRate / baselineRate) * 100) / 100,
      track_request_logs_per_s: Math.round(trackRate),
      ratio_track_to_log_request: Math.round((trackRate / httpRate) * 100) / 100,
      loopback_ceiling_empty_get_per_s: Math.round(ceiling),
      durability: 'synchronous=FULL, 201 only after commit (group commit)',
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
