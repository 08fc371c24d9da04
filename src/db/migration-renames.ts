// Renames the migrations a database recorded under their old names (20261122_0001_core, …) to today's timestamped
// names, before Kysely's migrator runs: once per database, in one transaction, a no-op everywhere after that.
import { DEFAULT_MIGRATION_TABLE, SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Old name → new name. The old numbers did not follow the order the migrations landed on main (0004_webhooks landed
 * after 0300 and 0500, 0620 before 0610, 0660 before 0640), so a database that had run the earlier-landed one was
 * refused the later one. The new names are the times they landed. Frozen: databases in the field hold the old names.
 */
export const RENAMED_MIGRATIONS: Readonly<Record<string, string>> = Object.freeze({
  '20261122_0001_core': '20261122T133308_core',
  '20261122_0300_request_logs': '20261122T141619_request_logs',
  '20261122_0500_nebius_s3_imports': '20261122T142529_nebius_s3_imports',
  '20261122_0004_webhooks': '20261122T143719_webhooks',
  '20261201_0600_request_log_traces': '20261201T201539_request_log_traces',
  '20261201_0620_prompt_registry_ids': '20261201T204408_prompt_registry_ids',
  '20261201_0610_spans': '20261201T205724_spans',
  '20261201_0660_text_search': '20261201T210028_text_search',
  '20261201_0640_job_fencing': '20261201T212946_job_fencing',
  '20261201_0690_nebius_uploads': '20261201T214313_nebius_uploads',
  '20261201_0720_column_stats': '20261201T221149_column_stats',
});

/** Kysely's own advisory lock id (PostgresAdapter): holding it keeps a migrating process out while we rename. */
const KYSELY_PG_MIGRATION_LOCK = sql.lit('3853314791062309107');

interface MigrationRow {
  name: string;
  timestamp: string;
}

/**
 * Renames old names in Kysely's migration table; returns how many rows it renamed (0 when there is nothing to do).
 * Safe when several processes start at once: PostgreSQL takes Kysely's advisory lock inside the transaction, SQLite
 * takes the write lock first (BEGIN IMMEDIATE); either way the second process finds the new names and does nothing.
 */
export async function renameLegacyMigrations(db: Kysely<any>): Promise<number> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    return db.connection().execute(async (conn) => {
      if (!(await hasMigrationTable(conn, 'sqlite'))) return 0;
      await sql`BEGIN IMMEDIATE`.execute(conn);
      try {
        const renamed = await renameIn(conn);
        await sql`COMMIT`.execute(conn);
        return renamed;
      } catch (err) {
        await sql`ROLLBACK`.execute(conn).catch(() => undefined);
        throw err;
      }
    });
  }
  if (!(await hasMigrationTable(db, 'postgres'))) return 0;
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${KYSELY_PG_MIGRATION_LOCK})`.execute(trx);
    return renameIn(trx);
  });
}

/** A fresh database has no migration table yet (Kysely creates it): nothing to rename. */
async function hasMigrationTable(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<boolean> {
  const found =
    dialect === 'sqlite'
      ? await sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${DEFAULT_MIGRATION_TABLE}`.execute(db)
      : await sql`SELECT to_regclass(${DEFAULT_MIGRATION_TABLE}) IS NOT NULL AS present`.execute(db);
  return dialect === 'sqlite' ? found.rows.length > 0 : (found.rows[0] as { present: boolean }).present;
}

async function renameIn(db: Kysely<any>): Promise<number> {
  const rows: MigrationRow[] = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select(['name', 'timestamp']).execute();
  const legacy = rows.filter((r) => Object.hasOwn(RENAMED_MIGRATIONS, r.name));
  if (legacy.length === 0) return 0;
  // Kysely lists the executed migrations by their recorded run time and requires that list to be the first names in
  // name order. The old names ran in old-name order, so the renamed rows keep their run times handed out again in
  // new-name order (they all ran before any migration named after them could exist).
  const times = legacy.map((r) => r.timestamp).sort((a, b) => Date.parse(a) - Date.parse(b) || a.localeCompare(b));
  const oldByNew = new Map(legacy.map((r) => [RENAMED_MIGRATIONS[r.name], r.name]));
  const newNames = [...oldByNew.keys()].sort();
  for (const [i, name] of newNames.entries()) {
    await db
      .updateTable(DEFAULT_MIGRATION_TABLE)
      .set({ name, timestamp: times[i] })
      .where('name', '=', oldByNew.get(name)!)
      .execute();
  }
  return legacy.length;
}
