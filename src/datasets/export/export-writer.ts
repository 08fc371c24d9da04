// What an export format provides: its media type, file extension, and a streaming encoder of columns + rows.
import type { ColumnSchema } from '../column-types.js';

export interface ExportWriter {
  readonly format: string;
  readonly contentType: string;
  readonly extension: string;
  /** Typed formats (Parquet) need the column types before the first row; the caller then passes `schema`. */
  readonly needsSchema?: boolean;
  /** Encodes the rows as they arrive; must not hold more than a chunk of rows at once (exports stream in constant memory). */
  encode(
    columns: string[],
    rows: AsyncIterable<unknown[]>,
    schema?: ColumnSchema[],
  ): AsyncIterable<string | Uint8Array>;
  /**
   * Where the database can write the records itself (CSV: DialectCapabilities.csvPage), the encoder of its pages
   * of text, for versions of up to `maxColumns` columns: rows the database could not write arrive as their stored
   * data between two `mark` characters, and the writer encodes those.
   */
  readonly databasePages?: {
    maxColumns: number;
    mark: string;
    encode(columns: string[], pages: AsyncIterable<string>): AsyncIterable<string>;
  };
}

/**
 * Rows become {column: value} objects for JSON formats; short rows read as null. A column whose `omitNull` entry is
 * true is left out when its cell is null (Nebius's fine-tuning JSONL: "tools" absent, not "tools": null).
 */
export function rowObject(columns: string[], cells: unknown[], omitNull?: readonly boolean[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const v = cells[i] ?? null;
    if (v === null && omitNull?.[i]) continue;
    o[columns[i]] = v;
  }
  return o;
}

/** Groups small strings into larger chunks so a stream is not one write per row. */
export async function* batched(parts: AsyncIterable<string>, size = 64 * 1024): AsyncIterable<string> {
  let buf = '';
  for await (const p of parts) {
    buf += p;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf !== '') yield buf;
}
