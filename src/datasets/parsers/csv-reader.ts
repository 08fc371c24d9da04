// RFC 4180 CSV (quotes, embedded newlines, "" escapes, BOM, CRLF) via csv-parse, streaming.
import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { FileFormatError, uniqueColumnNames, type TableReader } from './table-reader.js';

export class CsvReader implements TableReader {
  columns: string[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly input: Readable) {}

  async *rows(): AsyncIterable<unknown[]> {
    const parser = this.input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
    this.input.on('error', (err) => parser.destroy(err));
    let header: string[] | undefined;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (!header) {
          header = uniqueColumnNames(record, this.warnings);
          this.columns = header;
          continue;
        }
        if (record.length !== header.length) {
          throw new FileFormatError(
            `CSV line ${info.lines}: expected ${header.length} fields (as in the header), found ${record.length}`,
          );
        }
        yield record;
      }
    } catch (err) {
      if (err instanceof CsvError) throw new FileFormatError(`CSV error: ${err.message}`);
      throw err;
    } finally {
      parser.destroy();
    }
    if (!header) throw new FileFormatError('CSV file is empty: expected a header row');
  }
}
