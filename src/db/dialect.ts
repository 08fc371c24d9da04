// The few places where SQLite and PostgreSQL differ, behind named capabilities (see STYLE.md §6).
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectCapabilities {
  readonly name: DialectName;
  /** `FOR UPDATE SKIP LOCKED` lets several workers share a queue; SQLite serialises writers instead. */
  readonly supportsSkipLocked: boolean;
  /** Case-insensitive substring match of a text expression. */
  ilike(expr: RawBuilder<unknown> | string, pattern: string): RawBuilder<boolean>;
  /**
   * The database's clock in epoch milliseconds, as an SQL expression. Leases compare this clock only, never the clocks
   * of the hosts running workers (PostgreSQL: the server's clock; SQLite: the one machine sharing the file).
   */
  readonly nowMs: RawBuilder<number>;
  /** Largest number of bound parameters one statement may carry. */
  readonly maxParams: number;
  /** True when the error is a unique-constraint violation. */
  isUniqueViolation(err: unknown): boolean;
  /**
   * Inserts many rows with the least per-row overhead the driver allows (a prepared statement on SQLite,
   * large parameterised VALUES lists on PostgreSQL). Call inside DatabaseHandle.transaction with its `trx`.
   */
  bulkInsert(trx: Kysely<any>, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void>;
  /** The value at `path` inside a JSON text column, as text (null when absent). */
  jsonText(expr: RawBuilder<unknown>, path: string[]): RawBuilder<string | null>;
  /** The JSON text of element `index` of a JSON-array text column, normalised; a missing element reads as `null`. */
  jsonArrayItem(column: string, index: number): RawBuilder<string>;
  /** The JSON-array text column without element `index` (later elements move up). */
  jsonArrayRemove(column: string, index: number): RawBuilder<string>;
}

const ROWS_PER_STATEMENT = 64;

const quoteIdent = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad identifier ${name}`);
  return `"${name}"`;
};

/** `raw` is the better-sqlite3 handle behind Kysely's single SQLite connection (needed for the bulk path). */
export function capabilitiesFor(name: DialectName, raw?: BetterSqlite3.Database): DialectCapabilities {
  const ref = (e: RawBuilder<unknown> | string) => (typeof e === 'string' ? sql.ref(e) : e);
  if (name === 'postgres') {
    return {
      name,
      supportsSkipLocked: true,
      ilike: (e, p) => sql<boolean>`${ref(e)} ILIKE ${p}`,
      // statement_timestamp() is stable within a statement, so it can bound an index range (clock_timestamp() cannot).
      nowMs: sql<number>`(floor(extract(epoch from statement_timestamp()) * 1000)::bigint)`,
      maxParams: 60000,
      isUniqueViolation: (err) => (err as { code?: string })?.code === '23505',
      bulkInsert: async (trx, table, columns, rows) => {
        const per = Math.floor(60000 / columns.length);
        const head = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES `;
        for (let start = 0; start < rows.length; start += per) {
          const chunk = rows.slice(start, start + per);
          const params: unknown[] = [];
          const tuples: string[] = [];
          for (const row of chunk) {
            const marks: string[] = [];
            for (const v of row) marks.push(`$${params.push(v)}`);
            tuples.push(`(${marks.join(',')})`);
          }
          await trx.executeQuery(CompiledQuery.raw(head + tuples.join(','), params));
        }
      },
      jsonText: (e, path) => sql<string | null>`(${e}::jsonb #>> ${path})`,
      jsonArrayItem: (c, i) => sql<string>`coalesce((${sql.ref(c)}::jsonb -> ${sql.lit(i)})::text, 'null')`,
      jsonArrayRemove: (c, i) => sql<string>`(${sql.ref(c)}::jsonb - ${sql.lit(i)})::text`,
    };
  }
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    name,
    supportsSkipLocked: false,
    // SQLite's LIKE is case-insensitive for ASCII already.
    ilike: (e, p) => sql<boolean>`${ref(e)} LIKE ${p} ESCAPE '\\'`,
    // SQLite's own clock (the C library's), not the JavaScript Date of the calling process.
    nowMs: sql<number>`CAST(unixepoch('subsec') * 1000 AS INTEGER)`,
    maxParams: 30000,
    isUniqueViolation: (err) => /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(String((err as { code?: string })?.code)),
    bulkInsert: async (_trx, table, columns, rows) => {
      // Kysely's SQLite dialect runs everything on this one handle; inside transaction() we hold it.
      if (!raw) throw new Error('bulkInsert needs the SQLite handle');
      if (!raw.inTransaction) throw new Error('bulkInsert must run inside DatabaseHandle.transaction');
      // One statement inserts up to ROWS_PER_STATEMENT rows: far fewer calls into the driver than row by row.
      const statementFor = (n: number) => {
        const key = `${table}(${columns.join(',')})x${n}`;
        let stmt = statements.get(key);
        if (!stmt) {
          const tuple = `(${columns.map(() => '?').join(', ')})`;
          stmt = raw.prepare(`INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES ${Array(n).fill(tuple).join(', ')}`);
          statements.set(key, stmt);
        }
        return stmt;
      };
      const width = columns.length;
      const params: unknown[] = new Array(ROWS_PER_STATEMENT * width);
      const full = statementFor(ROWS_PER_STATEMENT);
      let i = 0;
      for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
        for (let j = 0; j < ROWS_PER_STATEMENT; j++) {
          const row = rows[i + j];
          for (let c = 0; c < width; c++) params[j * width + c] = row[c];
        }
        full.run(params);
      }
      for (; i < rows.length; i++) statementFor(1).run(rows[i] as unknown[]);
    },
    jsonText: (e, path) => sql<string | null>`CAST(json_extract(${e}, ${'$' + path.map((k) => `.${JSON.stringify(k)}`).join('')}) AS TEXT)`,
    // `->` returns minified JSON text (so 1 and "1" differ, objects compare by content).
    jsonArrayItem: (c, i) => sql<string>`coalesce(${sql.ref(c)} -> ${sql.lit(i)}, 'null')`,
    jsonArrayRemove: (c, i) => sql<string>`json_remove(${sql.ref(c)}, ${`$[${i}]`})`,
  };
}

/** Escapes LIKE wildcards so a user's search text matches literally. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
