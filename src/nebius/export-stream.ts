// Streams a version's rows as JSONL, CSV or Parquet for GET /v1/datasets/{id}/export.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { ColumnSchema } from '../datasets/column-types.js';
import { PARQUET_CONTENT_TYPE, writeParquet } from '../datasets/export/parquet-writer.js';

export type ExportFormat = 'jsonl' | 'csv' | 'parquet';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/jsonl; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  parquet: PARQUET_CONTENT_TYPE,
};

/** A CSV cell: text as is, null as empty, anything else as JSON text. */
const csvCell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

export async function exportStream(
  format: ExportFormat,
  columns: string[],
  schema: () => Promise<ColumnSchema[]>,
  rows: () => AsyncIterable<unknown[]>,
): Promise<Readable> {
  if (format === 'parquet') return Readable.from(writeParquet(await schema(), rows()));
  if (format === 'jsonl') {
    return Readable.from(
      (async function* () {
        for await (const cells of rows()) {
          const obj: Record<string, unknown> = {};
          columns.forEach((c, i) => (obj[c] = cells[i] ?? null));
          yield `${JSON.stringify(obj)}\n`;
        }
      })(),
    );
  }
  const source = Readable.from(
    (async function* () {
      for await (const cells of rows()) yield columns.map((_, i) => csvCell(cells[i]));
    })(),
  );
  const csv = stringify({ header: true, columns, record_delimiter: '\n' });
  source.on('error', (err) => csv.destroy(err));
  return source.pipe(csv);
}
