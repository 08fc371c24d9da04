// The content hash stored beside each row (dataset_rows.content_hash): equal hashes mean equal cells, so a diff
// compares two rows' cells only when their hashes differ (or one is missing).
import { parseStoredCells, stringifyLossless } from './lossless-json.js';

/** A trailing null cell reads like a missing one (rows are padded with nulls), so the hash leaves them out. */
const TRAILING_NULLS = /(?:,null)+\]$|^\[null(?:,null)*\]$/;

/**
 * 64 bits (two 32-bit lanes of murmur3-style mixing over UTF-16 code units) as 16 hex digits: cheap enough for the
 * import path, and a collision between two rows of a diff has a chance of about 2^-64 per compared pair.
 */
function hash64(text: string): string {
  let a = 0x9747b28c ^ text.length;
  let b = 0x85ebca6b ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ c, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  a ^= b >>> 16;
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= a;
  b = Math.imul(b ^ (b >>> 16), 0x85ebca6b);
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b ^= b >>> 16;
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Hash of a row's stored text as written by Strata (stringifyLossless of the cells): no re-parse. */
export function rowHashOfStored(data: string): string {
  return hash64(
    data.endsWith(',null]') || data.startsWith('[null')
      ? data.replace(TRAILING_NULLS, (m) => (m.startsWith('[') ? '[]' : ']'))
      : data,
  );
}

/** Hash of a row's text of any origin (e.g. PostgreSQL's jsonb text, with spaces): parsed and written canonically. */
export function rowHashOfAnyText(data: string): string {
  return rowHashOfStored(stringifyLossless(parseStoredCells(data)));
}
