// The worker thread of threaded-export.ts: runs one export's database pages (its share of the windows) at a time on
// its own read-only SQLite connection, inside one read transaction (one snapshot), and sends them as UTF-8 chunks, at
// most `pagesAhead` chunks ahead of the response. The records come from the same repository statement and writer as
// in-process.
import { parentPort } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { withStatementCache } from '../../db/database.js';
import { capabilitiesFor } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';
import { DatasetRepository } from '../dataset.repository.js';
import { EXPORT_WRITERS } from './index.js';
import { csvWindows } from './keyset-pages.js';
import type { ExportJob, FromThread, ToThread } from './threaded-export.js';

const port = parentPort!;
const send = (m: FromThread, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
const utf8 = new TextEncoder();

/** Chunks the running export may still send before the response takes one. */
let credits = 0;
let onCredit: (() => void) | undefined;

port.on('message', (m: ToThread) => {
  if (m.type === 'start') return void run(m);
  credits++;
  onCredit?.();
});

async function run(job: ExportJob): Promise<void> {
  credits = job.pagesAhead;
  const sqlite = new SQLite(job.file, { readonly: true, fileMustExist: true });
  try {
    const pages = EXPORT_WRITERS[job.format].databasePages;
    if (!pages) throw new Error(`${job.format} has no database pages`);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    await db.connection().execute(async (conn) => {
      // The snapshot starts at the first read after BEGIN, here (before the header goes out), and lasts to the end.
      await sql`BEGIN`.execute(conn);
      await sql`SELECT 1 FROM dataset_rows LIMIT 1`.execute(conn);
      try {
        const repo = new DatasetRepository(conn, capabilitiesFor('sqlite', sqlite));
        const windows = csvWindows(repo, job.datasetId, job.columns.length, pages.mark, job.share);
        // One chunk per window (empty ones too: the main thread merges the shares window by window); the header
        // (the writer's first chunk) comes from the first share only.
        let first = true;
        for await (const text of pages.encode(job.columns, windows)) {
          const header = first;
          first = false;
          if (header && job.share.index > 0) continue;
          while (credits === 0) await new Promise<void>((r) => (onCredit = r));
          onCredit = undefined;
          credits--;
          const bytes = utf8.encode(text);
          send({ type: 'chunk', bytes }, [bytes.buffer]);
        }
      } finally {
        await sql`ROLLBACK`.execute(conn);
      }
    });
    await db.destroy();
    send({ type: 'done' });
  } catch (err) {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  } finally {
    if (sqlite.open) sqlite.close();
  }
}
