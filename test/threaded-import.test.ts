// File imports through the import thread (threaded-import.ts): the same stored rows, columns, warnings and error
// messages as the in-process parsers, failures of the file, the input stream and the thread itself, and the job on
// both databases (a malformed row mid-file fails the version with its line and leaves no rows).
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { after, before, describe, it } from 'node:test';
import { openTableReader } from '../src/datasets/parsers/index.js';
import { FileFormatError } from '../src/datasets/parsers/table-reader.js';
import { storedRow, type StoredRowValues } from '../src/datasets/stored-row.js';
import { encodeRowsInThread, MAX_REUSE_BYTES, spawnThread } from '../src/datasets/threaded-import.js';
import type { FileFormat } from '../src/jobs/job-catalogue.js';
import { chunked } from './support/chunked.js';
import { createGroup, createVersion, csvRows, rowCount, waitDataset } from './support/factories.js';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';

async function inProcess(format: FileFormat, text: string) {
  const reader = openTableReader(format, chunked(text, 1000));
  const rows: StoredRowValues[] = [];
  for await (const cells of reader.rows()) rows.push(storedRow(cells));
  return { columns: reader.columns, warnings: reader.warnings, rows };
}

async function threaded(format: FileFormat, input: Readable, batchRows = 100) {
  const encoded = encodeRowsInThread(format, input, batchRows);
  const rows: StoredRowValues[] = [];
  const sizes: number[] = [];
  for await (const batch of encoded.batches()) {
    sizes.push(batch.length);
    rows.push(...batch);
  }
  return { columns: encoded.columns, warnings: encoded.warnings, rows, sizes };
}

const JSONL = Array.from({ length: 750 }, (_, i) =>
  JSON.stringify(
    i % 50 === 7
      ? { a: i, late: `new column at ${i}`, nested: { x: [i, null, true] } }
      : { a: i, b: `text ${i}, "quoted" \\ é ✓`, c: i % 3 === 0 ? null : i / 7 },
  ),
).join('\n');

