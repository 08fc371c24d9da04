// Failed drafts (asynchronous failure, hidden, purged after retention), migrations forward, and the CLI.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Migrator } from 'kysely';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrations } from '../src/db/migrations/index.js';
import { createPostgresDatabase, DIALECTS } from './support/dialects.js';
import { runStrata } from './support/processes.js';
import { b64, startTestApp, waitFor } from './support/test-app.js';

for (const dialect of DIALECTS) {
  describe(`lifecycle [${dialect}]`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('fails a draft whose file breaks past the checked prefix: error kept, rows removed, hidden, then purged', async () => {
      const t = await startTestApp(dialect, {
        STRATA_SYNC_VALIDATE_BYTES: '0',
        STRATA_FAILED_RETENTION_HOURS: '0',
        STRATA_IMPORT_BATCH_ROWS: '100',
      });
      cleanups.push(() => t.close());
      const g = (
        await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 'late-break' } })
      ).json();
      const lines = ['a,b'];
      for (let i = 0; i < 3000; i++) lines.push(`${i},x`);
      lines.push('ragged');
      const r = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: {
          dataset_group_id: g.dataset_group.id,
          file_name: 'late.csv',
          file_content_base64: b64(lines.join('\n')),
        },
      });
      assert.equal(r.statusCode, 201, 'only the first records are checked before accepting a large file');
      const id = r.json().dataset_id;
      const failed = await waitFor(async () => {
        const d = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${id}` })).json().dataset;
        return d.status === 'failed' ? d : undefined;
      });
      assert.match(failed.error, /CSV line 3002: expected 2 fields/);
      assert.equal(failed.version_number, -1);
      const rows = await t.app.dbh.db
        .selectFrom('dataset_rows')
        .select('row_index')
        .where('dataset_id', '=', id)
        .execute();
      assert.equal(rows.length, 0, 'no half-written rows left');
      const listed = (
        await t.request({ method: 'GET', url: `/api/public/v2/datasets?dataset_group_id=${g.dataset_group.id}` })
      ).json();
      assert.ok(!listed.datasets.some((d: { id: number }) => d.id === id), 'failed drafts are hidden by default');
      const withFailed = (
        await t.request({
          method: 'GET',
          url: `/api/public/v2/datasets?dataset_group_id=${g.dataset_group.id}&include_failed=true`,
        })
      ).json();
      assert.ok(withFailed.datasets.some((d: { id: number }) => d.id === id));
      const readRows = await t.request({ method: 'GET', url: `/api/public/v2/datasets/${id}/rows` });
      assert.equal(readRows.statusCode, 409);
      // The failed draft does not block the group: the next upload becomes version 1.
      const ok = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: { dataset_group_id: g.dataset_group.id, file_name: 'ok.csv', file_content_base64: b64('a,b\n1,2\n') },
      });
      const v = await waitFor(async () => {
        const d = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${ok.json().dataset_id}` })).json()
          .dataset;
        return d.status === 'ready' ? d : undefined;
      });
      assert.equal(v.version_number, 1);
      // Retention 0: the purge job removes the failed draft for good.
      await t.app.jobs.enqueue(t.app.dbh.db, 'maintenance.purge', {}, { maxAttempts: 1 });
      t.app.worker?.wake();
      await waitFor(
        async () => (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${id}` })).statusCode === 404,
        20_000,
        'purge',
      );
    });

    it('migrates a database created by an older version forward on start, keeping its data', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-mig-'));
      let env: Record<string, string> = {
        STRATA_DATA_DIR: dataDir,
        STRATA_LOG_LEVEL: 'silent',
        STRATA_ROLES: 'worker',
      };
      if (dialect === 'postgres') {
        const db = await createPostgresDatabase();
        cleanups.push(db.drop);
        env = { ...env, DATABASE_URL: db.url };
      }
      cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
      const config = loadConfig(env);
      const first = Object.keys(migrations)[0];
      const old = openDatabase(config.database);
      const migrator = new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } });
      const { error } = await migrator.migrateTo(first);
      assert.equal(error, undefined);
      await old.db.insertInto('workspaces').values({ name: 'from-the-past', created_at: 1 }).execute();
      await old.close();

      const app = await createApp(config);
      try {
        const applied = await app.dbh.db
          .selectFrom('kysely_migration' as never)
          .select('name' as never)
          .execute();
        assert.equal(applied.length, Object.keys(migrations).length);
        const ws = await app.dbh.db
          .selectFrom('workspaces')
          .selectAll()
          .where('name', '=', 'from-the-past')
          .executeTakeFirst();
        assert.ok(ws, 'old data survives the migration');
      } finally {
        await app.close();
      }
    });

    it('CLI: migrate, api-keys create (key alone on the last line), users create with a prompted password', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-'));
      cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
      let env: Record<string, string> = { STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'silent' };
      if (dialect === 'postgres') {
        const db = await createPostgresDatabase();
        cleanups.push(db.drop);
        env = { ...env, DATABASE_URL: db.url };
      }
      const migrate = await runStrata(['migrate'], env);
      assert.equal(migrate.code, 0, migrate.stderr);
      assert.match(migrate.stdout, /applied: 20261122T133308_core/);
      const again = await runStrata(['migrate'], env);
      assert.match(again.stdout, /up to date/);

      const created = await runStrata(['api-keys', 'create', '--workspace', 'team-a'], env);
      assert.equal(created.code, 0, created.stderr);
      const key = created.stdout.trim().split('\n').at(-1)!;
      assert.match(key, /^sk_strata_[A-Za-z0-9_-]{43}$/);

      const user = await runStrata(
        ['users', 'create', '--email', 'Bo@Example.com', '--workspace', 'team-a'],
        env,
        'a long password\n',
      );
      assert.equal(user.code, 0, user.stderr);
      const short = await runStrata(
        ['users', 'create', '--email', 'c@example.com', '--workspace', 'team-a', '--password', 'short'],
        env,
      );
      assert.notEqual(short.code, 0);
      assert.match(short.stderr, /at least 8 characters/);

      // The server on the same configuration accepts both.
      const app = await createApp(loadConfig({ ...env, STRATA_ROLES: 'api' }));
      try {
        const byKey = await app.server!.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key } });
        assert.equal(byKey.json().workspaces[0].name, 'team-a');
        const login = await app.server!.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'bo@example.com', password: 'a long password' },
        });
        assert.equal(login.statusCode, 200, login.body);
      } finally {
        await app.close();
      }
    });
  });
}
