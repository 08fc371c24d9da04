// SQL of multipart uploads (nebius_uploads, nebius_upload_parts): the upload rows, decoded, and their parts.
import type { Selectable } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { NebiusUploadPartsTable, NebiusUploadsTable } from '../../db/schema.js';
import type { ColumnSchema } from '../column-types.js';
import type { FileFormat } from '../../jobs/job-catalogue.js';

/** An upload with its JSON columns decoded: the dataset's typed schema and, once completed, the chosen part ids. */
export type Upload = Omit<Selectable<NebiusUploadsTable>, 'schema_json' | 'part_ids_json' | 'format'> & {
  schema: ColumnSchema[];
  format: FileFormat;
  part_ids: string[] | null;
};
export type UploadPartRow = Selectable<NebiusUploadPartsTable>;

function decode(row: Selectable<NebiusUploadsTable>): Upload {
  const { schema_json, part_ids_json, format, ...rest } = row;
  return {
    ...rest,
    schema: JSON.parse(schema_json) as ColumnSchema[],
    format: format as FileFormat,
    part_ids: part_ids_json === null ? null : (JSON.parse(part_ids_json) as string[]),
  };
}

export class UploadRepository {
  constructor(private readonly db: Db) {}

  async insertUpload(u: Upload): Promise<void> {
    const { schema, part_ids, ...rest } = u;
    await this.db
      .insertInto('nebius_uploads')
      .values({
        ...rest,
        schema_json: JSON.stringify(schema),
        part_ids_json: part_ids === null ? null : JSON.stringify(part_ids),
      })
      .execute();
  }

  async findUpload(workspaceIds: number[], id: string): Promise<Upload | undefined> {
    const row = await this.db
      .selectFrom('nebius_uploads')
      .selectAll()
      .where('id', '=', id)
      .where('workspace_id', 'in', workspaceIds)
      .executeTakeFirst();
    return row && decode(row);
  }

  async findUploadOfDataset(datasetId: number): Promise<Upload | undefined> {
    const row = await this.db
      .selectFrom('nebius_uploads')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .executeTakeFirst();
    return row && decode(row);
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
