// RFC 4180 CSV (quotes, embedded newlines, "" escapes, BOM, CRLF), streamed through papaparse's chunk mode
// (about four times the throughput of csv-parse here), with backpressure and line numbers for errors.
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { FileFormatError, uniqueColumnNames, type TableReader } from './table-reader.js';

/** Chunks parsed ahead of the consumer before the input is paused. */
const MAX_PENDING_CHUNKS = 2;
/** Text handed to papaparse at a time: small pieces keep the rows parsed ahead (and their garbage) small. */
const PIECE_CHARS = 256 * 1024;

interface Chunk {
  rows: string[][];
  /** Index within `rows` of the first record papaparse flagged as malformed, with its message. */
  error?: { row: number; message: string };
}

export class CsvReader implements TableReader {
  columns: string[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly input: Readable) {}

  async *rows(): AsyncIterable<unknown[]> {
    const pending: Chunk[] = [];
    let done = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    let handle: Papa.Parser | undefined;
    let paused = false;

    this.input.setEncoding('utf8'); // multi-byte characters split across chunks decode correctly
    const { source, newline } = await detectNewline(this.input);
    source.on('error', (err) => {
      failure = err;
      wake?.();
    });
    Papa.parse(source as unknown as File, {
      delimiter: ',',
      newline,
      skipEmptyLines: false,
      chunk: (results: Papa.ParseResult<string[]>, parser: Papa.Parser) => {
        handle = parser;
        // Errors at or past the chunk's last row concern a partial line that is parsed again with the next chunk.
        const real = results.errors.find((e) => e.type === 'Quotes' && typeof e.row === 'number' && e.row < results.data.length);
        pending.push({ rows: results.data, error: real ? { row: real.row!, message: real.message } : undefined });
        if (pending.length >= MAX_PENDING_CHUNKS && !paused) {
          paused = true;
          parser.pause();
        }
        wake?.();
      },
      complete: () => {
        done = true;
        wake?.();
      },
      error: (err: Error) => {
        failure = err;
        wake?.();
      },
    });

    let header: string[] | undefined;
    let line = 1; // line where the next record starts
    try {
      for (;;) {
        const chunk = pending.shift();
        if (!chunk) {
          if (failure) throw failure instanceof FileFormatError ? failure : new FileFormatError(`CSV error: ${failure.message}`);
          if (done) break;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        if (paused && pending.length < MAX_PENDING_CHUNKS / 2) {
          paused = false;
          handle?.resume();
        }
        const { rows, error } = chunk;
        for (let i = 0; i < rows.length; i++) {
          const record = rows[i];
          const start = line;
          line += 1 + countNewlines(record);
          if (error && i === error.row) throw new FileFormatError(`CSV line ${start}: ${error.message}`);
          if (record.length === 1 && record[0] === '') continue; // blank line
          if (!header) {
            if (record[0].charCodeAt(0) === 0xfeff) record[0] = record[0].slice(1);
            header = uniqueColumnNames(record, this.warnings);
            this.columns = header;
            continue;
          }
          if (record.length !== header.length) {
            throw new FileFormatError(`CSV line ${start}: expected ${header.length} fields (as in the header), found ${record.length}`);
          }
          yield record;
        }
      }
    } finally {
      if (!done) {
        handle?.abort();
        source.destroy();
        this.input.destroy();
      }
    }
    if (!header) throw new FileFormatError('CSV file is empty: expected a header row');
  }
}

/** Looks at the first 64 KB to tell CRLF from LF files (papaparse's own guess fails on tiny first chunks). */
async function detectNewline(input: Readable): Promise<{ source: Readable; newline: '\r\n' | '\n' }> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<string>;
  let sample = '';
  let ended = false;
  while (sample.length < 65536) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    sample += next.value;
  }
  const lf = sample.indexOf('\n');
  const newline = lf > 0 && sample[lf - 1] === '\r' ? '\r\n' : '\n';
  async function* pieces(text: string) {
    for (let i = 0; i < text.length; i += PIECE_CHARS) yield text.slice(i, i + PIECE_CHARS);
  }
  async function* rest() {
    if (sample) yield* pieces(sample);
    if (ended) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield* pieces(next.value);
    }
  }
  return { source: Readable.from(rest(), { highWaterMark: 1 }), newline };
}

function countNewlines(record: string[]): number {
  let n = 0;
  for (const field of record) {
    for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) n++;
  }
  return n;
}
