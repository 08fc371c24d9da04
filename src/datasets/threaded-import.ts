// Parses, checks and encodes an uploaded file's rows in a worker thread (row-encoder.thread.ts) while the calling job
// hashes and inserts the batches it gets back: the parsing and the SQLite (or pg driver) work overlap where a core is
// free. The row hash is the job's, not the thread's: the thread is the longer of the two (docs/benchmarks.md).
// Memory stays bounded: the thread pulls the file one chunk at a time and runs at most MAX_BATCHES_AHEAD batches ahead.
// A thread that finished a small file cleanly is kept for the next one (starting one costs ~0.15 CPU-s of module
// loading); after a big file it is stopped, which frees its heap.
import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { PermanentJobError } from '../errors.js';
import type { FileFormat } from '../jobs/job-catalogue.js';
import { FileFormatError } from './parsers/index.js';
import { spawnModuleThread, ThreadPool, type ThreadInbox } from './thread-pool.js';
import type { StoredRowValues } from './stored-row.js';

/** Batches the thread may have sent that the job has not stored yet. */
const MAX_BATCHES_AHEAD = 3;
/**
 * A thread that read more bytes than this is not kept: its heap has grown to what a big file needs (a full young
 * generation, spent chunks and rows awaiting a full collection: 75-95 MB after 100 MB of CSV), and an idle thread
 * allocates nothing, so it never collects them. Starting a new thread costs ~0.15 CPU-s, nothing next to such a file.
 */
export const MAX_REUSE_BYTES = 32 * 1024 * 1024;
/**
 * The thread runs a full garbage collection after every this many bytes of the file. The chunks it is sent are
 * external memory that outlives its young generation (they are promoted while being parsed), and V8 frees them only
 * at a full collection, which it starts by itself once they pass its 64 MB external limit: up to ~60 MB of spent
 * chunks otherwise (docs/benchmarks.md, file imports). A full collection of the thread's small heap costs a few ms;
 * every 4 MB measured the same server peak for more CPU.
 */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;
/** Idle threads kept for the next file (a worker process runs a couple of import jobs at a time). */
const MAX_IDLE_THREADS = 2;

export interface ThreadSetup {
  format: FileFormat;
  batchRows: number;
  maxBatchesAhead: number;
  collectEveryBytes: number;
}

/** Messages to the thread: a new file, a chunk of it, its end, or "one more batch stored". */
export type ToThread =
  ({ type: 'start' } & ThreadSetup) | { type: 'chunk'; bytes: Uint8Array } | { type: 'end' } | { type: 'stored' };

/** Messages from the thread. `data`: the stored texts of one batch of rows (their hashes are computed on insert). */
export type FromThread =
  | { type: 'pull' }
  | { type: 'rows'; data: string[] }
  | { type: 'done'; columns: string[]; warnings: string[] }
  | { type: 'failed'; kind: 'format' | 'permanent' | 'other'; message: string };

export interface EncodedRows {
  /** The file's columns and warnings: complete once batches() has finished. */
  readonly columns: string[];
  readonly warnings: string[];
  /** The rows as stored values, in file order, `batchRows` at a time (the last batch may be shorter). */
  batches(): AsyncIterable<StoredRowValues[]>;
}

/**
 * Reads `input` (the file's bytes) into row batches through a worker thread. Errors keep their meaning: the file's
 * problems arrive as FileFormatError with the parser's message (line, row and column), a failing `input` stream
 * rejects with its own error, and a thread that dies rejects with a plain Error (retried like any crash).
 * `start` starts the thread (tests replace it).
 */
export function encodeRowsInThread(
  format: FileFormat,
  input: Readable,
  batchRows: number,
  start: () => Worker = takeThread,
): EncodedRows {
  const result = {
    columns: [] as string[],
    warnings: [] as string[],
    async *batches(): AsyncIterable<StoredRowValues[]> {
      const thread = start();
      let bytesRead = 0;
      const source = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
      // The thread asks for the next chunk when its parser wants more: the file is read no faster than it is parsed.
      const sendChunk = async (inbox: ThreadInbox<StoredRowValues[]>) => {
        try {
          const next = await source.next();
          if (next.done) return thread.postMessage({ type: 'end' } satisfies ToThread);
          bytesRead += next.value.length;
          const bytes = new Uint8Array(typeof next.value === 'string' ? Buffer.from(next.value) : next.value);
          thread.postMessage({ type: 'chunk', bytes } satisfies ToThread, [bytes.buffer]);
        } catch (err) {
          inbox.fail(err);
        }
      };
      // Only a thread that read its file to the end is reused (nothing of this file can still reach it), and only
      // after a small file (MAX_REUSE_BYTES).
      const batches = threads.drain<FromThread, StoredRowValues[]>(thread, {
        onMessage: (m, inbox) => {
          switch (m.type) {
            case 'pull':
              return void sendChunk(inbox);
            case 'rows':
              return inbox.push(m.data.map((data) => ({ data, row_uid: null })));
            case 'done':
              result.columns = m.columns;
              result.warnings.push(...m.warnings);
              return inbox.finish();
            case 'failed':
              return inbox.fail(
                m.kind === 'format'
                  ? new FileFormatError(m.message)
                  : m.kind === 'permanent'
                    ? new PermanentJobError(m.message)
                    : new Error(m.message),
              );
          }
        },
        onTaken: () => thread.postMessage({ type: 'stored' } satisfies ToThread),
        reusable: () => bytesRead <= MAX_REUSE_BYTES,
        exitError: (code) => new Error(`the import thread stopped before the end of the file (exit code ${code})`),
      });
      thread.postMessage({
        type: 'start',
        format,
        batchRows,
        maxBatchesAhead: MAX_BATCHES_AHEAD,
        collectEveryBytes: COLLECT_EVERY_BYTES,
      } satisfies ToThread);
      try {
        yield* batches;
      } finally {
        await source.return?.();
      }
    },
  };
  return result;
}

const threads = new ThreadPool(import.meta.url, 'row-encoder.thread', MAX_IDLE_THREADS);

const takeThread = (): Worker => threads.take();

/** A new import thread, outside the pool (tests start their own). */
export const spawnThread = (): Worker => spawnModuleThread(import.meta.url, 'row-encoder.thread');
