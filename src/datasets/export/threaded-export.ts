// SQLite exports whose records the database writes (ExportWriter.databasePages: CSV) run in worker threads
// (csv-export.thread.ts), each with its own read-only connection: better-sqlite3 is synchronous, so on the request's
// event loop every page statement held up the socket writes; in the threads the statements run while this thread
// writes the pages already encoded (UTF-8, transferred). A thread reads inside one read transaction (WAL lets it run
// beside the writer), so its pages are one snapshot; a version whose rows cannot change (ready) has its windows
// split between EXPORT_THREADS threads, a draft is read by one. Each runs at most MAX_PAGES_AHEAD pages ahead of the
// response. A client that goes away ends the threads (their connections and transactions with them); threads that
// finished are kept.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ThreadPool } from '../thread-pool.js';
import type { ExportFormat } from './index.js';
import type { WindowShare } from './keyset-pages.js';

/** Encoded pages the thread may have sent that the response has not taken yet. */
const MAX_PAGES_AHEAD = 3;
/** Threads splitting the pages of a version whose rows cannot change (one core each). */
export const EXPORT_THREADS = Math.min(2, os.availableParallelism());
/** Idle threads kept for the next export. */
const MAX_IDLE_THREADS = EXPORT_THREADS;
/**
 * Export threads running at once, every export together: past it an export reads its pages on the request's thread
 * (as on PostgreSQL), so clients starting many exports at once cannot start threads (each an isolate and a database
 * connection) without bound, and two exports already keep both cores busy.
 */
export const MAX_RUNNING_EXPORT_THREADS = 2 * EXPORT_THREADS;

export interface ExportJob {
  /** The SQLite database file, opened read-only by the thread. */
  file: string;
  datasetId: number;
  format: ExportFormat;
  columns: string[];
  /** The windows this thread reads (threads of one export split them). */
  share: WindowShare;
  pagesAhead: number;
}

/** Messages to the thread: an export to run, or "one more page taken". */
export type ToThread = ({ type: 'start' } & ExportJob) | { type: 'taken' };

/** Messages from the thread: a chunk of the body (UTF-8), the end, or its failure. */
export type FromThread = { type: 'chunk'; bytes: Uint8Array } | { type: 'done' } | { type: 'failed'; message: string };

const threads = new ThreadPool(import.meta.url, 'csv-export.thread', MAX_IDLE_THREADS);

/** Threads exporting now and idle ones (tests check that a client going away leaves none running). */
export const exportThreadStats = () => threads.stats();

/** How many threads an export may start now, up to `wanted` (0: it reads its pages in process). */
export function exportThreadsAvailable(wanted: number): number {
  return Math.max(0, Math.min(wanted, MAX_RUNNING_EXPORT_THREADS - threads.stats().running));
}

/**
 * The body of `format`'s database pages for a version (the writer's `databasePages.encode` over DatasetRepository
 * .readCsvPage, header included), produced by `threadCount` worker threads reading `file`, each a share of the
 * windows (its own snapshot: more than one only for a version whose rows cannot change), merged back in row order.
 * `start` starts a thread (tests).
 */
export async function* exportInThread(
  job: Omit<ExportJob, 'pagesAhead' | 'share'>,
  threadCount = 1,
  start: () => Worker = () => threads.take(),
): AsyncGenerator<Uint8Array> {
  const shares = Array.from({ length: threadCount }, (_, index) =>
    shareInThread(start(), { ...job, share: { index, of: threadCount } }),
  );
  // Every share starts at once (its listeners are on before its thread can answer): each one's next result is read
  // ahead once. Share 0 sends the header first; then window w is share w % threadCount's next chunk.
  const ahead: Array<Promise<IteratorResult<Uint8Array>> | undefined> = shares.map((s) => {
    const next = s.next();
    next.catch(() => undefined); // read by take(), unless the export ends first
    return next;
  });
  const take = (i: number) => {
    const next = ahead[i] ?? shares[i].next();
    ahead[i] = undefined;
    return next;
  };
  try {
    const header = await take(0);
    if (header.done) throw new Error('the export thread sent no header');
    yield header.value;
    for (let w = 0; ; w++) {
      const next = await take(w % threadCount);
      if (next.done) break;
      if (next.value.length > 0) yield next.value;
    }
    // The shares end at the same window: each has its end left to report (then its thread is kept).
    for (let i = 0; i < threadCount; i++)
      if (!(await take(i)).done) throw new Error('an export thread sent windows past the end');
  } finally {
    await Promise.all(shares.map((s) => s.return(undefined)));
  }
}

/** One share's chunks from its thread. */
function shareInThread(thread: Worker, job: Omit<ExportJob, 'pagesAhead'>): AsyncGenerator<Uint8Array> {
  const chunks = threads.drain<FromThread, Uint8Array>(thread, {
    onMessage: (m, inbox) => {
      if (m.type === 'chunk') inbox.push(m.bytes);
      else if (m.type === 'done') inbox.finish();
      else inbox.fail(new Error(`export thread: ${m.message}`));
    },
    onTaken: () => thread.postMessage({ type: 'taken' } satisfies ToThread),
    exitError: (code) => new Error(`the export thread stopped before the end of the export (exit code ${code})`),
  });
  thread.postMessage({ type: 'start', ...job, pagesAhead: MAX_PAGES_AHEAD } satisfies ToThread);
  return chunks;
}
