// The one place a parsed row becomes the values dataset_rows stores: every import job's RowWriter (files, S3, Nebius
// uploads, versions from logs) builds its rows here, so a value added to each stored row (a hash, say) is added once.
import { stringifyLossless } from './lossless-json.js';
import { rowHashOfStored } from './row-hash.js';

/** What one dataset_rows row holds besides its dataset and index. */
export interface StoredRowValues {
  /** The cells as a JSON array (lossless-json.ts reads it back: big integers and -0 keep their exact text). */
  data: string;
  row_uid?: string | null;
  /** The content hash of `data` (row-hash.ts); insertRows computes it for rows built elsewhere. */
  content_hash?: string;
}

export function storedRow(cells: unknown[], rowUid: string | null = null): StoredRowValues {
  const data = encodeCells(cells);
  return { data, row_uid: rowUid, content_hash: rowHashOfStored(data) };
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
