// All SQL of request logs: batched inserts with their tags/metadata/scores, tracking updates, and filtered reads
// (the LogFilter AST compiled to SQL).
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import { likeContains, type DialectCapabilities } from '../db/dialect.js';
import { decodeJson } from '../db/json-columns.js';
import type {
  PartlyDecodedRequestLogRow,
  RequestLogJsonColumn,
  RequestLogRow,
  StoredRequestLogRow,
} from '../db/schema.js';
import type { Cmp, LogColumn, LogFilter, TextColumn } from './log-filter.js';

export interface NewLogBundle {
  log: Omit<StoredRequestLogRow, 'id' | 'tags' | 'metadata' | 'scores' | 'score' | 'starred' | 'trace_id' | 'span_id'> &
    Partial<Pick<StoredRequestLogRow, 'trace_id' | 'span_id'>>;
  tags: string[];
  metadata: Record<string, string>;
  scores: Record<string, number>;
}

export type SortColumn =
  | 'request_start_time'
  | 'input_tokens'
  | 'output_tokens'
  | 'price'
  | 'score'
  | 'latency'
  | 'prompt_name'
  | 'status'
  | 'id';
export type LogOrder = { kind: 'random' } | { kind: 'column'; column: SortColumn; direction: 'asc' | 'desc' };

/** What pass one of a dataset build needs from each matching log. */
export interface MatchRow {
  id: number;
  prompt_input_variables: Record<string, unknown>;
  metadata: Record<string, string>;
}

/** A request log as read, with its JSON columns decoded: see RequestLogRow. */
function decodeRequestLog(r: StoredRequestLogRow): RequestLogRow {
  return {
    ...r,
    input: decodeJson<Record<string, unknown>>(r.input),
    output: decodeJson<Record<string, unknown>>(r.output),
    parameters: decodeJson<Record<string, unknown>>(r.parameters),
    prompt_input_variables: decodeJson<Record<string, unknown>>(r.prompt_input_variables),
    tags: decodeJson<string[]>(r.tags),
    metadata: decodeJson<Record<string, string>>(r.metadata),
    scores: decodeJson<Record<string, number>>(r.scores),
  };
}

/**
 * A log with only `columns` of its JSON columns decoded and the others left out: pass two of a dataset build reads
 * two or three of the seven, and the blueprints (input, output, parameters) are most of a log's bytes.
 */
function decodeRequestLogColumns(
  r: StoredRequestLogRow,
  columns: readonly RequestLogJsonColumn[],
): PartlyDecodedRequestLogRow {
  const { input, output, parameters, prompt_input_variables, tags, metadata, scores, ...row } = r;
  const text: Record<RequestLogJsonColumn, string> = {
    input,
    output,
    parameters,
    prompt_input_variables,
    tags,
    metadata,
    scores,
  };
  const out: PartlyDecodedRequestLogRow = row;
  for (const c of columns) (out as Record<string, unknown>)[c] = decodeJson<unknown>(text[c]);
  return out;
}

/** Pass one's columns of a log as stored. */
type StoredMatchRow = Pick<StoredRequestLogRow, 'prompt_input_variables' | 'metadata'> & { id: number | string };

/** Pass one's columns of a log, decoded. */
const decodeMatch = (r: StoredMatchRow): MatchRow => ({
  id: Number(r.id),
  prompt_input_variables: decodeJson<Record<string, unknown>>(r.prompt_input_variables),
  metadata: decodeJson<Record<string, string>>(r.metadata),
});

const CMP_SQL: Record<Cmp, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const SORT_SQL: Record<SortColumn, string> = {
  request_start_time: 'request_start_time',
  input_tokens: 'input_tokens',
  output_tokens: 'output_tokens',
  price: 'price',
  score: 'score',
  latency: 'latency_ms',
  prompt_name: 'prompt_name',
  status: 'status',
  id: 'id',
};
const NULLABLE_SORT = new Set<SortColumn>(['score', 'prompt_name']);
/** Bound parameters one request_logs row takes in a multi-row INSERT (its columns, with room for new ones). */
const LOG_COLUMNS = 40;
/** Rows per keyset page of a dataset build's first pass. */
const MATCH_PAGE = 5000;

