// CSV export: RFC 4180 via csv-stringify, header row first; re-importing it through from-file gives the same rows.
import { stringify } from 'csv-stringify/sync';
import { stringifyLossless } from '../lossless-json.js';
import { batched, type ExportWriter } from './export-writer.js';

/** CSV has only text: strings stay as they are, null is empty, numbers and booleans print, objects and arrays become JSON. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return stringifyLossless(v);
  if (Object.is(v, -0)) return '-0.0';
  return String(v);
}

export const csvWriter: ExportWriter = {
  format: 'csv',
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  encode(columns, rows) {
    // quoted_empty: a row whose only cell is empty must not become a blank line (the importer skips blank lines).
    const line = (cells: string[]) => stringify([cells], { quoted_empty: true, record_delimiter: '\r\n' });
    return batched(
      (async function* () {
        yield line(columns);
        for await (const r of rows) yield line(columns.map((_, i) => cellText(r[i])));
      })(),
    );
  },
};
