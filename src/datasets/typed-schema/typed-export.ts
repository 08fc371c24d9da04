// Streams a version's rows as JSONL, CSV or Parquet with the shared export writers (GET /v1/datasets/{id}/export);
// JSONL leaves out option columns whose cell is null, as Nebius's fine-tuning format expects (CSV/Parquet keep them).
import { Readable } from 'node:stream';
import type { ColumnSchema } from '../column-types.js';
import { batched, EXPORT_WRITERS, rowObject, type ExportFormat } from '../export/index.js';
import { stringifyLossless } from '../lossless-json.js';

/** The core's formats but JSON arrays, which Nebius's API does not offer. */
export type TypedExportFormat = Exclude<ExportFormat, 'json'>;

export const TYPED_EXPORT_CONTENT_TYPES: Record<TypedExportFormat, string> = {
  jsonl: EXPORT_WRITERS.jsonl.contentType,
  csv: EXPORT_WRITERS.csv.contentType,
  parquet: EXPORT_WRITERS.parquet.contentType,
};

/** JSON Lines keyed in schema order; a null in an `option` column is omitted. */
async function* fineTuningJsonl(
  columns: string[],
  schema: ColumnSchema[],
  rows: AsyncIterable<unknown[]>,
): AsyncIterable<string> {
  const optional = columns.map((c) => schema.find((s) => s.name === c)?.type.name === 'option');
  for await (const r of rows) yield `${stringifyLossless(rowObject(columns, r, optional))}\n`;
}

export async function typedExportStream(
  format: TypedExportFormat,
  columns: string[],
  schema: () => Promise<ColumnSchema[]>,
  rows: () => AsyncIterable<unknown[]>,
): Promise<Readable> {
  if (format === 'jsonl') return Readable.from(batched(fineTuningJsonl(columns, await schema(), rows())));
  const writer = EXPORT_WRITERS[format];
  const types = writer.needsSchema ? await schema() : undefined;
  return Readable.from(writer.encode(columns, rows(), types));
}
