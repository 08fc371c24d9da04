// PostgreSQL restarting under real API and worker processes: on a cluster this test starts itself (own port, temp
// dir), restarted mid-import and again while idle. The job finishes exactly once without spending an attempt, the
// processes stay up and serve, and requests during the outage answer 503 (never 500).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { pgBinariesAvailable, startPgCluster, type PgCluster } from './support/pg-cluster.js';
import { captureOutput, isAlive, spawnStrata, stopProcess, waitForOutput } from './support/processes.js';
import { b64, TEST_API_KEY, waitFor } from './support/test-app.js';
import { csvRows } from './support/factories.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Storage plays no part here: the suite's second pass (STRATA_TEST_STORAGE=s3) skips it.
const skip = !pgBinariesAvailable()
  ? 'no PostgreSQL 15 binaries'
  : process.env.STRATA_TEST_STORAGE === 's3'
    ? 'storage pass'
    : false;

describe('PostgreSQL restart under running processes', { skip }, () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('API and worker ride out two restarts; the import finishes once, no attempt spent, no 500', async () => {
    const cluster: PgCluster = await startPgCluster();
    cleanups.push(() => cluster.destroy());
    const url = await cluster.createDatabase('strata');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-pgr-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env = {
      DATABASE_URL: url,
      STRATA_DATA_DIR: dataDir,
      STRATA_BOOTSTRAP_API_KEY: TEST_API_KEY,
      STRATA_JWT_SECRET: 'test-jwt-secret-test-jwt-secret-0123',
      STRATA_LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      STRATA_SYNC_VALIDATE_BYTES: '0',
      STRATA_WORKER_POLL_MS: '100',
      STRATA_JOB_LEASE_MS: '15000', // no takeover is expected: a restart must not cost the job its lease
      STRATA_IMPORT_BATCH_ROWS: '500',
      STRATA_TRANSIENT_RETRY_MAX_DELAY_MS: '1000',
    };
    const api = spawnStrata(['serve'], { ...env, STRATA_ROLES: 'api' });
    cleanups.push(() => stopProcess(api));
    const apiOut = captureOutput(api);
    await waitForOutput(api, /Strata is serving/, 90_000);
    const worker = spawnStrata(['serve'], { ...env, STRATA_ROLES: 'worker' });
    cleanups.push(() => stopProcess(worker));
    const workerOut = captureOutput(worker);
    await waitForOutput(worker, /strata started/, 90_000);
    const base = /Strata is serving on (\S+)/.exec(apiOut.text())![1];
    const diag = () => `api:\n${apiOut.text().slice(-2000)}\nworker:\n${workerOut.text().slice(-3000)}`;

    const statuses: number[] = [];
    const call = async (method: string, p: string, body?: unknown) => {
      const r = await fetch(`${base}${p}`, {
        method,
        headers: { 'x-api-key': TEST_API_KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      statuses.push(r.status);
      if (r.status === 503) assert.match(r.headers.get('retry-after') ?? '', /^\d+$/, 'a 503 says when to retry');
      return { status: r.status, json: (await r.json()) as Record<string, any> };
    };
    /** The database as the test sees it (its own connection, re-made after a restart). */
    const query = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(text, values)).rows as T[];
      } finally {
        await c.end();
      }
    };

    const group = (await call('POST', '/api/public/v2/dataset-groups', { name: 'restarts' })).json.dataset_group.id;
    const rows = 100_000;
    // One round in the suite; bench/fault-rounds.ts runs many (STRATA_FAULT_ROUNDS).
    const rounds = Number(process.env.STRATA_FAULT_ROUNDS ?? 1);
    for (let round = 1; round <= rounds; round++) {
      const up = await call('POST', '/api/public/v2/dataset-versions/from-file', {
        dataset_group_id: group,
        file_name: 'big.csv',
        file_content_base64: b64(csvRows(rows, `r${round}`)),
      });
      assert.equal(up.status, 201);
      const id = up.json.dataset_id as number;
      const countRows = async () =>
        (await query<{ n: number }>('SELECT count(*)::int AS n FROM dataset_rows WHERE dataset_id = $1', [id]))[0].n;
      await waitFor(async () => (await countRows()) > 0, 60_000, 'rows').catch((err: Error) => {
        throw new Error(`${err.message}\n${diag()}`);
      });

      // Restart mid-import, while requests keep coming.
      const restarting = cluster.restart();
      const during = (async () => {
        for (let i = 0; i < 10; i++) {
          await call('GET', `/api/public/v2/datasets/${id}`).catch(() => undefined);
          await sleep(50);
        }
      })();
      await Promise.all([restarting, during]);

      const done = await waitFor(
        async () => {
          const r = await call('GET', `/api/public/v2/datasets/${id}`);
          return r.status === 200 && ['ready', 'failed'].includes(r.json.dataset.status) ? r.json.dataset : undefined;
        },
        90_000,
        'the import to finish',
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${diag()}`);
      });
      assert.equal(done.status, 'ready', done.error);
      assert.equal(done.version_number, round);
      assert.equal(done.row_count, rows);
      assert.equal(await countRows(), rows);
      const job = await waitFor(
        async () => {
          const [j] = await query<{ status: string; attempts: number; transient_failures: number }>(
            "SELECT status, attempts, transient_failures FROM jobs WHERE type = 'dataset.import_file' AND payload LIKE $1",
            [`%"datasetId":${id},%`],
          );
          return j?.status === 'done' ? j : undefined;
        },
        20_000,
        'job done',
      );
      assert.equal(job.attempts, 1, `round ${round}: the restart spent no attempt (${JSON.stringify(job)})`);
      assert.ok(
        job.transient_failures >= 1,
        `round ${round}: the restart hit the running job (${JSON.stringify(job)})`,
      );
    }

    // Restart 2: while idle (every pooled connection breaks at once), then a new upload goes through end to end.
    await cluster.restart();
    await sleep(300);
    const again = await waitFor(
      async () => {
        const r = await call('POST', '/api/public/v2/dataset-versions/from-file', {
          dataset_group_id: group,
          file_name: 'small.csv',
          file_content_base64: b64(csvRows(100, 's')),
        });
        return r.status === 201 ? r : undefined;
      },
      30_000,
      'an upload after the second restart',
    );
    await waitFor(
      async () => {
        const r = await call('GET', `/api/public/v2/datasets/${again.json.dataset_id}`);
        return r.status === 200 && r.json.dataset.status === 'ready';
      },
      60_000,
      'the second import',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${diag()}`);
    });

    assert.ok(isAlive(api), `the API process is still up\n${diag()}`);
    assert.ok(isAlive(worker), `the worker process is still up\n${diag()}`);
    const versions = await query<{ v: number }>(
      'SELECT version_number AS v FROM datasets WHERE group_id = $1 AND version_number > 0 ORDER BY 1',
      [group],
    );
    assert.deepEqual(
      versions.map((v) => v.v),
      Array.from({ length: rounds + 1 }, (_, i) => i + 1),
    );
    assert.ok(!statuses.some((s) => s >= 500 && s !== 503), `only 503s during the outage: ${statuses.join(',')}`);
    console.log(`# statuses seen: ${[...new Set(statuses)].join(', ')}`);
  });
});
