// Checks every imported file passes before its rows are stored: the bytes (UTF-8, not a compressed or binary
// file in disguise) and each row (column cap, nesting depth, NUL, `__proto__` keys). Rows are handed on with
// regular yields to the event loop, so validating a hostile file never freezes the other requests.
import { Transform, type Readable } from 'node:stream';
import { describeValueProblem, findValueProblem, MAX_COLUMNS, MAX_DEPTH } from '../../input-limits.js';
import { FileFormatError, type TableReader } from './table-reader.js';

/** Bytes handed to a parser at a time. */
const PIECE_BYTES = 64 * 1024;
/** Longest stretch of synchronous row checking before other work gets a turn. */
const SLICE_MS = 10;

/** Leading bytes of formats that are not text, with what to tell the user. */
const MAGIC: Array<[number[], string]> = [
  [[0x1f, 0x8b], 'looks like gzip-compressed data: decompress it first and upload the .csv/.json/.jsonl file itself'],
  [[0x50, 0x4b, 0x03, 0x04], 'looks like a ZIP archive: extract the file and upload it on its own'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'looks like zstd-compressed data: decompress it first'],
  [[0x42, 0x5a, 0x68], 'looks like bzip2-compressed data: decompress it first'],
  [[0x50, 0x41, 0x52, 0x31], 'looks like a Parquet file: give it a .parquet name'],
];

/**
 * Passes bytes through unchanged, refusing (with FileFormatError) a compressed/binary file named as text and any
 * invalid UTF-8, naming the line and byte offset. Text readers decode with replacement otherwise: data would change silently.
 */
export function checkedText(input: Readable, label: string): Readable {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  let line = 1;
  let head: Buffer | undefined = Buffer.alloc(0);
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        if (head) {
          // The first four bytes decide (a shorter first chunk waits for the next one, or for the end).
          head = Buffer.concat([head, chunk]);
          if (head.length >= 4) {
            sniff(head, label);
            head = undefined;
          }
        }
        try {
          decoder.decode(chunk, { stream: true });
        } catch {
          const bad = firstInvalidByte(chunk);
          const at = offset + bad;
          throw new FileFormatError(
            `${label} is not valid UTF-8: invalid byte 0x${(chunk[bad] ?? 0).toString(16).padStart(2, '0')} on line ${line + countLf(chunk, bad)} (byte offset ${at}); save the file as UTF-8`,
          );
        }
        line += countLf(chunk, chunk.length);
        offset += chunk.length;
      } catch (err) {
        cb(err as Error);
        return;
      }
      // Parsers handle each piece synchronously (stream-json turns 1 MB into ~500,000 tokens in one go): pieces of
      // PIECE_BYTES with a turn of the event loop between them keep other requests answered meanwhile.
      void (async () => {
        for (let i = 0; i < chunk.length; i += PIECE_BYTES) {
          if (i > 0) await new Promise((r) => setImmediate(r));
          this.push(chunk.subarray(i, i + PIECE_BYTES));
        }
        cb();
      })();
    },
    flush(cb) {
      try {
        if (head) sniff(head, label);
        decoder.decode();
        cb();
      } catch (err) {
        cb(
          err instanceof FileFormatError
            ? err
            : new FileFormatError(
                `${label} is not valid UTF-8: it ends inside a multi-byte character (byte offset ${offset})`,
              ),
        );
      }
    },
  });
  input.on('error', (err) => guard.destroy(err));
  return input.pipe(guard);
}

function sniff(head: Buffer, label: string): void {
  for (const [magic, message] of MAGIC) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b))
      throw new FileFormatError(`${label} ${message}`);
  }
}

function countLf(buf: Buffer, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Index of the first byte that breaks UTF-8 in `buf` (a chunk that TextDecoder refused). A sequence cut off at the
 * end of the chunk is not an error there: the decoder, which carries it, would not have refused the chunk for it.
 */
function firstInvalidByte(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      if (i + k >= buf.length) return i; // only reached when the decoder saw an error in this chunk before its end
      const c = buf[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return 0; // the error was in bytes carried over from the previous chunk
}

/**
 * The reader's batches of rows, each row checked (column count, depth, NUL, `__proto__`), yielding to the event loop
 * every SLICE_MS of work. Messages name the row and column ("row 12, column "a": ..."); the rows of a batch before
 * a problem are handed on before it is thrown.
 */
export async function* checkedBatches(
  reader: Pick<TableReader, 'columns'>,
  batches: () => AsyncIterable<unknown[][]>,
): AsyncIterable<unknown[][]> {
  let n = 0;
  let namesChecked = 0;
  // Columns the rows so far can hold: a name past this came with a later row of the batch and is checked with it.
  let width = 0;
  let sliceStart = performance.now();
  for await (const batch of batches()) {
    let good = batch.length;
    let problem: FileFormatError | undefined;
    for (let i = 0; i < batch.length && !problem; i++) {
      const row = batch[i];
      n++;
      problem = rowProblem(reader.columns, row, n);
      if (problem) good = i;
    }
    if (good > 0) yield good === batch.length ? batch : batch.slice(0, good);
    if (problem) throw problem;
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise((r) => setImmediate(r));
      sliceStart = performance.now();
    }
  }

  function rowProblem(names: string[], row: unknown[], n: number): FileFormatError | undefined {
    if (row.length > width) width = Math.min(row.length, names.length);
    if (width > MAX_COLUMNS)
      return new FileFormatError(`file has ${width} columns; the limit is ${MAX_COLUMNS} columns`);
    for (; namesChecked < width; namesChecked++) {
      const name = names[namesChecked];
      if (name.includes('\u0000'))
        return new FileFormatError(`column ${namesChecked + 1}: names must not contain NUL (\\u0000) characters`);
      if (name === '__proto__')
        return new FileFormatError(`column ${namesChecked + 1}: "__proto__" is not allowed as a column name`);
    }
    // A cell sits one level below its row: the cell's own nesting may use the rest of the bound.
    const problem = isFlatAndClean(row) ? null : findValueProblem(row, { maxDepth: MAX_DEPTH, refuseProto: true });
    if (!problem) return undefined;
    const [col, ...rest] = problem.path;
    const column = typeof col === 'number' ? (names[col] ?? `#${col + 1}`) : String(col);
    return new FileFormatError(`row ${n}, column "${column}": ${describeValueProblem({ ...problem, path: rest })}`);
  }
}

/**
 * True for a row of scalars without NUL (every CSV row, most JSON rows): nothing for the full walk to find. Rows
 * holding arrays or objects, or a NUL, take findValueProblem, which also names where the problem is.
 */
function isFlatAndClean(row: unknown[]): boolean {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v === 'string') {
      if (v.indexOf('\u0000') !== -1) return false;
    } else if (v !== null && typeof v === 'object') return false;
  }
  return true;
}
