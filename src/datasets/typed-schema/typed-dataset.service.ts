// Use cases of typed datasets (the Nebius face's datasets): a dataset group with a typed schema whose versions come from
// rows uploads, S3 imports and multipart uploads; read, paged, exported, renamed and expired through the one core.
import type { Readable } from 'node:stream';
import { inferVersionSchema } from '../schema-inference.js';
import type { DatabaseHandle, Tx } from '../../db/database.js';
import type { DatasetGroupRow, DatasetRow } from '../../db/schema.js';
import type { Caller } from '../../auth/caller.js';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../../errors.js';
import type { EventSink } from '../../events/domain-events.js';
import type { JobQueue } from '../../jobs/job-queue.js';
import { typedSchemaOf, type DatasetRepository } from '../dataset.repository.js';
import type { DatasetService } from '../dataset.service.js';
import { cellsOf } from '../dataset.service.js';
import { cellsInSchemaOrder, checkRows, type ColumnSchema } from '../column-types.js';
import { checkNameAndFolder, nameTakenError, TYPED_DATASET_NAME_RULES } from '../dataset-names.js';
import { rowObject } from '../export/index.js';
import { valueError } from '../field-issues.js';
import { stringifyLossless } from '../lossless-json.js';
import type { SecretBox } from '../../security/secret-box.js';
import { BlockedAddressError, type EndpointGuard } from '../../net/s3-endpoint-guard.js';
import type { S3ImportRepository } from '../s3-import/s3-import.repository.js';
import { parseS3Uri } from '../s3-import/s3-source.js';
import { checkSchema } from './schema-checks.js';
import { SpooledRows } from './spooled-rows.js';
import { typedExportStream, type TypedExportFormat } from './typed-export.js';

/** A typed dataset's state, named as the Nebius API names it. */
export type TypedDatasetStatus = 'READY' | 'PENDING' | 'FAILED' | 'TEMPORARY' | 'DRAFT';

/** Everything a presenter needs about one typed dataset. */
export interface TypedDatasetView {
  group: DatasetGroupRow;
  /** The version `current_version` names (see currentOf). */
  current: DatasetRow | undefined;
  status: TypedDatasetStatus;
  schema: ColumnSchema[];
  error: string | null;
}

export interface CreateFromRowsInput {
  name: string;
  folder: string;
  schema: ColumnSchema[];
  /** In memory, or streamed to disk for a large body. */
  rows: Array<Record<string, unknown>> | SpooledRows;
  ai_project_id?: string | null;
  ttl_seconds?: number;
}

export interface CreateFromS3Input {
  name: string;
  folder: string;
  s3_service_url: string;
  s3_region: string;
  s3_uri: string;
  s3_key_id: string;
  s3_secret_key: string;
  ai_project_id?: string | null;
  schema?: ColumnSchema[];
  ttl_seconds?: number;
}

/** Problems collected before checking stops (the face shows fewer, then `too_many_errors`): bounds work and memory. */
export const MAX_COLLECTED_ISSUES = 1_000;

const RULES = TYPED_DATASET_NAME_RULES;

/** Rows written per INSERT of a rows upload, and at most this much of their JSON (a streamed body's batches). */
const INSERT_BATCH_ROWS = 1_000;
const INSERT_BATCH_CHARS = 512 * 1024;

/** Rows sampled to infer a schema for groups made through the PromptLayer face (no stored schema). */
const SCHEMA_SAMPLE_ROWS = 200;

/**
 * Which version a Nebius dataset shows: the newest published version if there is one (READY, or TEMPORARY when the
 * group expires); otherwise the newest import in progress (PENDING), otherwise the newest failed one (FAILED),
 * otherwise the editable draft (DRAFT).
 */
export function currentOf(
  group: DatasetGroupRow,
  datasets: DatasetRow[],
): { current: DatasetRow | undefined; status: TypedDatasetStatus } {
  const newest = (status: DatasetRow['status']) =>
    datasets.filter((d) => d.status === status).sort((a, b) => b.version_number - a.version_number || b.id - a.id)[0];
  const ready = newest('ready');
  if (ready) return { current: ready, status: group.expires_at !== null ? 'TEMPORARY' : 'READY' };
  const processing = newest('processing');
  if (processing) return { current: processing, status: 'PENDING' };
  const failed = newest('failed');
  if (failed) return { current: failed, status: 'FAILED' };
  return { current: newest('draft'), status: 'DRAFT' };
}

