// SQL specific to the Nebius face: dataset groups by external id and folder, cursor listing, expiry, and pending S3 imports.
import type { Db, Executor } from '../db/database.js';
import type { Selectable } from 'kysely';
import type { DatasetGroupRow, DatasetRow, NebiusS3ImportsTable } from '../db/schema.js';

export type S3ImportSource = Omit<Selectable<NebiusS3ImportsTable>, 'created_at'>;

export class NebiusRepository {
  constructor(private readonly db: Db) {}

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

  /** Newest first; `beforeId` is the integer id of the last group of the previous page. Returns up to `limit` rows. */
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

  /** The group id behind an external id, deleted or not (to resume a listing after the cursor's group was removed). */
  async groupIdOf(externalId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('dataset_groups')
      .select('id')
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return row?.id;
  }

  /** Every non-deleted version and draft of the groups. */
  async datasetsOfGroups(groupIds: number[]): Promise<DatasetRow[]> {
    if (groupIds.length === 0) return [];
    return this.db
      .selectFrom('datasets')
      .selectAll()
      .where('group_id', 'in', groupIds)
      .where('is_deleted', '=', 0)
      .orderBy('id', 'desc')
      .execute();
  }

  async setGroupSchema(ex: Executor, groupId: number, schemaJson: string | null): Promise<void> {
    await ex
      .updateTable('dataset_groups')
      .set({ schema_json: schemaJson, updated_at: Date.now() })
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

  // ---- S3 import sources

  async insertS3Import(ex: Executor, s: S3ImportSource): Promise<void> {
    await ex
      .insertInto('nebius_s3_imports')
      .values({ ...s, created_at: Date.now() })
      .execute();
  }

  async findS3Import(datasetId: number): Promise<S3ImportSource | undefined> {
    return this.db
      .selectFrom('nebius_s3_imports')
      .select(['dataset_id', 'service_url', 'region', 'uri', 'key_id', 'secret_sealed', 'schema_json'])
      .where('dataset_id', '=', datasetId)
      .executeTakeFirst();
  }

  async deleteS3Import(ex: Executor, datasetId: number): Promise<void> {
    await ex.deleteFrom('nebius_s3_imports').where('dataset_id', '=', datasetId).execute();
  }
}
