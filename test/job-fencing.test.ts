// Fencing and the job claim: a stale attempt resumed after a takeover changes nothing, published rows are immutable
// in the database itself, and the claim walks an index instead of sorting the backlog (EXPLAIN on both dialects).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DatasetRepository } from '../src/datasets/dataset.repository.js';
import { DraftRepository } from '../src/datasets/draft.repository.js';
import { RowWriter, VersionPublisher } from '../src/datasets/version-publisher.js';
import { nullEventSink } from '../src/events/domain-events.js';
import type { JobRunContext } from '../src/jobs/job-catalogue.js';
import { LeaseLostError, type AttemptToken } from '../src/jobs/job.repository.js';
import { isTransientError } from '../src/errors.js';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, waitFor, type TestApp } from './support/test-app.js';
import { createGroup, createVersion, rowCount } from './support/factories.js';

const ROWS = 3000;
const csv = (rows: number) => ['id,text', ...Array.from({ length: rows }, (_, i) => `${i},row ${i}`)].join('\n');

async function uploadCsv(t: TestApp, name: string): Promise<{ group: number; id: number }> {
  const group = (await createGroup(t, name)).dataset_group.id;
  return { group, id: await createVersion(t, group, { csv: csv(ROWS) }) };
}

for (const dialect of DIALECTS) {
  describe(`job fencing and claim [${dialect}]`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('a stale attempt resumed after another worker published cannot delete, insert, publish, fail or finish anything', async () => {
      const t = await startTestApp(dialect, { STRATA_ROLES: 'api', STRATA_SYNC_VALIDATE_BYTES: '0' });
      cleanups.push(() => t.close());
      const { group, id } = await uploadCsv(t, 'fenced');
      const dbh = t.app.dbh;
      // Worker A claims the import with a short lease, then "stalls" (does nothing) right before startRows().
      const claimed = await t.app.jobs.claim('worker-A', 300);
      assert.ok(claimed);
      const tokenA: AttemptToken = { id: claimed.id, workerId: 'worker-A', attempt: claimed.attempts };
      const ctxA: JobRunContext = {
        jobId: claimed.id,
        attempt: claimed.attempts,
        signal: new AbortController().signal,
        fence: (trx) => t.app.jobs.fence(trx, tokenA),
      };
      // Worker B: a real worker (another app on the same database) takes the expired lease over and publishes.
      await new Promise((r) => setTimeout(r, 400));
      const b = await createApp(loadConfig({ ...t.env, STRATA_ROLES: 'worker' }));
      cleanups.push(() => b.close());
      b.worker!.start();
      const ready = await waitFor(
        async () => {
          const d = await dbh.db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
          return d.status === 'ready' ? d : undefined;
        },
        30_000,
        'worker B to publish',
      );
      assert.equal(ready.version_number, 1);
      assert.equal(await rowCount(t, id), ROWS);
      await waitFor(
        async () => (await t.app.jobs.findById(claimed.id))?.status === 'done',
        10_000,
        'the job to be done',
      );

      // A resumes: every write it tries is refused, the published version keeps all its rows.
      const repo = new DatasetRepository(dbh.db, dbh.dialect);
      const publisher = new VersionPublisher(dbh, repo, nullEventSink, 100);
      await assert.rejects(publisher.startRows(id, ctxA), LeaseLostError);
      const writer = new RowWriter(dbh, repo, id, 10, ctxA);
      await writer.add(['late', 'row']);
      await assert.rejects(writer.flush(), LeaseLostError);
      await assert.rejects(
        publisher.publish(ctxA, id, { columns: ['id', 'text'], rowCount: 1 }, () => undefined),
        LeaseLostError,
      );
      await assert.rejects(
        publisher.fail(ctxA, id, 'stale failure', () => undefined),
        LeaseLostError,
      );
      assert.equal(await t.app.jobs.heartbeat(tokenA, 60_000), false);
      assert.equal(await t.app.jobs.complete(tokenA), false);
      assert.equal(await t.app.jobs.fail(tokenA, 'stale', null), false);
      assert.equal(await t.app.jobs.release(tokenA, 'stale', 0, 60_000), false);

      const after = await dbh.db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(after.status, 'ready');
      assert.equal(after.row_count, ROWS);
      assert.equal(await rowCount(t, id), ROWS);
      const job = await t.app.jobs.findById(claimed.id);
      assert.equal(job?.status, 'done');
      assert.equal(job?.attempts, 2);
      assert.notEqual(job?.locked_by, 'worker-A');
      const versions = await dbh.db
        .selectFrom('datasets')
        .select('version_number')
        .where('group_id', '=', group)
        .where('version_number', '>', 0)
        .execute();
      assert.deepEqual(
        versions.map((v) => v.version_number),
        [1],
      );
    });

    it("refuses, in the database, any insert, update or delete of a published version's rows", async () => {
      const t = await startTestApp(dialect, { STRATA_SYNC_VALIDATE_BYTES: '0' });
      cleanups.push(() => t.close());
      const { id } = await uploadCsv(t, 'immutable');
      await waitFor(
        async () =>
          (await t.app.dbh.db.selectFrom('datasets').select('status').where('id', '=', id).executeTakeFirst())
            ?.status === 'ready',
        30_000,
        'publication',
      );
      const dbh = t.app.dbh;
      const repo = new DatasetRepository(dbh.db, dbh.dialect);
      const drafts = new DraftRepository(dbh.dialect);
      const guard = /rows of a published dataset version cannot change/;
      await assert.rejects(repo.deleteRows(dbh.db, id), guard);
      await assert.rejects(
        dbh.transaction((trx) => repo.insertRows(trx, id, ROWS, [{ data: '["x","y"]' }])),
        guard,
      );
      await assert.rejects(drafts.updateRowData(dbh.db, id, 0, '["changed"]'), guard);
      await assert.rejects(drafts.deleteRows(dbh.db, id, [0, 1]), guard);
      assert.equal(await rowCount(t, id), ROWS);
      const first = await drafts.findRow(dbh.db, id, 0);
      assert.equal(first?.data, JSON.stringify(['0', 'row 0']));
    });

    if (dialect === 'postgres') {
      it('sets statement and idle-in-transaction timeouts on every connection; a paused transaction is ended by the server', async () => {
        const t = await startTestApp(dialect, {
          STRATA_ROLES: 'api',
          STRATA_DB_STATEMENT_TIMEOUT_MS: '1234',
          STRATA_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '500',
          STRATA_DB_POOL_SIZE: '3',
        });
        cleanups.push(() => t.close());
        const db = t.app.dbh.db;
        const show = async (name: string) =>
          (await sql<Record<string, string>>`SELECT current_setting(${name}) AS v`.execute(db)).rows[0].v;
        assert.equal(await show('statement_timeout'), '1234ms');
        assert.equal(await show('idle_in_transaction_session_timeout'), '500ms');
        await assert.rejects(sql`SELECT pg_sleep(2)`.execute(db), /statement timeout/);
        // A transaction that stalls (a frozen process) loses its session instead of holding its locks for the pause.
        await assert.rejects(
          t.app.dbh.transaction(async (trx) => {
            await sql`SELECT 1`.execute(trx);
            await new Promise((r) => setTimeout(r, 1200));
            await sql`SELECT 1`.execute(trx);
          }),
          (err: Error) => isTransientError(err),
        );
        // The pool carries on with fresh connections.
        assert.equal(await show('statement_timeout'), '1234ms');
      });
    }

    it('claims the next job by walking an index (no sort of the backlog), measured at 100,000 queued jobs', async () => {
      const t = await startTestApp(dialect, { STRATA_ROLES: 'api' });
      cleanups.push(() => t.close());
      const db = t.app.dbh.db;
      const backlog = 100_000;
      if (dialect === 'postgres') {
        await sql`INSERT INTO jobs (type, payload, status, max_attempts, run_at, created_at, updated_at)
          SELECT 'maintenance.purge', '{}', 'queued', 5, g, g, g FROM generate_series(1, ${backlog}) g`.execute(db);
        await sql`INSERT INTO jobs (type, payload, status, max_attempts, run_at, lease_until, locked_by, created_at, updated_at)
          SELECT 'maintenance.purge', '{}', 'running', 5, g, 9e15, 'w', g, g FROM generate_series(1, 1000) g`.execute(
          db,
        );
        await sql`ANALYZE jobs`.execute(db);
      } else {
        await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${backlog})
          INSERT INTO jobs (type, payload, status, max_attempts, run_at, created_at, updated_at)
          SELECT 'maintenance.purge', '{}', 'queued', 5, n, n, n FROM g`.execute(db);
        await sql`ANALYZE`.execute(db);
      }
      const plans: Record<string, string> = {};
      for (const which of ['queued', 'expired'] as const) {
        const c = t.app.jobs.claimSql('explain', 1000, which).compile(db);
        const explain = dialect === 'postgres' ? 'EXPLAIN ' : 'EXPLAIN QUERY PLAN ';
        const r = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(explain + c.sql, [...c.parameters]));
        plans[which] = r.rows.map((row) => String(row['QUERY PLAN'] ?? row.detail)).join('\n');
      }
      // SQLite may equally walk jobs_claim (status, run_at): its rowid suffix gives the (run_at, id) order too.
      const index = {
        queued: dialect === 'sqlite' ? 'jobs_queued_due|jobs_claim' : 'jobs_queued_due',
        expired: 'jobs_running_lease',
      };
      for (const which of ['queued', 'expired'] as const) {
        const plan = plans[which];
        assert.match(plan, new RegExp(index[which]), `the ${which} probe uses its partial index:\n${plan}`);
        assert.doesNotMatch(plan, /Sort|TEMP B-TREE/i, `no sort in the ${which} probe:\n${plan}`);
        assert.doesNotMatch(plan, /Seq Scan|SCAN jobs\b/i, `no full scan of jobs in the ${which} probe:\n${plan}`);
      }
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = process.hrtime.bigint();
        const job = await t.app.jobs.claim('bench', 60_000);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        assert.ok(job);
        await t.app.jobs.complete({ id: job.id, workerId: 'bench', attempt: job.attempts });
      }
      times.sort((a, b) => a - b);
      const median = times[times.length >> 1];
      console.log(
        `# claim at ${backlog} queued [${dialect}]: median ${median.toFixed(2)} ms\n# ${plans.queued.replace(/\n/g, '\n# ')}`,
      );
      assert.ok(median < 30, `claim median ${median} ms`);
    });
  });
}