export class RequestLogRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {}

  // ---- writes

  /**
   * Inserts logs with their child rows in the caller's transaction; returns the new ids in input order. One multi-row
   * INSERT … RETURNING per chunk instead of one statement per log: a group-commit batch costs a handful of statements.
   */
  async insertMany(trx: Executor, bundles: NewLogBundle[]): Promise<number[]> {
    const ids: number[] = [];
    for (const chunk of chunks(bundles, Math.floor(this.dialect.maxParams / LOG_COLUMNS))) {
      const rows = await trx
        .insertInto('request_logs')
        .values(
          chunk.map((b) => ({
            ...b.log,
            trace_id: b.log.trace_id ?? null,
            span_id: b.log.span_id ?? null,
            tags: JSON.stringify(b.tags),
            metadata: JSON.stringify(b.metadata),
            scores: JSON.stringify(b.scores),
            score: b.scores.default ?? null,
          })),
        )
        .returning('id')
        .execute();
      // RETURNING's row order is not promised, but ids are: rows of one statement take ascending ids in VALUES order
      // (SQLite's rowid under the write lock, PostgreSQL's nextval per row), so sorting restores input order.
      ids.push(...rows.map((r) => Number(r.id)).sort((a, b) => a - b));
    }
    const tags = bundles.flatMap((b, i) =>
      b.tags.map((tag) => ({
        request_log_id: ids[i],
        workspace_id: b.log.workspace_id,
        tag,
        request_start_time: b.log.request_start_time,
      })),
    );
    const meta = bundles.flatMap((b, i) =>
      Object.entries(b.metadata).map(([key, value]) => ({
        request_log_id: ids[i],
        workspace_id: b.log.workspace_id,
        key,
        value,
        request_start_time: b.log.request_start_time,
      })),
    );
    const scores = bundles.flatMap((b, i) =>
      Object.entries(b.scores).map(([name, value]) => ({ request_log_id: ids[i], name, value })),
    );
    for (const chunk of chunks(tags, Math.floor(this.dialect.maxParams / 4)))
      await trx.insertInto('request_log_tags').values(chunk).execute();
    for (const chunk of chunks(meta, Math.floor(this.dialect.maxParams / 5)))
      await trx.insertInto('request_log_metadata').values(chunk).execute();
    for (const chunk of chunks(scores, Math.floor(this.dialect.maxParams / 3)))
      await trx.insertInto('request_log_scores').values(chunk).execute();
    return ids;
  }

  /** The log, locked for the rest of the transaction (PostgreSQL; SQLite transactions are already exclusive). */
  async lockLog(trx: Executor, workspaceId: number, id: number): Promise<RequestLogRow | undefined> {
    let q = trx.selectFrom('request_logs').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId);
    if (this.dialect.supportsSkipLocked) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row && decodeRequestLog(row);
  }

  /** Merges metadata into a locked log: each key overwrites. */
  async mergeMetadata(
    trx: Executor,
    log: RequestLogRow,
    metadata: Record<string, string>,
  ): Promise<Record<string, string>> {
    const merged = { ...log.metadata, ...metadata };
    for (const [key, value] of Object.entries(metadata)) {
      await trx
        .insertInto('request_log_metadata')
        .values({
          request_log_id: log.id,
          workspace_id: log.workspace_id,
          key,
          value,
          request_start_time: log.request_start_time,
        })
        .onConflict((oc) => oc.columns(['request_log_id', 'key']).doUpdateSet({ value }))
        .execute();
    }
    await trx
      .updateTable('request_logs')
      .set({ metadata: JSON.stringify(merged) })
      .where('id', '=', log.id)
      .execute();
    return merged;
  }

  /** Sets one named score of a locked log (each name is its own score; "default" is the sortable one). */
  async setScore(trx: Executor, log: RequestLogRow, name: string, value: number): Promise<void> {
    const scores = { ...log.scores, [name]: value };
    await trx
      .insertInto('request_log_scores')
      .values({ request_log_id: log.id, name, value })
      .onConflict((oc) => oc.columns(['request_log_id', 'name']).doUpdateSet({ value }))
      .execute();
    await trx
      .updateTable('request_logs')
      .set({ scores: JSON.stringify(scores), ...(name === 'default' ? { score: value } : {}) })
      .where('id', '=', log.id)
      .execute();
  }

  async update(
    ex: Executor,
    id: number,
    patch: Partial<
      Pick<
        StoredRequestLogRow,
        'prompt_name' | 'prompt_id' | 'prompt_version_number' | 'prompt_input_variables' | 'group_id' | 'starred'
      >
    >,
  ): Promise<void> {
    await ex.updateTable('request_logs').set(patch).where('id', '=', id).execute();
  }

  async insertGroup(ex: Executor, workspaceId: number): Promise<number> {
    const row = await ex
      .insertInto('log_groups')
      .values({ workspace_id: workspaceId, created_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async groupExists(ex: Executor, workspaceId: number, id: number): Promise<boolean> {
    return (
      (await ex
        .selectFrom('log_groups')
        .select('id')
        .where('id', '=', id)
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst()) !== undefined
    );
  }

  // ---- reads

  async findById(workspaceId: number, id: number, ex: Executor = this.db): Promise<RequestLogRow | undefined> {
    const row = await ex
      .selectFrom('request_logs')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return row && decodeRequestLog(row);
  }

  /** Rows of these ids (any order; callers reorder) with only the JSON columns `decode` names, decoded. */
  async findByIds(
    workspaceId: number,
    ids: number[],
    decode: readonly RequestLogJsonColumn[],
  ): Promise<PartlyDecodedRequestLogRow[]> {
    if (ids.length === 0) return [];
    const out: PartlyDecodedRequestLogRow[] = [];
    for (const chunk of chunks(ids, Math.min(5000, this.dialect.maxParams - 10))) {
      // By primary key only: with `workspace_id = ?` beside the IN list SQLite may walk a workspace index instead.
      const rows = await this.db.selectFrom('request_logs').selectAll().where('id', 'in', chunk).execute();
      for (const r of rows) if (r.workspace_id === workspaceId) out.push(decodeRequestLogColumns(r, decode));
    }
    return out;
  }

  /** Pass one of a dataset build: the matching logs in order, up to `limit`, with only what the column set needs. */
  async selectMatches(
    workspaceId: number,
    filter: LogFilter | undefined,
    order: LogOrder,
    limit: number,
  ): Promise<MatchRow[]> {
    if (limit <= 0) return [];
    if (order.kind === 'random' || NULLABLE_SORT.has(order.column)) {
      const result = await sql<StoredMatchRow>`
        SELECT r.id, r.prompt_input_variables, r.metadata FROM request_logs r
        WHERE r.workspace_id = ${workspaceId} AND ${this.where(workspaceId, filter)}
        ORDER BY ${this.orderBy(order)}
        LIMIT ${limit}`.execute(this.db);
      return result.rows.map(decodeMatch);
    }
    // Keyset pages on (sort column, id): SQLite runs queries synchronously, so short statements let ingestion
    // and API requests interleave with a large build instead of stalling behind one long scan.
    const col = sql.ref(`r.${SORT_SQL[order.column]}`);
    const cmp = sql.raw(order.direction === 'asc' ? '>' : '<');
    const cmpEq = sql.raw(order.direction === 'asc' ? '>=' : '<=');
    const out: MatchRow[] = [];
    let after: { key: unknown; id: number } | undefined;
    while (out.length < limit) {
      const take = Math.min(MATCH_PAGE, limit - out.length);
      // `col <= key` bounds the index range (an OR alone would make each page rescan the earlier ones).
      const keyset = after
        ? sql`AND ${col} ${cmpEq} ${after.key} AND (${col} ${cmp} ${after.key} OR r.id ${cmp} ${after.id})`
        : sql``;
      const result = await sql<StoredMatchRow & { sort_key: unknown }>`
        SELECT r.id, r.prompt_input_variables, r.metadata, ${col} AS sort_key FROM request_logs r
        WHERE r.workspace_id = ${workspaceId} AND ${this.where(workspaceId, filter)} ${keyset}
        ORDER BY ${this.orderBy(order)}
        LIMIT ${take}`.execute(this.db);
      for (const r of result.rows) out.push(decodeMatch(r));
      if (result.rows.length < take) break;
      const last = result.rows[result.rows.length - 1];
      after = { key: last.sort_key, id: Number(last.id) };
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }

  /** Only these ids that exist in the workspace, with what pass one needs. */
  async selectMatchesByIds(workspaceId: number, ids: number[]): Promise<MatchRow[]> {
    const out: MatchRow[] = [];
    for (const chunk of chunks(ids, Math.min(5000, this.dialect.maxParams - 10))) {
      const rows = await this.db
        .selectFrom('request_logs')
        .select(['id', 'workspace_id', 'prompt_input_variables', 'metadata'])
        .where('id', 'in', chunk)
        .execute();
      for (const r of rows) if (r.workspace_id === workspaceId) out.push(decodeMatch(r));
    }
    return out;
  }

  async count(workspaceId: number, filter: LogFilter | undefined): Promise<number> {
    const result = await sql<{
      n: number | string;
    }>`SELECT COUNT(*) AS n FROM request_logs r WHERE r.workspace_id = ${workspaceId} AND ${this.where(workspaceId, filter)}`.execute(
      this.db,
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  async page(
    workspaceId: number,
    filter: LogFilter | undefined,
    order: LogOrder,
    offset: number,
    limit: number,
  ): Promise<RequestLogRow[]> {
    const result = await sql<StoredRequestLogRow>`
      SELECT r.* FROM request_logs r
      WHERE r.workspace_id = ${workspaceId} AND ${this.where(workspaceId, filter)}
      ORDER BY ${this.orderBy(order)}
      LIMIT ${limit} OFFSET ${offset}`.execute(this.db);
    return result.rows.map((r) => decodeRequestLog(normaliseRow(r)));
  }

  // ---- the filter compiler

  /**
   * The WHERE condition a filter compiles to over `request_logs r` (for EXPLAIN in the tests and the bench);
   * `bareFilter` leaves out the `r.workspace_id` bound, to see which index answers the filter itself.
   */
  filterSql(
    workspaceId: number,
    filter: LogFilter | undefined,
    opts: { bareFilter?: boolean } = {},
  ): RawBuilder<SqlBool> {
    return opts.bareFilter
      ? this.where(workspaceId, filter)
      : sql<SqlBool>`r.workspace_id = ${workspaceId} AND ${this.where(workspaceId, filter)}`;
  }

  private where(workspaceId: number, filter: LogFilter | undefined): RawBuilder<SqlBool> {
    return filter ? this.compile(filter, workspaceId) : sql<SqlBool>`1 = 1`;
  }

  private orderBy(order: LogOrder): RawBuilder<unknown> {
    if (order.kind === 'random') return sql`random()`;
    const col = sql.ref(`r.${SORT_SQL[order.column]}`);
    const dir = sql.raw(order.direction === 'asc' ? 'ASC' : 'DESC');
    // SQLite and PostgreSQL place NULLs differently: put them last in both.
    const nulls = NULLABLE_SORT.has(order.column) ? sql`(${col} IS NULL), ` : sql``;
    return sql`${nulls}${col} ${dir}, r.id ${dir}`;
  }

  /**
   * Tag and metadata tests are `r.id IN (child rows of this workspace matching)`: the workspace bound lets the
   * planner answer them from request_log_tags_ws_tag / request_log_metadata_ws_kv (a semi-join or a rowid probe)
   * instead of one primary-key lookup per candidate log. `ws` is the workspace every caller already filters on.
   */
  private compile(f: LogFilter, ws: number): RawBuilder<SqlBool> {
    const col = (c: LogColumn | TextColumn) => sql.ref(`r.${c}`);
    switch (f.kind) {
      case 'and':
      case 'or':
        if (f.items.length === 0) return f.kind === 'and' ? sql`1 = 1` : sql`1 = 0`;
        return sql<SqlBool>`(${sql.join(
          f.items.map((i) => this.compile(i, ws)),
          sql.raw(f.kind === 'and' ? ' AND ' : ' OR '),
        )})`;
      case 'not':
        // NULL-safe negation: a log without the value does not match the positive test, so it matches its negation.
        return sql<SqlBool>`NOT COALESCE(${this.compile(f.item, ws)}, FALSE)`;
      case 'const':
        return f.value ? sql`1 = 1` : sql`1 = 0`;
      case 'cmp':
        return sql<SqlBool>`${col(f.column)} ${sql.raw(CMP_SQL[f.op])} ${f.value}`;
      case 'in':
        return f.values.length === 0 ? sql`1 = 0` : sql<SqlBool>`${col(f.column)} IN (${sql.join(f.values)})`;
      case 'is_null':
        return sql<SqlBool>`${col(f.column)} IS NULL`;
      case 'text':
        return this.textTest(f.column, f.op, f.value);
      case 'q':
        return this.searchText(['input_text', 'output_text'], likeContains(f.text), f.text);
      case 'tag':
        return this.childIn(
          'request_log_tags',
          ws,
          f.tags.length === 1 ? sql`c.tag = ${f.tags[0]}` : sql`c.tag IN (${sql.join(f.tags)})`,
        );
      case 'any_tag':
        return this.childIn('request_log_tags', ws);
      case 'meta': {
        const test =
          f.op === 'eq'
            ? sql`c.value = ${f.values[0]}`
            : f.op === 'in'
              ? sql`c.value IN (${sql.join(f.values)})`
              : this.dialect.ilike(sql.ref('c.value'), likeContains(f.values[0]));
        return this.childIn('request_log_metadata', ws, sql`c.key = ${f.key} AND ${test}`);
      }
      case 'meta_key':
        return this.childIn('request_log_metadata', ws, sql`c.key IN (${sql.join(f.keys)})`);
      case 'any_meta':
        return this.childIn('request_log_metadata', ws);
      case 'score':
        return sql<SqlBool>`EXISTS (SELECT 1 FROM request_log_scores s WHERE s.request_log_id = r.id AND s.name = ${f.name} AND s.value ${sql.raw(CMP_SQL[f.op])} ${f.value})`;
      case 'input_var': {
        const v = this.dialect.jsonText(sql.ref('r.prompt_input_variables'), f.path);
        if (f.op === 'exists') return sql<SqlBool>`(${v} IS NOT NULL AND ${v} <> '')`;
        if (f.op === 'eq') return sql<SqlBool>`${v} = ${f.values[0]}`;
        if (f.op === 'in') return sql<SqlBool>`${v} IN (${sql.join(f.values)})`;
        return this.dialect.ilike(v, likeContains(f.values[0]));
      }
    }
  }

  private childIn(
    table: 'request_log_tags' | 'request_log_metadata',
    ws: number,
    test?: RawBuilder<unknown>,
  ): RawBuilder<SqlBool> {
    return sql<SqlBool>`r.id IN (SELECT c.request_log_id FROM ${sql.table(table)} c WHERE c.workspace_id = ${ws}${test ? sql` AND ${test}` : sql``})`;
  }

  private textTest(
    column: TextColumn,
    op: 'contains' | 'starts_with' | 'ends_with' | 'equals',
    value: string,
  ): RawBuilder<SqlBool> {
    if (op === 'equals') return sql<SqlBool>`${sql.ref(`r.${column}`)} = ${value}`;
    const contains = likeContains(value);
    const pattern = op === 'contains' ? contains : op === 'starts_with' ? contains.slice(1) : contains.slice(0, -1);
    if (column === 'input_text' || column === 'output_text') return this.searchText([column], pattern, value);
    return this.dialect.ilike(sql.ref(`r.${column}`), pattern);
  }

  /** Case-insensitive LIKE over the logs' input/output text, behind the text index where the dialect needs one. */
  private searchText(
    columns: Array<'input_text' | 'output_text'>,
    pattern: string,
    literal: string,
  ): RawBuilder<SqlBool> {
    const exact = sql<SqlBool>`(${sql.join(
      columns.map((c) => this.dialect.ilike(sql.ref(`r.${c}`), pattern)),
      sql.raw(' OR '),
    )})`;
    const candidates = this.dialect.logTextCandidates(sql.ref('r.id'), columns, literal);
    return candidates ? sql<SqlBool>`(${candidates} AND ${exact})` : exact;
  }
}

/** Raw SQL bypasses the pg bigint parser only for typed columns: make ids and times numbers everywhere. */
function normaliseRow(r: StoredRequestLogRow): StoredRequestLogRow {
  return {
    ...r,
    id: Number(r.id),
    workspace_id: Number(r.workspace_id),
    request_start_time: Number(r.request_start_time),
    request_end_time: Number(r.request_end_time),
    latency_ms: Number(r.latency_ms),
    created_at: Number(r.created_at),
    group_id: r.group_id === null ? null : Number(r.group_id),
    prompt_id: r.prompt_id === null ? null : Number(r.prompt_id),
  };
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
