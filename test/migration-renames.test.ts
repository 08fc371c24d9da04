// The rename of old migration names in existing databases: accepted by Kysely afterwards, idempotent, and safe when
// several processes start on the same database at once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import { loadConfig } from '../src/config.js';
import { migrateToLatest, openDatabase } from '../src/db/database.js';
import { RENAMED_MIGRATIONS, renameLegacyMigrations } from '../src/db/migration-renames.js';
import { migrations } from '../src/db/migrations/index.js';
import { DIALECTS, createPostgresDatabase } from './support/dialects.js';
import { runStrata } from './support/processes.js';

const OLD_NAMES = Object.keys(RENAMED_MIGRATIONS).sort();
/** The last migration the landed release had; later ones are new and still to apply. */
const LAST_RENAMED = Object.values(RENAMED_MIGRATIONS).sort().at(-1)!;
const AFTER_RENAMED = Object.keys(migrations)
  .sort()
  .filter((n) => n > LAST_RENAMED);

async function recorded(db: Kysely<any>): Promise<Array<{ name: string; timestamp: string }>> {
  return db.selectFrom('kysely_migration').select(['name', 'timestamp']).orderBy('timestamp').execute();
}

for (const dialect of DIALECTS) {
  describe(`migration renames [${dialect}]`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    async function freshEnv(): Promise<Record<string, string>> {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-renames-'));
      cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
      if (dialect === 'sqlite') return { STRATA_DATA_DIR: dataDir };
      const pgDb = await createPostgresDatabase();
      cleanups.push(pgDb.drop);
      return { STRATA_DATA_DIR: dataDir, DATABASE_URL: pgDb.url };
    }

    /**
     * A database as an earlier release left it: migrations run up to `upTo` (all by default), recorded under their old
     * names in old-name order (the order that release ran them in).
     */
    async function oldReleaseDatabase(env: Record<string, string>, upTo?: string): Promise<void> {
      const dbh = openDatabase(loadConfig(env).database);
      try {
        const migrator = new Migrator({ db: dbh.db, provider: { getMigrations: async () => migrations } });
        const { error } = await migrator.migrateTo(upTo ?? LAST_RENAMED);
        assert.equal(error, undefined);
        const db = dbh.db as unknown as Kysely<any>;
        const ran = new Set((await recorded(db)).map((r) => r.name));
        await db.deleteFrom('kysely_migration').execute();
        const old = OLD_NAMES.filter((o) => ran.has(RENAMED_MIGRATIONS[o]));
        for (const [i, name] of old.entries()) {
          const timestamp = new Date(Date.UTC(2026, 11, 1, 12, 0, 0, i)).toISOString();
          await db.insertInto('kysely_migration').values({ name, timestamp }).execute();
        }
      } finally {
        await dbh.close();
      }
    }

    it('renames the old names so that Kysely accepts the database, keeping the run times', async () => {
      const env = await freshEnv();
      await oldReleaseDatabase(env);
      const dbh = openDatabase(loadConfig(env).database);
      try {
        const db = dbh.db as unknown as Kysely<any>;
        // Without the rename Kysely would call every executed migration missing ("corrupted migrations").
        assert.deepEqual(await migrateToLatest(dbh.db), AFTER_RENAMED, 'only the migrations newer than the release');
        const rows = await recorded(db);
        assert.deepEqual(
          rows.map((r) => r.name),
          Object.keys(migrations).sort(),
          'new names, in run-time order = name order',
        );
        const times = rows.map((r) => r.timestamp);
        assert.deepEqual(times, [...times].sort(), 'run times handed out in name order');
        assert.equal(times[0], new Date(Date.UTC(2026, 11, 1, 12, 0, 0, 0)).toISOString());
        assert.equal(await renameLegacyMigrations(db), 0, 'a second run renames nothing');
      } finally {
        await dbh.close();
      }
    });

    it("an older database (the first day's four migrations) is renamed, then migrated the rest of the way", async () => {
      const env = await freshEnv();
      // In old-name order those four ran core, webhooks, request_logs, nebius_s3_imports; webhooks now sorts last.
      await oldReleaseDatabase(env, '20261122T143719_webhooks');
      const dbh = openDatabase(loadConfig(env).database);
      try {
        const applied = await migrateToLatest(dbh.db);
        assert.deepEqual(applied, Object.keys(migrations).sort().slice(4));
        const rows = await recorded(dbh.db);
        assert.deepEqual(
          rows.map((r) => r.name),
          Object.keys(migrations).sort(),
        );
      } finally {
        await dbh.close();
      }
    });

    it('several processes starting at once on a landed-release database: all start, the names are renamed once', async () => {
      const env = await freshEnv();
      await oldReleaseDatabase(env);
      // Real processes: in one process a synchronous SQLite handle waiting for the write lock would block its holder.
      const runs = await Promise.all(
        [1, 2, 3].map(() => runStrata(['migrate'], { ...env, STRATA_LOG_LEVEL: 'silent' })),
      );
      for (const r of runs) {
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /up to date|applied: /);
      }
      const dbh = openDatabase(loadConfig(env).database);
      try {
        const rows = await recorded(dbh.db);
        assert.deepEqual(
          rows.map((r) => r.name),
          Object.keys(migrations).sort(),
        );
      } finally {
        await dbh.close();
      }
    });
  });
}
