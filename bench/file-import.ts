// Scenarios: ~100 MB files through from-file until ready, each against the sqlite3 command-line tool loading the
// same rows in the same run: a CSV of short cells (1,000,000 rows, some quoted commas and newlines), a CSV of long
// quoted cells with embedded newlines and quotes, and JSON, JSONL and Parquet files of the same rows. Also the server's
// peak memory above idle during the upload and import, against the file's size.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { api, cpuSeconds, mb, round, startServer, type ServerProcess } from './support.js';

/** Writes `text` pieces to `file` in 1 MB writes; returns the file's size. */
function writeChunked(file: string, pieces: (emit: (s: string) => void) => void): number {
  const fd = fs.openSync(file, 'w');
  let chunk = '';
  pieces((s) => {
    chunk += s;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  });
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

/** The short-cell CSV of the original scenario: 94 MB for 1,000,000 rows. */
export function generateCsv(file: string, rows: number): number {
  return writeChunked(file, (emit) => {
    emit('id,prompt,completion,label,score\n');
    for (let i = 0; i < rows; i++) {
      const prompt =
        i % 7 === 0
          ? `"Summarise, briefly: item ${i}\nsecond line with ""quotes"""`
          : `Summarise item ${i} for the report`;
      const completion = i % 5 === 0 ? `"A, B and C (${i})"` : `Item ${i} summary: short and to the point`;
      emit(`${i},${prompt},${completion},label-${i % 13},${(i % 100) / 10}\n`);
    }
  });
}

const WORDS =
  'the quick brown fox jumps over a lazy dog while "careful" readers, editors and writers check every line'.split(' ');

/** A paragraph of about `chars` characters with commas, quotes and a newline every ~80 characters. */
function paragraph(seed: number, chars: number): string {
  let s = '';
  for (let k = 0; s.length < chars; k++) {
    s += WORDS[(seed * 7 + k * 13) % WORDS.length];
    s += k % 11 === 10 ? '\n' : k % 5 === 4 ? ', ' : ' ';
  }
  return s;
}

/** Long quoted cells (~350 and ~200 characters) with embedded newlines, commas and "" escapes: ~100 MB at 160,000 rows. */
export function generateLongQuotedCsv(file: string, rows: number): number {
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return writeChunked(file, (emit) => {
    emit('id,prompt,completion,label,score\n');
    for (let i = 0; i < rows; i++)
      emit(`${i},${q(paragraph(i, 350))},${q(paragraph(i + 1, 200))},label-${i % 13},${(i % 100) / 10}\n`);
  });
}

function item(i: number) {
  return {
    id: i,
    prompt:
      i % 7 === 0 ? `Summarise, briefly: item ${i}\nsecond line with "quotes"` : `Summarise item ${i} for the report`,
    completion: i % 5 === 0 ? `A, B and C (${i})` : `Item ${i} summary: short and to the point`,
    label: `label-${i % 13}`,
    score: (i % 100) / 10,
  };
}

function csvOfItems(file: string, rows: number, of: (i: number) => Record<string, string | number> = item): number {
  const q = (v: string | number) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return writeChunked(file, (emit) => {
    emit(Object.keys(of(0)).join(',') + '\n');
    for (let i = 0; i < rows; i++) emit(Object.values(of(i)).map(q).join(',') + '\n');
  });
}

const jsonlOfItems = (file: string, rows: number) =>
  writeChunked(file, (emit) => {
    for (let i = 0; i < rows; i++) emit(JSON.stringify(item(i)) + '\n');
  });

const jsonOfItems = (file: string, rows: number) =>
  writeChunked(file, (emit) => {
    emit('[\n');
    for (let i = 0; i < rows; i++) emit((i > 0 ? ',\n' : '') + JSON.stringify(item(i)));
    emit('\n]\n');
  });

/** 192 hex characters that differ from row to row: Parquet compresses the repetitive columns to almost nothing. */
function digest(i: number): string {
  let x = (i + 1) * 2654435761;
  let s = '';
  while (s.length < 192) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    s += (x >>> 0).toString(16).padStart(8, '0');
  }
  return s;
}

const parquetItem = (i: number) => ({ ...item(i), digest: digest(i) });

function parquetOfItems(file: string, rows: number): number {
  const items = Array.from({ length: rows }, (_, i) => parquetItem(i));
  const column = (name: keyof ReturnType<typeof parquetItem>, type: 'INT32' | 'DOUBLE' | 'STRING') => ({
    name,
    type,
    data: items.map((r) => r[name]),
  });
  const buffer = parquetWriteBuffer({
    columnData: [
      column('id', 'INT32'),
      column('prompt', 'STRING'),
      column('completion', 'STRING'),
      column('label', 'STRING'),
      column('score', 'DOUBLE'),
      column('digest', 'STRING'),
    ],
    rowGroupSize: 50_000,
  });
  fs.writeFileSync(file, Buffer.from(buffer));
  return fs.statSync(file).size;
}

const sqlite3 = (db: string, ...args: string[]) =>
  execFileSync('sqlite3', [db, ...args])
    .toString()
    .trim();
const COLUMNS = ['id', 'prompt', 'completion', 'label', 'score'];
/** The rows of a JSON array text, as sqlite3 loads them with its JSON functions. */
const insertFromJson = (jsonText: string) =>
  `CREATE TABLE t(${COLUMNS.join(',')}); INSERT INTO t SELECT ${COLUMNS.map((c) => `value->>'${c}'`).join(', ')} FROM json_each(${jsonText});`;

