// Durable jobs across real processes: a worker killed with SIGKILL mid-import, and (PostgreSQL) two workers sharing the queue.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { DIALECTS } from './support/dialects.js';
import { spawnStrata, stopProcess, waitForOutput } from './support/processes.js';
import { startTestApp, waitFor } from './support/test-app.js';
import { createGroup, createVersion, csvRows } from './support/factories.js';

for (const dialect of DIALECTS) {
  describe(`worker processes [${dialect}]`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('finishes a job whose worker was killed with SIGKILL mid-import, with exactly one version and no duplicate rows', async () => {
      // The API process runs no worker; workers are separate processes with a short lease.
      const t = await startTestApp(dialect, { STRATA_ROLES: 'api', STRATA_SYNC_VALIDATE_BYTES: '0' });
      cleanups.push(() => t.close());
      const workerEnv = {
        ...t.env,
        STRATA_ROLES: 'worker',
        STRATA_JOB_LEASE_MS: '1500',
        STRATA_IMPORT_BATCH_ROWS: '500',
        STRATA_LOG_LEVEL: 'info',
      };
      const rows = 120_000;
      const group = (await createGroup(t, 'killed')).dataset_group.id;
      const id = await createVersion(t, group, { csv: csvRows(rows, 'k') });

      const first = spawnStrata(['serve'], workerEnv);
      cleanups.push(() => stopProcess(first));
      let firstOutput = '';
      first.stdout!.on('data', (d) => (firstOutput += d));
      first.stderr!.on('data', (d) => (firstOutput += d));
      const db = t.app.dbh.db;
      // Kill it once it has written some rows but before it published.
      await waitFor(
        async () => {
          const r = await db
            .selectFrom('dataset_rows')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('dataset_id', '=', id)
            .executeTakeFirst();
          return Number(r?.n) > 0;
        },
        60_000,
        'the first worker to start writing rows',
      ).catch((err) => {
        throw new Error(`${err.message}\nfirst worker output:\n${firstOutput.slice(-3000)}`);
      });
      await stopProcess(first, 'SIGKILL');
      const mid = await db
        .selectFrom('datasets')
        .select(['status', 'version_number'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(mid.status, 'processing', 'killed before publishing');
      assert.equal(mid.version_number, -1);

      const second = spawnStrata(['serve'], workerEnv);
      cleanups.push(() => stopProcess(second));
      let secondOutput = '';
      second.stdout!.on('data', (d) => (secondOutput += d));
      second.stderr!.on('data', (d) => (secondOutput += d));
      const done = await waitFor(
        async () => {
          const d = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${id}` })).json().dataset;
          return d.status === 'ready' || d.status === 'failed' ? d : undefined;
        },
        90_000,
        'the job to finish after restart',
      ).catch(async (err) => {
        const jobs = await db.selectFrom('jobs').selectAll().execute();
        throw new Error(
          `${err.message}\njobs: ${JSON.stringify(jobs)}\nsecond worker output:\n${secondOutput.slice(-3000)}`,
        );
      });
      assert.equal(done.status, 'ready', done.error);
      assert.equal(done.version_number, 1);
      assert.equal(done.row_count, rows);
      const stored = await db
        .selectFrom('dataset_rows')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('dataset_id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(stored.n), rows);
      const versions = await db
        .selectFrom('datasets')
        .select('version_number')
        .where('group_id', '=', group)
        .where('version_number', '>', 0)
        .execute();
      assert.deepEqual(
        versions.map((v) => v.version_number),
        [1],
      );
      // The job row is marked done just after the version is published.
      const job = await waitFor(
        async () => {
          const j = await db
            .selectFrom('jobs')
            .selectAll()
            .where('type', '=', 'dataset.import_file')
            .executeTakeFirstOrThrow();
          return j.status === 'done' ? j : undefined;
        },
        30_000,
        'the job to be marked done',
      );
      assert.ok(job.attempts >= 2, `the job ran again (attempts ${job.attempts})`);
      await stopProcess(second);
    });

    if (dialect === 'postgres') {
      it('shares the queue between two worker processes (FOR UPDATE SKIP LOCKED), each job run once', async () => {
        const t = await startTestApp(dialect, { STRATA_ROLES: 'api' });
        cleanups.push(() => t.close());
        const workerEnv = {
          ...t.env,
          STRATA_ROLES: 'worker',
          STRATA_WORKER_CONCURRENCY: '1',
          STRATA_WORKER_POLL_MS: '20',
          STRATA_LOG_LEVEL: 'info',
        };
        const w1 = spawnStrata(['serve'], workerEnv);
        const w2 = spawnStrata(['serve'], workerEnv);
        cleanups.push(
          () => stopProcess(w1),
          () => stopProcess(w2),
        );
        await Promise.all([waitForOutput(w1, /strata started/), waitForOutput(w2, /strata started/)]);
        const group = (await createGroup(t, 'shared')).dataset_group.id;
        const ids: number[] = [];
        for (let i = 0; i < 8; i++) ids.push(await createVersion(t, group, { csv: csvRows(20_000, `f${i}`) }));
        const db = t.app.dbh.db;
        await waitFor(
          async () => {
            const r = await db
              .selectFrom('datasets')
              .select('id')
              .where('id', 'in', ids)
              .where('status', '=', 'ready')
              .execute();
            return r.length === ids.length;
          },
          120_000,
          'all imports',
        );
        const versions = await db
          .selectFrom('datasets')
          .select('version_number')
          .where('id', 'in', ids)
          .orderBy('version_number')
          .execute();
        assert.deepEqual(
          versions.map((v) => v.version_number),
          [1, 2, 3, 4, 5, 6, 7, 8],
        );
        // Each job row is marked done just after its version is published.
        const jobs = await waitFor(
          async () => {
            const js = await db
              .selectFrom('jobs')
              .select(['locked_by', 'attempts', 'status'])
              .where('type', '=', 'dataset.import_file')
              .execute();
            return js.length === 8 && js.every((j) => j.status === 'done') ? js : undefined;
          },
          30_000,
          'every job to be marked done',
        );
        assert.equal(jobs.length, 8);
        for (const j of jobs) {
          assert.equal(j.status, 'done');
          assert.equal(j.attempts, 1, 'no job ran twice');
        }
        const workers = new Set(jobs.map((j) => j.locked_by));
        assert.equal(workers.size, 2, `both workers took jobs: ${[...workers].join(', ')}`);
        const rows = await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM dataset_rows WHERE dataset_id IN (${sql.join(ids)})`.execute(db);
        assert.equal(rows.rows[0].n, 8 * 20_000);
      });
    }
  });
}
