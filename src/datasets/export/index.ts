// The export formats by name; add a writer here (e.g. parquet) and it is served by GET /datasets/{id}/export.
import { csvWriter } from './csv-writer.js';
import type { ExportWriter } from './export-writer.js';
import { jsonlWriter, jsonWriter } from './json-writers.js';

export const EXPORT_WRITERS: Record<string, ExportWriter> = {
  csv: csvWriter,
  jsonl: jsonlWriter,
  json: jsonWriter,
};

export const EXPORT_FORMATS = Object.keys(EXPORT_WRITERS) as [string, ...string[]];

export { rowObject, batched, type ExportWriter } from './export-writer.js';
