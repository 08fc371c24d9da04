// All SQL for dataset groups, dataset versions and their rows.
import { randomBytes } from 'node:crypto';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import { likeContains, type BulkColumn, type DialectCapabilities } from '../db/dialect.js';
import type { ColumnSchema } from './column-types.js';
import { decodeJson, decodeNullableJson } from '../db/json-columns.js';
import type {
  DatasetGroupRow,
  DatasetRow,
  DatasetStatus,
  Database,
  NewDataset,
  StoredDatasetRow,
} from '../db/schema.js';
import type { StoredRowValues } from './stored-row.js';

/** A dataset row as read (any extra selected columns kept) with its JSON columns decoded: see DatasetRow. */
export function decodeDataset<R extends StoredDatasetRow>(r: R): Omit<R, keyof StoredDatasetRow> & DatasetRow {
  return {
    ...r,
    column_names: decodeJson<string[]>(r.column_names),
    filter_params: decodeNullableJson<Record<string, unknown>, null>(r.filter_params, null),
    warnings: decodeNullableJson<string[], string[]>(r.warnings, []),
  };
}
import { rowHashOfStored } from './row-hash.js';

/** The columns insertRows writes, in the order of its value tuples. */
const DATASET_ROW_COLUMNS: readonly BulkColumn[] = [
  { name: 'dataset_id', type: 'bigint' },
  { name: 'row_index', type: 'integer' },
  { name: 'row_uid', type: 'text' },
  { name: 'data', type: 'text' },
  { name: 'content_hash', type: 'text' },
];

/** Nebius-style identifier: 32 lower-case hex characters. */
export function newExternalId(): string {
  return randomBytes(16).toString('hex');
}

export interface GroupListQuery {
  workspaceIds: number[];
  name?: string;
  folder?: string;
  includeDeleted?: boolean;
  offset: number;
  limit: number;
  /** Keyset paging by external id order for the Nebius face. */
  afterId?: number;
}

export interface DatasetListQuery {
  workspaceIds: number[];
  groupId?: number;
  groupName?: string;
  /** Creator's email, matched case-insensitively. */
  createdByEmail?: string;
  /** Epoch ms bounds, inclusive. */
  createdAfter?: number;
  createdBefore?: number;
  updatedAfter?: number;
  updatedBefore?: number;
  deleted: 'active' | 'deleted' | 'all';
  includeFailed: boolean;
  sortBy: 'created_at' | 'updated_at' | 'name' | 'id';
  sortOrder: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export interface RowPageQuery {
  q?: string;
  /** Keyset: rows with row_index greater than this. */
  afterIndex?: number;
  /** Rows with row_index below this (a window with afterIndex: a bounded range whatever the planner estimates). */
  beforeIndex?: number;
  offset?: number;
  limit: number;
}

/** A sorted and/or per-column filtered view of a version's rows (cells addressed by column position). */
export interface RowView {
  sort?: { index: number; order: 'asc' | 'desc' };
  /** Case-insensitive substring of each cell's text; every filter must match. */
  filters: Array<{ index: number; text: string }>;
}

export interface StoredRow {
  row_index: number;
  row_uid: string | null;
  data: string;
}

/** A group's stored typed schema, decoded (null when it has none). */
export function typedSchemaOf(group: DatasetGroupRow): ColumnSchema[] | null {
  return group.schema_json === null ? null : (JSON.parse(group.schema_json) as ColumnSchema[]);
}

/**
 * A version of at least this many rows, once written, refreshes dataset_rows' planner statistics: PostgreSQL plans a version
 * it has no statistics for as a few hundred rows, and the keyset page of such a version (`row_index > $after ORDER
 * BY row_index LIMIT n`) as a bitmap scan of every remaining row plus a sort, i.e. each page of a large new version
 * read all the rows after it until autovacuum's next ANALYZE (docs/benchmarks.md, diff-export, third pass).
 */
export const REFRESH_STATISTICS_ROWS = 10_000;

export class DatasetRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {}

  // ---- groups

