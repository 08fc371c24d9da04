// What every file parser produces: growing column names, warnings, and rows as arrays aligned with the columns.
import { PermanentJobError } from '../../errors.js';
import type { FileFormat } from '../../jobs/job-catalogue.js';
import { MAX_COLUMNS } from '../../input-limits.js';

export interface TableReader {
  /** Column names seen so far; JSON readers append as new keys appear. Rows may be shorter than this list. */
  readonly columns: string[];
  /** Notes for the user (renamed columns and the like). */
  readonly warnings: string[];
  rows(): AsyncIterable<unknown[]>;
  /**
   * The same rows in the batches the reader makes them (a chunk's rows, never empty): one await per batch instead of
   * one per row, which costs about as much as the parsing on small rows. The rows before a problem come first.
   */
  batches(): AsyncIterable<unknown[][]>;
}

/** Rows one at a time out of batches (a reader's rows() over its batches()). */
export async function* eachRow(batches: AsyncIterable<unknown[][]>): AsyncIterable<unknown[]> {
  for await (const batch of batches) yield* batch;
}

/** The file's content is broken; the message names the line or item. */
export class FileFormatError extends PermanentJobError {
  constructor(message: string) {
    super(message);
    this.name = 'FileFormatError';
  }
}

const EXTENSIONS: Record<string, FileFormat> = {
  '.csv': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
};

export const SUPPORTED_EXTENSIONS = Object.keys(EXTENSIONS);

export function formatFromFileName(name: string): FileFormat | undefined {
  const m = /\.[A-Za-z0-9]+$/.exec(name.trim());
  return m ? EXTENSIONS[m[0].toLowerCase()] : undefined;
}

/** Keeps keys in first-seen order and maps each to its column position. */
export class ColumnIndex {
  readonly names: string[] = [];
  private readonly positions = new Map<string, number>();

  positionOf(key: string): number {
    let p = this.positions.get(key);
    if (p === undefined) {
      // Checked before the row is built: every row is as wide as the columns seen so far.
      if (this.names.length >= MAX_COLUMNS)
        throw new FileFormatError(
          `file has more than ${MAX_COLUMNS} distinct keys; the limit is ${MAX_COLUMNS} columns`,
        );
      p = this.names.length;
      this.names.push(key);
      this.positions.set(key, p);
    }
    return p;
  }

  /** An object's values placed by column; keys not seen before become new columns. */
  align(obj: Record<string, unknown>): unknown[] {
    const keys = Object.keys(obj);
    const positions = keys.map((k) => this.positionOf(k));
    let width = 0;
    for (const p of positions) if (p >= width) width = p + 1;
    // Filled up front: assigning far past the end of an empty array makes a slow holey array (7x slower on wide files).
    const row: unknown[] = new Array<unknown>(width).fill(null);
    for (let i = 0; i < keys.length; i++) row[positions[i]] = obj[keys[i]];
    return row;
  }
}

/** Makes header names usable: empty names become `column_N`, repeats get `_2`, `_3`...; each change is reported. */
export function uniqueColumnNames(raw: string[], warnings: string[]): string[] {
  if (raw.length > MAX_COLUMNS)
    throw new FileFormatError(`file has ${raw.length} columns; the limit is ${MAX_COLUMNS} columns`);
  const seen = new Set<string>();
  return raw.map((name, i) => {
    let base = name.trim();
    if (base === '') {
      base = `column_${i + 1}`;
      warnings.push(`column ${i + 1} has no name; named it "${base}"`);
    }
    let candidate = base;
    for (let n = 2; seen.has(candidate); n++) candidate = `${base}_${n}`;
    if (candidate !== base) warnings.push(`column ${i + 1} repeats the name "${base}"; renamed it "${candidate}"`);
    seen.add(candidate);
    return candidate;
  });
}
