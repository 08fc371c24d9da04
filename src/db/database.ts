// Opens the configured database (SQLite file or PostgreSQL) as a Kysely instance and migrates it.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import type { Config, DatabaseOptions } from '../config.js';
import { capabilitiesFor, type DialectCapabilities } from './dialect.js';
import { migrations } from './migrations/index.js';
import { renameLegacyMigrations } from './migration-renames.js';
import { FOLD_FUNCTION, foldText } from './text-fold.js';
import type { Database } from './schema.js';

// int8 (bigint) columns hold epoch-ms times and ids that fit a JS number safely.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric (used for prices) as JS numbers.
pg.types.setTypeParser(1700, (v) => Number(v));

export type Db = Kysely<Database>;
/** A Kysely bound to an open transaction (see DatabaseHandle.transaction). */
export type Tx = Kysely<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Database>;

export interface DatabaseHandle {
  readonly db: Db;
  readonly dialect: DialectCapabilities;
  /** SQLite: the database file, for read-only connections of worker threads (WAL lets them read beside the writer). */
  readonly sqliteFile?: string;
  /**
   * Runs `fn` in one transaction. On SQLite it starts with BEGIN IMMEDIATE so that writers in other processes
   * queue instead of deadlocking. `relaxed` skips the fsync at commit (SQLite: synchronous=NORMAL; PostgreSQL:
   * synchronous_commit off): only for work that is redone after a crash anyway (rows of a draft being imported; the
   * publishing commit stays fully durable).
   */
  transaction<T>(fn: (trx: Tx) => Promise<T>, opts?: { relaxed?: boolean }): Promise<T>;
  close(): Promise<void>;
}

export function openDatabase(
  database: Config['database'],
  opts: Partial<DatabaseOptions> & { onConnectionError?: (err: Error) => void } = {},
): DatabaseHandle {
  if (database.kind === 'postgres') {
    const timeout = (ms: number | undefined, def: number) => ((ms ?? def) > 0 ? (ms ?? def) : undefined);
    const pool = new pg.Pool({
      connectionString: database.url,
      max: opts.poolSize ?? 10,
      // Server-side limits: a stalled transaction (a paused process) cannot hold locks a worker taking over needs.
      statement_timeout: timeout(opts.statementTimeoutMs, 120_000),
      idle_in_transaction_session_timeout: timeout(opts.idleInTransactionTimeoutMs, 30_000),
      connectionTimeoutMillis: timeout(opts.connectTimeoutMs, 10_000),
      keepAlive: true,
    });
    // A connection dropping (PostgreSQL restarting) must not crash the process, whether the client is idle in the
    // pool or checked out between two statements: pg emits 'error' on the client, which without a listener throws.
    // The failed query rejects on its own; pg-pool discards the broken client and later queries reconnect.
    const onError = (err: Error) => opts.onConnectionError?.(err);
    pool.on('error', onError);
    pool.on('connect', (client) => client.on('error', onError));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: capabilitiesFor('postgres'),
      // `relaxed`: the commit does not wait for the WAL flush (synchronous_commit off, this transaction only).
      transaction: (fn, opts) =>
        db.transaction().execute(async (trx) => {
          if (opts?.relaxed) await sql`SET LOCAL synchronous_commit = off`.execute(trx);
          return fn(trx);
        }),
      close: () => db.destroy(),
    };
  }
  fs.mkdirSync(path.dirname(database.file), { recursive: true });
  const sqlite = new SQLite(database.file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we acknowledge it (request logs are acknowledged only once durable).
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  registerSqliteFunctions(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: capabilitiesFor('sqlite', sqlite),
    sqliteFile: database.file,
    transaction: (fn, opts) =>
      db.connection().execute(async (conn) => {
        if (opts?.relaxed) sqlite.pragma('synchronous = NORMAL');
        try {
          await sql`BEGIN IMMEDIATE`.execute(conn);
          try {
            const result = await fn(conn);
            await sql`COMMIT`.execute(conn);
            return result;
          } catch (err) {
            await sql`ROLLBACK`.execute(conn).catch(() => undefined);
            throw err;
          }
        } finally {
          if (opts?.relaxed) sqlite.pragma('synchronous = FULL');
        }
      }),
    close: () => db.destroy(),
  };
}

/** Prepared statements kept per connection (most recently used first out of the cache last). */
const STATEMENT_CACHE_SIZE = 200;

/**
 * better-sqlite3 compiles SQL on every prepare() and Kysely prepares once per query, so hot statements (the API-key
 * lookup, the group commit's INSERTs) were recompiled on every request. Reusing a statement is safe: Kysely runs one
 * query at a time on the connection, so a cached statement is never executing (or iterating) twice at once.
 */
export function withStatementCache(sqlite: SQLite.Database): Pick<SQLite.Database, 'prepare' | 'close'> {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare: ((text: string) => {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    }) as SQLite.Database['prepare'],
    close: () => sqlite.close(),
  };
}

/**
 * SQL functions Strata's SQLite schema relies on: search SQL and the triggers filling request_logs_fts call
 * strata_fold, so every connection that writes request logs (the app, the bench seeders) must register it.
 */
export function registerSqliteFunctions(sqlite: SQLite.Database): void {
  sqlite.function(FOLD_FUNCTION, { deterministic: true }, (v: unknown) => (typeof v === 'string' ? foldText(v) : v));
}

/**
 * Brings the schema up to date; safe to call from several processes at once. PostgreSQL: Kysely takes an advisory
 * lock. SQLite: Kysely takes none, so two processes starting on a fresh file both migrate; the loser's transaction
 * fails ("table already exists") and rolls back whole, and a retry then finds the winner's migrations applied.
 * First, a database that recorded the migrations under their old names gets the new ones (migration-renames.ts).
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  await renameLegacyMigrations(db);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (!sqlite || attempt >= 5) throw error instanceof Error ? error : new Error(String(error));
    await new Promise((r) => setTimeout(r, 100 * attempt));
  }
}