  async insertGroup(
    ex: Executor,
    g: {
      workspaceId: number;
      name: string;
      userId: number | null;
      folder?: string;
      /** The typed schema of the group's versions (typed datasets); none: types are inferred from the rows. */
      schema?: ColumnSchema[] | null;
      aiProjectId?: string | null;
      expiresAt?: number | null;
    },
  ): Promise<DatasetGroupRow> {
    const now = Date.now();
    return ex
      .insertInto('dataset_groups')
      .values({
        workspace_id: g.workspaceId,
        name: g.name,
        user_id: g.userId,
        folder: g.folder ?? '',
        schema_json: g.schema ? JSON.stringify(g.schema) : null,
        ai_project_id: g.aiProjectId ?? null,
        expires_at: g.expiresAt ?? null,
        external_id: newExternalId(),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async findGroup(id: number, ex: Executor = this.db): Promise<DatasetGroupRow | undefined> {
    return ex.selectFrom('dataset_groups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findGroupByExternalId(externalId: string): Promise<DatasetGroupRow | undefined> {
    return this.db.selectFrom('dataset_groups').selectAll().where('external_id', '=', externalId).executeTakeFirst();
  }

  async findLiveGroupByName(ex: Executor, workspaceId: number, name: string): Promise<DatasetGroupRow | undefined> {
    return ex
      .selectFrom('dataset_groups')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .where('is_deleted', '=', 0)
      .executeTakeFirst();
  }

  /** Locks the group row for the rest of the transaction (PostgreSQL; SQLite transactions are already exclusive). */
  async lockGroup(ex: Executor, id: number): Promise<DatasetGroupRow | undefined> {
    let q = ex.selectFrom('dataset_groups').selectAll().where('id', '=', id);
    if (this.dialect.supportsSkipLocked) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async listGroups(q: GroupListQuery): Promise<{ rows: DatasetGroupRow[]; total: number }> {
    let base = this.db.selectFrom('dataset_groups').where('workspace_id', 'in', q.workspaceIds);
    if (!q.includeDeleted) base = base.where('is_deleted', '=', 0);
    if (q.name) base = base.where(this.dialect.ilike('name', likeContains(q.name)));
    if (q.folder !== undefined) base = base.where('folder', '=', q.folder);
    const countRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    let page = base.selectAll();
    if (q.afterId !== undefined) page = page.where('id', '<', q.afterId);
    const rows = await page.orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
    return { rows, total: Number(countRow.n) };
  }

  async updateGroup(
    ex: Executor,
    id: number,
    patch: { name?: string; folder?: string; is_deleted?: number; deleted_at?: number | null },
  ): Promise<void> {
    await ex
      .updateTable('dataset_groups')
      .set({ ...patch, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  /** A live (not deleted, not expired) group by its 32-hex id, in one of the workspaces. */
  async findLiveGroup(
    workspaceIds: number[],
    externalId: string,
    now: number,
    ex: Executor = this.db,
  ): Promise<DatasetGroupRow | undefined> {
    return ex
      .selectFrom('dataset_groups')
      .selectAll()
      .where('external_id', '=', externalId)
      .where('workspace_id', 'in', workspaceIds)
      .where('is_deleted', '=', 0)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
  }

  /** Live groups newest first; `beforeId` is the integer id of the last group of the previous page. Up to `limit` rows. */
  async listLiveGroups(q: {
    workspaceIds: number[];
    folders?: string[];
    beforeId?: number;
    limit: number;
    now: number;
  }): Promise<DatasetGroupRow[]> {
    let query = this.db
      .selectFrom('dataset_groups')
      .selectAll()
      .where('workspace_id', 'in', q.workspaceIds)
      .where('is_deleted', '=', 0)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', q.now)]));
    if (q.folders) query = query.where('folder', 'in', q.folders);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return query.orderBy('id', 'desc').limit(q.limit).execute();
  }

  /** The typed schema of a group's versions (null: none stored, types are inferred from the rows). */
  async setGroupSchema(ex: Executor, groupId: number, schema: ColumnSchema[] | null): Promise<void> {
    await ex
      .updateTable('dataset_groups')
      .set({ schema_json: schema === null ? null : JSON.stringify(schema), updated_at: Date.now() })
      .where('id', '=', groupId)
      .execute();
  }

  /** Ids of live groups whose expiry has passed. */
  async expiredGroupIds(now: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('dataset_groups')
      .select('id')
      .where('is_deleted', '=', 0)
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .execute();
    return rows.map((r) => r.id);
  }

  // ---- datasets (versions)

  async insertDataset(
    ex: Executor,
    values: Omit<NewDataset, 'external_id' | 'created_at' | 'updated_at'>,
  ): Promise<DatasetRow> {
    const now = Date.now();
    return ex
      .insertInto('datasets')
      .values({ ...values, external_id: newExternalId(), created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow()
      .then(decodeDataset);
  }

  async findDataset(id: number, ex: Executor = this.db): Promise<DatasetRow | undefined> {
    const row = await ex.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirst();
    return row && decodeDataset(row);
  }

  async findDatasetsByIds(ids: number[]): Promise<DatasetRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('datasets').selectAll().where('id', 'in', ids).execute();
    return rows.map(decodeDataset);
  }

  /** Every version and draft of a group (not deleted unless asked), newest first. */
  async listGroupDatasets(
    groupId: number,
    opts: { includeDeleted?: boolean; includeFailed?: boolean } = {},
  ): Promise<DatasetRow[]> {
    let q = this.db.selectFrom('datasets').selectAll().where('group_id', '=', groupId);
    if (!opts.includeDeleted) q = q.where('is_deleted', '=', 0);
    if (!opts.includeFailed) q = q.where('status', '!=', 'failed');
    return (await q.orderBy('id', 'desc').execute()).map(decodeDataset);
  }

  /** Every non-deleted version and draft of the groups, newest first. */
  async datasetsOfGroups(groupIds: number[]): Promise<DatasetRow[]> {
    if (groupIds.length === 0) return [];
    return this.db
      .selectFrom('datasets')
      .selectAll()
      .where('group_id', 'in', groupIds)
      .where('is_deleted', '=', 0)
      .orderBy('id', 'desc')
      .execute()
      .then((rows) => rows.map(decodeDataset));
  }

  /** The group's editable draft (status `draft`), if it has one. */
  async findEditableDraft(ex: Executor, groupId: number): Promise<DatasetRow | undefined> {
    const row = await ex
      .selectFrom('datasets')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('status', '=', 'draft')
      .where('is_deleted', '=', 0)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row && decodeDataset(row);
  }

  /** The newest published, non-deleted version of a group. */
  async findLatestVersion(groupId: number): Promise<DatasetRow | undefined> {
    const row = await this.db
      .selectFrom('datasets')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('status', '=', 'ready')
      .where('is_deleted', '=', 0)
      .orderBy('version_number', 'desc')
      .executeTakeFirst();
    return row && decodeDataset(row);
  }

  async listDatasets(
    q: DatasetListQuery,
  ): Promise<{ rows: Array<DatasetRow & { group_name: string; group_is_deleted: number }>; total: number }> {
    let base = this.db
      .selectFrom('datasets as d')
      .innerJoin('dataset_groups as g', 'g.id', 'd.group_id')
      .where('d.workspace_id', 'in', q.workspaceIds);
    if (q.groupId !== undefined) base = base.where('d.group_id', '=', q.groupId);
    if (q.groupName) base = base.where(this.dialect.ilike(sql.ref('g.name'), likeContains(q.groupName)));
    if (q.createdByEmail !== undefined) {
      const email = q.createdByEmail.trim().toLowerCase();
      base = base.where('d.user_id', 'in', (eb) =>
        eb
          .selectFrom('users')
          .select('id')
          .where(sql<string>`lower(email)`, '=', email),
      );
    }
    if (q.createdAfter !== undefined) base = base.where('d.created_at', '>=', q.createdAfter);
    if (q.createdBefore !== undefined) base = base.where('d.created_at', '<=', q.createdBefore);
    if (q.updatedAfter !== undefined) base = base.where('d.updated_at', '>=', q.updatedAfter);
    if (q.updatedBefore !== undefined) base = base.where('d.updated_at', '<=', q.updatedBefore);
    if (q.deleted === 'active') base = base.where('d.is_deleted', '=', 0);
    else if (q.deleted === 'deleted') base = base.where('d.is_deleted', '=', 1);
    if (!q.includeFailed) base = base.where('d.status', '!=', 'failed');
    const countRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const sortCol = q.sortBy === 'name' ? 'g.name' : (`d.${q.sortBy}` as const);
    const rows = await base
      .selectAll('d')
      .select(['g.name as group_name', 'g.is_deleted as group_is_deleted'])
      .orderBy(sortCol, q.sortOrder)
      .orderBy('d.id', q.sortOrder)
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { rows: rows.map(decodeDataset), total: Number(countRow.n) };
  }

  async updateDataset(
    ex: Executor,
    id: number,
    patch: Partial<
      Pick<
        StoredDatasetRow,
        | 'status'
        | 'error'
        | 'column_names'
        | 'row_count'
        | 'warnings'
        | 'filter_params'
        | 'version_number'
        | 'is_deleted'
        | 'deleted_at'
        | 'finished_at'
        | 'origin'
        | 'source_dataset_id'
      >
    >,
  ): Promise<void> {
    await ex
      .updateTable('datasets')
      .set({ ...patch, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  /** Gives a finished draft the group's next version number; call with the group locked. */
  async nextVersionNumber(ex: Executor, groupId: number): Promise<number> {
    const row = await ex
      .selectFrom('datasets')
      .select((eb) => eb.fn.max('version_number').as('v'))
      .where('group_id', '=', groupId)
      .executeTakeFirst();
    return Math.max(Number(row?.v ?? 0), 0) + 1;
  }

  async softDeleteGroupDatasets(ex: Executor, groupId: number): Promise<DatasetRow[]> {
    const now = Date.now();
    return ex
      .updateTable('datasets')
      .set({ is_deleted: 1, deleted_at: now, updated_at: now })
      .where('group_id', '=', groupId)
      .where('is_deleted', '=', 0)
      .returningAll()
      .execute()
      .then((rows) => rows.map(decodeDataset));
  }

  async datasetsWithStatusBefore(status: DatasetStatus, before: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('datasets')
      .select('id')
      .where('status', '=', status)
      .where('updated_at', '<', before)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Deleted versions and drafts, deleted before `before`, that still have rows. */
  async deletedDatasetsWithRows(before: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('datasets as d')
      .select('d.id')
      .where('d.is_deleted', '=', 1)
      .where('d.deleted_at', '<', before)
      .where((eb) =>
        eb.exists(eb.selectFrom('dataset_rows as r').select('r.row_index').whereRef('r.dataset_id', '=', 'd.id')),
      )
      .orderBy('d.id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Deletes up to `limit` rows of a dataset (the lowest indexes, by the primary key); returns how many went. */
  async deleteRowBatch(ex: Executor, datasetId: number, limit: number): Promise<number> {
    const result = await ex
      .deleteFrom('dataset_rows')
      .where('dataset_id', '=', datasetId)
      .where('row_index', 'in', (eb) =>
        eb
          .selectFrom('dataset_rows')
          .select('row_index')
          .where('dataset_id', '=', datasetId)
          .orderBy('row_index')
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Removes the dataset and any rows it still has (purge.job.ts deletes a large one's rows in batches first). */
  async hardDeleteDataset(ex: Executor, id: number): Promise<void> {
    await ex.deleteFrom('dataset_rows').where('dataset_id', '=', id).execute();
    await ex.deleteFrom('dataset_column_stats').where('dataset_id', '=', id).execute();
    await ex.deleteFrom('datasets').where('id', '=', id).execute();
  }

  // ---- rows

  /** Inserts rows with consecutive indexes from `firstIndex`; call inside DatabaseHandle.transaction. */
  async insertRows(
    trx: Executor,
    datasetId: number,
    firstIndex: number,
    rows: readonly StoredRowValues[],
  ): Promise<void> {
    // Every row is stored with its content hash (diffs join on it: row-hash.ts): storedRow() computed it for rows
    // built in this thread; rows that come without it (the import thread's, whose hashing is moved here to balance
    // the two threads; draft edits) get it here.
    await this.dialect.bulkInsert(
      trx,
      'dataset_rows',
      DATASET_ROW_COLUMNS,
      rows.map((r, i) => [
        datasetId,
        firstIndex + i,
        r.row_uid ?? null,
        r.data,
        r.content_hash ?? rowHashOfStored(r.data),
      ]),
    );
  }

  /** The index the next appended row gets (0 for an empty dataset). */
  async nextRowIndex(ex: Executor = this.db, datasetId: number): Promise<number> {
    const row = await ex
      .selectFrom('dataset_rows')
      .select((eb) => eb.fn.max('row_index').as('m'))
      .where('dataset_id', '=', datasetId)
      .executeTakeFirst();
    return row?.m === null || row?.m === undefined ? 0 : Number(row.m) + 1;
  }

  /**
   * After `rowCount` rows of one version were written (REFRESH_STATISTICS_ROWS). Outside any transaction (ANALYZE
   * takes its own lock); a failed refresh (e.g. the connection lost) only leaves the statistics to autovacuum.
   */
  async refreshRowStatistics(rowCount: number): Promise<void> {
    if (rowCount < REFRESH_STATISTICS_ROWS) return;
    await this.dialect.refreshStatistics(this.db, 'dataset_rows').catch(() => undefined);
  }

  async deleteRows(ex: Executor, datasetId: number): Promise<void> {
    await ex.deleteFrom('dataset_rows').where('dataset_id', '=', datasetId).execute();
  }

  async countRows(datasetId: number, q?: string): Promise<number> {
    let query = this.db
      .selectFrom('dataset_rows')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('dataset_id', '=', datasetId);
    if (q) query = query.where(this.dialect.ilike('data', likeContains(q)));
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async readRows(datasetId: number, page: RowPageQuery): Promise<StoredRow[]> {
    let query = this.db
      .selectFrom('dataset_rows')
      .select(['row_index', 'row_uid', 'data'])
      .where('dataset_id', '=', datasetId);
    if (page.q) query = query.where(this.dialect.ilike('data', likeContains(page.q)));
    if (page.afterIndex !== undefined) query = query.where('row_index', '>', page.afterIndex);
    if (page.beforeIndex !== undefined) query = query.where('row_index', '<', page.beforeIndex);
    query = query.orderBy('row_index').limit(page.limit);
    if (page.afterIndex === undefined && page.offset) query = query.offset(page.offset);
    return query.execute();
  }

  /**
   * The rows with row_index in [fromIndex, toIndex) as CSV text the database writes (DialectCapabilities.csvPage:
   * records of the first `width` cells, rows it cannot write exactly as their data between two `mark`s), and how
   * many rows it read.
   */
  async readCsvPage(
    datasetId: number,
    width: number,
    page: { fromIndex: number; toIndex: number; mark: string },
  ): Promise<{ rows: number; text: string }> {
    const rows = sql`SELECT row_index, data FROM dataset_rows WHERE dataset_id = ${datasetId} AND row_index >= ${page.fromIndex} AND row_index < ${page.toIndex} ORDER BY row_index`;
    const r = (await this.dialect.csvPage(rows, width, page.mark).execute(this.db)).rows[0];
    return { rows: Number(r?.n ?? 0), text: r?.text ?? '' };
  }

  // ---- rows in a view (sort and per-column filters); kept apart from readRows/countRows, which serve `q` alone

  async countRowsInView(datasetId: number, q: string | undefined, view: RowView): Promise<number> {
    const row = await this.whereInView(this.db.selectFrom('dataset_rows').where('dataset_id', '=', datasetId), q, view)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** A page of the view: sorted by the column (row order breaks ties), or in row order with `afterIndex` keyset paging. */
  async readRowsInView(
    datasetId: number,
    q: string | undefined,
    view: RowView,
    page: { afterIndex?: number; offset: number; limit: number },
  ): Promise<StoredRow[]> {
    let query = this.whereInView(
      this.db.selectFrom('dataset_rows').where('dataset_id', '=', datasetId),
      q,
      view,
    ).select(['row_index', 'row_uid', 'data']);
    if (view.sort) {
      for (const key of this.dialect.jsonArraySortKeys('data', view.sort.index))
        query = query.orderBy(key, view.sort.order);
    } else if (page.afterIndex !== undefined) {
      query = query.where('row_index', '>', page.afterIndex);
    }
    query = query.orderBy('row_index').limit(page.limit);
    if (page.afterIndex === undefined && page.offset) query = query.offset(page.offset);
    return query.execute();
  }

  private whereInView<Q extends SelectQueryBuilder<Database, 'dataset_rows', object>>(
    query: Q,
    q: string | undefined,
    view: RowView,
  ): Q {
    let out = query;
    if (q) out = out.where(this.dialect.ilike('data', likeContains(q))) as Q;
    for (const f of view.filters)
      out = out.where(this.dialect.ilike(this.dialect.jsonArrayItemText('data', f.index), likeContains(f.text))) as Q;
    return out;
  }

  /** Streams every row in order, in chunks of `chunk`, by keyset (constant memory). */
  async *iterateRows(datasetId: number, chunk = 1000): AsyncGenerator<StoredRow> {
    let after = -1;
    for (;;) {
      const rows = await this.readRows(datasetId, { afterIndex: after, limit: chunk });
      for (const r of rows) yield r;
      if (rows.length < chunk) return;
      after = rows[rows.length - 1].row_index;
    }
  }
}
