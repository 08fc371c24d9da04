// Core schema: workspaces, users, API keys, settings, dataset groups, versions, rows and the job queue.
// Frozen in time: uses Kysely<any> only and never imports application code.
import { SqliteAdapter, sql, type Kysely, type ColumnDefinitionBuilder } from 'kysely';

type Db = Kysely<any>;
const isSqlite = (db: Db) => db.getExecutor().adapter instanceof SqliteAdapter;
const pk = (db: Db) => (isSqlite(db) ? 'integer' : 'bigserial');
const pkCol = (c: ColumnDefinitionBuilder) => c.primaryKey();
const idCol = (db: Db) => (c: ColumnDefinitionBuilder) => (isSqlite(db) ? pkCol(c).autoIncrement() : pkCol(c));

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('workspace_members')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('member'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_members_pk', ['workspace_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id'))
    .addColumn('user_id', 'bigint')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('dataset_groups')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('folder', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('external_id', 'text', (c) => c.notNull().unique())
    .addColumn('schema_json', 'text')
    .addColumn('ai_project_id', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('user_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  // Names are unique per workspace among live groups only, so a deleted group's name can be reused.
  await sql`CREATE UNIQUE INDEX dataset_groups_live_name ON dataset_groups (workspace_id, name) WHERE is_deleted = 0`.execute(
    db,
  );

  await db.schema
    .createTable('datasets')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('group_id', 'bigint', (c) => c.notNull().references('dataset_groups.id'))
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id'))
    .addColumn('version_number', 'integer', (c) => c.notNull().defaultTo(-1))
    .addColumn('column_names', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('filter_params', 'text')
    .addColumn('is_deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('user_id', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('warnings', 'text')
    .addColumn('row_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('external_id', 'text', (c) => c.notNull().unique())
    .addColumn('source_dataset_id', 'bigint')
    .addColumn('file_name', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('deleted_at', 'bigint')
    .execute();
  // A published version number appears once per group; drafts all carry -1.
  await sql`CREATE UNIQUE INDEX datasets_group_version ON datasets (group_id, version_number) WHERE version_number > 0`.execute(
    db,
  );
  await db.schema
    .createIndex('datasets_workspace_created')
    .on('datasets')
    .columns(['workspace_id', 'created_at'])
    .execute();
  await db.schema.createIndex('datasets_group').on('datasets').columns(['group_id', 'status']).execute();

  await db.schema
    .createTable('dataset_rows')
    .addColumn('dataset_id', 'bigint', (c) => c.notNull())
    .addColumn('row_index', 'integer', (c) => c.notNull())
    .addColumn('row_uid', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dataset_rows_pk', ['dataset_id', 'row_index'])
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('workspace_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['status', 'run_at']).execute();
}

export async function down(db: Db): Promise<void> {
  for (const t of [
    'jobs',
    'dataset_rows',
    'datasets',
    'dataset_groups',
    'settings',
    'api_keys',
    'workspace_members',
    'users',
    'workspaces',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
