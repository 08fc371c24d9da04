// JSON Lines: one object per line; blank lines are skipped; the column set is the union of keys.
import type { Readable } from 'node:stream';
import readline from 'node:readline';
import { ColumnIndex, FileFormatError, type TableReader } from './table-reader.js';
import { parseLossless } from '../lossless-json.js';

export class JsonlReader implements TableReader {
  private readonly index = new ColumnIndex();
  readonly warnings: string[] = [];

  constructor(private readonly input: Readable) {}

  get columns(): string[] {
    return this.index.names;
  }

  async *rows(): AsyncIterable<unknown[]> {
    const lines = readline.createInterface({ input: this.input, crlfDelay: Infinity });
    let n = 0;
    try {
      for await (let line of lines) {
        n++;
        if (n === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = /\d{16}/.test(line) ? parseLossless(line) : JSON.parse(line);
        } catch (err) {
          throw new FileFormatError(`JSONL line ${n}: invalid JSON (${(err as Error).message})`);
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          throw new FileFormatError(
            `JSONL line ${n}: expected a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}`,
          );
        }
        yield this.index.align(value as Record<string, unknown>);
      }
    } finally {
      lines.close();
    }
  }
}
