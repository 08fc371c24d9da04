// SQL of pending S3 imports (nebius_s3_imports): the source of each import, its secret sealed, until its job finishes.
import type { Selectable } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { NebiusS3ImportsTable } from '../../db/schema.js';
import type { ColumnSchema } from '../column-types.js';

/** One import's source; `schema` is the typed schema the files must match, or null to infer it. */
export type S3ImportSource = Omit<Selectable<NebiusS3ImportsTable>, 'created_at' | 'schema_json'> & {
  schema: ColumnSchema[] | null;
};

export class S3ImportRepository {
  constructor(private readonly db: Db) {}

  async insert(ex: Executor, s: S3ImportSource): Promise<void> {
    const { schema, ...rest } = s;
    await ex
      .insertInto('nebius_s3_imports')
      .values({ ...rest, schema_json: schema === null ? null : JSON.stringify(schema), created_at: Date.now() })
      .execute();
  }

  async find(datasetId: number): Promise<S3ImportSource | undefined> {
    const row = await this.db
      .selectFrom('nebius_s3_imports')
      .select(['dataset_id', 'service_url', 'region', 'uri', 'key_id', 'secret_sealed', 'schema_json'])
      .where('dataset_id', '=', datasetId)
      .executeTakeFirst();
    if (!row) return undefined;
    const { schema_json, ...rest } = row;
    return { ...rest, schema: schema_json === null ? null : (JSON.parse(schema_json) as ColumnSchema[]) };
  }

  async delete(ex: Executor, datasetId: number): Promise<void> {
    await ex.deleteFrom('nebius_s3_imports').where('dataset_id', '=', datasetId).execute();
  }
}
