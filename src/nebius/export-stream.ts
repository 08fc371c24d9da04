// Streams a version's rows as JSONL, CSV or Parquet for GET /v1/datasets/{id}/export, with the shared export writers;
// JSONL leaves out option columns whose cell is null, as Nebius's fine-tuning format expects (CSV/Parquet keep them).
import { Readable } from 'node:stream';
import type { ColumnSchema } from '../datasets/column-types.js';
import { EXPORT_WRITERS, type ExportFormat as CoreExportFormat } from '../datasets/export/index.js';
import { batched } from '../datasets/export/export-writer.js';
import { stringifyLossless } from '../datasets/lossless-json.js';

/** The core's formats but JSON arrays, which Nebius's API does not offer. */
export type ExportFormat = Exclude<CoreExportFormat, 'json'>;

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: EXPORT_WRITERS.jsonl.contentType,
  csv: EXPORT_WRITERS.csv.contentType,
  parquet: EXPORT_WRITERS.parquet.contentType,
};

/** JSON Lines keyed in schema order; a null in an `option` column is omitted ("tools" absent, not "tools": null). */
async function* fineTuningJsonl(
  columns: string[],
  schema: ColumnSchema[],
  rows: AsyncIterable<unknown[]>,
): AsyncIterable<string> {
  const optional = columns.map((c) => schema.find((s) => s.name === c)?.type.name === 'option');
  for await (const r of rows) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const v = r[i] ?? null;
      if (v === null && optional[i]) continue;
      o[columns[i]] = v;
    }
    yield `${stringifyLossless(o)}\n`;
  }
}

export async function exportStream(
  format: ExportFormat,
  columns: string[],
  schema: () => Promise<ColumnSchema[]>,
  rows: () => AsyncIterable<unknown[]>,
): Promise<Readable> {
  if (format === 'jsonl') return Readable.from(batched(fineTuningJsonl(columns, await schema(), rows())));
  const writer = EXPORT_WRITERS[format];
  const types = writer.needsSchema ? await schema() : undefined;
  return Readable.from(writer.encode(columns, rows(), types));
}