export interface FileCase {
  /** Scenario name in bench/run.ts. */
  name: string;
  fileName: string;
  /** Rows at BENCH_ROWS=1,000,000 (the cases scale with it). */
  fullRows: number;
  /** Writes the file; returns its size in bytes. */
  write(file: string, rows: number): number;
  /** The baseline: sqlite3 loading the same rows into a fresh database `db` (timed by the caller). */
  baseline(file: string, db: string): void;
  /** What the baseline is, for the figures. */
  baselineLabel: string;
}

const csvImport = (file: string, db: string) => sqlite3(db, '.mode csv', `.import ${file} t`);

export const FILE_CASES: FileCase[] = [
  {
    name: 'file-import-100mb-csv',
    fileName: 'data.csv',
    fullRows: 1_000_000,
    write: generateCsv,
    baseline: csvImport,
    baselineLabel: 'sqlite3 .import of the file',
  },
  {
    name: 'file-import-100mb-csv-long-quoted',
    fileName: 'long.csv',
    fullRows: 160_000,
    write: generateLongQuotedCsv,
    baseline: csvImport,
    baselineLabel: 'sqlite3 .import of the file',
  },
  {
    name: 'file-import-100mb-json',
    fileName: 'data.json',
    fullRows: 640_000,
    write: jsonOfItems,
    baseline: (file, db) => sqlite3(db, insertFromJson(`readfile('${file}')`)),
    baselineLabel: 'sqlite3 INSERT … SELECT from json_each(readfile(file))',
  },
  {
    name: 'file-import-100mb-jsonl',
    fileName: 'data.jsonl',
    fullRows: 640_000,
    write: jsonlOfItems,
    // JSON text never holds a raw newline: the lines joined with commas are one JSON array.
    baseline: (file, db) =>
      sqlite3(db, insertFromJson(`'[' || replace(rtrim(readfile('${file}'), char(10)), char(10), ',') || ']'`)),
    baselineLabel: 'sqlite3 INSERT … SELECT from json_each of the lines',
  },
  {
    name: 'file-import-parquet',
    fileName: 'data.parquet',
    fullRows: 450_000,
    // sqlite3 has no Parquet reader: its baseline loads the same rows from a CSV, written here (untimed).
    write: (file, rows) => {
      csvOfItems(sameRowsCsv(file), rows, parquetItem);
      return parquetOfItems(file, rows);
    },
    baseline: (file, db) => csvImport(sameRowsCsv(file), db),
    baselineLabel: 'sqlite3 .import of the same rows as CSV',
  },
];

const sameRowsCsv = (file: string) => path.join(path.dirname(file), 'same-rows.csv');

/** Uploads `file` as base64 JSON and polls until the version is ready; the server's memory is sampled meanwhile. */
export async function importThroughApi(
  server: ServerProcess,
  file: string,
  fileName: string,
): Promise<{ seconds: number; uploadSeconds: number; cpuSeconds: number; peakAboveIdle: number; dataset: any }> {
  const group = await api(server, 'POST', '/api/public/v2/dataset-groups', { name: `bench-${path.basename(file)}` });
  const body = JSON.stringify({
    dataset_group_id: group.dataset_group.id,
    file_name: fileName,
    file_content_base64: fs.readFileSync(file).toString('base64'),
  });
  await new Promise((r) => setTimeout(r, 500));
  const idle = server.rss();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, server.rss())), 50);
  try {
    const cpu0 = cpuSeconds(server.pid);
    const t1 = performance.now();
    const created = await api(server, 'POST', '/api/public/v2/dataset-versions/from-file', body);
    const uploadSeconds = (performance.now() - t1) / 1000;
    let dataset;
    for (;;) {
      dataset = (await api(server, 'GET', `/api/public/v2/datasets/${created.dataset_id}`)).dataset;
      if (dataset.status === 'ready' || dataset.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t1) / 1000;
    peak = Math.max(peak, server.rss());
    return { seconds, uploadSeconds, cpuSeconds: cpuSeconds(server.pid) - cpu0, peakAboveIdle: peak - idle, dataset };
  } finally {
    clearInterval(sampler);
  }
}

export async function run(c: FileCase, scale = 1): Promise<Record<string, number | string>> {
  const rows = Math.max(1, Math.round(c.fullRows * scale));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-file-'));
  const file = path.join(dir, c.fileName);
  const size = c.write(file, rows);
  try {
    const db = path.join(dir, 'baseline.db');
    const t0 = performance.now();
    c.baseline(file, db);
    const sqliteSeconds = (performance.now() - t0) / 1000;
    const imported = Number(sqlite3(db, 'SELECT count(*) FROM t'));
    if (imported !== rows) throw new Error(`sqlite3 loaded ${imported} rows, expected ${rows}`);

    const server = await startServer();
    try {
      const r = await importThroughApi(server, file, c.fileName);
      if (r.dataset.status !== 'ready' || r.dataset.row_count !== rows)
        throw new Error(`import ended ${r.dataset.status} with ${r.dataset.row_count} rows: ${r.dataset.error}`);
      return {
        file_mb: mb(size),
        rows,
        baseline: c.baselineLabel,
        sqlite3_s: round(sqliteSeconds),
        strata_from_file_s: round(r.seconds),
        strata_upload_s: round(r.uploadSeconds),
        // CPU of the server process (all its threads) from the upload until ready: steadier than wall time under load.
        strata_server_cpu_s: round(r.cpuSeconds),
        ratio_strata_vs_sqlite3: round(r.seconds / sqliteSeconds),
        rows_per_s: Math.round(rows / r.seconds),
        peak_mem_above_idle_mb: mb(r.peakAboveIdle),
        peak_mem_vs_file_size: round(r.peakAboveIdle / size),
        load_avg_1m: round(os.loadavg()[0], 1),
      };
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
