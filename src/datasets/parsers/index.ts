// Chooses the reader for a file format and puts the input checks in front of it.
import type { Readable } from 'node:stream';
import type { FileFormat } from '../../jobs/job-catalogue.js';
import { CsvReader } from './csv-reader.js';
import { JsonReader } from './json-reader.js';
import { JsonlReader } from './jsonl-reader.js';
import { ParquetReader } from './parquet-reader.js';
import { checkedBatches, checkedText } from './input-checks.js';
import { eachRow, type TableReader } from './table-reader.js';

const LABELS: Record<FileFormat, string> = {
  csv: 'CSV file',
  json: 'JSON file',
  jsonl: 'JSONL file',
  parquet: 'Parquet file',
};

/** The reader for `format`; text input is checked as it streams and every row is checked (see input-checks.ts). */
export function openTableReader(format: FileFormat, input: Readable): TableReader {
  const reader = createReader(format, format === 'parquet' ? input : checkedText(input, LABELS[format]));
  const batches = reader.batches.bind(reader);
  // Every caller (upload check, import job, S3 import) gets checked rows without having to remember to ask.
  reader.batches = () => checkedBatches(reader, batches);
  reader.rows = () => eachRow(reader.batches());
  return reader;
}

function createReader(format: FileFormat, input: Readable): TableReader {
  switch (format) {
    case 'csv':
      return new CsvReader(input);
    case 'json':
      return new JsonReader(input);
    case 'jsonl':
      return new JsonlReader(input);
    case 'parquet':
      return new ParquetReader(input);
  }
}

export { FileFormatError, formatFromFileName, SUPPORTED_EXTENSIONS, type TableReader } from './table-reader.js';
