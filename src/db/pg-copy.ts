// PostgreSQL bulk insert by COPY … FROM STDIN (text format), on the connection of the caller's transaction.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { CompiledQuery, type Kysely } from 'kysely';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';

/** Characters COPY's text format gives a meaning (column and row separators, the escape itself). */
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field in COPY text format: `\N` for null, backslash escapes where the value holds a special character. */
export function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'string' ? v : String(v);
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : s;
}

/** Rows as COPY text, one chunk per `rowsPerChunk` rows (each row's fields tab-separated, newline-terminated). */
export function* copyChunks(rows: readonly unknown[][], rowsPerChunk: number): Generator<string> {
  for (let start = 0; start < rows.length; start += rowsPerChunk) {
    const end = Math.min(rows.length, start + rowsPerChunk);
    let text = '';
    for (let i = start; i < end; i++) {
      const row = rows[i];
      let line = copyField(row[0]);
      for (let c = 1; c < row.length; c++) line += '\t' + copyField(row[c]);
      text += line + '\n';
    }
    yield text;
  }
}

/**
 * Runs `COPY <target> FROM STDIN` with `rows` inside the open transaction `trx`. Kysely's PostgreSQL connection hands
 * a query's `sql` to pg's `client.query` unchanged, and pg runs any Submittable it is given (a CopyStreamQuery is
 * one) on that client: so the COPY goes through the transaction's own connection, after the statements before it,
 * and rolls back with the transaction. The stream ends once PostgreSQL has answered the COPY; a failure (bad row,
 * lost connection) rejects with pg's own error, as an INSERT would.
 */
export async function copyRows(
  trx: Kysely<any>,
  target: string,
  rows: readonly unknown[][],
  rowsPerChunk: number,
): Promise<void> {
  if (!trx.isTransaction) throw new Error('copyRows must run inside DatabaseHandle.transaction');
  const copy: CopyStreamQuery = copyFrom(`COPY ${target} FROM STDIN`);
  await trx.executeQuery({ ...CompiledQuery.raw('COPY'), sql: copy as unknown as string });
  await pipeline(Readable.from(copyChunks(rows, rowsPerChunk)), copy);
  if (copy.rowCount !== rows.length) {
    throw new Error(`COPY ${target} wrote ${copy.rowCount} of ${rows.length} rows`);
  }
}
