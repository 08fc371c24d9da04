// SQLite: the text index of request logs (request_logs_fts) is filled after the acknowledgement instead of by an
// insert trigger: a watermark row says up to which log id the index is complete, and search reads the index for ids
// at or below it and scans the (small) tail above it exactly. PostgreSQL: unchanged (its GIN indexes stay).
// Frozen in time: uses Kysely<any> only and never imports application code.
import { SqliteAdapter, sql, type Kysely } from 'kysely';

type Db = Kysely<any>;
const isSqlite = (db: Db) => db.getExecutor().adapter instanceof SqliteAdapter;

export async function up(db: Db): Promise<void> {
  if (!isSqlite(db)) return;
  // One row. request_logs ids are AUTOINCREMENT (never reused), so "every id <= indexed_through is indexed" holds.
  await sql`CREATE TABLE request_logs_fts_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL)`.execute(
    db,
  );
  // The insert trigger indexed every log so far.
  await sql`INSERT INTO request_logs_fts_state (id, indexed_through) SELECT 1, COALESCE(MAX(id), 0) FROM request_logs`.execute(
    db,
  );
  await sql`DROP TRIGGER request_logs_fts_insert`.execute(db);
  await sql`DROP TRIGGER request_logs_fts_delete`.execute(db);
  await sql`DROP TRIGGER request_logs_fts_update`.execute(db);
  // Only indexed logs have index entries to remove or replace; the indexer reads a tail log's text when it gets there.
  await sql`CREATE TRIGGER request_logs_fts_delete AFTER DELETE ON request_logs
    WHEN old.id <= (SELECT indexed_through FROM request_logs_fts_state) BEGIN
      DELETE FROM request_logs_fts WHERE rowid = old.id;
    END`.execute(db);
  await sql`CREATE TRIGGER request_logs_fts_update AFTER UPDATE OF input_text, output_text ON request_logs
    WHEN old.id <= (SELECT indexed_through FROM request_logs_fts_state) BEGIN
      DELETE FROM request_logs_fts WHERE rowid = old.id;
      INSERT INTO request_logs_fts (rowid, input_text, output_text) VALUES (new.id, strata_fold(new.input_text), strata_fold(new.output_text));
    END`.execute(db);
}

export async function down(db: Db): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`INSERT INTO request_logs_fts (rowid, input_text, output_text) SELECT id, strata_fold(input_text), strata_fold(output_text) FROM request_logs WHERE id > (SELECT indexed_through FROM request_logs_fts_state)`.execute(
    db,
  );
  await sql`DROP TRIGGER request_logs_fts_delete`.execute(db);
  await sql`DROP TRIGGER request_logs_fts_update`.execute(db);
  await sql`DROP TABLE request_logs_fts_state`.execute(db);
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
}
