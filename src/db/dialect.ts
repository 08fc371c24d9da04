// The few places where SQLite and PostgreSQL differ, behind named capabilities (see STYLE.md §6).
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import { FOLD_FUNCTION, FOLDS_TO_ASCII, foldText, isAscii } from './text-fold.js';

export type DialectName = 'sqlite' | 'postgres';

/** A column bulkInsert writes, with its PostgreSQL type (its field of the batch's jsonb parameter is cast to it). */
export interface BulkColumn {
  name: string;
  type: 'bigint' | 'integer' | 'text';
}

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
   * Refreshes the planner's statistics of `table` after many rows arrived at once (PostgreSQL: ANALYZE, skipped when
   * another ANALYZE or VACUUM holds the table; SQLite: nothing, its plans for these tables follow the primary key).
   */
  refreshStatistics(db: Kysely<any>, table: string): Promise<void>;
  /**
   * Inserts many rows with the least per-row overhead the driver allows (a prepared multi-row statement on SQLite;
   * on PostgreSQL one jsonb parameter per batch, taken apart by the server). Call inside DatabaseHandle.transaction
   * with its `trx`.
   */
  bulkInsert(
    trx: Kysely<any>,
    table: string,
    columns: readonly BulkColumn[],
    rows: readonly unknown[][],
  ): Promise<void>;
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
  /**
   * A page of CSV text built in the database: over `rows` (a SELECT of row_index and data, ordered by row_index),
   * one row `{n, last, text}` with the rows' count, last row index, and their CSV records in order — each record
   * exactly as src/datasets/export/csv-writer.ts writes the first `width` cells (CRLF included), or, for a row with
   * a cell whose text the database cannot reproduce exactly, that row's data between two `mark` characters (for
   * the JS writer). Reproduced: strings (no `\u` escape in the row: lone surrogates), null and missing cells,
   * booleans, and numbers whose stored literal is SQLite's own rendering of the value (then also JavaScript's, as
   * both are the unique ≤15-digit decimal of that double) or, on PostgreSQL (jsonb keeps no literal), integers of
   * up to 15 digits (a 0 only where the row's text holds no "-0"); not objects, arrays or other numbers.
   */
  csvPage(
    rows: RawBuilder<unknown>,
    width: number,
    mark: string,
  ): RawBuilder<{ n: number; last: number | null; text: string | null }>;
}

/** CSV quoting of a text value in SQL, as csv-writer.ts's field(): empty → "", quoted where , " CR or LF occur. */
function csvQuoted(
  v: RawBuilder<unknown>,
  position: 'instr' | 'strpos',
  cr: RawBuilder<unknown>,
  lf: RawBuilder<unknown>,
): RawBuilder<string> {
  const has = (c: RawBuilder<unknown>) => sql`${sql.raw(position)}(${v}, ${c}) > 0`;
  return sql<string>`CASE WHEN ${v} = '' THEN '""' WHEN ${has(sql`'"'`)} OR ${has(sql`','`)} OR ${has(cr)} OR ${has(lf)}
    THEN '"' || replace(${v}, '"', '""') || '"' ELSE ${v} END`;
}

/** The CSV record of fields: joined by commas, CRLF-terminated, NULL when any field is NULL (`||` keeps NULL). */
function csvJoin(fields: RawBuilder<unknown>[], crlf: RawBuilder<unknown>): RawBuilder<string | null> {
  if (fields.length === 0) return sql<string>`${crlf}`;
  return sql<string | null>`(${sql.join(fields, sql` || ',' || `)} || ${crlf})`;
}

/** Rank of a cell's kind in a sort (see jsonArraySortKeys). */
const SORT_RANK = { null: 0, number: 1, text: 2, boolean: 3, json: 4 } as const;

