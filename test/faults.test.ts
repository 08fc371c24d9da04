// The fault suite on real processes: a worker frozen (SIGSTOP) past its lease and resumed after a takeover, a worker
// whose clock runs 45 s ahead, the object store stopped during accepted uploads' jobs, several processes starting at
// once on a fresh database, and temporary upload files left by kill -9. (PostgreSQL restarts: pg-restart.test.ts.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { DIALECTS, createPostgresDatabase } from './support/dialects.js';
import {
  captureOutput,
  isAlive,
  skewedClockArgs,
  spawnStrata,
  stopProcess,
  waitForOutput,
} from './support/processes.js';
import { b64, startTestApp, TEST_API_KEY, waitFor, type TestApp } from './support/test-app.js';
import { createGroup, createVersion, csvRows, fromFileBody, rowCount } from './support/factories.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function jobOf(t: TestApp, datasetId: number) {
  const jobs = await t.app.dbh.db.selectFrom('jobs').selectAll().where('type', '=', 'dataset.import_file').execute();
  const job = jobs.find((j) => (JSON.parse(j.payload) as { datasetId: number }).datasetId === datasetId);
  assert.ok(job, `a job for dataset ${datasetId}`);
  return job;
}

async function waitReady(t: TestApp, id: number, timeoutMs: number, diag: () => string) {
  return waitFor(
    async () => {
      const d = await t.app.dbh.db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return d.status === 'ready' || d.status === 'failed' ? d : undefined;
    },
    timeoutMs,
    `dataset ${id} to finish`,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${diag().slice(-3000)}`);
  });
}

/** SQLite: true when another process holds the database's write lock right now. */
function sqliteWriteLocked(file: string): boolean {
  const probe = new SQLite(file, { timeout: 0 });
  try {
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return false;
  } catch {
    return true;
  } finally {
    probe.close();
  }
}

for (const dialect of DIALECTS) {
  describe(`fault suite [${dialect}]`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('a worker frozen past its lease and resumed after another published changes nothing', async () => {
      const t = await startTestApp(dialect, { STRATA_ROLES: 'api', STRATA_SYNC_VALIDATE_BYTES: '0' });
      cleanups.push(() => t.close());
      const workerEnv = {
        ...t.env,
        STRATA_ROLES: 'worker',
        STRATA_JOB_LEASE_MS: '1500',
        STRATA_IMPORT_BATCH_ROWS: '500',
        STRATA_LOG_LEVEL: 'info',
        // A transaction left open by the frozen process is ended by the server, so the takeover is not blocked.
        STRATA_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000',
      };
      const rows = 60_000;
      const group = (await createGroup(t, 'stalled')).dataset_group.id;
      const id = await createVersion(t, group, { csv: csvRows(rows, 's') });
      const a = spawnStrata(['serve'], workerEnv);
      cleanups.push(() => stopProcess(a, 'SIGKILL'));
      const aOut = captureOutput(a);
      await waitFor(async () => (await rowCount(t, id)) > 0, 60_000, 'worker A to write rows').catch((err: Error) => {
        throw new Error(`${err.message}\n${aOut.text().slice(-3000)}`);
      });
      // Freeze A mid-import. On SQLite a frozen process holding the file's write lock would block every writer (the
      // single-file deployment's limit), so A is frozen between two of its write transactions.
      a.kill('SIGSTOP');
      if (dialect === 'sqlite') {
        const file = t.env.DATABASE_URL?.replace(/^sqlite:/, '') ?? path.join(t.dataDir, 'strata.db');
        for (let i = 0; sqliteWriteLocked(file) && i < 100; i++) {
          a.kill('SIGCONT');
          await sleep(5);
          a.kill('SIGSTOP');
        }
      }
      const mid = await t.app.dbh.db
        .selectFrom('datasets')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(mid.status, 'processing', 'A was frozen before publishing');
      await sleep(2000); // past A's lease

      const b = spawnStrata(['serve'], workerEnv);
      cleanups.push(() => stopProcess(b));
      const bOut = captureOutput(b);
      const done = await waitReady(t, id, 90_000, () => bOut.text());
      assert.equal(done.status, 'ready', done.error ?? undefined);
      assert.equal(await rowCount(t, id), rows);
      const jobB = await waitFor(
        async () => {
          const j = await jobOf(t, id);
          return j.status === 'done' ? j : undefined;
        },
        20_000,
        'the job to be done',
      );

      // A resumes: its next write is fenced off and its attempt ends without effect.
      a.kill('SIGCONT');
      await waitFor(async () => /lease lost|job interrupted/.test(aOut.text()), 20_000, "A's attempt to end").catch(
        (err: Error) => {
          throw new Error(`${err.message}\n${aOut.text().slice(-3000)}`);
        },
      );
      await sleep(500);
      const final = await t.app.dbh.db
        .selectFrom('datasets')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(final.status, 'ready');
      assert.equal(final.version_number, 1);
      assert.equal(final.row_count, rows);
      assert.equal(await rowCount(t, id), rows, 'the published version keeps every row');
      const job = await jobOf(t, id);
      assert.equal(job.status, 'done');
      assert.equal(job.attempts, jobB.attempts);
      assert.equal(job.locked_by, jobB.locked_by);
      assert.ok(isAlive(a), 'the resumed worker carries on');
      const versions = await t.app.dbh.db
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

    it('a worker whose clock runs 45 s ahead takes over no live lease: every job runs once', async () => {
      // 10 s leases: far inside the 45 s skew (host clocks would make every live lease look expired to the fast
      // worker), and wide enough that a loaded CI machine never lets one lapse for real.
      const t = await startTestApp(dialect, { STRATA_ROLES: 'api', STRATA_SYNC_VALIDATE_BYTES: '0' });
      cleanups.push(() => t.close());
      const env = {
        ...t.env,
        STRATA_ROLES: 'worker',
        STRATA_JOB_LEASE_MS: '10000',
        STRATA_WORKER_CONCURRENCY: '1',
        STRATA_IMPORT_BATCH_ROWS: '500',
        STRATA_LOG_LEVEL: 'info',
      };
      const group = (await createGroup(t, 'skew')).dataset_group.id;
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) ids.push(await createVersion(t, group, { csv: csvRows(15_000, `k${i}`) }));
      const normal = spawnStrata(['serve'], env);
      const ahead = spawnStrata(['serve'], env, { nodeArgs: skewedClockArgs(45_000) });
      cleanups.push(
        () => stopProcess(normal),
        () => stopProcess(ahead),
      );
      const outs = [captureOutput(normal), captureOutput(ahead)];
      for (const id of ids) {
        const d = await waitReady(t, id, 120_000, () => outs.map((o) => o.text()).join('\n----\n'));
        assert.equal(d.status, 'ready', d.error ?? undefined);
      }
      // A job is marked done just after its version is published.
      const jobs = await waitFor(
        async () => {
          const all = await Promise.all(ids.map((id) => jobOf(t, id)));
          return all.every((j) => j.status === 'done') ? all : undefined;
        },
        20_000,
        'every job to be marked done',
      );
      for (const j of jobs) {
        assert.equal(j.status, 'done');
        assert.equal(j.attempts, 1, `job ${j.id} ran once (attempts ${j.attempts})`);
      }
      for (const id of ids) assert.equal(await rowCount(t, id), 15_000);
      const versions = await t.app.dbh.db
        .selectFrom('datasets')
        .select('version_number')
        .where('id', 'in', ids)
        .orderBy('version_number')
        .execute();
      assert.deepEqual(
        versions.map((v) => v.version_number),
        [1, 2, 3, 4, 5, 6],
      );
      assert.ok(isAlive(normal) && isAlive(ahead));
    });

    it('accepted uploads survive the object store being stopped: jobs wait it out, uploads meanwhile answer 503', async () => {
      const t = await startTestApp(dialect, {
        STRATA_STORAGE: 's3',
        STRATA_ROLES: 'api',
        STRATA_SYNC_VALIDATE_BYTES: '0',
      });
      cleanups.push(() => t.close());
      const s3 = t.s3!;
      const group = (await createGroup(t, 'outage')).dataset_group.id;
      const big = 80_000;
      const first = await createVersion(t, group, { csv: csvRows(big, 'a') });
      const second = await createVersion(t, group, { csv: csvRows(2_000, 'b') });
      const w = spawnStrata(['serve'], {
        ...t.env,
        STRATA_ROLES: 'worker',
        STRATA_WORKER_CONCURRENCY: '1',
        STRATA_IMPORT_BATCH_ROWS: '500',
        STRATA_TRANSIENT_RETRY_MAX_DELAY_MS: '1000',
        STRATA_LOG_LEVEL: 'info',
      });
      cleanups.push(() => stopProcess(w));
      const out = captureOutput(w);
      // Stop the store while the first file is being read (its stream is cut); the second job finds it down.
      await waitFor(async () => (await rowCount(t, first)) > 0, 60_000, 'the first import to start').catch(
        (err: Error) => {
          throw new Error(`${err.message}\n${out.text().slice(-3000)}`);
        },
      );
      await s3.stop();
      const down = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: fromFileBody(group, { csv: csvRows(10, 'c') }),
      });
      assert.equal(down.statusCode, 503, down.body);
      assert.match(String(down.headers['retry-after']), /^\d+$/);
      await waitFor(
        async () => (await jobOf(t, second)).transient_failures >= 2,
        60_000,
        'the second job to meet the outage',
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${out.text().slice(-3000)}`);
      });
      await sleep(1000);
      await s3.restart();
      for (const [id, rows] of [
        [first, big],
        [second, 2_000],
      ] as const) {
        const d = await waitReady(t, id, 90_000, () => out.text());
        assert.equal(d.status, 'ready', d.error ?? undefined);
        assert.equal(d.row_count, rows);
        assert.equal(await rowCount(t, id), rows);
        const job = await waitFor(
          async () => {
            const j = await jobOf(t, id);
            return j.status === 'done' ? j : undefined;
          },
          20_000,
          'job done',
        );
        assert.equal(job.attempts, 1, 'the outage spent no attempt');
      }
      assert.ok((await jobOf(t, second)).transient_failures >= 2);
      assert.ok(isAlive(w));
      const up = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: fromFileBody(group, { csv: csvRows(10, 'd') }),
      });
      assert.equal(up.statusCode, 201, up.body);
    });

    // Storage plays no part in the next two: the suite's second pass (STRATA_TEST_STORAGE=s3) skips them.
    const storagePass = process.env.STRATA_TEST_STORAGE === 's3';

    it(
      'several processes starting at once on a fresh database all come up (bootstrap is idempotent)',
      { skip: storagePass },
      async () => {
        for (const withKey of [true, false]) {
          let url: string;
          let drop = async () => undefined as void;
          const dirs = Array.from({ length: 3 }, () => fs.mkdtempSync(path.join(os.tmpdir(), 'strata-boot-')));
          if (dialect === 'postgres') {
            const db = await createPostgresDatabase();
            url = db.url;
            drop = db.drop;
          } else {
            url = `sqlite:${path.join(dirs[0], 'shared.db')}`;
          }
          const procs = dirs.map((dir) =>
            spawnStrata(['serve'], {
              DATABASE_URL: url,
              STRATA_DATA_DIR: dir,
              PORT: '0',
              HOST: '127.0.0.1',
              STRATA_LOG_LEVEL: 'info',
              STRATA_JWT_SECRET: 'test-jwt-secret-test-jwt-secret-0123',
              ...(withKey ? { STRATA_BOOTSTRAP_API_KEY: TEST_API_KEY } : {}),
            }),
          );
          const outs = procs.map(captureOutput);
          try {
            await Promise.all(procs.map((p) => waitForOutput(p, /Strata is serving/, 90_000)));
            await sleep(300);
            for (const p of procs) assert.ok(isAlive(p), 'no process exited');
            if (!withKey) {
              const printed = outs.filter((o) => /Its API key/.test(o.text())).length;
              assert.equal(printed, 1, 'exactly one process made and printed the first key');
            }
          } finally {
            for (const p of procs) await stopProcess(p);
            await drop();
            for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
          }
        }
      },
    );

    if (dialect === DIALECTS[0]) {
      it(
        'temporary upload files left by kill -9 are swept at start and periodically, uploads in progress are kept',
        { skip: storagePass },
        async () => {
          const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-sweep-'));
          cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
          const tmp = path.join(dataDir, 'tmp');
          const env = {
            STRATA_DATA_DIR: dataDir,
            PORT: '0',
            HOST: '127.0.0.1',
            STRATA_BOOTSTRAP_API_KEY: TEST_API_KEY,
            STRATA_LOG_LEVEL: 'info',
            STRATA_TMP_MAX_AGE_MS: '2000',
          };
          const parts = () => (fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((f) => f.endsWith('.part')) : []);

          const startServer = async () => {
            const p = spawnStrata(['serve'], env);
            const out = captureOutput(p);
            await waitForOutput(p, /Strata is serving/, 90_000);
            const base = /Strata is serving on (\S+)/.exec(out.text())![1];
            return { p, base };
          };
          /** A client that sends an upload body slowly (the spooler writes its .part file as bytes arrive). */
          const slowUpload = (base: string) => {
            const req = http.request(`${base}/api/public/v2/dataset-versions/from-file`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'x-api-key': TEST_API_KEY,
                'transfer-encoding': 'chunked',
              },
            });
            req.on('error', () => undefined);
            req.write('{"dataset_group_id": 1, "file_name": "x.csv", "file_content_base64": "');
            const timer = setInterval(() => req.write(b64('id,text\n1,abc\n'.repeat(20)).replace(/=/g, '')), 200);
            return { stop: () => (clearInterval(timer), req.destroy()) };
          };

          const one = await startServer();
          const killed = slowUpload(one.base);
          await waitFor(async () => parts().length === 1, 20_000, 'the upload to spool to a .part file');
          await stopProcess(one.p, 'SIGKILL');
          killed.stop();
          const [left] = parts();
          assert.ok(left, 'kill -9 left the temporary file behind');

          const two = await startServer();
          cleanups.push(() => stopProcess(two.p));
          const live = slowUpload(two.base);
          try {
            const liveFile = await waitFor(
              async () => parts().find((f) => f !== left),
              20_000,
              'the second upload to spool',
            );
            // The left-over goes (at start, or on the next sweep once older than the threshold) ...
            await waitFor(async () => !parts().includes(left), 15_000, 'the left-over .part to be swept');
            // ... and so does one that turns stale while the process runs (the periodic sweep).
            const stale = path.join(tmp, 'upload-stale.part');
            fs.writeFileSync(stale, 'x');
            const past = new Date(Date.now() - 3600_000);
            fs.utimesSync(stale, past, past);
            await waitFor(async () => !fs.existsSync(stale), 15_000, 'the periodic sweep');
            // The upload in progress keeps writing its file, so it outlives the threshold (2 s) by far.
            await sleep(2500);
            assert.ok(parts().includes(liveFile), 'the upload in progress keeps its file');
          } finally {
            live.stop();
          }
        },
      );
    }
  });
}
