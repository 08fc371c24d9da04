// Rows of a large upload body kept on disk as JSON lines while the body streams in, read back in batches: a 65 MB
// upload is checked and stored without its parsed rows ever being in memory at once.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import readline from 'node:readline';
import { parseLossless } from '../lossless-json.js';

export class SpooledRows {
  /** Rows that are not JSON objects (index, value), up to `maxNonObjects`: pydantic's dict_type errors. */
  readonly nonObjects: Array<[number, unknown]> = [];

  constructor(
    readonly path: string,
    public length = 0,
    /** Bytes of JSON the rows took in the body (for deciding not to echo them). */
    public jsonLength = 0,
  ) {}

  /** Never serialised whole: a note stands in if it is ever rendered. */
  toJSON(): string {
    return `[${this.length} rows]`;
  }

  /**
   * Reads the rows back in order, `size` rows at a time or fewer when they take more than `maxChars` of JSON: a batch
   * of long rows (chat transcripts) parsed into objects is many times its text, so the bytes bound the memory.
   */
  async *batches(size: number, maxChars = Infinity): AsyncIterable<Array<Record<string, unknown>>> {
    const lines = readline.createInterface({ input: fs.createReadStream(this.path), crlfDelay: Infinity });
    let batch: Array<Record<string, unknown>> = [];
    let chars = 0;
    for await (const line of lines) {
      batch.push(parseLossless(line) as Record<string, unknown>);
      chars += line.length;
      if (batch.length >= size || chars >= maxChars) {
        yield batch;
        batch = [];
        chars = 0;
      }
    }
    if (batch.length > 0) yield batch;
  }

  async remove(): Promise<void> {
    await fsp.rm(this.path, { force: true });
  }
}