describe('import thread', () => {
  it('stores the same rows, columns and warnings as the in-process parsers (CSV, JSON, JSONL), in batches', async () => {
    const csv = 'id,,id\n' + csvRows(1234, 'csv').split('\n').slice(1).join(',x\n') + ',x\n';
    const big = '[' + JSONL.split('\n').join(',') + ',{"a":12345678901234567890,"z":-0}]';
    for (const [format, text] of [
      ['csv', csv],
      ['jsonl', JSONL],
      ['json', big],
    ] as const) {
      const want = await inProcess(format, text);
      const got = await threaded(format, chunked(text, 777));
      // The same texts; their hashes are computed on insert (the stored rows below have in-process storedRow's).
      assert.deepEqual(
        got.rows,
        want.rows.map(({ data, row_uid }) => ({ data, row_uid })),
        format,
      );
      assert.deepEqual(got.columns, want.columns, format);
      assert.deepEqual(got.warnings, want.warnings, format);
      assert.ok(
        got.sizes.slice(0, -1).every((n) => n === 100),
        `${format}: batches of 100 rows, got ${got.sizes.join(',')}`,
      );
    }
    assert.match(JSON.stringify((await threaded('json', chunked(big, 512))).rows.at(-1)), /12345678901234567890/);
  });

  it('reports a malformed row mid-file with its line, after the rows before it', async () => {
    const lines = csvRows(5000, 'm').split('\n');
    lines[3500] = '"unterminated,1';
    const encoded = encodeRowsInThread('csv', chunked(lines.join('\n'), 4096), 500);
    let stored = 0;
    await assert.rejects(
      (async () => {
        for await (const batch of encoded.batches()) stored += batch.length;
      })(),
      (err: Error) => err instanceof FileFormatError && /line 3501/.test(err.message),
    );
    assert.ok(stored > 0 && stored < 3500, `rows before the bad line were sent (${stored})`);

    const badJsonl = JSONL.split('\n');
    badJsonl[600] = '{"a":1,"b":\u0000}';
    await assert.rejects(threaded('jsonl', chunked(badJsonl.join('\n'), 999)), FileFormatError);
  });

  it('rejects with the input stream’s own error when reading the file fails midway', async () => {
    const broken = new Error('storage went away');
    async function* source() {
      yield Buffer.from(csvRows(1000, 'io'));
      throw broken;
    }
    await assert.rejects(threaded('csv', Readable.from(source(), { objectMode: false })), (err) => err === broken);
  });

  it('rejects with a plain error when the thread dies or fails for another reason than the file', async () => {
    const dying = encodeRowsInThread(
      'csv',
      chunked(csvRows(100, 'x'), 100),
      10,
      () => new Worker('process.exit(3)', { eval: true }),
    );
    await assert.rejects(
      (async () => {
        for await (const batch of dying.batches()) void batch;
      })(),
      (err: Error) => !(err instanceof FileFormatError) && /import thread stopped .*exit code 3/.test(err.message),
    );
    const unknownFormat = 'xml' as FileFormat;
    await assert.rejects(
      threaded(unknownFormat, chunked('a\n1\n', 10)),
      (err: Error) => !(err instanceof FileFormatError) && err.message.length > 0,
    );
  });

  it('keeps the thread after a small file and stops it after a big one (its heap is freed)', async () => {
    const run = async (input: Readable) => {
      const thread = spawnThread();
      let exited = false;
      thread.once('exit', () => (exited = true));
      const encoded = encodeRowsInThread('csv', input, 100, () => thread);
      let rows = 0;
      for await (const batch of encoded.batches()) rows += batch.length;
      await new Promise((r) => setTimeout(r, 200));
      return { rows, exited };
    };
    assert.deepEqual(await run(chunked(csvRows(500, 'small'), 4096)), { rows: 500, exited: false });
    const cell = 'x'.repeat(100_000);
    const n = Math.ceil(MAX_REUSE_BYTES / cell.length) + 1;
    const big = Readable.from(
      (function* () {
        yield 'a\n';
        for (let i = 0; i < n; i++) yield Buffer.from(cell + '\n');
      })(),
    );
    assert.deepEqual(await run(big), { rows: n, exited: true });
  });

  it('stops the thread when the consumer stops early', async () => {
    const encoded = encodeRowsInThread('csv', chunked(csvRows(20_000, 'early'), 4096), 100);
    let seen = 0;
    for await (const batch of encoded.batches()) {
      seen += batch.length;
      if (seen >= 300) break;
    }
    assert.equal(seen, 300);
  });
});

for (const dialect of DIALECTS) {
  describe(`file import job through the import thread [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      // No validation at upload: every file goes to the job.
      t = await startTestApp(dialect, { STRATA_SYNC_VALIDATE_BYTES: '0', STRATA_IMPORT_BATCH_ROWS: '250' });
    });
    after(() => t.close());

    it('imports every row exactly, in order, across many batches', async () => {
      const g = (await createGroup(t, 'threaded')).dataset_group.id;
      const d = await waitDataset(t, await createVersion(t, g, { content: JSONL, fileName: 'x.jsonl' }));
      assert.equal(d.status, 'ready', d.error);
      assert.equal(d.row_count, 750);
      assert.deepEqual(d.column_names, ['a', 'b', 'c', 'late', 'nested']);
      const stored = await t.app.dbh.db
        .selectFrom('dataset_rows')
        .select(['row_index', 'data', 'content_hash'])
        .where('dataset_id', '=', d.id)
        .orderBy('row_index')
        .execute();
      const want = await inProcess('jsonl', JSONL);
      assert.deepEqual(
        stored.map((r) => [Number(r.row_index), r.data, r.content_hash]),
        want.rows.map((r, i) => [i, r.data, r.content_hash]),
      );
    });

    it('fails the version on a malformed row mid-file, naming its line, with no rows left', async () => {
      const g = (await createGroup(t, 'malformed')).dataset_group.id;
      const lines = csvRows(3000, 'bad').split('\n');
      lines[2001] = '1,2,3';
      const id = await createVersion(t, g, { csv: lines.join('\n') });
      const d = await waitDataset(t, id);
      assert.equal(d.status, 'failed');
      assert.match(d.error, /line 2002/);
      assert.equal(await rowCount(t, id), 0);
    });
  });
}
