// The export formats by name, shared by both API faces (GET /api/public/v2/datasets/{id}/export, GET /v1/datasets/{id}/export).
import { csvWriter } from './csv-writer.js';
import type { ExportWriter } from './export-writer.js';
import { jsonlWriter, jsonWriter } from './json-writers.js';
import { PARQUET_CONTENT_TYPE, writeParquet } from './parquet-writer.js';

const parquetWriter: ExportWriter = {
  format: 'parquet',
  contentType: PARQUET_CONTENT_TYPE,
  extension: 'parquet',
  needsSchema: true,
  encode(_columns, rows, schema) {
    if (!schema) throw new Error('parquet export needs the column types');
    return writeParquet(schema, rows);
  },
};

/** Every format a dataset exports to: the one list both faces' schemas (and so /openapi.json and the UI) take. */
export const EXPORT_FORMATS = ['csv', 'jsonl', 'json', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_WRITERS: Record<ExportFormat, ExportWriter> = {
  csv: csvWriter,
  jsonl: jsonlWriter,
  json: jsonWriter,
  parquet: parquetWriter,
};

export const isExportFormat = (format: string): format is ExportFormat =>
  (EXPORT_FORMATS as readonly string[]).includes(format);

export { rowObject, batched, type ExportWriter } from './export-writer.js';
