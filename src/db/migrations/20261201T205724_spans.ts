// Tracing spans (the SDKs' /spans-bulk export), one row per (workspace, span_id); request logs link to them by span_id.
// Frozen in time: uses Kysely<any> only and never imports application code.
import { SqliteAdapter, type Kysely, type ColumnDefinitionBuilder } from 'kysely';

type Db = Kysely<any>;
const isSqlite = (db: Db) => db.getExecutor().adapter instanceof SqliteAdapter;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('spans')
    .addColumn('id', isSqlite(db) ? 'integer' : 'bigserial', (c: ColumnDefinitionBuilder) =>
      isSqlite(db) ? c.primaryKey().autoIncrement() : c.primaryKey(),
    )
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id'))
    .addColumn('trace_id', 'text', (c) => c.notNull())
    .addColumn('span_id', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // Nanosecond strings as sent, plus epoch milliseconds for ordering.
    .addColumn('start_time_ns', 'text', (c) => c.notNull())
    .addColumn('end_time_ns', 'text', (c) => c.notNull())
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'text', (c) => c.notNull())
    .addColumn('status_description', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('links', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('spans_ws_span', ['workspace_id', 'span_id'])
    .execute();
  await db.schema
    .createIndex('spans_ws_trace')
    .on('spans')
    .columns(['workspace_id', 'trace_id', 'start_time'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('spans').ifExists().execute();
}
