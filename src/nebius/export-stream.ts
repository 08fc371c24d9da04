// Streams a version's rows as JSONL, CSV or Parquet for GET /v1/datasets/{id}/export, with the shared export writers.
import { Readable } from 'node:stream';
import type { ColumnSchema } from '../datasets/column-types.js';
import { EXPORT_WRITERS } from '../datasets/export/index.js';

export type ExportFormat = 'jsonl' | 'csv' | 'parquet';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: EXPORT_WRITERS.jsonl.contentType,
  csv: EXPORT_WRITERS.csv.contentType,
  parquet: EXPORT_WRITERS.parquet.contentType,
};

export async function exportStream(
  format: ExportFormat,
  columns: string[],
  schema: () => Promise<ColumnSchema[]>,
  rows: () => AsyncIterable<unknown[]>,
): Promise<Readable> {
  const writer = EXPORT_WRITERS[format];
  const types = writer.needsSchema ? await schema() : undefined;
  return Readable.from(writer.encode(columns, rows(), types));
}
