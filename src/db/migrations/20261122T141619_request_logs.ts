// Request logs (with their tags, metadata and scores), log groups and the prompt registry.
// Frozen in time: uses Kysely<any> only and never imports application code.
import { SqliteAdapter, sql, type Kysely, type ColumnDefinitionBuilder } from 'kysely';

type Db = Kysely<any>;
const isSqlite = (db: Db) => db.getExecutor().adapter instanceof SqliteAdapter;
const pk = (db: Db) => (isSqlite(db) ? 'integer' : 'bigserial');
const idCol = (db: Db) => (c: ColumnDefinitionBuilder) =>
  isSqlite(db) ? c.primaryKey().autoIncrement() : c.primaryKey();

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('prompt_templates')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('prompt_templates_ws_name', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('prompt_template_versions')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('template_id', 'bigint', (c) => c.notNull().references('prompt_templates.id'))
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('prompt_template', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text')
    .addColumn('commit_message', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('prompt_template_versions_num', ['template_id', 'version_number'])
    .execute();

  await db.schema
    .createTable('prompt_release_labels')
    .addColumn('template_id', 'bigint', (c) => c.notNull().references('prompt_templates.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('prompt_release_labels_pk', ['template_id', 'label'])
    .execute();

  await db.schema
    .createTable('log_groups')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('request_logs')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('output', 'text', (c) => c.notNull())
    .addColumn('input_text', 'text', (c) => c.notNull())
    .addColumn('output_text', 'text', (c) => c.notNull())
    .addColumn('parameters', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('request_start_time', 'bigint', (c) => c.notNull())
    .addColumn('request_end_time', 'bigint', (c) => c.notNull())
    .addColumn('latency_ms', 'bigint', (c) => c.notNull())
    .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('price', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_type', 'text')
    .addColumn('error_message', 'text')
    .addColumn('function_name', 'text')
    .addColumn('api_type', 'text')
    .addColumn('starred', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('group_id', 'bigint')
    .addColumn('prompt_name', 'text')
    .addColumn('prompt_id', 'bigint')
    .addColumn('prompt_version_number', 'integer')
    .addColumn('prompt_input_variables', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('scores', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('score', 'double precision')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // The filters users combine all start from a workspace and a time window.
  await db.schema
    .createIndex('request_logs_ws_time')
    .on('request_logs')
    .columns(['workspace_id', 'request_start_time', 'id'])
    .execute();
  await db.schema
    .createIndex('request_logs_ws_status_time')
    .on('request_logs')
    .columns(['workspace_id', 'status', 'request_start_time'])
    .execute();
  await db.schema
    .createIndex('request_logs_ws_prompt')
    .on('request_logs')
    .columns(['workspace_id', 'prompt_name', 'prompt_version_number'])
    .execute();
  await sql`CREATE INDEX request_logs_ws_starred ON request_logs (workspace_id, request_start_time) WHERE starred = 1`.execute(
    db,
  );

  // Tags, metadata and scores are child rows keyed by log (point lookups from a time scan) and indexed by
  // value (when the value is the most selective filter). request_start_time is copied so a tag or
  // metadata index can also answer the time window.
  await db.schema
    .createTable('request_log_tags')
    .addColumn('request_log_id', 'bigint', (c) => c.notNull())
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('request_start_time', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('request_log_tags_pk', ['request_log_id', 'tag'])
    .execute();
  await db.schema
    .createIndex('request_log_tags_ws_tag')
    .on('request_log_tags')
    .columns(['workspace_id', 'tag', 'request_start_time'])
    .execute();

  await db.schema
    .createTable('request_log_metadata')
    .addColumn('request_log_id', 'bigint', (c) => c.notNull())
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('request_start_time', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('request_log_metadata_pk', ['request_log_id', 'key'])
    .execute();
  await db.schema
    .createIndex('request_log_metadata_ws_kv')
    .on('request_log_metadata')
    .columns(['workspace_id', 'key', 'value', 'request_start_time'])
    .execute();

  await db.schema
    .createTable('request_log_scores')
    .addColumn('request_log_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('request_log_scores_pk', ['request_log_id', 'name'])
    .execute();
  await db.schema
    .createIndex('request_log_scores_name_value')
    .on('request_log_scores')
    .columns(['name', 'value'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const t of [
    'request_log_scores',
    'request_log_metadata',
    'request_log_tags',
    'request_logs',
    'log_groups',
    'prompt_release_labels',
    'prompt_template_versions',
    'prompt_templates',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
