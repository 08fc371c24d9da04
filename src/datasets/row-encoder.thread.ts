// The worker thread of threaded-import.ts: turns a file's bytes, pulled chunk by chunk from the job, into checked
// rows (the same parsers and input checks as in-process) and their stored texts (stored-row.ts encodeCells), sent in
// batches. The content hash of each text is left to the job's thread (insertRows), which waits for rows otherwise.
// One file at a time; after its 'done' (or 'failed') the thread waits for the next 'start'.
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { PermanentJobError } from '../errors.js';
import { FileFormatError, openTableReader } from './parsers/index.js';
import { encodeCells } from './stored-row.js';
import type { FromThread, ThreadSetup, ToThread } from './threaded-import.js';

const port = parentPort!;
const send = (m: FromThread) => port.postMessage(m);

/**
 * V8's full collection (threaded-import.ts, COLLECT_EVERY_BYTES), exposed to a new context and taken from there;
 * started as a task, so its marking runs beside the parsing instead of before it.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options: { type: 'major'; execution: 'async' }) => void;
const collect = () => gc({ type: 'major', execution: 'async' });

/**
 * The file being read: its input stream, how many more batches may be sent before one is stored, and the bytes
 * received since the last full collection.
 */
let current:
  { input: Readable; credits: number; onCredit?: () => void; collectEvery: number; uncollected: number } | undefined;

port.on('message', (m: ToThread) => {
  if (m.type === 'start') return void encode(m);
  if (!current) return; // a late credit for the previous file
  if (m.type === 'chunk') {
    // The chunks before this one are spent (or still held, and kept): a full collection frees them.
    current.uncollected += m.bytes.byteLength;
    if (current.collectEvery > 0 && current.uncollected >= current.collectEvery) {
      current.uncollected = 0;
      collect();
    }
    current.input.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
  } else if (m.type === 'end') current.input.push(null);
  else {
    current.credits++;
    current.onCredit?.();
  }
});

async function encode(setup: ThreadSetup): Promise<void> {
  const file = {
    input: new Readable({ read: () => send({ type: 'pull' }) }),
    credits: setup.maxBatchesAhead,
    onCredit: undefined as (() => void) | undefined,
    collectEvery: setup.collectEveryBytes,
    uncollected: 0,
  };
  current = file;
  let data: string[] = [];
  const flush = async () => {
    while (file.credits === 0) await new Promise<void>((r) => (file.onCredit = r));
    file.credits--;
    send({ type: 'rows', data });
    data = [];
  };
  try {
    const reader = openTableReader(setup.format, file.input);
    for await (const batch of reader.batches()) {
      for (const cells of batch) {
        data.push(encodeCells(cells));
        if (data.length >= setup.batchRows) await flush();
      }
    }
    if (data.length > 0) await flush();
    send({ type: 'done', columns: reader.columns, warnings: reader.warnings });
  } catch (err) {
    const kind = err instanceof FileFormatError ? 'format' : err instanceof PermanentJobError ? 'permanent' : 'other';
    send({ type: 'failed', kind, message: err instanceof Error ? err.message : String(err) });
  } finally {
    current = undefined;
  }
}
