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

export const EXPORT_WRITERS: Record<string, ExportWriter> = {
  csv: csvWriter,
  jsonl: jsonlWriter,
  json: jsonWriter,
  parquet: parquetWriter,
};

export const EXPORT_FORMATS = Object.keys(EXPORT_WRITERS) as [string, ...string[]];

export { rowObject, batched, type ExportWriter } from './export-writer.js';
