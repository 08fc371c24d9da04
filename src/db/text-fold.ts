// Case folding for case-insensitive search on SQLite, made to agree with PostgreSQL's lower() under a UTF-8 libc
// collation (one code point to one code point, no context rules). Registered as the SQL function strata_fold.

/** The name of the SQL function (SQLite) that folds text exactly like foldText. */
export const FOLD_FUNCTION = 'strata_fold';

// Only these two depart from a per-code-point simple lower-case mapping in String.prototype.toLowerCase:
// Σ becomes ς at the end of a word (PostgreSQL always gives σ) and İ becomes "i" + U+0307 (PostgreSQL gives "i").
const CONTEXTUAL = /[\u03a3\u0130]/g;
// eslint-disable-next-line no-control-regex -- the whole ASCII range, NUL included, on purpose
const ASCII = /^[\x00-\x7f]*$/;

/** The only non-ASCII characters foldText maps to ASCII (İ → i, Kelvin sign → k); test/search-index.test.ts checks. */
export const FOLDS_TO_ASCII = ['\u0130', '\u212a'] as const;

export const isAscii = (text: string): boolean => ASCII.test(text);

/** Lower-cases text one code point at a time, as PostgreSQL's lower() does with a libc UTF-8 collation. */
export function foldText(text: string): string {
  if (isAscii(text)) return text.toLowerCase();
  return text.replace(CONTEXTUAL, (c) => (c === '\u03a3' ? '\u03c3' : 'i')).toLowerCase();
}
