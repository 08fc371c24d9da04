// Use cases of dataset groups and versions: create, upload a file, list, read rows, delete.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { DatabaseHandle } from '../db/database.js';
import type { DatasetGroupRow, DatasetRow } from '../db/schema.js';
import { canAccessWorkspace, resolveWorkspace, type Caller } from '../auth/caller.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { EventSink } from '../events/domain-events.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { BlobStore } from '../storage/blob-store.js';
import { assertValidName, GROUP_NAME_RULES, nameTakenError } from './dataset-names.js';
import { decodeBase64Upload } from './base64.js';
import type { DatasetListQuery, DatasetRepository, RowView, StoredRow } from './dataset.repository.js';
import { FileFormatError, formatFromFileName, openTableReader, SUPPORTED_EXTENSIONS } from './parsers/index.js';
import type { SpooledFile } from './upload-spooler.js';
import type { FileFormat } from '../jobs/job-catalogue.js';
import { parseStoredCells } from './lossless-json.js';

export interface DatasetServiceOptions {
  maxFileBytes: number;
  /** Files up to this size are parsed completely before the upload is accepted (errors become 400s). */
  syncValidateBytes: number;
}

export interface RowPage {
  columns: string[];
  rows: unknown[][];
  /** Each row's id (its row_index), for editing a draft's rows. */
  rowIds: number[];
  total: number;
  nextCursor: string | null;
}

export interface RowReadQuery {
  page: number;
  perPage: number;
  q?: string;
  cursor?: string;
  /** Column to sort by (then by row order). */
  sort?: string;
  order?: 'asc' | 'desc';
  /** Column name → case-insensitive substring its cell must contain. */
  filters?: Record<string, string>;
}

/** How many records of a large file are checked before the upload is accepted. */
const PREFIX_RECORDS = 1000;

