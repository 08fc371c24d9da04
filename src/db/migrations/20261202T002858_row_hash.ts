// A content hash beside each dataset row (diffs join on it instead of comparing every cell), and the published-rows
// guard relaxed for exactly one write: filling a missing hash (NULL → value) with nothing else changing.
// Frozen in time: uses Kysely<any> only and never imports application code.
import { SqliteAdapter, sql, type Kysely } from 'kysely';

type Db = Kysely<any>;

const GUARD_MESSAGE = 'rows of a published dataset version cannot change';

const isPostgres = (db: Db) => !(db.getExecutor().adapter instanceof SqliteAdapter);

/** The guard function of 20261201T212946_job_fencing; `fillOnly` adds the hash-fill exception to UPDATE. */
async function guardFunction(db: Db, fillOnly: boolean): Promise<void> {
  // An UPDATE statement is allowed on a published version's rows only when every row it touched kept its key, data
  // and identity and only gained a hash it did not have (rows of new_rows and old_rows pair up by the primary key).
  const sameButHash = (o: string, n: string) =>
    `${n}.dataset_id = ${o}.dataset_id AND ${n}.row_index = ${o}.row_index AND ${n}.data = ${o}.data
     AND ${n}.row_uid IS NOT DISTINCT FROM ${o}.row_uid AND ${o}.content_hash IS NULL AND ${n}.content_hash IS NOT NULL`;
  const update = fillOnly
    ? `PERFORM 1 FROM old_rows o JOIN datasets d ON d.id = o.dataset_id AND d.status = 'ready' AND d.is_deleted = 0
         WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE ${sameButHash('o', 'n')}) LIMIT 1;
       IF NOT FOUND THEN
         PERFORM 1 FROM new_rows n JOIN datasets d ON d.id = n.dataset_id AND d.status = 'ready' AND d.is_deleted = 0
           WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE ${sameButHash('o', 'n')}) LIMIT 1;
       END IF;`
    : `PERFORM 1 FROM datasets d WHERE d.status = 'ready' AND d.is_deleted = 0 AND d.id IN (SELECT dataset_id FROM old_rows) LIMIT 1;`;
  await sql`
    CREATE OR REPLACE FUNCTION strata_guard_published_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM datasets d WHERE d.status = 'ready' AND d.is_deleted = 0 AND d.id IN (SELECT dataset_id FROM new_rows) LIMIT 1;
      ELSIF TG_OP = 'UPDATE' THEN
        ${sql.raw(update)}
      ELSE
        PERFORM 1 FROM datasets d WHERE d.status = 'ready' AND d.is_deleted = 0 AND d.id IN (SELECT dataset_id FROM old_rows) LIMIT 1;
      END IF;
      IF FOUND THEN
        RAISE EXCEPTION '${sql.raw(GUARD_MESSAGE)}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
}

/** SQLite's per-row UPDATE guard; `fillOnly` lets a row of a published version gain its missing hash and nothing else. */
async function sqliteUpdateGuard(db: Db, fillOnly: boolean): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS dataset_rows_guard_update`.execute(db);
  const exception = fillOnly
    ? `NOT (NEW.dataset_id = OLD.dataset_id AND NEW.row_index = OLD.row_index AND NEW.data = OLD.data
        AND NEW.row_uid IS OLD.row_uid AND OLD.content_hash IS NULL AND NEW.content_hash IS NOT NULL) AND `
    : '';
  await sql`
    CREATE TRIGGER dataset_rows_guard_update BEFORE UPDATE ON dataset_rows
    WHEN ${sql.raw(exception)}EXISTS (SELECT 1 FROM datasets d WHERE d.id = OLD.dataset_id AND d.status = 'ready' AND d.is_deleted = 0)
    BEGIN SELECT RAISE(ABORT, '${sql.raw(GUARD_MESSAGE)}'); END`.execute(db);
}

export async function up(db: Db): Promise<void> {
  // 16 hex digits of a 64-bit hash of the row's canonical cells text (src/datasets/row-hash.ts); NULL = not computed
  // yet (rows written before this migration, or rewritten in SQL): diffs then compare the cells themselves.
  await db.schema.alterTable('dataset_rows').addColumn('content_hash', 'text').execute();
  // Finds the rows still without a hash at once (small once filled: new rows are written with theirs).
  await sql`CREATE INDEX dataset_rows_hash_missing ON dataset_rows (dataset_id, row_index) WHERE content_hash IS NULL`.execute(
    db,
  );
  if (isPostgres(db)) await guardFunction(db, true);
  else await sqliteUpdateGuard(db, true);
}

export async function down(db: Db): Promise<void> {
  if (isPostgres(db)) await guardFunction(db, false);
  else await sqliteUpdateGuard(db, false);
  await sql`DROP INDEX IF EXISTS dataset_rows_hash_missing`.execute(db);
  await db.schema.alterTable('dataset_rows').dropColumn('content_hash').execute();
}
