// The CSV export's pages on every dialect: on SQLite produced by worker threads (threaded-export.ts), each with its
// own read-only connection (a ready version's windows split between them); on PostgreSQL read one page ahead
// in-process. Byte for byte against the JS writer (rows the database writes and rows it leaves to the writer, gaps in
// the row indexes), one snapshot for a draft's export, and a client that goes away mid-export: the threads end, their
// connections and read transactions with them, and nothing else is left running; likewise a server that closes while
// a client holds a download open (after the shutdown grace).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { csvLine } from '../src/datasets/export/csv-writer.js';
import {
  EXPORT_THREADS,
  MAX_RUNNING_EXPORT_THREADS,
  exportThreadStats,
} from '../src/datasets/export/threaded-export.js';
import { parseStoredCells } from '../src/datasets/lossless-json.js';
import { DIALECTS } from './support/dialects.js';
import { createStoredVersion } from './support/factories.js';
import { TEST_API_KEY, waitFor, type TestApp, startTestApp } from './support/test-app.js';

const V2 = '/api/public/v2';
const COLUMNS = ['id', 'text', 'n'];

/** The JS writer over the same stored texts, as the UTF-8 the response carries. */
const jsCsv = (texts: string[]) =>
  Buffer.from(
    csvLine(COLUMNS, COLUMNS.length) + texts.map((d) => csvLine(parseStoredCells(d), COLUMNS.length)).join(''),
  );

/** Rows of every kind: most written by the database, some (fractions, nested values, \u escapes) by the JS writer. */
const mixed = (rows: number, filler = '') =>
  Array.from({ length: rows }, (_, i) =>
    i % 101 === 0
      ? `[${i}.5,{"k":[${i}]},"\\u00e9 ${i}"]`
      : JSON.stringify([String(i), `row "${i}", with, commas\n${filler}`, i % 7 === 0 ? null : i]),
  );

/** Open descriptors of this process on the database file (the thread's connection adds its own). */
const openDbFiles = (file: string) =>
  fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
    } catch {
      return false;
    }
  }).length;

const exportUrl = (base: string, id: number) => `${base}${V2}/datasets/${id}/export?format=csv`;

/** An export whose client reads nothing after the headers (paused, its socket is not read: backpressure holds it). */
const holdExport = (base: string, id: number) =>
  new Promise<{ req: http.ClientRequest; res: http.IncomingMessage }>((resolve, reject) => {
    const req = http.get(exportUrl(base, id), { headers: { 'x-api-key': TEST_API_KEY } });
    req.once('error', reject);
    req.once('response', (res) => {
      res.pause();
      resolve({ req, res });
    });
  });

/** The rest of a held response's body. */
const readRest = (res: http.IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (part: Buffer) => parts.push(part));
    res.once('end', () => resolve(Buffer.concat(parts)));
    res.once('error', reject);
    res.resume();
  });

