// SQL of Nebius multipart uploads: the upload rows and their parts.
import type { Selectable } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import type { NebiusUploadPartsTable, NebiusUploadsTable } from '../db/schema.js';

export type UploadRow = Selectable<NebiusUploadsTable>;
export type UploadPartRow = Selectable<NebiusUploadPartsTable>;

export class UploadRepository {
  constructor(private readonly db: Db) {}

  async insertUpload(u: UploadRow): Promise<void> {
    await this.db.insertInto('nebius_uploads').values(u).execute();
  }

  async findUpload(workspaceIds: number[], id: string): Promise<UploadRow | undefined> {
    return this.db
      .selectFrom('nebius_uploads')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', 'in', workspaceIds)
      .executeTakeFirst();
  }

  async findUploadOfDataset(datasetId: number): Promise<UploadRow | undefined> {
    return this.db.selectFrom('nebius_uploads').selectAll().where('dataset_id', '=', datasetId).executeTakeFirst();
  }

  /** Marks the upload completed with its draft, once only (false when another complete won). */
  async complete(ex: Executor, id: string, datasetId: number, partIds: string[], now: number): Promise<boolean> {
    const r = await ex
      .updateTable('nebius_uploads')
      .set({ dataset_id: datasetId, part_ids_json: JSON.stringify(partIds), completed_at: now })
      .where('id', '=', id)
      .where('dataset_id', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertPart(p: UploadPartRow): Promise<void> {
    await this.db.insertInto('nebius_upload_parts').values(p).execute();
  }

  async listParts(uploadId: string): Promise<UploadPartRow[]> {
    return this.db
      .selectFrom('nebius_upload_parts')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }
}
