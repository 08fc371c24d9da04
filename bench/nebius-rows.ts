// Scenario: Nebius rows uploads (POST /v1/datasets with `rows` in the JSON body) of ~65 MB against a server process:
// the server's peak memory above idle while it streams, checks and stores the rows, against the body's size (the
// goal), and its time against sqlite3 loading the same rows from the same body. Two shapes: 254,000 short typed rows
// (the issue's 65 MB / 254,318 rows) and 40,000 chat transcripts in a json column (fine-tuning data, ~1.6 KB a row).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_KEY, mb, round, startServer } from './support.js';

export interface RowsCase {
  name: string;
  /** Rows at full size (BENCH_NEBIUS_SCALE=1). */
  fullRows: number;
  schema: Array<{ name: string; type: unknown }>;
  row(i: number): Record<string, unknown>;
}

export const ROWS_CASES: RowsCase[] = [
  {
    name: 'nebius-rows-upload-typed',
    fullRows: 254_000,
    schema: [
      { name: 'id', type: { name: 'integer' } },
      { name: 'prompt', type: { name: 'string' } },
      { name: 'completion', type: { name: 'string' } },
      { name: 'score', type: { name: 'double' } },
      { name: 'ok', type: { name: 'boolean' } },
      { name: 'meta', type: { name: 'json' } },
      { name: 'label', type: { name: 'option', item: { name: 'string' } } },
    ],
    // ~256 bytes of JSON per row.
    row: (i) => ({
      id: i,
      prompt: `Summarise item ${i} for the quarterly report, keeping the figures and the names`,
      completion: i % 5 === 0 ? `A, B and C (${i}) "quoted"\nsecond line` : `Item ${i} summary: short and to the point`,
      score: (i % 1000) / 7,
      ok: i % 2 === 0,
      meta: { source: `batch-${i % 97}`, n: i, tags: ['a', 'b'] },
      label: i % 3 === 0 ? null : `label-${i % 13}`,
    }),
  },
  {
    name: 'nebius-rows-upload-chat',
    fullRows: 40_000,
    schema: [
      { name: 'id', type: { name: 'integer' } },
      { name: 'messages', type: { name: 'json' } },
    ],
    // 8 messages of ~160 characters: ~1.6 KB of JSON per row.
    row: (i) => ({
      id: i,
      messages: Array.from({ length: 8 }, (_, k) => ({
        role: k % 2 ? 'assistant' : 'user',
        content: `message ${k} of row ${i} `.repeat(8),
      })),
    }),
  },
];

/** Writes the request body to `file` in 1 MB writes; returns its size. */
function writeBody(c: RowsCase, file: string, rows: number): number {
  const fd = fs.openSync(file, 'w');
  let chunk = `{"name": "bench-rows", "folder": "/bench", "schema": ${JSON.stringify(c.schema)}, "rows": [`;
  for (let i = 0; i < rows; i++) {
    chunk += (i > 0 ? ',\n' : '\n') + JSON.stringify(c.row(i));
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk + '\n]}\n');
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

export async function run(c: RowsCase, scale = 1): Promise<Record<string, number | string>> {
  const rows = Math.max(1, Math.round(c.fullRows * scale));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-nebius-'));
  const file = path.join(dir, 'body.json');
  const size = writeBody(c, file, rows);
  try {
    const db = path.join(dir, 'baseline.db');
    const cols = c.schema.map((c) => c.name);
    const t0 = performance.now();
    execFileSync('sqlite3', [
      db,
      `CREATE TABLE t(${cols.join(',')}); INSERT INTO t SELECT ${cols.map((col) => `value->>'${col}'`).join(', ')} FROM json_each(readfile('${file}'), '$.rows');`,
    ]);
    const sqliteSeconds = (performance.now() - t0) / 1000;

    const server = await startServer();
    try {
      const body = fs.readFileSync(file);
      await new Promise((r) => setTimeout(r, 1000));
      const idle = server.rss();
      let peak = idle;
      const sampler = setInterval(() => (peak = Math.max(peak, server.rss())), 50);
      let answer: { status: number; json: any };
      const t1 = performance.now();
      try {
        const r = await fetch(`${server.url}/v1/datasets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' },
          body,
        });
        answer = { status: r.status, json: await r.json() };
      } finally {
        clearInterval(sampler);
      }
      const seconds = (performance.now() - t1) / 1000;
      peak = Math.max(peak, server.rss());
      if (answer.status !== 200 || answer.json.status !== 'READY')
        throw new Error(`upload answered ${answer.status}: ${JSON.stringify(answer.json).slice(0, 500)}`);
      const last = await fetch(`${server.url}/v1/datasets/${answer.json.id}/content?offset=${rows - 1}&limit=2`, {
        headers: { authorization: `Bearer ${BENCH_KEY}` },
      });
      const page = (await last.json()) as { rows: Array<{ id: number }> };
      if (page.rows.length !== 1 || page.rows[0].id !== rows - 1)
        throw new Error(`the dataset does not hold ${rows} rows`);
      return {
        body_mb: mb(size),
        rows,
        baseline: 'the body size (memory); sqlite3 json_each(readfile(body), $.rows) (time)',
        idle_rss_mb: mb(idle),
        peak_rss_mb: mb(peak),
        peak_mem_above_idle_mb: mb(peak - idle),
        peak_mem_vs_body_size: round((peak - idle) / size),
        strata_upload_s: round(seconds),
        sqlite3_s: round(sqliteSeconds),
        ratio_strata_vs_sqlite3: round(seconds / sqliteSeconds),
        load_avg_1m: round(os.loadavg()[0], 1),
      };
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
