// JSON Lines (one object per line) and JSON (one array of objects) exports, keyed by column name.
import { stringifyLossless } from '../lossless-json.js';
import { batched, rowObject, type ExportWriter } from './export-writer.js';

export const jsonlWriter: ExportWriter = {
  format: 'jsonl',
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  encode(columns, rows) {
    return batched(
      (async function* () {
        for await (const r of rows) yield `${stringifyLossless(rowObject(columns, r))}\n`;
      })(),
    );
  },
};

export const jsonWriter: ExportWriter = {
  format: 'json',
  contentType: 'application/json; charset=utf-8',
  extension: 'json',
  encode(columns, rows) {
    return batched(
      (async function* () {
        let first = true;
        yield '[';
        for await (const r of rows) {
          yield `${first ? '\n' : ',\n'}${stringifyLossless(rowObject(columns, r))}`;
          first = false;
        }
        yield first ? ']\n' : '\n]\n';
      })(),
    );
  },
};
