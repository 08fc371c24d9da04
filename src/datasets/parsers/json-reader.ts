// A JSON array of objects, read as a stream so memory stays flat however long the array: a byte scan finds where
// each item starts and ends (strings, escapes and nesting tracked, never tokenised), and JSON.parse reads the items:
// the run of whole items a chunk holds in one call, an item cut by a chunk boundary or needing the lossless parser
// on its own.
import type { Readable } from 'node:stream';
import { parseLossless } from '../lossless-json.js';
import { ColumnIndex, eachRow, FileFormatError, type TableReader } from './table-reader.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
/**
 * Items JSON.parse would read differently from Python's json module, which the stored cells follow (lossless-json.ts):
 * a run of 16+ digits may be an integer past 2^53, and the integer -0 is 0. The scan of an object or array item
 * applies the same test to the bytes outside its strings as it passes them; an item read on its own takes this one.
 */
const NEEDS_LOSSLESS = /\d{16}|-0(?![\d.eE])/;

type Phase = 'start' | 'first' | 'item' | 'after' | 'done';

export class JsonReader implements TableReader {
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
    let phase: Phase = 'start';
    let afterComma = false; // in phase 'first': a "]" now would close the array after a trailing comma
    let line = 1; // line where the current chunk starts
    let count = 0; // items scanned
    // The item being scanned: its bytes from earlier chunks, nesting and string state.
    let pieces: Buffer[] = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let scalar = false; // a number, true, false or null: ends at a delimiter
    // Whether the item needs the lossless parser (NEEDS_LOSSLESS outside its strings): the current run of digits,
    // and a "-" (1) or "-0" (2) just passed.
    let lossless = false;
    let digits = 0;
    let minus = 0;
    let atFileStart = true;

