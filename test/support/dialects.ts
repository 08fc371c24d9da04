// The databases every repository/service/HTTP test runs against: SQLite always, PostgreSQL when configured.
// STRATA_TEST_DATABASE_URL points at a PostgreSQL server; each test app gets its own fresh database there.
// With STRATA_REQUIRE_POSTGRES=1 (set by .ci/run) a missing URL is an error instead of a skip.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';

const pgUrl = process.env.STRATA_TEST_DATABASE_URL;
if (!pgUrl && process.env.STRATA_REQUIRE_POSTGRES === '1') {
  throw new Error(
    'STRATA_REQUIRE_POSTGRES=1 but STRATA_TEST_DATABASE_URL is not set: the PostgreSQL half would be skipped',
  );
}

export const DIALECTS: TestDialect[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/** Creates an empty PostgreSQL database for one test app; returns its URL and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!pgUrl) throw new Error('STRATA_TEST_DATABASE_URL is not set');
  const name = `strata_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
