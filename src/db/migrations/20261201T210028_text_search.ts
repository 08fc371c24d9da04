// Indexes for case-insensitive substring search over request logs' input/output text (q, contains, starts_with,
// ends_with). Dataset rows get none: a trigram GIN index made bulk row inserts 16x slower (docs/scaling.md), and
// `?q=` reads one version only. Frozen in time: uses Kysely<any> only and never imports application code.
import { SqliteAdapter, sql, type Kysely } from 'kysely';

type Db = Kysely<any>;
const isSqlite = (db: Db) => db.getExecutor().adapter instanceof SqliteAdapter;

const PG_INDEXES: Array<[name: string, table: string, column: string]> = [
  ['request_logs_input_trgm', 'request_logs', 'input_text'],
  ['request_logs_output_trgm', 'request_logs', 'output_text'],
];

export async function up(db: Db): Promise<void> {
  if (isSqlite(db)) {
    // A contentless FTS5 trigram index of the folded text (strata_fold, registered on every Strata connection):
    // a prefilter only; the exact folded LIKE on request_logs decides, so results equal PostgreSQL's.
    await sql`CREATE VIRTUAL TABLE request_logs_fts USING fts5(input_text, output_text, tokenize = 'trigram case_sensitive 0', content = '', contentless_delete = 1)`.execute(
      db,
    );
    await sql`CREATE TRIGGER request_logs_fts_insert AFTER INSERT ON request_logs BEGIN
      INSERT INTO request_logs_fts (rowid, input_text, output_text) VALUES (new.id, strata_fold(new.input_text), strata_fold(new.output_text));
    END`.execute(db);
    await sql`CREATE TRIGGER request_logs_fts_delete AFTER DELETE ON request_logs BEGIN
      DELETE FROM request_logs_fts WHERE rowid = old.id;
    END`.execute(db);
    await sql`CREATE TRIGGER request_logs_fts_update AFTER UPDATE OF input_text, output_text ON request_logs BEGIN
      DELETE FROM request_logs_fts WHERE rowid = old.id;
      INSERT INTO request_logs_fts (rowid, input_text, output_text) VALUES (new.id, strata_fold(new.input_text), strata_fold(new.output_text));
    END`.execute(db);
    await sql`INSERT INTO request_logs_fts (rowid, input_text, output_text) SELECT id, strata_fold(input_text), strata_fold(output_text) FROM request_logs`.execute(
      db,
    );
    return;
  }
  // pg_trgm ships with PostgreSQL's contrib package and is a trusted extension (any role with CREATE on the
  // database may add it). Where it is missing or not allowed, search keeps working without the index (a scan):
  // the savepoint keeps the failure from aborting the migration's transaction.
  await sql`SAVEPOINT strata_pg_trgm`.execute(db);
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    await sql`RELEASE SAVEPOINT strata_pg_trgm`.execute(db);
  } catch {
    await sql`ROLLBACK TO SAVEPOINT strata_pg_trgm`.execute(db);
  }
  const ext = await sql<{
    schema: string;
  }>`SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`.execute(
    db,
  );
  const schema = ext.rows[0]?.schema;
  if (!schema) return;
  // Schema-qualified: managed services often install extensions outside the search path.
  const opclass = sql`${sql.id(schema)}.gin_trgm_ops`;
  for (const [name, table, column] of PG_INDEXES) {
    // IF NOT EXISTS: on a large database, create these beforehand with CREATE INDEX CONCURRENTLY (docs/scaling.md).
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(name)} ON ${sql.id(table)} USING gin (lower(${sql.ref(column)}) ${opclass})`.execute(
      db,
    );
  }
}

export async function down(db: Db): Promise<void> {
  if (isSqlite(db)) {
    for (const t of ['request_logs_fts_insert', 'request_logs_fts_delete', 'request_logs_fts_update'])
      await sql`DROP TRIGGER IF EXISTS ${sql.id(t)}`.execute(db);
    await sql`DROP TABLE IF EXISTS request_logs_fts`.execute(db);
    return;
  }
  for (const [name] of PG_INDEXES) await sql`DROP INDEX IF EXISTS ${sql.id(name)}`.execute(db);
}