export function encodeCursor(rowIndex: number): string {
  return Buffer.from(`r${rowIndex}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const m = /^r(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new ValidationError('cursor is not valid: pass back a next_cursor value unchanged');
  return Number(m[1]);
}

/** Cells of a stored row, padded with nulls up to the column count. */
export function cellsOf(row: StoredRow, columnCount: number): unknown[] {
  const cells = parseStoredCells(row.data);
  while (cells.length < columnCount) cells.push(null);
  return cells;
}

export class DatasetService {
  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly repo: DatasetRepository,
    private readonly blobs: BlobStore,
    private readonly jobs: JobQueue,
    private readonly events: EventSink,
    private readonly opts: DatasetServiceOptions,
  ) {}

  // ---- groups

  /** Creates a group and its initial empty draft (version -1) in one transaction. */
  async createGroup(
    caller: Caller,
    input: { name: string; workspace_id?: number },
  ): Promise<{ group: DatasetGroupRow; draft: DatasetRow }> {
    const workspaceId = resolveWorkspace(caller, input.workspace_id);
    assertValidName(input.name, GROUP_NAME_RULES);
    const name = input.name.trim();
    try {
      return await this.dbh.transaction(async (trx) => {
        if (await this.repo.findLiveGroupByName(trx, workspaceId, name)) throw nameTakenError(name, GROUP_NAME_RULES);
        const group = await this.repo.insertGroup(trx, { workspaceId, name, userId: caller.userId });
        const draft = await this.repo.insertDataset(trx, {
          group_id: group.id,
          workspace_id: workspaceId,
          status: 'draft',
          origin: 'draft',
          user_id: caller.userId,
        });
        await this.events.record(trx, {
          workspaceId,
          type: 'dataset_group_created',
          details: { dataset_group_id: group.id, name },
          userId: caller.userId,
        });
        return { group, draft };
      });
    } catch (err) {
      if (this.dbh.dialect.isUniqueViolation(err)) throw nameTakenError(name, GROUP_NAME_RULES);
      throw err;
    }
  }

  /** The group, checked for access: missing or deleted → 404, another workspace's → 403. */
  async getGroup(caller: Caller, id: number): Promise<DatasetGroupRow> {
    const group = await this.repo.findGroup(id);
    if (!group || group.is_deleted) throw new NotFoundError('dataset group', id);
    if (!canAccessWorkspace(caller, group.workspace_id))
      throw new ForbiddenError(`access denied to dataset group ${id}`);
    return group;
  }

  async getGroupWithVersions(caller: Caller, id: number): Promise<{ group: DatasetGroupRow; datasets: DatasetRow[] }> {
    const group = await this.getGroup(caller, id);
    return { group, datasets: await this.repo.listGroupDatasets(id) };
  }

  async listGroups(caller: Caller, q: { name?: string; page: number; perPage: number }) {
    const { rows, total } = await this.repo.listGroups({
      workspaceIds: [caller.workspaceId],
      name: q.name,
      offset: (q.page - 1) * q.perPage,
      limit: q.perPage,
    });
    return { rows, total };
  }

  async deleteGroup(caller: Caller, id: number): Promise<DatasetGroupRow> {
    const group = await this.getGroup(caller, id);
    await this.dbh.transaction(async (trx) => {
      const now = Date.now();
      await this.repo.updateGroup(trx, id, { is_deleted: 1, deleted_at: now });
      const removed = await this.repo.softDeleteGroupDatasets(trx, id);
      for (const d of removed.filter((d) => d.version_number > 0)) {
        await this.events.record(trx, {
          workspaceId: group.workspace_id,
          type: 'dataset_version_deleted',
          details: { dataset_id: d.id, dataset_group_id: id, dataset_version_number: d.version_number },
          userId: caller.userId,
        });
      }
    });
    return { ...group, is_deleted: 1 };
  }

  // ---- versions

  /**
   * Accepts a file for a group — base64 text, or already decoded to a temporary file by the upload spooler
   * (which this method then removes): checks it, stores it as a blob and creates a processing draft plus its
   * import job in one transaction. Returns the draft at once; the job publishes it.
   */
  async createVersionFromFile(
    caller: Caller,
    input: { dataset_group_id: number; file_name: string; file_content_base64: string; file?: SpooledFile },
  ): Promise<DatasetRow> {
    try {
      const group = await this.getGroup(caller, input.dataset_group_id);
      const format = formatFromFileName(input.file_name);
      if (!format)
        throw new ValidationError(
          `file_name must end with one of ${SUPPORTED_EXTENSIONS.join(', ')}: got "${input.file_name}"`,
        );
      let size: number;
      let open: () => Readable;
      if (input.file) {
        const { path } = input.file;
        size = input.file.size;
        open = () => fs.createReadStream(path, { highWaterMark: 1 << 20 });
      } else {
        const bytes = decodeBase64Upload(input.file_content_base64, this.opts.maxFileBytes);
        size = bytes.length;
        open = () => Readable.from([bytes]);
      }
      if (size === 0) throw new ValidationError('file is empty');
      await this.checkFile(format, open(), size);

      const blobKey = `uploads/${group.workspace_id}/${randomUUID()}.${format}`;
      if (input.file) await this.blobs.putFile(blobKey, input.file.path);
      else await this.blobs.put(blobKey, open());
      try {
        const draft = await this.dbh.transaction(async (trx) => {
          const d = await this.repo.insertDataset(trx, {
            group_id: group.id,
            workspace_id: group.workspace_id,
            status: 'processing',
            origin: 'file',
            file_name: input.file_name,
            user_id: caller.userId,
          });
          await this.jobs.enqueue(
            trx,
            'dataset.import_file',
            { datasetId: d.id, blobKey, format },
            { workspaceId: group.workspace_id },
          );
          return d;
        });
        this.jobs.notify();
        return draft;
      } catch (err) {
        await this.blobs.delete(blobKey).catch(() => undefined);
        throw err;
      }
    } finally {
      if (input.file) await fsp.rm(input.file.path, { force: true });
    }
  }

  /** Parses the whole file when small, or its first records when large, so broken files fail as 400s. */
  private async checkFile(format: FileFormat, input: Readable, size: number): Promise<void> {
    const limit = size <= this.opts.syncValidateBytes ? Infinity : PREFIX_RECORDS;
    const reader = openTableReader(format, input);
    let count = 0;
    try {
      for await (const _row of reader.rows()) {
        if (++count >= limit) break;
      }
    } catch (err) {
      if (err instanceof FileFormatError) throw new ValidationError(err.message);
      throw err;
    } finally {
      input.destroy();
    }
    if (count === 0) throw new ValidationError('file has no data rows');
  }

  /** A dataset version, checked for access. */
  async getDataset(
    caller: Caller,
    id: number,
    opts: { allowDeleted?: boolean } = {},
  ): Promise<{ dataset: DatasetRow; group: DatasetGroupRow }> {
    const dataset = await this.repo.findDataset(id);
    if (!dataset || (dataset.is_deleted && !opts.allowDeleted)) throw new NotFoundError('dataset', id);
    if (!canAccessWorkspace(caller, dataset.workspace_id)) throw new ForbiddenError(`access denied to dataset ${id}`);
    const group = await this.repo.findGroup(dataset.group_id);
    if (!group) throw new NotFoundError('dataset group', dataset.group_id);
    return { dataset, group };
  }

  /** Versions of one workspace: the caller's, or another it may access (`workspaceId`). */
  async listDatasets(caller: Caller, q: Omit<DatasetListQuery, 'workspaceIds'> & { workspaceId?: number }) {
    const { workspaceId, ...rest } = q;
    return this.repo.listDatasets({ ...rest, workspaceIds: [resolveWorkspace(caller, workspaceId)] });
  }

  /** A page of rows, by page number or by keyset cursor. Processing versions are not readable yet. */
  async readRows(caller: Caller, id: number, q: RowReadQuery): Promise<RowPage & { dataset: DatasetRow }> {
    const { dataset } = await this.getDataset(caller, id);
    if (dataset.status === 'processing')
      throw new ConflictError(`dataset ${id} is still processing; its rows are readable once it is ready`);
    if (dataset.status === 'failed')
      throw new ConflictError(`dataset ${id} failed: ${dataset.error ?? 'unknown error'}`);
    const columns = dataset.column_names;
    const search = q.q?.trim() || undefined;
    const afterIndex = q.cursor ? decodeCursor(q.cursor) : undefined;
    const view = rowViewOf(columns, q);
    if (view?.sort && afterIndex !== undefined)
      throw new ValidationError('cursor cannot be combined with sort: page through a sorted view with page');
    const offset = (q.page - 1) * q.perPage;
    const [stored, total] = await Promise.all(
      view
        ? [
            this.repo.readRowsInView(id, search, view, { afterIndex, offset, limit: q.perPage }),
            // Sorting alone keeps every row: no need to count them.
            search || view.filters.length
              ? this.repo.countRowsInView(id, search, view)
              : Promise.resolve(dataset.row_count),
          ]
        : [
            this.repo.readRows(id, { q: search, afterIndex, offset, limit: q.perPage }),
            search ? this.repo.countRows(id, search) : Promise.resolve(dataset.row_count),
          ],
    );
    const last = stored[stored.length - 1];
    return {
      dataset,
      columns,
      rows: stored.map((r) => cellsOf(r, columns.length)),
      rowIds: stored.map((r) => r.row_index),
      total,
      // A sorted view has no keyset order to resume from: it is paged by number.
      nextCursor: !view?.sort && stored.length === q.perPage && last ? encodeCursor(last.row_index) : null,
    };
  }

  async deleteDataset(caller: Caller, id: number): Promise<DatasetRow> {
    const { dataset } = await this.getDataset(caller, id);
    if (dataset.status === 'processing')
      throw new ConflictError(`dataset ${id} is still processing; delete it once it is ready or failed`);
    await this.dbh.transaction(async (trx) => {
      const now = Date.now();
      await this.repo.updateDataset(trx, id, { is_deleted: 1, deleted_at: now });
      if (dataset.version_number > 0) {
        await this.events.record(trx, {
          workspaceId: dataset.workspace_id,
          type: 'dataset_version_deleted',
          details: {
            dataset_id: id,
            dataset_group_id: dataset.group_id,
            dataset_version_number: dataset.version_number,
          },
          userId: caller.userId,
        });
      }
    });
    return { ...dataset, is_deleted: 1 };
  }
}

/** The sort and per-column filters of a rows query, by column position; undefined when there are none. */
function rowViewOf(columns: string[], q: RowReadQuery): RowView | undefined {
  const indexOf = (name: string, what: string) => {
    const i = columns.indexOf(name);
    if (i < 0) throw new ValidationError(`${what}: no column "${name}" (columns: ${columns.join(', ') || 'none'})`);
    return i;
  };
  const filters = Object.entries(q.filters ?? {})
    .filter(([, text]) => text !== '')
    .map(([name, text]) => ({ index: indexOf(name, 'filter'), text }));
  const sort = q.sort ? { index: indexOf(q.sort, 'sort'), order: q.order ?? 'asc' } : undefined;
  return sort || filters.length ? { sort, filters } : undefined;
}
