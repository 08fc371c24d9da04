// Prompt registry for PromptLayer's label and run() routes: release labels get ids (PromptLayer's prompt_label_id),
// versions may name a provider base URL, and workspaces keep named provider base URLs.
// Frozen in time: uses Kysely<any> only and never imports application code.
import { SqliteAdapter, sql, type Kysely, type ColumnDefinitionBuilder } from 'kysely';

type Db = Kysely<any>;
const isSqlite = (db: Db) => db.getExecutor().adapter instanceof SqliteAdapter;
const pk = (db: Db) => (isSqlite(db) ? 'integer' : 'bigserial');
const idCol = (db: Db) => (c: ColumnDefinitionBuilder) =>
  isSqlite(db) ? c.primaryKey().autoIncrement() : c.primaryKey();

export async function up(db: Db): Promise<void> {
  // A label needs a stable id; the old table keyed on (template_id, label) has none, so it is rebuilt under its name.
  await db.schema
    .createTable('prompt_release_labels_v2')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('template_id', 'bigint', (c) => c.notNull().references('prompt_templates.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('prompt_release_labels_tpl_label', ['template_id', 'label'])
    .execute();
  await sql`INSERT INTO prompt_release_labels_v2 (template_id, label, version_number, created_at, updated_at)
            SELECT template_id, label, version_number, updated_at, updated_at FROM prompt_release_labels ORDER BY template_id, label`.execute(
    db,
  );
  await db.schema.dropTable('prompt_release_labels').execute();
  await db.schema.alterTable('prompt_release_labels_v2').renameTo('prompt_release_labels').execute();

  await db.schema.alterTable('prompt_template_versions').addColumn('provider_base_url_name', 'text').execute();

  await db.schema
    .createTable('provider_base_urls')
    .addColumn('id', pk(db), idCol(db))
    .addColumn('workspace_id', 'bigint', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('provider_base_urls_ws_name', ['workspace_id', 'name'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('provider_base_urls').ifExists().execute();
  await db.schema.alterTable('prompt_template_versions').dropColumn('provider_base_url_name').execute();
  await db.schema
    .createTable('prompt_release_labels_v1')
    .addColumn('template_id', 'bigint', (c) => c.notNull().references('prompt_templates.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('prompt_release_labels_pk', ['template_id', 'label'])
    .execute();
  await sql`INSERT INTO prompt_release_labels_v1 (template_id, label, version_number, updated_at)
            SELECT template_id, label, version_number, updated_at FROM prompt_release_labels`.execute(db);
  await db.schema.dropTable('prompt_release_labels').execute();
  await db.schema.alterTable('prompt_release_labels_v1').renameTo('prompt_release_labels').execute();
}