for (const dialect of DIALECTS) {
  describe(`CSV export pages [${dialect}]`, () => {
    let t: TestApp;
    let base: string;
    before(async () => {
      t = await startTestApp(dialect);
      base = await t.listen();
    });
    after(async () => t.close());

    const download = async (id: number) => {
      const res = await fetch(exportUrl(base, id), { headers: { 'x-api-key': TEST_API_KEY } });
      assert.equal(res.status, 200);
      return Buffer.from(await res.arrayBuffer());
    };

    it('writes the same bytes as the JS writer over many pages, with gaps in the row indexes too, and leaves no thread running', async () => {
      const texts = mixed(9_100);
      const id = await createStoredVersion(t, COLUMNS, texts);
      assert.deepEqual(await download(id), jsCsv(texts));
      // Deleted rows leave gaps in the row indexes (shorter and empty windows): a draft with some, and a block, gone.
      const db = t.app.dbh.db;
      await db.updateTable('datasets').set({ status: 'draft' }).where('id', '=', id).execute();
      const gone = (i: number) => i % 3 === 0 || (i >= 2_500 && i < 6_900) || i >= 9_000;
      await db
        .deleteFrom('dataset_rows')
        .where('dataset_id', '=', id)
        .where((eb) =>
          eb.or([
            eb(sql<number>`row_index % 3`, '=', 0),
            eb.and([eb('row_index', '>=', 2_500), eb('row_index', '<', 6_900)]),
            eb('row_index', '>=', 9_000),
          ]),
        )
        .execute();
      assert.deepEqual(await download(id), jsCsv(texts.filter((_, i) => !gone(i))));
      // The same rows ready again: split between threads, gaps and all.
      await db.updateTable('datasets').set({ status: 'ready' }).where('id', '=', id).execute();
      assert.deepEqual(await download(id), jsCsv(texts.filter((_, i) => !gone(i))));
      // An empty version: the header alone.
      assert.deepEqual(await download(await createStoredVersion(t, COLUMNS, [])), jsCsv([]));
      assert.equal(exportThreadStats().running, 0);
      if (dialect === 'sqlite')
        assert.ok(exportThreadStats().idle >= 1, 'the finished thread is kept for the next export');
    });

    it('exports one snapshot: rows changed while the export runs are not seen', async (ctx) => {
      if (dialect !== 'sqlite') return ctx.skip('PostgreSQL reads each page in its own statement');
      const texts = mixed(60_000, 'x'.repeat(300));
      const id = await createStoredVersion(t, COLUMNS, texts);
      // Only a draft's rows can change (a ready version's pages may be split between threads, each its own snapshot).
      await t.app.dbh.db.updateTable('datasets').set({ status: 'draft' }).where('id', '=', id).execute();
      const res = await fetch(`${base}${V2}/datasets/${id}/export?format=csv`, {
        headers: { 'x-api-key': TEST_API_KEY },
      });
      const reader = res.body!.getReader();
      const parts: Uint8Array[] = [(await reader.read()).value!];
      // The last page is well beyond what the thread, the stream and the sockets buffer ahead of this reader.
      await t.app.dbh.db
        .updateTable('dataset_rows')
        .set({ data: '["changed","changed",0]' })
        .where('dataset_id', '=', id)
        .where('row_index', '>=', 59_000)
        .execute();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
      }
      assert.ok(Buffer.concat(parts).equals(jsCsv(texts)), 'the rows as they were when the export began');
    });

    it('starts no more threads than its bound however many exports run at once; the others read in process', async () => {
      const texts = mixed(60_000, 'z'.repeat(300));
      const id = await createStoredVersion(t, COLUMNS, texts);
      // More exports than the bound holds, each held open by a client that reads nothing (backpressure keeps their
      // threads waiting: the ~20 MB bodies are far more than the sockets buffer while unread).
      const held = await Promise.all(
        Array.from({ length: Math.ceil(MAX_RUNNING_EXPORT_THREADS / EXPORT_THREADS) + 1 }, () => holdExport(base, id)),
      );
      try {
        const bound = t.app.dbh.sqliteFile ? MAX_RUNNING_EXPORT_THREADS : 0;
        await waitFor(async () => exportThreadStats().running === bound, 10_000, 'the bound of export threads taken');
        // One more while they are held: whole, and no thread more.
        assert.ok((await download(id)).equals(jsCsv(texts)));
        assert.equal(exportThreadStats().running, bound);
        // The held exports finish whole too.
        for (const h of held) assert.ok((await readRest(h.res)).equals(jsCsv(texts)));
        await waitFor(async () => exportThreadStats().running === 0, 10_000, 'every export thread done');
      } finally {
        for (const h of held) h.req.destroy();
      }
    });

    it('ends the export when the client goes away mid-way: thread, connection and read transaction', async () => {
      const texts = mixed(60_000, 'y'.repeat(300));
      const id = await createStoredVersion(t, COLUMNS, texts);
      const file = t.app.dbh.sqliteFile;
      const filesBefore = file ? openDbFiles(file) : 0;
      // A plain HTTP client that holds the export mid-way (its threads running) and then drops its connection.
      const h = await holdExport(base, id);
      await waitFor(async () => exportThreadStats().running === (file ? EXPORT_THREADS : 0), 10_000, 'threads running');
      assert.equal(h.res.complete, false, 'the export is still under way');
      h.req.destroy();
      await waitFor(async () => exportThreadStats().running === 0, 10_000, 'the export thread ended');
      if (file) {
        await waitFor(async () => openDbFiles(file) === filesBefore, 10_000, "the thread's connection closed");
        // No reader holds a snapshot: a full checkpoint completes (busy = 0) and empties the WAL.
        const r = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.app.dbh.db);
        assert.equal(Number(r.rows[0].busy), 0);
      }
      // The server goes on: the next export is whole.
      assert.ok((await download(id)).equals(jsCsv(texts)));
    });

    it('a server closing gives a download its grace, then closes its connection: the export ends, nothing left running', async () => {
      const other = await startTestApp(dialect, { STRATA_SHUTDOWN_GRACE_MS: '200' });
      try {
        const id = await createStoredVersion(other, COLUMNS, mixed(60_000, 'w'.repeat(300)));
        const h = await holdExport(await other.listen(), id);
        const ended = new Promise<unknown>((resolve) => {
          h.res.once('error', resolve);
          h.res.once('close', () => resolve(undefined));
        });
        await waitFor(async () => exportThreadStats().running === (other.app.dbh.sqliteFile ? EXPORT_THREADS : 0));
        await other.close(); // would not return while the client holds the download
        h.res.resume(); // the client reads what reached it, then its connection's end
        await ended;
        assert.equal(h.res.complete, false, 'the body was cut short, not finished');
        await waitFor(async () => exportThreadStats().running === 0, 10_000, 'the export thread ended');
      } finally {
        await other.close();
      }
    });
  });
}
