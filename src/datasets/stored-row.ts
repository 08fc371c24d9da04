// The one place a parsed row becomes the values dataset_rows stores: every import job's RowWriter (files, S3, Nebius
// uploads, versions from logs) builds its rows here, so a value added to each stored row (a hash, say) is added once.
import { stringifyLossless } from './lossless-json.js';

/** What one dataset_rows row holds besides its dataset and index. */
export interface StoredRowValues {
  /** The cells as a JSON array (lossless-json.ts reads it back: big integers and -0 keep their exact text). */
  data: string;
  row_uid?: string | null;
}

export function storedRow(cells: unknown[], rowUid: string | null = null): StoredRowValues {
  return { data: encodeCells(cells), row_uid: rowUid };
}

/**
 * The cells' JSON text. Rows of strings, nulls, booleans and ordinary numbers (every CSV row, most JSON rows) need
 * nothing JSON.stringify does not already do; only the rest (nested values, big integers, -0) takes the lossless walk.
 */
export function encodeCells(cells: unknown[]): string {
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (typeof c === 'string' || c === null || typeof c === 'boolean') continue;
    if (typeof c === 'number' && !Object.is(c, -0)) continue;
    return stringifyLossless(cells);
  }
  return JSON.stringify(cells);
}
