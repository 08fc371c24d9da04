// A JSON array of objects, read as a stream so memory stays flat however long the array: a byte scan finds where
// each item starts and ends (strings, escapes and nesting tracked, never tokenised), and JSON.parse reads the item.
import type { Readable } from 'node:stream';
import { parseLossless } from '../lossless-json.js';
import { ColumnIndex, FileFormatError, type TableReader } from './table-reader.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
/**
 * Items JSON.parse would read differently from Python's json module, which the stored cells follow (lossless-json.ts):
 * a run of 16+ digits may be an integer past 2^53, and the integer -0 is 0.
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

  async *rows(): AsyncIterable<unknown[]> {
    let phase: Phase = 'start';
    let afterComma = false; // in phase 'first': a "]" now would close the array after a trailing comma
    let line = 1; // line where the current chunk starts
    let count = 0; // items read
    // The item being scanned: its bytes from earlier chunks, nesting and string state.
    let pieces: Buffer[] = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let scalar = false; // a number, true, false or null: ends at a delimiter
    let atFileStart = true;

    const syntaxError = (chunk: Buffer, at: number, message: string): FileFormatError => {
      let n = line;
      for (let k = chunk.indexOf(10); k !== -1 && k < at; k = chunk.indexOf(10, k + 1)) n++;
      return new FileFormatError(`JSON syntax error near line ${n} (after item ${count}): ${message}`);
    };
    const item = (text: string): unknown[] => {
      count++;
      let value: unknown;
      try {
        value = NEEDS_LOSSLESS.test(text) ? parseLossless(text) : JSON.parse(text);
      } catch (err) {
        throw new FileFormatError(`JSON syntax error in item ${count}: ${(err as Error).message}`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new FileFormatError(
          `JSON item ${count}: expected an object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
        );
      }
      return this.index.align(value as Record<string, unknown>);
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
                const s = chunk.indexOf(BACKSLASH, i);
                if (s !== -1 && (q === -1 || s < q)) {
                  escaped = true;
                  i = s + 1;
                  continue;
                }
                if (q === -1) {
                  i = chunk.length;
                  continue;
                }
                inString = false;
                i = q + 1;
                if (depth === 0) {
                  ready.push(item(text(chunk, itemStart, i)));
                  phase = 'after';
                }
                continue;
              }
              if (scalar) {
                if (b === 0x2c || b === 0x5d || isSpace(b)) {
                  scalar = false;
                  ready.push(item(text(chunk, itemStart, i)));
                  phase = 'after'; // the delimiter is read there
                } else i++;
                continue;
              }
              if (b === QUOTE) inString = true;
              else if (b === 0x7b || b === 0x5b) depth++;
              else if ((b === 0x7d || b === 0x5d) && --depth === 0) {
                ready.push(item(text(chunk, itemStart, i + 1)));
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
              }
            } else throw syntaxError(chunk, i, 'data after the closing "]"');
            i++;
          }
          if (phase === 'item') pieces.push(chunk.subarray(itemStart));
        } catch (err) {
          failure = err;
        }
        // The rows before a problem are handed on first, as a streaming parser would have.
        for (const row of ready) yield row;
        if (failure !== undefined) throw failure;
        for (let k = chunk.indexOf(10); k !== -1; k = chunk.indexOf(10, k + 1)) line++;
      }
      if (phase === 'item' && scalar) {
        // A lone scalar item just before the end is still refused as an item ("expected an object").
        item(text(Buffer.alloc(0), 0, 0));
        phase = 'after';
      }
      if (phase !== 'done' && phase !== 'start')
        throw new FileFormatError(`JSON syntax error near line ${line} (after item ${count}): unexpected end of file`);
    } finally {
      this.input.destroy();
    }
  }
}
