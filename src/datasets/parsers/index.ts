// Chooses the reader for a file format.
import type { Readable } from 'node:stream';
import type { FileFormat } from '../../jobs/job-catalogue.js';
import { CsvReader } from './csv-reader.js';
import { JsonReader } from './json-reader.js';
import { JsonlReader } from './jsonl-reader.js';
import { ParquetReader } from './parquet-reader.js';
import type { TableReader } from './table-reader.js';

export function openTableReader(format: FileFormat, input: Readable): TableReader {
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
