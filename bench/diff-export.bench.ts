// Scenario diff-export: diffs of two 236,000-row versions (one cell changed in 1% of the rows) against SQL
// EXCEPT / a join over the same rows in the same database, and a 1,000,000-row CSV export against `sqlite3 -csv`,
// on every dialect the suite has (PostgreSQL when STRATA_TEST_DATABASE_URL is set). `npm run bench -- diff-export`;
// alone: node --import tsx bench/diff-export.bench.ts. BENCH_DIFF_ROWS / BENCH_EXPORT_ROWS / BENCH_REPEAT change it.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { DatasetRepository } from '../src/datasets/dataset.repository.js';
import { DraftRepository } from '../src/datasets/draft.repository.js';
import { DIALECTS } from '../test/support/dialects.js';
import { startTestApp, TEST_API_KEY, type TestApp } from '../test/support/test-app.js';
import { round } from './support.js';

const V2 = '/api/public/v2';
const COLUMNS = ['id', 'question', 'answer', 'score'];

/** Median and spread (min–max) of repeated timings, in seconds. */
function spread(ms: number[]): { median: number; range: string } {
  const s = [...ms].sort((a, b) => a - b);
  return {
    median: s[Math.floor(s.length / 2)] / 1000,
    range: `${round(s[0] / 1000)}–${round(s[s.length - 1] / 1000)}`,
  };
}

async function timed(repeat: number, fn: () => Promise<unknown>): Promise<{ median: number; range: string }> {
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return spread(ms);
}

const cells = (i: number) => [String(i), `question number ${i}, about item ${i % 977}`, `answer ${i}`, String(i % 100)];

/** A ready version of `rows` rows written through the repository's row path (which stores each row's hash). */
async function seedVersion(
  t: TestApp,
  groupId: number,
  version: number,
  rows: number,
  row: (i: number) => unknown[],
  source: number | null = null,
) {
  const db = t.app.dbh.db;
  const now = Date.now();
  const { id } = await db
    .insertInto('datasets')
    .values({
      group_id: groupId,
      workspace_id: 1,
      version_number: version,
      column_names: JSON.stringify(COLUMNS),
      status: 'processing',
      origin: 'file',
      external_id: `bench-${groupId}-${version}`,
      source_dataset_id: source,
      created_at: now,
      updated_at: now,
      row_count: rows,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const repo = new DatasetRepository(db, t.app.dbh.dialect);
  const batch = 5000;
  for (let s = 0; s < rows; s += batch) {
    const chunk: Array<{ data: string }> = [];
    for (let i = s; i < Math.min(rows, s + batch); i++) chunk.push({ data: JSON.stringify(row(i)) });
    await t.app.dbh.transaction((trx) => repo.insertRows(trx, id, s, chunk), { relaxed: true });
  }
  return id;
}

const publish = (t: TestApp, id: number) =>
  t.app.dbh.db.updateTable('datasets').set({ status: 'ready' }).where('id', '=', id).execute();

async function readAll(res: Response): Promise<number> {
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  return bytes;
}

async function diffFigures(t: TestApp, rows: number, repeat: number): Promise<Record<string, number | string>> {
  const g = (await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'bench-diff' } })).json();
  const groupId = g.dataset_group.id as number;
  const db = t.app.dbh.db;
  const v1 = await seedVersion(t, groupId, 1, rows, cells);
  await publish(t, v1);
  // v2: a draft copy of v1 (identity kept), one cell changed in 1% of the rows through the draft edit path, saved.
  const v2 = await seedVersion(t, groupId, 2, 0, cells, v1);
  await t.app.dbh.transaction(async (trx) => {
    const drafts = new DraftRepository(t.app.dbh.dialect);
    await drafts.copyRows(trx, v2, v1);
    for (let i = 0; i < rows; i += 100) {
      const c = cells(i);
      c[2] = `edited answer ${i}`;
      await drafts.updateRowData(trx, v2, i, JSON.stringify(c));
    }
  });
  await db.updateTable('datasets').set({ row_count: rows }).where('id', '=', v2).execute();
  await publish(t, v2);
  // v3: the same rows as v2, uploaded independently (no lineage): a content diff against v1.
  const v3 = await seedVersion(t, groupId, 3, rows, (i) => {
    const c = cells(i);
    if (i % 100 === 0) c[2] = `edited answer ${i}`;
    return c;
  });
  await publish(t, v3);

  const get = async (url: string) => {
    const res = await t.request({ method: 'GET', url });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res;
  };
  const changedRows = Math.ceil(rows / 100);
  const expect = (counts: { changed: number; added: number; removed: number }, what: string, changed: number) => {
    if (counts.changed !== changed) throw new Error(`${what}: ${JSON.stringify(counts)}`);
  };

  // Baselines: the same comparison in plain SQL over the same rows (the set difference both ways, and a join).
  const except = (a: number, b: number) =>
    sql`SELECT row_index, data FROM dataset_rows WHERE dataset_id = ${a} EXCEPT SELECT row_index, data FROM dataset_rows WHERE dataset_id = ${b}`;
  const exceptBoth = await timed(repeat, async () => {
    const r = await sql<{
      a: number;
      b: number;
    }>`SELECT (SELECT count(*) FROM (${except(v2, v1)}) x) AS a, (SELECT count(*) FROM (${except(v1, v2)}) y) AS b`.execute(
      db,
    );
    if (Number(r.rows[0].a) !== changedRows) throw new Error(`EXCEPT found ${r.rows[0].a}`);
  });
  const join = await timed(repeat, () =>
    sql`SELECT count(*) AS n FROM dataset_rows t JOIN dataset_rows f ON f.dataset_id = ${v1} AND f.row_index = t.row_index
      WHERE t.dataset_id = ${v2} AND f.data <> t.data`.execute(db),
  );
  const identity = await timed(repeat, async () =>
    expect((await get(`${V2}/datasets/${v2}/diff?against=${v1}`)).json().counts, 'identity', changedRows),
  );
  const byKey = await timed(repeat, async () =>
    expect((await get(`${V2}/datasets/${v2}/diff?against=${v1}&key=id`)).json().counts, 'key', changedRows),
  );
  const progress = await timed(repeat, () => get(`${V2}/datasets/${v2}/diff/progress?against=${v1}&key=id`));
  const content = await timed(repeat, async () =>
    expect((await get(`${V2}/datasets/${v3}/diff?against=${v1}`)).json().counts, 'content', 0),
  );
  // Rows written before hashes existed: the first diff computes them (once), later diffs use them.
  for (const id of [v1, v2]) {
    await db.updateTable('datasets').set({ status: 'draft' }).where('id', '=', id).execute();
    await db.updateTable('dataset_rows').set({ content_hash: null }).where('dataset_id', '=', id).execute();
    await publish(t, id);
  }
  const t0 = performance.now();
  expect((await get(`${V2}/datasets/${v2}/diff?against=${v1}`)).json().counts, 'identity (old rows)', changedRows);
  const firstOld = (performance.now() - t0) / 1000;
  const base = exceptBoth.median;
  return {
    diff_rows_per_version: rows,
    sql_except_both_ways_s: round(base),
    sql_except_range_s: exceptBoth.range,
    sql_join_changed_s: round(join.median),
    identity_diff_s: round(identity.median),
    identity_diff_range_s: identity.range,
    ratio_identity_vs_except: round(identity.median / base),
    key_diff_s: round(byKey.median),
    key_diff_range_s: byKey.range,
    ratio_key_vs_except: round(byKey.median / base),
    key_progress_stream_s: round(progress.median),
    key_progress_range_s: progress.range,
    ratio_key_progress_vs_except: round(progress.median / base),
    content_diff_s: round(content.median),
    content_diff_range_s: content.range,
    ratio_content_vs_except: round(content.median / base),
    identity_diff_unhashed_rows_first_s: round(firstOld),
  };
}