export class TypedDatasetService {
  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly imports: S3ImportRepository,
    private readonly datasetRepo: DatasetRepository,
    private readonly datasets: DatasetService,
    private readonly jobs: JobQueue,
    private readonly events: EventSink,
    private readonly secrets: SecretBox,
    private readonly guard: EndpointGuard,
  ) {}

  // ---- create

  /** Rows upload: every cell is checked against the schema (all problems reported at once); a valid upload is version 1, READY. */
  async createFromRows(caller: Caller, input: CreateFromRowsInput): Promise<TypedDatasetView> {
    const issues = [...checkNameAndFolder(input, RULES), ...checkSchema(input.schema)];
    if (issues.length > 0) throw new ValidationError('the upload does not match its schema', issues);
    const batches = () =>
      input.rows instanceof SpooledRows
        ? input.rows.batches(INSERT_BATCH_ROWS, INSERT_BATCH_CHARS)
        : inBatches(input.rows, INSERT_BATCH_ROWS);
    let first = 0;
    for await (const batch of batches()) {
      issues.push(...checkRows(input.schema, batch, ['rows'], MAX_COLLECTED_ISSUES - issues.length, first));
      first += batch.length;
      if (issues.length >= MAX_COLLECTED_ISSUES) break;
    }
    if (issues.length > 0) throw new ValidationError('the upload does not match its schema', issues);
    const workspaceId = caller.workspaceId;
    const name = input.name.trim();
    const columns = input.schema.map((c) => c.name);
    const view = await this.withUniqueName(name, () =>
      this.dbh.transaction(async (trx) => {
        await this.assertNameFree(trx, workspaceId, name);
        const group = await this.insertTypedGroup(trx, caller, workspaceId, name, input);
        // Rows first, then `ready`, in this one transaction: a published version's rows cannot change (database guard).
        const inserted = await this.datasetRepo.insertDataset(trx, {
          group_id: group.id,
          workspace_id: workspaceId,
          version_number: 1,
          status: 'processing',
          origin: 'rows',
          column_names: JSON.stringify(columns),
          row_count: input.rows.length,
          user_id: caller.userId,
          finished_at: Date.now(),
        });
        // In batches: a large upload is never serialised twice over at once (and a streamed one is read back from disk).
        let start = 0;
        for await (const batch of batches()) {
          await this.datasetRepo.insertRows(
            trx,
            inserted.id,
            start,
            batch.map((r) => ({ data: stringifyLossless(cellsInSchemaOrder(input.schema, r)) })),
          );
          start += batch.length;
        }
        await this.datasetRepo.updateDataset(trx, inserted.id, { status: 'ready' });
        const version = { ...inserted, status: 'ready' as const };
        await this.events.record(trx, {
          workspaceId,
          type: 'dataset_group_created',
          details: { dataset_group_id: group.id, name },
          userId: caller.userId,
        });
        await this.events.record(trx, {
          workspaceId,
          type: 'dataset_version_created_by_file',
          details: { dataset_id: version.id, dataset_version_number: 1 },
          userId: caller.userId,
        });
        return {
          group,
          current: version,
          status: group.expires_at !== null ? 'TEMPORARY' : 'READY',
          schema: input.schema,
          error: null,
        } satisfies TypedDatasetView;
      }),
    );
    // Rows and publication are one transaction here, so the refresh follows the commit.
    await this.datasetRepo.refreshRowStatistics(input.rows.length);
    return view;
  }

  /** S3 import: checks the endpoint and URI, keeps the source with its secret sealed, and queues the import. PENDING at once. */
  async createFromS3(caller: Caller, input: CreateFromS3Input): Promise<TypedDatasetView> {
    const issues: FieldIssue[] = [
      ...checkNameAndFolder(input, RULES),
      ...(input.schema ? checkSchema(input.schema) : []),
    ];
    try {
      parseS3Uri(input.s3_uri);
    } catch (err) {
      issues.push(valueError(['s3_uri'], (err as Error).message, input.s3_uri));
    }
    try {
      await this.guard.check(input.s3_service_url);
    } catch (err) {
      if (!(err instanceof BlockedAddressError)) throw err;
      issues.push(valueError(['s3_service_url'], err.message, input.s3_service_url));
    }
    if (issues.length > 0) throw new ValidationError('the S3 import request is not valid', issues);
    const workspaceId = caller.workspaceId;
    const name = input.name.trim();
    const sealed = this.secrets.seal(input.s3_secret_key);
    const view = await this.withUniqueName(name, () =>
      this.dbh.transaction(async (trx) => {
        await this.assertNameFree(trx, workspaceId, name);
        const group = await this.insertTypedGroup(trx, caller, workspaceId, name, input);
        const draft = await this.datasetRepo.insertDataset(trx, {
          group_id: group.id,
          workspace_id: workspaceId,
          status: 'processing',
          origin: 's3',
          file_name: input.s3_uri.slice(0, 1000),
          user_id: caller.userId,
        });
        await this.imports.insert(trx, {
          dataset_id: draft.id,
          service_url: input.s3_service_url,
          region: input.s3_region,
          uri: input.s3_uri,
          key_id: input.s3_key_id,
          secret_sealed: sealed,
          schema: input.schema ?? null,
        });
        await this.jobs.enqueue(trx, 'nebius.s3_import', { datasetId: draft.id }, { workspaceId });
        await this.events.record(trx, {
          workspaceId,
          type: 'dataset_group_created',
          details: { dataset_group_id: group.id, name },
          userId: caller.userId,
        });
        return {
          group,
          current: draft,
          status: 'PENDING',
          schema: input.schema ?? [],
          error: null,
        } satisfies TypedDatasetView;
      }),
    );
    this.jobs.notify();
    return view;
  }

  /**
   * A completed multipart upload: a new dataset (PENDING) whose processing draft the `nebius.upload_import` job fills
   * from the parts. `alsoInTransaction` records the draft on the upload in the same transaction.
   */
  async createForUpload(
    caller: Caller,
    input: { name: string; folder: string; schema: ColumnSchema[]; ai_project_id: string | null; fileName: string },
    alsoInTransaction: (trx: Tx, draftId: number) => Promise<void>,
  ): Promise<TypedDatasetView> {
    const workspaceId = caller.workspaceId;
    const view = await this.withUniqueName(input.name, () =>
      this.dbh.transaction(async (trx) => {
        await this.assertNameFree(trx, workspaceId, input.name);
        const group = await this.insertTypedGroup(trx, caller, workspaceId, input.name, input);
        const draft = await this.datasetRepo.insertDataset(trx, {
          group_id: group.id,
          workspace_id: workspaceId,
          status: 'processing',
          // 'rows' like a rows upload: the group's stored schema describes this version.
          origin: 'rows',
          file_name: input.fileName,
          user_id: caller.userId,
        });
        await alsoInTransaction(trx, draft.id);
        await this.jobs.enqueue(trx, 'nebius.upload_import', { datasetId: draft.id }, { workspaceId });
        await this.events.record(trx, {
          workspaceId,
          type: 'dataset_group_created',
          details: { dataset_group_id: group.id, name: input.name },
          userId: caller.userId,
        });
        return {
          group,
          current: draft,
          status: 'PENDING',
          schema: input.schema,
          error: null,
        } satisfies TypedDatasetView;
      }),
    );
    this.jobs.notify();
    return view;
  }

  /** The dataset a version belongs to, or undefined when it was deleted since. */
  async viewOfVersion(caller: Caller, datasetId: number): Promise<TypedDatasetView | undefined> {
    const version = await this.datasetRepo.findDataset(datasetId);
    const group = version ? await this.datasetRepo.findGroup(version.group_id) : undefined;
    if (!group || group.is_deleted || !caller.workspaceIds.includes(group.workspace_id)) return undefined;
    const [view] = await this.describe([group]);
    return view;
  }

  /** Fails early when the name is taken (complete checks again, in its transaction). */
  async assertNameAvailable(caller: Caller, name: string): Promise<void> {
    await this.assertNameFree(this.dbh.db, caller.workspaceId, name);
  }

  // ---- read

  async get(caller: Caller, externalId: string): Promise<TypedDatasetView> {
    const group = await this.findGroup(caller, externalId);
    const [view] = await this.describe([group]);
    return view;
  }

  /** Cursor paging, newest first: `after` is the `last_id` of the previous page (an unknown one: issue at ['after']). */
  async list(
    caller: Caller,
    q: { limit: number; after?: string; folder?: string },
  ): Promise<{ data: TypedDatasetView[]; hasMore: boolean }> {
    let beforeId: number | undefined;
    if (q.after) {
      // Deleted or not: a listing resumes after the cursor's group even when it was removed since.
      beforeId = (await this.datasetRepo.findGroupByExternalId(q.after))?.id;
      if (beforeId === undefined)
        throw new ValidationError('after is not a dataset id', [
          valueError(['after'], 'no dataset has this id', q.after),
        ]);
    }
    const folders = q.folder === undefined ? undefined : q.folder === '/' || q.folder === '' ? ['', '/'] : [q.folder];
    const rows = await this.datasetRepo.listLiveGroups({
      workspaceIds: [caller.workspaceId],
      folders,
      beforeId,
      limit: q.limit + 1,
      now: Date.now(),
    });
    const page = rows.slice(0, q.limit);
    return { data: await this.describe(page), hasMore: rows.length > q.limit };
  }

  /** A page of rows as objects keyed by column, from the current version or the version named by its 32-hex id. */
  async readContent(
    caller: Caller,
    externalId: string,
    q: { limit: number; offset: number; version?: string },
  ): Promise<{ rows: Array<Record<string, unknown>>; version: string }> {
    const { dataset } = await this.readableVersion(caller, externalId, q.version);
    const columns = dataset.column_names;
    const stored = await this.datasetRepo.readRows(dataset.id, { offset: q.offset, limit: q.limit });
    return { rows: stored.map((r) => rowObject(columns, cellsOf(r, columns.length))), version: dataset.external_id };
  }

  /** The rows of the current version (or the one named) as a file: the group (for its name) and the file's bytes. */
  async exportFile(
    caller: Caller,
    externalId: string,
    q: { format: TypedExportFormat; version?: string },
  ): Promise<{ group: DatasetGroupRow; file: Readable }> {
    const { group, dataset } = await this.readableVersion(caller, externalId, q.version);
    const columns = dataset.column_names;
    const stored = storedSchemaFor(group, dataset, columns);
    // Without a stored schema, infer over every row so the Parquet types hold for all of them.
    const schema = async () => stored ?? (await this.inferSchema(dataset.id, columns, Infinity));
    const file = await typedExportStream(q.format, columns, schema, () => this.rowsOf(dataset.id, columns.length));
    return { group, file };
  }

  // ---- change

  async update(
    caller: Caller,
    externalId: string,
    patch: { name?: string; folder?: string },
  ): Promise<TypedDatasetView> {
    const group = await this.findGroup(caller, externalId);
    const changes: { name?: string; folder?: string } = {};
    const issues = checkNameAndFolder(patch, RULES);
    if (issues.length > 0) throw new ValidationError('the change is not valid', issues);
    if (patch.folder !== undefined) changes.folder = patch.folder;
    if (patch.name !== undefined) changes.name = patch.name.trim();
    if (Object.keys(changes).length > 0) {
      await this.withUniqueName(changes.name ?? group.name, () =>
        this.dbh.transaction(async (trx) => {
          if (changes.name !== undefined && changes.name !== group.name)
            await this.assertNameFree(trx, group.workspace_id, changes.name);
          await this.datasetRepo.updateGroup(trx, group.id, changes);
        }),
      );
    }
    return this.get(caller, externalId);
  }

  /** Soft-deletes the group and its versions through the core (same events as the PromptLayer face). */
  async remove(caller: Caller, externalId: string): Promise<void> {
    const group = await this.findGroup(caller, externalId);
    await this.datasets.deleteGroup(caller, group.id);
  }

  /** Removes TEMPORARY datasets whose time is up (they already read as gone; this frees their names). */
  async expireTemporary(): Promise<number> {
    const ids = await this.datasetRepo.expiredGroupIds(Date.now());
    for (const id of ids) {
      const group = await this.datasetRepo.findGroup(id);
      if (!group) continue;
      await this.datasets.deleteGroup(
        {
          via: 'api_key',
          workspaceId: group.workspace_id,
          workspaceIds: [group.workspace_id],
          userId: null,
          apiKeyId: null,
        },
        id,
      );
    }
    return ids.length;
  }

  // ---- helpers

  private async findGroup(caller: Caller, externalId: string): Promise<DatasetGroupRow> {
    const group = /^[0-9a-f]{32}$/.test(externalId)
      ? await this.datasetRepo.findLiveGroup(caller.workspaceIds, externalId, Date.now())
      : undefined;
    if (!group) throw new NotFoundError('dataset', externalId);
    return group;
  }

  private async readableVersion(
    caller: Caller,
    externalId: string,
    version?: string,
  ): Promise<{ group: DatasetGroupRow; dataset: DatasetRow }> {
    const group = await this.findGroup(caller, externalId);
    const all = await this.datasetRepo.datasetsOfGroups([group.id]);
    let dataset: DatasetRow | undefined;
    if (version !== undefined) {
      dataset = all.find((d) => d.external_id === version);
      if (!dataset) throw new NotFoundError(`version ${version} of dataset`, externalId);
    } else {
      dataset = currentOf(group, all).current;
      if (!dataset) throw new NotFoundError('dataset content', externalId);
    }
    if (dataset.status === 'processing')
      throw new ConflictError(`dataset ${externalId} is PENDING: its content is readable once it is READY`);
    if (dataset.status === 'failed')
      throw new ConflictError(
        `dataset ${externalId} version ${dataset.external_id} FAILED: ${dataset.error ?? 'unknown error'}`,
      );
    return { group, dataset };
  }

  private async *rowsOf(datasetId: number, columnCount: number): AsyncIterable<unknown[]> {
    for await (const r of this.datasetRepo.iterateRows(datasetId)) yield cellsOf(r, columnCount);
  }

  /** The dataset group behind a Nebius dataset: its folder, typed schema (when given), project and expiry. */
  private insertTypedGroup(
    trx: Tx,
    caller: Caller,
    workspaceId: number,
    name: string,
    input: Pick<CreateFromS3Input, 'folder' | 'schema' | 'ai_project_id' | 'ttl_seconds'>,
  ) {
    return this.datasetRepo.insertGroup(trx, {
      workspaceId,
      name,
      userId: caller.userId,
      folder: input.folder,
      schema: input.schema ?? null,
      aiProjectId: input.ai_project_id ?? null,
      expiresAt: expiryOf(input.ttl_seconds),
    });
  }

  private inferSchema(datasetId: number, columns: string[], maxRows: number): Promise<ColumnSchema[]> {
    return inferVersionSchema(this.datasetRepo, datasetId, columns, maxRows);
  }

  /** Status, current version and schema of each group (schemas of PromptLayer-made groups inferred from a row sample). */
  private async describe(groups: DatasetGroupRow[]): Promise<TypedDatasetView[]> {
    const all = await this.datasetRepo.datasetsOfGroups(groups.map((g) => g.id));
    return Promise.all(
      groups.map(async (group) => {
        const { current, status } = currentOf(
          group,
          all.filter((d) => d.group_id === group.id),
        );
        // A readable version's own columns; otherwise (pending, failed) the schema the dataset was made with, if any.
        let schema: ColumnSchema[];
        if (current && (current.status === 'ready' || current.status === 'draft')) {
          const columns = current.column_names;
          schema =
            storedSchemaFor(group, current, columns) ??
            (await this.inferSchema(current.id, columns, SCHEMA_SAMPLE_ROWS));
        } else {
          schema = typedSchemaOf(group) ?? [];
        }
        return {
          group,
          current,
          status,
          schema,
          error: status === 'FAILED' ? (current?.error ?? 'import failed') : null,
        };
      }),
    );
  }

  private async assertNameFree(trx: Tx, workspaceId: number, name: string): Promise<void> {
    if (await this.datasetRepo.findLiveGroupByName(trx, workspaceId, name)) throw nameTakenError(name, RULES);
  }

  private async withUniqueName<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (this.dbh.dialect.isUniqueViolation(err)) throw nameTakenError(name, RULES);
      throw err;
    }
  }
}

/**
 * The group's stored schema, for versions made through /v1 (rows upload, S3 import) whose columns it still names.
 * Versions added through the PromptLayer face carry no types of their own: theirs are inferred from the rows.
 */
function storedSchemaFor(group: DatasetGroupRow, version: DatasetRow, columns: string[]): ColumnSchema[] | undefined {
  const schema = typedSchemaOf(group);
  if (!schema || (version.origin !== 'rows' && version.origin !== 's3')) return undefined;
  return schema.length === columns.length && schema.every((c, i) => c.name === columns[i]) ? schema : undefined;
}

async function* inBatches<T>(items: T[], size: number): AsyncIterable<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function expiryOf(ttlSeconds: number | undefined): number | null {
  return ttlSeconds === undefined ? null : Date.now() + ttlSeconds * 1000;
}
