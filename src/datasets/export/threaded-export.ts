// SQLite exports whose records the database writes (ExportWriter.databasePages: CSV) run in a worker thread
// (csv-export.thread.ts) with its own read-only connection: better-sqlite3 is synchronous, so on the request's event
// loop every page statement held up the socket writes; in the thread the statements run while this thread writes the
// pages already encoded (UTF-8, transferred). The thread reads inside one read transaction (WAL lets it run beside
// the writer), so the export is one snapshot, and runs at most MAX_PAGES_AHEAD pages ahead of the response.
// A client that goes away ends the thread (its connection and transaction with it); one that finished is kept.
import type { Worker } from 'node:worker_threads';
import { ThreadPool } from '../thread-pool.js';
import type { ExportFormat } from './index.js';

/** Encoded pages the thread may have sent that the response has not taken yet. */
const MAX_PAGES_AHEAD = 3;
/** Idle threads kept for the next export. */
const MAX_IDLE_THREADS = 2;

export interface ExportJob {
  /** The SQLite database file, opened read-only by the thread. */
  file: string;
  datasetId: number;
  format: ExportFormat;
  columns: string[];
  pagesAhead: number;
}

/** Messages to the thread: an export to run, or "one more page taken". */
export type ToThread = ({ type: 'start' } & ExportJob) | { type: 'taken' };

/** Messages from the thread: a chunk of the body (UTF-8), the end, or its failure. */
export type FromThread = { type: 'chunk'; bytes: Uint8Array } | { type: 'done' } | { type: 'failed'; message: string };

const threads = new ThreadPool(import.meta.url, 'csv-export.thread', MAX_IDLE_THREADS);

/** Threads exporting now and idle ones (tests check that a client going away leaves none running). */
export const exportThreadStats = () => threads.stats();

/**
 * The body of `format`'s database pages for a version (the writer's `databasePages.encode` over DatasetRepository
 * .readCsvPage, header included), produced in a worker thread reading `file`. `start` starts the thread (tests).
 */
export async function* exportInThread(
  job: Omit<ExportJob, 'pagesAhead'>,
  start: () => Worker = () => threads.take(),
): AsyncGenerator<Uint8Array> {
  const thread = start();
  const body = threads.drain<FromThread, Uint8Array>(thread, {
    onMessage: (m, inbox) => {
      if (m.type === 'chunk') inbox.push(m.bytes);
      else if (m.type === 'done') inbox.finish();
      else inbox.fail(new Error(`export thread: ${m.message}`));
    },
    onTaken: () => thread.postMessage({ type: 'taken' } satisfies ToThread),
    exitError: (code) => new Error(`the export thread stopped before the end of the export (exit code ${code})`),
  });
  // Ended early (the client went away) or failed, the thread goes, and its connection and read transaction with it.
  thread.postMessage({ type: 'start', ...job, pagesAhead: MAX_PAGES_AHEAD } satisfies ToThread);
  yield* body;
}
