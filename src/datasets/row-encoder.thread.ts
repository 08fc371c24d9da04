// The worker thread of threaded-import.ts: turns the file's bytes, pulled chunk by chunk from the job, into checked
// rows (the same parsers and input checks as in-process) and their stored values (stored-row.ts), sent in batches.
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { PermanentJobError } from '../errors.js';
import { FileFormatError, openTableReader } from './parsers/index.js';
import { storedRow } from './stored-row.js';
import type { FromThread, ThreadSetup, ToThread } from './threaded-import.js';

const port = parentPort!;
const setup = workerData as ThreadSetup;
const send = (m: FromThread) => port.postMessage(m);

let credits = setup.maxBatchesAhead;
let onCredit: (() => void) | undefined;
const input = new Readable({ read: () => send({ type: 'pull' }) });

port.on('message', (m: ToThread) => {
  if (m.type === 'chunk') input.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
  else if (m.type === 'end') input.push(null);
  else {
    credits++;
    onCredit?.();
  }
});

async function encode(): Promise<void> {
  const reader = openTableReader(setup.format, input);
  let data: string[] = [];
  let hashes: string[] = [];
  const flush = async () => {
    while (credits === 0) await new Promise<void>((r) => (onCredit = r));
    credits--;
    send({ type: 'rows', data, hashes });
    data = [];
    hashes = [];
  };
  for await (const cells of reader.rows()) {
    const row = storedRow(cells);
    data.push(row.data);
    hashes.push(row.content_hash!);
    if (data.length >= setup.batchRows) await flush();
  }
  if (data.length > 0) await flush();
  send({ type: 'done', columns: reader.columns, warnings: reader.warnings });
}

encode().then(
  () => port.close(),
  (err: unknown) => {
    const kind = err instanceof FileFormatError ? 'format' : err instanceof PermanentJobError ? 'permanent' : 'other';
    send({ type: 'failed', kind, message: err instanceof Error ? err.message : String(err) });
    port.close();
  },
);
