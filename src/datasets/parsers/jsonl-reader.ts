// JSON Lines: one object per line; blank lines are skipped; the column set is the union of keys. Lines end at "\n",
// "\r\n" or a lone "\r" (as readline splits them). The whole lines a chunk holds are read by one JSON.parse when they
// can be (see readLines); any other line, and every line of a chunk where that fails, is read on its own.
import type { Readable } from 'node:stream';
import { ColumnIndex, eachRow, FileFormatError, type TableReader } from './table-reader.js';
import { parseLossless } from '../lossless-json.js';

const LF = 0x0a;
/** Only a run of 16+ digits can hold an integer a JS number cannot (lossless-json.ts). */
const MAYBE_BIG = /\d{16}/;
/** A "\r" that is not part of a "\r\n": a line break of its own. */
const LONE_CR = /\r(?!\n)/;

export class JsonlReader implements TableReader {
  private readonly index = new ColumnIndex();
  readonly warnings: string[] = [];

  constructor(private readonly input: Readable) {}

  get columns(): string[] {
    return this.index.names;
  }

  rows(): AsyncIterable<unknown[]> {
    return eachRow(this.batches());
  }

  async *batches(): AsyncIterable<unknown[][]> {
    let n = 0; // lines read
    let pieces: Buffer[] = []; // the start of a line cut by a chunk boundary
    let atFileStart = true; // a byte order mark may start the first line's text

    const firstText = (text: string): string => {
      if (!atFileStart) return text;
      atFileStart = false;
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    };
    const row = (value: unknown, at: number): unknown[] => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new FileFormatError(
          `JSONL line ${at}: expected a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}`,
        );
      }
      return this.index.align(value as Record<string, unknown>);
    };
    /** Lines (without their "\n") read one at a time, each lone "\r" ending a line of its own. */
    const oneByOne = (text: string, out: unknown[][]) => {
      const lines = text.split('\n');
      for (let l = 0; l < lines.length; l++) {
        let s = lines[l];
        if (s.endsWith('\r')) s = s.slice(0, -1); // the "\r" of "\r\n"
        for (const line of s.includes('\r') ? s.split('\r') : [s]) {
          n++;
          if (line.trim() === '') continue;
          let value: unknown;
          try {
            value = MAYBE_BIG.test(line) ? parseLossless(line) : JSON.parse(line);
          } catch (err) {
            throw new FileFormatError(`JSONL line ${n}: invalid JSON (${(err as Error).message})`);
          }
          out.push(row(value, n));
        }
      }
    };
    /**
     * Whole lines (`text`, without the last "\n") as one array: "\n," between them. A raw newline cannot be inside a
     * JSON string, so each "," stands between two lines; as many values as lines means each line held one value.
     */
    const readLines = (text: string, out: unknown[][]) => {
      if (text.length === 0) return oneByOne(text, out);
      const count = countLf(text) + 1;
      let values: unknown[] | undefined;
      if (!MAYBE_BIG.test(text) && !(text.includes('\r') && LONE_CR.test(text))) {
        try {
          values = JSON.parse(`[${text.replaceAll('\n', '\n,')}]`) as unknown[];
        } catch {
          // A blank or broken line: one by one, so the error names it.
        }
      }
      if (values?.length !== count) return oneByOne(text, out);
      for (let k = 0; k < values.length; k++) out.push(row(values[k], n + k + 1));
      n += count;
    };

    try {
      for await (const chunk of this.input as AsyncIterable<Buffer>) {
        const lastLf = chunk.lastIndexOf(LF);
        if (lastLf === -1) {
          pieces.push(chunk);
          continue;
        }
        const ready: unknown[][] = [];
        let failure: unknown;
        try {
          let from = 0;
          if (pieces.length > 0) {
            // The line begun in earlier chunks, on its own.
            const end = chunk.indexOf(LF);
            oneByOne(firstText(Buffer.concat([...pieces, chunk.subarray(0, end)]).toString('utf8')), ready);
            pieces = [];
            from = end + 1;
          }
          if (from <= lastLf) readLines(firstText(chunk.toString('utf8', from, lastLf)), ready);
        } catch (err) {
          failure = err;
        }
        if (lastLf + 1 < chunk.length) pieces.push(chunk.subarray(lastLf + 1));
        // The rows before a problem are handed on first.
        if (ready.length > 0) yield ready;
        if (failure !== undefined) throw failure;
      }
      if (pieces.length > 0) {
        const ready: unknown[][] = [];
        let last = firstText(Buffer.concat(pieces).toString('utf8'));
        pieces = [];
        if (last.endsWith('\r')) last = last.slice(0, -1); // a final lone "\r" ends the line, as a "\n" would
        oneByOne(last, ready);
        if (ready.length > 0) yield ready;
      }
    } finally {
      this.input.destroy();
    }
  }
}

function countLf(text: string): number {
  let k = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) k++;
  return k;
}
