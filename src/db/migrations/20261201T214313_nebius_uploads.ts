// Nebius multipart uploads: the dataset an upload will make, and its parts (each part's bytes are one blob).
// Frozen in time: uses Kysely<any> only and never imports application code.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('nebius_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'bigint')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('schema_json', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('ai_project_id', 'text')
    .addColumn('dataset_id', 'bigint')
    .addColumn('part_ids_json', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .execute();
  await db.schema
    .createTable('nebius_upload_parts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('nebius_upload_parts_upload')
    .on('nebius_upload_parts')
    .columns(['upload_id', 'created_at'])
    .execute();
  await db.schema.createIndex('nebius_uploads_dataset').on('nebius_uploads').column('dataset_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('nebius_upload_parts').ifExists().execute();
  await db.schema.dropTable('nebius_uploads').ifExists().execute();
}