const ROWS_PER_STATEMENT = 64;
/** Rows per PostgreSQL bulk statement (bounds the size of one message; import batches are smaller). */
const JSON_ROWS_PER_STATEMENT = 10_000;

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
      refreshStatistics: async (db, table) => {
        await sql`ANALYZE (SKIP_LOCKED) ${sql.table(table)}`.execute(db);
      },
      bulkInsert: async (trx, table, columns, rows) => {
        // The rows travel as one JSON parameter the server takes apart: JSON.stringify writes it in one native pass,
        // where thousands of separate parameters (or escaped array literals) cost the driver far more CPU per row.
        const select = columns.map((c, i) => `(r->>${i})::${c.type}`).join(', ');
        const text =
          `INSERT INTO ${quoteIdent(table)} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) ` +
          `SELECT ${select} FROM jsonb_array_elements($1::jsonb) AS r`;
        for (let start = 0; start < rows.length; start += JSON_ROWS_PER_STATEMENT) {
          const chunk = rows.slice(start, start + JSON_ROWS_PER_STATEMENT);
          await trx.executeQuery(CompiledQuery.raw(text, [JSON.stringify(chunk)]));
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
      csvPage: (rows, width, mark) => {
        const fields = Array.from({ length: width }, (_, i) => {
          const [t, v] = [sql.ref(`q.c${i}_t`), sql.ref(`q.c${i}_v`)];
          return sql`CASE ${t} WHEN 'string' THEN ${csvQuoted(v, 'strpos', sql`chr(13)`, sql`chr(10)`)} WHEN 'null' THEN '""' WHEN 'boolean' THEN ${v}
            WHEN 'number' THEN CASE WHEN ${v} ~ '^(0|-?[1-9][0-9]{0,14})$' AND (${v} <> '0' OR strpos(q.data, '-0') = 0) THEN ${v} END
            ELSE CASE WHEN ${t} IS NULL AND q.j IS NOT NULL THEN '""' END END`;
        });
        const cells = Array.from(
          { length: width },
          (_, i) =>
            sql`, jsonb_typeof(p.j -> ${sql.lit(i)}) AS ${sql.ref(`c${i}_t`)}, p.j ->> ${sql.lit(i)} AS ${sql.ref(`c${i}_v`)}`,
        );
        // Each row's jsonb is cast once (NULL for rows with a \u escape, left to the JS writer), and each cell read
        // once: both steps are materialised. A 0 is left where the row's text holds "-0" (jsonb reads -0 as 0,
        // JavaScript writes -0.0).
        return sql`WITH p AS MATERIALIZED (SELECT r.row_index, r.data, CASE WHEN strpos(r.data, ${'\\u'}) = 0 THEN r.data::jsonb END AS j FROM (${rows}) r),
          q AS MATERIALIZED (SELECT p.row_index, p.data, p.j${sql.join(cells, sql``)} FROM p)
          SELECT count(*) AS n, max(q.row_index) AS last,
            string_agg(coalesce(${csvJoin(fields, sql`chr(13) || chr(10)`)}, ${mark} || q.data || ${mark}), '' ORDER BY q.row_index) AS text FROM q`;
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
    refreshStatistics: () => Promise.resolve(),
    bulkInsert: async (_trx, table, bulkColumns, rows) => {
      const columns = bulkColumns.map((c) => c.name);
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
    csvPage: (rows, width, mark) => {
      const fields = Array.from({ length: width }, (_, i) => {
        // One lookup per cell (`->>`, materialised); its SQL type tells the JSON type except where it is ambiguous:
        // text that may be an array or object (`[`, `{`: asked again with json_type), an integer that may be a
        // boolean (1, 0), and NULL for null or a missing cell (both empty fields).
        const v = sql.ref(`p.c${i}`);
        const x = sql`(p.data -> ${sql.lit(i)})`;
        // `->` gives a number's stored literal: kept where it is SQLite's own rendering of the value (then it is
        // JavaScript's too, see csvPage's contract), else the row goes to the JS writer.
        const number = sql`WHEN ${x} = CAST(${v} AS TEXT) THEN CAST(${v} AS TEXT)`;
        return sql`CASE typeof(${v}) WHEN 'text' THEN CASE WHEN ${v} GLOB '[[{]*' AND json_type(p.data, ${`$[${i}]`}) <> 'text' THEN NULL
            ELSE ${csvQuoted(v, 'instr', sql`char(13)`, sql`char(10)`)} END WHEN 'null' THEN '""'
          WHEN 'integer' THEN CASE ${number} WHEN ${v} = 1 AND ${x} = 'true' THEN 'true' WHEN ${v} = 0 AND ${x} = 'false' THEN 'false' END
          WHEN 'real' THEN CASE ${number} END END`;
      });
      const cells = Array.from({ length: width }, (_, i) => sql`, r.data ->> ${sql.lit(i)} AS ${sql.ref(`c${i}`)}`);
      const record = sql`CASE WHEN instr(p.data, ${'\\u'}) = 0 THEN ${csvJoin(fields, sql`char(13, 10)`)} END`;
      // The page is materialised (each cell extracted once, then read by the record) in row order; group_concat
      // gets no ORDER BY (a sort per page): an aggregate over a materialised page is fed its rows in stored order.
      return sql`WITH p AS MATERIALIZED (SELECT r.row_index, r.data${sql.join(cells, sql``)} FROM (${rows}) r)
        SELECT count(*) AS n, max(p.row_index) AS last, group_concat(coalesce(${record}, ${mark} || p.data || ${mark}), '') AS text FROM p`;
    },
  };
}

/** Escapes LIKE wildcards so a user's search text matches literally. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
