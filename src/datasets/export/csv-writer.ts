// CSV export: RFC 4180, header row first, CRLF; re-importing it through from-file gives the same rows. Quoting is
// written inline (a regular-expression test per field) instead of a csv-stringify call per row, which cost more than
// reading and parsing the row; unlike that call, a field holding a lone "\n" or "\r" is quoted too. Versions of up to
// DATABASE_CSV_COLUMNS columns have their records written by the database (DialectCapabilities.csvPage, the same
// bytes), and only rows it cannot write exactly are encoded here.
import { parseStoredCells, stringifyLossless } from '../lossless-json.js';
import type { ExportWriter } from './export-writer.js';

/** Characters that make a field quoted: the delimiter, the quote, and line breaks. */
const NEEDS_QUOTES = /[",\r\n]/;

/** Bytes of text gathered before a chunk is handed to the response. */
const CHUNK_CHARS = 64 * 1024;

/** CSV has only text: strings stay as they are, null is empty, numbers and booleans print, objects and arrays become JSON. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return stringifyLossless(v);
  if (Object.is(v, -0)) return '-0.0';
  return String(v);
}

/** One field: empty ones are quoted too, so a row whose only cell is empty is not a blank line (the importer skips those). */
function field(text: string): string {
  if (text === '') return '""';
  if (!NEEDS_QUOTES.test(text)) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

/** One record with its CRLF. */
export function csvLine(cells: readonly unknown[], width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    if (i > 0) s += ',';
    s += field(cellText(cells[i]));
  }
  return `${s}\r\n`;
}

/** Marks a row the database left to this writer: its stored data between two of these (never in a record or JSON text). */
const ROW_MARK = '\u0001';

/** Widest version whose records the database writes (a few expressions per cell in one statement). */
const DATABASE_CSV_COLUMNS = 64;

/** Pages of records from the database, with the rows it left marked (ROW_MARK data ROW_MARK) encoded here. */
async function* fromDatabasePages(columns: string[], pages: AsyncIterable<string>): AsyncIterable<string> {
  const width = columns.length;
  yield csvLine(columns, width);
  for await (const text of pages) {
    if (!text.includes(ROW_MARK)) {
      yield text;
      continue;
    }
    // Odd parts are rows' stored data, even parts runs of finished records.
    const parts = text.split(ROW_MARK);
    let out = '';
    for (let i = 0; i < parts.length; i++) out += i % 2 === 0 ? parts[i] : csvLine(parseStoredCells(parts[i]), width);
    yield out;
  }
}

export const csvWriter: ExportWriter = {
  format: 'csv',
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  async *encode(columns, rows) {
    const width = columns.length;
    // Records are appended to one string and handed out in chunks: no per-row hop through another generator.
    let buf = csvLine(columns, width);
    for await (const r of rows) {
      buf += csvLine(r, width);
      if (buf.length >= CHUNK_CHARS) {
        yield buf;
        buf = '';
      }
    }
    if (buf !== '') yield buf;
  },
  databasePages: { maxColumns: DATABASE_CSV_COLUMNS, mark: ROW_MARK, encode: fromDatabasePages },
};
