// RFC 4180 CSV (quotes, embedded newlines, "" escapes, BOM, CRLF/LF mixed), streamed through papaparse's chunk mode
// (about four times the throughput of csv-parse here), with backpressure and line numbers for errors.
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { eachRow, FileFormatError, uniqueColumnNames, type TableReader } from './table-reader.js';

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

  rows(): AsyncIterable<unknown[]> {
    return eachRow(this.batches());
  }

  async *batches(): AsyncIterable<unknown[][]> {
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
        const real = results.errors.find(
          (e) => e.type === 'Quotes' && typeof e.row === 'number' && e.row < results.data.length,
        );
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
          if (failure)
            throw failure instanceof FileFormatError ? failure : new FileFormatError(`CSV error: ${failure.message}`);
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
        const batch: string[][] = [];
        let problem: FileFormatError | undefined;
        for (let i = 0; i < rows.length; i++) {
          const record = rows[i];
          const start = line;
          line += 1 + countNewlines(record);
          if (error && i === error.row) {
            problem = new FileFormatError(`CSV line ${start}: ${error.message}`);
            break;
          }
          if (record.length === 1 && record[0] === '') continue; // blank line
          if (!header) {
            if (record[0].charCodeAt(0) === 0xfeff) record[0] = record[0].slice(1);
            header = uniqueColumnNames(record, this.warnings);
            this.columns = header;
            continue;
          }
          if (record.length !== header.length) {
            problem = new FileFormatError(
              `CSV line ${start}: expected ${header.length} fields (as in the header), found ${record.length}`,
            );
            break;
          }
          batch.push(record);
        }
        // The rows before a problem are handed on first.
        if (batch.length > 0) yield batch;
        if (problem) throw problem;
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

/**
 * Feeds papaparse LF-terminated text: a CR before LF outside quotes is dropped, so files mixing CRLF and LF
 * (concatenated exports, edited by hand) neither merge rows nor leave "\r" in cells. Quoted cells keep theirs.
 */
async function detectNewline(input: Readable): Promise<{ source: Readable; newline: '\n' }> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<string>;
  const normalise = crlfNormaliser();
  async function* pieces(text: string) {
    for (let i = 0; i < text.length; i += PIECE_CHARS) yield normalise(text.slice(i, i + PIECE_CHARS));
  }
  // The first piece is read here so that errors of the input's first bytes (not UTF-8, gzip...) surface at once.
  const first = await it.next();
  async function* all() {
    for (let next = first; !next.done; next = await it.next()) yield* pieces(next.value);
    const tail = normalise('', true);
    if (tail) yield tail;
  }
  return { source: Readable.from(all(), { highWaterMark: 1 }), newline: '\n' };
}

/** Removes CR of CRLF outside double quotes, across piece boundaries (quote state and a trailing CR carry over). */
function crlfNormaliser(): (text: string, end?: boolean) => string {
  let inQuotes = false;
  let pendingCr = false;
  return (text, end = false) => {
    let out = '';
    if (pendingCr) {
      if (!end && text.charCodeAt(0) !== 10) out += '\r'; // a lone CR is data; one ending the file is a line end
      pendingCr = false;
    }
    if (text.indexOf('\r') === -1) {
      for (let q = text.indexOf('"'); q !== -1; q = text.indexOf('"', q + 1)) inQuotes = !inQuotes;
      return out + text;
    }
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) inQuotes = !inQuotes;
      else if (c === 13 && !inQuotes) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) {
            out += text.slice(from, i);
            from = i + 1;
          }
        } else if (!end) {
          out += text.slice(from, i);
          from = i + 1;
          pendingCr = true;
        }
      }
    }
    return out + text.slice(from);
  };
}

function countNewlines(record: string[]): number {
  let n = 0;
  for (const field of record) {
    for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) n++;
  }
  return n;
}