async function exportFigures(t: TestApp, rows: number, repeat: number): Promise<Record<string, number | string>> {
  const g = (await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'bench-export' } })).json();
  const id = await seedVersion(t, g.dataset_group.id as number, 1, rows, cells);
  await publish(t, id);
  const base = await t.listen();
  let bytes = 0;
  const strata = await timed(repeat, async () => {
    const res = await fetch(`${base}${V2}/datasets/${id}/export?format=csv`, {
      headers: { 'x-api-key': TEST_API_KEY },
    });
    bytes = await readAll(res);
  });
  const out: Record<string, number | string> = {
    export_rows: rows,
    export_csv_mb: round(bytes / 1e6, 1),
    export_csv_s: round(strata.median),
    export_csv_range_s: strata.range,
  };
  if (t.dialect === 'sqlite') {
    // Baseline: the sqlite3 shell writing the same rows' cells as CSV from the same database file.
    const file = path.join(t.dataDir, 'strata.db');
    const cols = COLUMNS.map((_, i) => `data->>${i}`).join(', ');
    const query = `SELECT ${cols} FROM dataset_rows WHERE dataset_id = ${id} ORDER BY row_index`;
    const cli = await timed(repeat, async () => {
      execFileSync('sqlite3', ['-csv', '-header', file, query], { maxBuffer: 1 << 30 });
    });
    out.sqlite3_csv_s = round(cli.median);
    out.sqlite3_csv_range_s = cli.range;
    out.ratio_export_vs_sqlite3 = round(strata.median / cli.median);
  }
  return out;
}

export async function run(): Promise<Record<string, number | string>> {
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  const out: Record<string, number | string> = {};
  for (const dialect of DIALECTS) {
    const t = await startTestApp(dialect, { STRATA_MAX_FILE_BYTES: String(500 * 1024 * 1024) });
    try {
      const figures = {
        ...(await diffFigures(t, Number(process.env.BENCH_DIFF_ROWS ?? 236_000), repeat)),
        ...(await exportFigures(t, Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000), repeat)),
      };
      for (const [k, v] of Object.entries(figures)) out[`${dialect}_${k}`] = v;
    } finally {
      await t.close();
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [k, v] of Object.entries(await run())) console.log(`  ${k.padEnd(40)} ${v}`);
}
