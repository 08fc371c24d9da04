// Nebius S3 imports waiting for their job: where to fetch from, with the secret key sealed (AES-256-GCM).
// Frozen in time: uses Kysely<any> only and never imports application code.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('nebius_s3_imports')
    .addColumn('dataset_id', 'bigint', (c) => c.primaryKey())
    .addColumn('service_url', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('schema_json', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('nebius_s3_imports').ifExists().execute();
}
