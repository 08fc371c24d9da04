// Jobs under faults: transient-failure bookkeeping, index-ordered claim, and published rows that no write can change.
// Frozen in time: uses Kysely<any> only and never imports application code.
import { SqliteAdapter, sql, type Kysely } from 'kysely';

type Db = Kysely<any>;

const GUARD_MESSAGE = 'rows of a published dataset version cannot change';

const isPostgres = (db: Db) => !(db.getExecutor().adapter instanceof SqliteAdapter);

export async function up(db: Db): Promise<void> {
  // Infrastructure failures (database or storage down) re-queue a job without spending an attempt; these bound it.
  await db.schema
    .alterTable('jobs')
    .addColumn('transient_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('jobs').addColumn('transient_since', 'bigint').execute();
  // The claim reads the first due queued job in (run_at, id) order, and expired leases by lease_until: each an index
  // range scan that stops at the first row, instead of sorting the whole backlog.
  await sql`CREATE INDEX jobs_queued_due ON jobs (run_at, id) WHERE status = 'queued'`.execute(db);
  await sql`CREATE INDEX jobs_running_lease ON jobs (lease_until) WHERE status = 'running'`.execute(db);

  if (isPostgres(db)) {
    // Statement-level triggers with transition tables: one check per statement, not per row, so bulk imports stay fast.
    await sql`
      CREATE FUNCTION strata_guard_published_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM 1 FROM datasets d WHERE d.status = 'ready' AND d.is_deleted = 0 AND d.id IN (SELECT dataset_id FROM new_rows) LIMIT 1;
        ELSE
          PERFORM 1 FROM datasets d WHERE d.status = 'ready' AND d.is_deleted = 0 AND d.id IN (SELECT dataset_id FROM old_rows) LIMIT 1;
        END IF;
        IF FOUND THEN
          RAISE EXCEPTION '${sql.raw(GUARD_MESSAGE)}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`.execute(db);
    await sql`CREATE TRIGGER dataset_rows_guard_insert AFTER INSERT ON dataset_rows REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION strata_guard_published_rows()`.execute(db);
    await sql`CREATE TRIGGER dataset_rows_guard_update AFTER UPDATE ON dataset_rows REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION strata_guard_published_rows()`.execute(db);
    await sql`CREATE TRIGGER dataset_rows_guard_delete AFTER DELETE ON dataset_rows REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION strata_guard_published_rows()`.execute(db);
    return;
  }
  for (const [op, ref] of [
    ['INSERT', 'NEW'],
    ['UPDATE', 'OLD'],
    ['DELETE', 'OLD'],
  ] as const) {
    await sql`
      CREATE TRIGGER ${sql.raw(`dataset_rows_guard_${op.toLowerCase()}`)} BEFORE ${sql.raw(op)} ON dataset_rows
      WHEN EXISTS (SELECT 1 FROM datasets d WHERE d.id = ${sql.raw(ref)}.dataset_id AND d.status = 'ready' AND d.is_deleted = 0)
      BEGIN SELECT RAISE(ABORT, '${sql.raw(GUARD_MESSAGE)}'); END`.execute(db);
  }
}

export async function down(db: Db): Promise<void> {
  const pg = isPostgres(db);
  for (const op of ['insert', 'update', 'delete']) {
    await sql`DROP TRIGGER IF EXISTS ${sql.raw(`dataset_rows_guard_${op}`)} ${sql.raw(pg ? 'ON dataset_rows' : '')}`.execute(
      db,
    );
  }
  if (pg) await sql`DROP FUNCTION IF EXISTS strata_guard_published_rows()`.execute(db);
  await sql`DROP INDEX IF EXISTS jobs_running_lease`.execute(db);
  await sql`DROP INDEX IF EXISTS jobs_queued_due`.execute(db);
  await db.schema.alterTable('jobs').dropColumn('transient_since').execute();
  await db.schema.alterTable('jobs').dropColumn('transient_failures').execute();
}
