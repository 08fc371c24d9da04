// The few places where SQLite and PostgreSQL differ, behind named capabilities (see STYLE.md §6).
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import { FOLD_FUNCTION, FOLDS_TO_ASCII, foldText, isAscii } from './text-fold.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectCapabilities {
  readonly name: DialectName;
  /** `FOR UPDATE SKIP LOCKED` lets several workers share a queue; SQLite serialises writers instead. */
  readonly supportsSkipLocked: boolean;
  /**
   * Case-insensitive LIKE of a text expression (pattern escaped with backslash). Both databases fold every letter,
   * not only ASCII: PostgreSQL with lower() under the database collation, SQLite with strata_fold (text-fold.ts),
   * which maps code points the same way. PostgreSQL's trigram indexes are built on lower(column) to answer it.
   */
  ilike(expr: RawBuilder<unknown> | string, pattern: string): RawBuilder<boolean>;
  /**
   * A necessary condition for request log `id` to contain `text` (case-insensitively) in one of `columns`, answered
   * by SQLite's FTS5 trigram table request_logs_fts for the logs it holds (every log above its watermark is a
   * candidate, see indexLogText); null where no such prefilter is needed (PostgreSQL: its
   * trigram GIN indexes answer ilike itself) or possible (text under three characters). Always pair it with ilike.
   */
  logTextCandidates(
    id: RawBuilder<unknown>,
    columns: ReadonlyArray<'input_text' | 'output_text'>,
    text: string,
  ): RawBuilder<boolean> | null;
  /**
   * Indexes up to `limit` request logs the text index does not hold yet (ids above its watermark), in the caller's
   * transaction, and returns how many. SQLite fills request_logs_fts this way, after the logs were acknowledged
   * (logTextCandidates scans the tail above the watermark exactly meanwhile); PostgreSQL's GIN indexes are
   * maintained by the inserts themselves, so there it does nothing and returns 0.
   */
  indexLogText(trx: Kysely<any>, limit: number): Promise<number>;
  /** True where the text index is filled by indexLogText after the inserts (SQLite), not by the inserts. */
  readonly logTextIndexDeferred: boolean;
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
  /** Element `index` of a JSON-array text column as text, for substring filters (null when absent or JSON null). */
  jsonArrayItemText(column: string, index: number): RawBuilder<string | null>;
  /**
   * ORDER BY keys that sort element `index` of a JSON-array text column the same way on both dialects: null first,
   * then numbers (numeric text such as CSV's "10" included) by value, then text by code point, booleans, JSON.
   */
  jsonArraySortKeys(column: string, index: number): RawBuilder<unknown>[];
}

/** Rank of a cell's kind in a sort (see jsonArraySortKeys). */
const SORT_RANK = { null: 0, number: 1, text: 2, boolean: 3, json: 4 } as const;

const ROWS_PER_STATEMENT = 64;

