// Scenario (PostgreSQL, BENCH_PG_URL): 10 uploads of 100,000-row CSVs imported by 1 and then by 2 worker processes
// sharing the queue; wall time from the first job claimed to the last version ready, and the workers' CPU per row.
// The uploads are made first through an api-only process, so the workers' time and CPU are the imports alone.
// PostgreSQL's side is counted too where the server runs on this machine: the CPU of the backends serving the
// bench database (pg_stat_activity's pids, read from /proc), from the first claim on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { generateCsv } from './file-import.js';
import { api, cpuSeconds, round, startServer } from './support.js';

const UPLOADS = 10;

async function freshDatabase(adminUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * CPU of the PostgreSQL backends of the client's database other than its own. Before the first claim each sample is
 * a backend's starting point; after it, a backend first seen starts from 0 (its start-up is part of the work), and
 * the last reading of each counts (a backend that exits loses at most one sampling interval).
 */
class BackendCpu {
  readonly #start = new Map<number, number>();
  readonly #last = new Map<number, number>();
  constructor(private readonly client: pg.Client) {}

  async sample(counting: boolean): Promise<void> {
    const { rows } = await this.client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    for (const { pid } of rows) {
      let cpu: number;
      try {
        cpu = cpuSeconds(pid);
      } catch {
        continue; // exited meanwhile, or the server runs elsewhere
      }
      if (!counting) this.#start.set(pid, cpu);
      else if (!this.#start.has(pid)) this.#start.set(pid, 0);
      this.#last.set(pid, cpu);
    }
  }

  total(): number {
    return [...this.#last].reduce((n, [pid, cpu]) => n + cpu - (this.#start.get(pid) ?? 0), 0);
  }
}

async function importWith(
  workers: number,
  adminUrl: string,
  file: string,
  rows: number,
): Promise<{ seconds: number; cpu: number; pgCpu: number }> {
  const db = await freshDatabase(adminUrl, `strata_bench_workers_${process.pid}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-workers-'));
  const env = { DATABASE_URL: db.url, STRATA_WORKER_POLL_MS: '50' };
  const client = new pg.Client({ connectionString: db.url });
  const apiServer = await startServer({ ...env, STRATA_ROLES: 'api' }, { dataDir });
  const started: Array<Awaited<ReturnType<typeof startServer>>> = [];
  try {
    await client.connect();
    const group = await api(apiServer, 'POST', '/api/public/v2/dataset-groups', { name: 'bench-workers' });
    const body = JSON.stringify({
      dataset_group_id: group.dataset_group.id,
      file_name: 'w.csv',
      file_content_base64: fs.readFileSync(file).toString('base64'),
    });
    for (let i = 0; i < UPLOADS; i++) await api(apiServer, 'POST', '/api/public/v2/dataset-versions/from-file', body);
    for (let i = 0; i < workers; i++)
      started.push(await startServer({ ...env, STRATA_ROLES: 'worker' }, { dataDir, waitReady: false }));
    const count = async (where: string) =>
      Number((await client.query(`SELECT count(*) AS n FROM datasets WHERE origin = 'file' AND ${where}`)).rows[0].n);
    // Each worker's CPU counts from its first claim (locked_by is host:pid:...): until then it was starting up.
    const cpuAtClaim = new Map<number, number>();
    let t0: number | undefined;
    const backends = new BackendCpu(client);
    while ((await count(`status IN ('ready', 'failed')`)) < UPLOADS) {
      await backends.sample(t0 !== undefined);
      const claimed = await client.query(`SELECT DISTINCT locked_by FROM jobs WHERE locked_by IS NOT NULL`);
      for (const { locked_by } of claimed.rows as Array<{ locked_by: string }>) {
        const pid = Number(locked_by.split(':')[1]);
        if (!cpuAtClaim.has(pid) && started.some((w) => w.pid === pid)) cpuAtClaim.set(pid, cpuSeconds(pid));
      }
      if (t0 === undefined && cpuAtClaim.size > 0) t0 = performance.now();
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - (t0 ?? performance.now())) / 1000;
    const cpu = [...cpuAtClaim].reduce((n, [pid, at]) => n + cpuSeconds(pid) - at, 0);
    await backends.sample(true);
    const ready = await count(`status = 'ready' AND row_count = ${rows}`);
    if (ready !== UPLOADS) throw new Error(`${UPLOADS - ready} of the ${UPLOADS} imports did not end ready`);
    return { seconds, cpu, pgCpu: backends.total() };
  } finally {
    await client.end().catch(() => undefined);
    for (const w of started) await w.stop();
    await apiServer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const adminUrl = process.env.BENCH_PG_URL;
  if (!adminUrl) return { skipped: 'set BENCH_PG_URL=postgres://… to run this scenario' };
  const rows = Math.round(100_000 * (Number(process.env.BENCH_ROWS ?? 1_000_000) / 1_000_000));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-workers-csv-'));
  const file = path.join(dir, 'w.csv');
  generateCsv(file, rows);
  try {
    const one = await importWith(1, adminUrl, file, rows);
    const two = await importWith(2, adminUrl, file, rows);
    const total = rows * UPLOADS;
    return {
      uploads: UPLOADS,
      rows_each: rows,
      one_worker_s: round(one.seconds),
      two_workers_s: round(two.seconds),
      speedup_two_vs_one: round(one.seconds / two.seconds),
      one_worker_cpu_s_per_1m_rows: round((one.cpu / total) * 1e6),
      two_workers_cpu_s_per_1m_rows: round((two.cpu / total) * 1e6),
      one_worker_pg_backend_cpu_s_per_1m_rows: round((one.pgCpu / total) * 1e6),
      two_workers_pg_backend_cpu_s_per_1m_rows: round((two.pgCpu / total) * 1e6),
      load_avg_1m: round(os.loadavg()[0], 1),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