    const syntaxError = (chunk: Buffer, at: number, message: string): FileFormatError => {
      let n = line;
      for (let k = chunk.indexOf(10); k !== -1 && k < at; k = chunk.indexOf(10, k + 1)) n++;
      return new FileFormatError(`JSON syntax error near line ${n} (after item ${count}): ${message}`);
    };
    const row = (value: unknown, n: number): unknown[] => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new FileFormatError(
          `JSON item ${n}: expected an object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
        );
      }
      return this.index.align(value as Record<string, unknown>);
    };
    const item = (text: string, n: number): unknown[] => {
      let value: unknown;
      try {
        value = NEEDS_LOSSLESS.test(text) ? parseLossless(text) : JSON.parse(text);
      } catch (err) {
        throw new FileFormatError(`JSON syntax error in item ${n}: ${(err as Error).message}`);
      }
      return row(value, n);
    };
    const text = (chunk: Buffer, from: number, end: number): string => {
      const t =
        pieces.length === 0
          ? chunk.toString('utf8', from, end)
          : Buffer.concat([...pieces, chunk.subarray(from, end)]).toString('utf8');
      pieces = [];
      return t;
    };

    try {
      for await (const chunk of this.input as AsyncIterable<Buffer>) {
        const ready: unknown[][] = [];
        let failure: unknown;
        let i = 0;
        let itemStart = 0; // where the current item starts in this chunk (0 when it began in an earlier one)
        let nextBackslash = -2; // the next backslash at or after i in this chunk (-1: none; -2: not looked for yet)
        // Whole items of this chunk not read yet, none needing the lossless parser: [start, end) of each.
        const run: number[] = [];
        let first = 0; // the number of the run's first item
        const readRun = () => {
          if (run.length === 0) return;
          const bounds = run.splice(0);
          let values: unknown[] | undefined;
          try {
            // What lies between the items was checked by the scan: commas and white space.
            values = JSON.parse(`[${chunk.toString('utf8', bounds[0], bounds[bounds.length - 1])}]`) as unknown[];
          } catch {
            // One item is broken: read them one by one, so the error names it (and the rows before it are kept).
          }
          if (values) for (let k = 0; k < values.length; k++) ready.push(row(values[k], first + k));
          else
            for (let k = 0; k < bounds.length; k += 2)
              ready.push(item(chunk.toString('utf8', bounds[k], bounds[k + 1]), first + k / 2));
        };
        const ended = (end: number) => {
          count++;
          if (pieces.length === 0 && !scalar && !lossless) {
            if (run.length === 0) first = count;
            run.push(itemStart, end);
          } else {
            readRun();
            ready.push(item(text(chunk, itemStart, end), count));
          }
        };
        if (atFileStart) {
          atFileStart = false;
          if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3; // a UTF-8 byte order mark
        }
        try {
          while (i < chunk.length) {
            const b = chunk[i];
            if (phase === 'item') {
              if (inString) {
                if (escaped) {
                  escaped = false;
                  i++;
                  continue;
                }
                // Jump to the next quote or backslash: strings are most of the bytes.
                const q = chunk.indexOf(QUOTE, i);
                if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i);
                if (nextBackslash !== -1 && (q === -1 || nextBackslash < q)) {
                  escaped = true;
                  i = nextBackslash + 1;
                  continue;
                }
                if (q === -1) {
                  i = chunk.length;
                  continue;
                }
                inString = false;
                i = q + 1;
                if (depth === 0) {
                  ended(i);
                  phase = 'after';
                }
                continue;
              }
              if (scalar) {
                if (b === 0x2c || b === 0x5d || isSpace(b)) {
                  ended(i);
                  scalar = false;
                  phase = 'after'; // the delimiter is read there
                } else i++;
                continue;
              }
              if (isDigit(b)) {
                if (++digits >= 16) lossless = true;
              } else digits = 0;
              if (minus === 2 && !isDigit(b) && b !== 0x2e && b !== 0x65 && b !== 0x45) lossless = true;
              minus = b === 0x2d ? 1 : minus === 1 && b === 0x30 ? 2 : 0;
              if (b === QUOTE) inString = true;
              else if (b === 0x7b || b === 0x5b) depth++;
              else if ((b === 0x7d || b === 0x5d) && --depth === 0) {
                ended(i + 1);
                phase = 'after';
              }
              i++;
              continue;
            }
            if (isSpace(b)) {
              i++;
              continue;
            }
            if (phase === 'start') {
              if (b !== 0x5b) throw new FileFormatError('JSON file must be an array of objects');
              phase = 'first';
            } else if (phase === 'after') {
              if (b === 0x5d) phase = 'done';
              else if (b === 0x2c) {
                phase = 'first';
                afterComma = true;
              } else
                throw syntaxError(chunk, i, `expected "," or "]" after an item, found "${String.fromCharCode(b)}"`);
            } else if (phase === 'first') {
              if (b === 0x5d && !afterComma) phase = 'done';
              else if (b === 0x5d) throw syntaxError(chunk, i, 'a "," just before "]"');
              else {
                phase = 'item';
                afterComma = false;
                itemStart = i;
                depth = b === 0x7b || b === 0x5b ? 1 : 0;
                inString = b === QUOTE;
                scalar = depth === 0 && !inString;
                lossless = false;
                digits = 0;
                minus = 0;
              }
            } else throw syntaxError(chunk, i, 'data after the closing "]"');
            i++;
          }
          readRun();
          if (phase === 'item') pieces.push(chunk.subarray(itemStart));
        } catch (err) {
          failure = err;
          // The whole items before the problem are read first: an error among them comes first.
          try {
            readRun();
          } catch (earlier) {
            failure = earlier;
          }
        }
        // The rows before a problem are handed on first, as a streaming parser would have.
        if (ready.length > 0) yield ready;
        if (failure !== undefined) throw failure;
        for (let k = chunk.indexOf(10); k !== -1; k = chunk.indexOf(10, k + 1)) line++;
      }
      if (phase === 'item' && scalar) {
        // A lone scalar item just before the end is still refused as an item ("expected an object").
        count++;
        item(text(Buffer.alloc(0), 0, 0), count);
        phase = 'after';
      }
      if (phase !== 'done' && phase !== 'start')
        throw new FileFormatError(`JSON syntax error near line ${line} (after item ${count}): unexpected end of file`);
    } finally {
      this.input.destroy();
    }
  }
}