/** SQLite: every request log id at or below this is in request_logs_fts (see LogTextIndexer). */
const INDEXED_THROUGH = sql`(SELECT indexed_through FROM request_logs_fts_state)`;

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
      ilike: (e, p) => sql<boolean>`lower(${ref(e)}) LIKE lower(${p})`,
      logTextCandidates: () => null,
      indexLogText: () => Promise.resolve(0),
      logTextIndexDeferred: false,
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
      jsonArrayItemText: (c, i) => sql<string | null>`(${sql.ref(c)}::jsonb ->> ${sql.lit(i)})`,
      jsonArraySortKeys: (c, i) => {
        // One key, a record computed by a subquery that parses the row's JSON once (OFFSET 0 keeps PostgreSQL from
        // inlining it, which would parse it once per use: ~3x slower on 200k rows). bytea compares by code point.
        const v = sql.ref('k.v');
        const s = sql`(${v} #>> '{}')`;
        const numeric = sql`(jsonb_typeof(${v}) = 'number' OR (jsonb_typeof(${v}) = 'string' AND ${s} ~ '^-?[0-9]+([.][0-9]+)?$'))`;
        const rank = sql`CASE WHEN ${v} IS NULL OR jsonb_typeof(${v}) = 'null' THEN ${sql.lit(SORT_RANK.null)} WHEN ${numeric} THEN ${sql.lit(SORT_RANK.number)}
          WHEN jsonb_typeof(${v}) = 'string' THEN ${sql.lit(SORT_RANK.text)} WHEN jsonb_typeof(${v}) = 'boolean' THEN ${sql.lit(SORT_RANK.boolean)} ELSE ${sql.lit(SORT_RANK.json)} END`;
        const key = sql`ROW(${rank}, CASE WHEN ${numeric} THEN ${s}::numeric END, convert_to(${s}, 'UTF8'))`;
        return [sql`(SELECT ${key} FROM (SELECT ${sql.ref(c)}::jsonb -> ${sql.lit(i)} AS v OFFSET 0) AS k)`];
      },
    };
  }
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    name,
    supportsSkipLocked: false,
    // SQLite's own LIKE folds ASCII only; both sides are folded first (the pattern here, once).
    ilike: (e, p) => {
      const pattern = foldText(p);
      const folded = sql<boolean>`${sql.raw(FOLD_FUNCTION)}(${ref(e)}) LIKE ${pattern} ESCAPE '\\'`;
      if (!isAscii(pattern)) return folded;
      // An ASCII pattern can only match ASCII letters, where SQLite's own LIKE (in C, ~3x faster than calling into
      // JavaScript per row) already agrees with the fold, unless the text holds a non-ASCII letter folding to ASCII.
      const special = sql.join(
        FOLDS_TO_ASCII.map((c) => sql`instr(${ref(e)}, ${c}) > 0`),
        sql` OR `,
      );
      return sql<boolean>`(CASE WHEN ${special} THEN ${folded} ELSE ${ref(e)} LIKE ${pattern} ESCAPE '\\' END)`;
    },
    logTextCandidates: (id, columns, text) => {
      const folded = foldText(text);
      // The trigram tokenizer matches nothing for a phrase under three characters.
      if ([...folded].length < 3) return null;
      const phrase = `{${columns.join(' ')}} : "${folded.replace(/"/g, '""')}"`;
      // Logs above the watermark are not in the index yet: all of them are candidates (the exact test decides).
      return sql<boolean>`(${id} IN (SELECT rowid FROM request_logs_fts WHERE request_logs_fts MATCH ${phrase}) OR ${id} > ${INDEXED_THROUGH})`;
    },
    indexLogText: async (trx, limit) => {
      const tail = await sql<{
        hi: number | null;
        n: number;
      }>`SELECT MAX(id) AS hi, COUNT(*) AS n FROM (SELECT id FROM request_logs WHERE id > ${INDEXED_THROUGH} ORDER BY id LIMIT ${limit})`.execute(
        trx,
      );
      const { hi, n } = tail.rows[0];
      if (hi === null || n === 0) return 0;
      await sql`INSERT INTO request_logs_fts (rowid, input_text, output_text)
        SELECT id, ${sql.raw(FOLD_FUNCTION)}(input_text), ${sql.raw(FOLD_FUNCTION)}(output_text) FROM request_logs
        WHERE id > ${INDEXED_THROUGH} AND id <= ${hi}`.execute(trx);
      await sql`UPDATE request_logs_fts_state SET indexed_through = ${hi}`.execute(trx);
      return n;
    },
    logTextIndexDeferred: true,
    // SQLite's own clock (the C library's), not the JavaScript Date of the calling process.
    nowMs: sql<number>`CAST(unixepoch('subsec') * 1000 AS INTEGER)`,
    maxParams: 30000,
    isUniqueViolation: (err) =>
      /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(String((err as { code?: string })?.code)),
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
          stmt = raw.prepare(
            `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES ${Array(n).fill(tuple).join(', ')}`,
          );
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
      for (; i < rows.length; i++) statementFor(1).run(rows[i]);
    },
    jsonText: (e, path) =>
      sql<string | null>`CAST(json_extract(${e}, ${'$' + path.map((k) => `.${JSON.stringify(k)}`).join('')}) AS TEXT)`,
    // `->` returns minified JSON text (so 1 and "1" differ, objects compare by content).
    jsonArrayItem: (c, i) => sql<string>`coalesce(${sql.ref(c)} -> ${sql.lit(i)}, 'null')`,
    jsonArrayRemove: (c, i) => sql<string>`json_remove(${sql.ref(c)}, ${`$[${i}]`})`,
    jsonArrayItemText: (c, i) => sql<string | null>`CAST(json_extract(${sql.ref(c)}, ${`$[${i}]`}) AS TEXT)`,
    jsonArraySortKeys: (c, i) => {
      const v = sql`json_extract(${sql.ref(c)}, ${`$[${i}]`})`;
      const t = sql`json_type(${sql.ref(c)}, ${`$[${i}]`})`;
      // SQLite has no regular expressions: GLOBs spell PostgreSQL's ^-?[0-9]+(\.[0-9]+)?$ for numeric text.
      const u = sql`(CASE WHEN ${v} GLOB '-*' THEN substr(${v}, 2) ELSE ${v} END)`;
      const numericText = sql`(${u} GLOB '[0-9]*' AND ${u} GLOB '*[0-9]' AND ${u} NOT GLOB '*[^0-9.]*' AND ${u} NOT GLOB '*.*.*')`;
      const numeric = sql`(${t} IN ('integer', 'real') OR (${t} = 'text' AND ${numericText}))`;
      const rank = sql`CASE WHEN ${t} IS NULL OR ${t} = 'null' THEN ${sql.lit(SORT_RANK.null)} WHEN ${numeric} THEN ${sql.lit(SORT_RANK.number)}
        WHEN ${t} = 'text' THEN ${sql.lit(SORT_RANK.text)} WHEN ${t} IN ('true', 'false') THEN ${sql.lit(SORT_RANK.boolean)} ELSE ${sql.lit(SORT_RANK.json)} END`;
      return [rank, sql`CASE WHEN ${numeric} THEN CAST(${v} AS REAL) END`, sql`CAST(${v} AS TEXT)`];
    },
  };
}

/** Escapes LIKE wildcards so a user's search text matches literally. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
