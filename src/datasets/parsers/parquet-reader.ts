// Parquet (hyparquet): the stream is spooled to a temporary file (Parquet needs random access), then read row group by
// row group (large groups in slices), column by column.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, type FileMetaData } from 'hyparquet';
import { parseLossless } from '../lossless-json.js';
import type { ColumnSchema } from '../column-types.js';
import { MAX_COLUMNS } from '../../input-limits.js';
import { eachRow, FileFormatError, type TableReader } from './table-reader.js';

/** Key-value metadata key under which Strata's parquet writer records the typed schema (read back on import). */
export const STRATA_SCHEMA_KEY = 'strata.schema';

/** Turns hyparquet's decoded values into JSON-safe cells: bigint → number (or string when unsafe), Date → ISO, bytes → base64. */
export function jsonSafe(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : null;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = jsonSafe(x);
    return out;
  }
  return v;
}

/** A JSON column's cell: its text parsed losslessly (big integers keep every digit). */
function jsonCell(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  const text = v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : typeof v === 'string' ? v : undefined;
  if (text === undefined) return jsonSafe(v);
  try {
    return parseLossless(text);
  } catch {
    return text;
  }
}

/**
 * Rows decoded per read: about this many bytes of the row group's uncompressed data (its pages), so a writer's large
 * row groups (pyarrow writes up to 1M rows in one) do not sit in memory at once; whole groups when they are smaller.
 */
const SLICE_BYTES = 16 * 1024 * 1024;
const MIN_SLICE_ROWS = 1_000;
/** Rows per batch handed on (the decoded slice is in memory already; this bounds the cells built ahead). */
const BATCH_ROWS = 1_000;

export class ParquetReader implements TableReader {
  columns: string[] = [];
  readonly warnings: string[] = [];
  /** The schema a Strata export recorded in the file, if any. */
  declaredSchema: ColumnSchema[] | undefined;

  constructor(
    private readonly input: Readable,
    /** Uncompressed bytes of a row group decoded per read (tests make it small). */
    private readonly sliceBytes = SLICE_BYTES,
  ) {}

  rows(): AsyncIterable<unknown[]> {
    return eachRow(this.batches());
  }

  async *batches(): AsyncIterable<unknown[][]> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'strata-parquet-'));
    const file = path.join(dir, `${randomUUID()}.parquet`);
    try {
      await pipeline(this.input, fs.createWriteStream(file));
      const buffer = await asyncBufferFromFile(file);
      let metadata: FileMetaData;
      try {
        metadata = await parquetMetadataAsync(buffer);
        this.columns = topLevelColumns(metadata);
      } catch (err) {
        throw new FileFormatError(`not a valid Parquet file (truncated or damaged?): ${(err as Error).message}`);
      }
      checkChunkBounds(metadata, buffer.byteLength);
      this.declaredSchema = declaredSchemaOf(metadata, this.columns);
      const jsonColumns = new Set(
        metadata.schema
          .filter((el) => el.logical_type?.type === 'JSON' || el.converted_type === 'JSON')
          .map((el) => el.name),
      );
      let start = 0;
      for (const group of metadata.row_groups) {
        const end = start + Number(group.num_rows);
        const groupBytes = Number(group.total_byte_size);
        const sliceRows =
          groupBytes > this.sliceBytes
            ? Math.max(MIN_SLICE_ROWS, Math.ceil((Number(group.num_rows) * this.sliceBytes) / groupBytes))
            : Number(group.num_rows);
        for (let from = start; from < end; from += sliceRows) {
          const to = Math.min(from + sliceRows, end);
          // Column by column (hyparquet's chunks, one per page), then rows by index: no object per row.
          const chunks = new Map<string, Array<{ start: number; values: ArrayLike<unknown> }>>(
            this.columns.map((c) => [c, []]),
          );
          try {
            await parquetRead({
              file: buffer,
              metadata,
              rowStart: from,
              rowEnd: to,
              useOffsetIndex: true,
              parsers: { jsonFromBytes: (b: Uint8Array) => b },
              onChunk: ({ columnName, rowStart, columnData }) =>
                chunks.get(columnName)?.push({ start: rowStart, values: columnData }),
            });
          } catch (err) {
            throw new FileFormatError(
              `Parquet file is damaged: rows ${from + 1}-${to} could not be decoded (${(err as Error).message})`,
            );
          }
          const cursors = this.columns.map((c) => ({
            json: jsonColumns.has(c),
            chunks: chunks.get(c)!.sort((a, b) => a.start - b.start),
            at: 0,
          }));
          let batch: unknown[][] = [];
          for (let row = from; row < to; row++) {
            const cells: unknown[] = new Array(cursors.length);
            for (let k = 0; k < cursors.length; k++) {
              const cur = cursors[k];
              let chunk = cur.chunks[cur.at];
              while (chunk && row >= chunk.start + chunk.values.length) chunk = cur.chunks[++cur.at];
              const v = chunk && row >= chunk.start ? chunk.values[row - chunk.start] : undefined;
              cells[k] = cur.json ? jsonCell(v) : jsonSafe(v);
            }
            batch.push(cells);
            if (batch.length >= BATCH_ROWS) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
        }
        start = end;
      }
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * A truncated file whose footer survived (or was re-attached) points at bytes it no longer has; hyparquet then fails
 * with messages such as "Cannot read properties of undefined". Checked up front so the answer says what happened.
 */
function checkChunkBounds(metadata: FileMetaData, fileBytes: number): void {
  metadata.row_groups.forEach((group, g) => {
    for (const chunk of group.columns) {
      const m = chunk.meta_data;
      if (!m) continue;
      const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
      const end = start + Number(m.total_compressed_size);
      if (!(start >= 4 && end <= fileBytes)) {
        const column = m.path_in_schema.join('.');
        throw new FileFormatError(
          `Parquet file is truncated or damaged: column "${column}" of row group ${g + 1} lies at bytes ${start}-${end}, but the file has ${fileBytes} bytes`,
        );
      }
    }
  });
}

function topLevelColumns(metadata: FileMetaData): string[] {
  const [root, ...rest] = metadata.schema;
  const names: string[] = [];
  // Walk the flattened schema tree: only the root's direct children are columns.
  let i = 0;
  const skip = (): void => {
    const el = rest[i++];
    for (let c = 0; c < (el?.num_children ?? 0); c++) skip();
  };
  const count = root?.num_children ?? 0;
  if (count > MAX_COLUMNS) throw new FileFormatError(`file has ${count} columns; the limit is ${MAX_COLUMNS} columns`);
  for (let c = 0; c < count; c++) {
    if (!rest[i])
      throw new FileFormatError('not a valid Parquet file: its schema lists fewer columns than it declares');
    names.push(rest[i].name);
    skip();
  }
  return names;
}

function declaredSchemaOf(metadata: FileMetaData, columns: string[]): ColumnSchema[] | undefined {
  const kv = metadata.key_value_metadata?.find((k) => k.key === STRATA_SCHEMA_KEY);
  if (!kv?.value) return undefined;
  try {
    const schema = JSON.parse(kv.value) as ColumnSchema[];
    if (Array.isArray(schema) && schema.length === columns.length && schema.every((c, i) => c?.name === columns[i]))
      return schema;
  } catch {
    // A foreign or damaged value: infer instead.
  }
  return undefined;
}
