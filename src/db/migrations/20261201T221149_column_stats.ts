// Cached column statistics of published (immutable) dataset versions: one row per (version, column position).
// Frozen in time: uses Kysely<any> only and never imports application code.
import type { Kysely } from 'kysely';

type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('dataset_column_stats')
    .addColumn('dataset_id', 'bigint', (c) => c.notNull())
    .addColumn('column_index', 'integer', (c) => c.notNull())
    .addColumn('column_name', 'text', (c) => c.notNull())
    /** JSON object: the figures of one column (see src/datasets/column-stats.ts). */
    .addColumn('stats', 'text', (c) => c.notNull())
    .addColumn('rows_scanned', 'integer', (c) => c.notNull())
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('dataset_column_stats_pk', ['dataset_id', 'column_index'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('dataset_column_stats').ifExists().execute();
}
