// Scenario: a ~100 MB CSV (1,000,000 rows, quoted commas and newlines) through from-file until ready,
// against the sqlite3 command-line tool's `.import` of the same file in the same run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, mb, round, startServer } from './support.js';

export function generateCsv(file: string, rows: number): number {
  const fd = fs.openSync(file, 'w');
  let chunk = 'id,prompt,completion,label,score\n';
  for (let i = 0; i < rows; i++) {
    const prompt =
      i % 7 === 0
        ? `"Summarise, briefly: item ${i}\nsecond line with ""quotes"""`
        : `Summarise item ${i} for the report`;
    const completion = i % 5 === 0 ? `"A, B and C (${i})"` : `Item ${i} summary: short and to the point`;
    chunk += `${i},${prompt},${completion},label-${i % 13},${(i % 100) / 10}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

export async function run(opts: { rows?: number } = {}): Promise<Record<string, number | string>> {
  const rows = opts.rows ?? 1_000_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-csv-'));
  const file = path.join(dir, 'data.csv');
  const size = generateCsv(file, rows);

  // Baseline: sqlite3 .import of the same file into a fresh database.
  const db = path.join(dir, 'baseline.db');
  const t0 = performance.now();
  execFileSync('sqlite3', [db, '.mode csv', `.import ${file} t`]);
  const sqliteSeconds = (performance.now() - t0) / 1000;
  const imported = Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM t']).toString().trim());
  if (imported !== rows) throw new Error(`sqlite3 imported ${imported} rows, expected ${rows}`);

  const server = await startServer();
  try {
    const group = await api(server, 'POST', '/api/public/v2/dataset-groups', { name: 'bench' });
    await new Promise((r) => setTimeout(r, 500));
    const idle = server.rss();
    const body = JSON.stringify({
      dataset_group_id: group.dataset_group.id,
      file_name: 'data.csv',
      file_content_base64: fs.readFileSync(file).toString('base64'),
    });
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, server.rss())), 50);
    const t1 = performance.now();
    const created = await api(server, 'POST', '/api/public/v2/dataset-versions/from-file', body);
    let dataset;
    for (;;) {
      dataset = (await api(server, 'GET', `/api/public/v2/datasets/${created.dataset_id}`)).dataset;
      if (dataset.status === 'ready' || dataset.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const strataSeconds = (performance.now() - t1) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, server.rss());
    if (dataset.status !== 'ready' || dataset.row_count !== rows)
      throw new Error(`import ended ${dataset.status} with ${dataset.row_count} rows: ${dataset.error}`);
    return {
      file_mb: mb(size),
      rows,
      sqlite3_import_s: round(sqliteSeconds),
      strata_from_file_s: round(strataSeconds),
      ratio_strata_vs_sqlite3: round(strataSeconds / sqliteSeconds),
      rows_per_s: Math.round(rows / strataSeconds),
      peak_mem_above_idle_mb: mb(peak - idle),
      peak_mem_vs_file_size: round((peak - idle) / size),
    };
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
