// Scenario: request-log ingestion driven by autocannon (50 connections, 10 s, its own process) against POST /log-request
// and POST /track-request of a Strata server process on 127.0.0.1 (SQLite by default; PostgreSQL too with
// BENCH_PG_URL), each against a bare Fastify server process that parses the same JSON and answers 201, measured
// in the same run (before and after Strata, to see the load drift). The Strata server is then killed with SIGKILL and
// its database must hold at least one log per 201/200 acknowledged: no acknowledged log may be lost.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { LogRequestBody } from '../src/request-logs/request-log.schema.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'sk_strata_bench_ingest_key_0000000000000';
export function logBody(i: number) {
  const start = 1_776_000_000 + i;
  return {
    provider: 'openai',
    model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
    input: {
      type: 'chat',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: `Summarise ticket ${i}: the printer on floor ${i % 9} is out of toner again` },
          ],
        },
      ],
    },
    output: {
      type: 'chat',
      messages: [
        { role: 'assistant', content: [{ type: 'text', text: `Ticket ${i}: replace the toner on floor ${i % 9}.` }] },
      ],
    },
    request_start_time: start,
    request_end_time: start + 0.8,
    tags: ['bench', `shard-${i % 8}`],
    metadata: { app: `app-${i % 4}`, user: `user-${i % 100}` },
    input_tokens: 40 + (i % 13),
    output_tokens: 12 + (i % 7),
    price: 0.0004,
    score: i % 101,
    status: i % 50 === 0 ? 'ERROR' : 'SUCCESS',
  };
}

/** What the JS SDK's pl.OpenAI wrapper posts after one chat.completions.create call (API key in the body). */
export function trackBody(i: number) {
  const start = new Date(Date.UTC(2026, 3, 12) + i * 1000);
  return {
    api_key: KEY,
    provider_type: 'openai',
    function_name: 'openai.chat.completions.create',
    request_start_time: start.toISOString(),
    request_end_time: new Date(start.getTime() + 800).toISOString(),
    kwargs: {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: `Summarise ticket ${i}: the printer on floor ${i % 9} is out of toner again` },
      ],
      temperature: 0.2,
    },
    request_response: {
      id: `chatcmpl-${i}`,
      object: 'chat.completion',
      created: 1_776_000_000,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: `Ticket ${i}: replace the toner on floor ${i % 9}.` },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 40 + (i % 13), completion_tokens: 12 + (i % 7), total_tokens: 52 + (i % 20) },
    },
    tags: ['bench', `shard-${i % 8}`],
    return_pl_id: true,
    span_id: (i + 1).toString(16).padStart(16, '0'),
  };
}

interface Proc {
  url: string;
  child: ChildProcess;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts `script` with tsx in a child process listening on a random loopback port; resolves once /readyz answers. */
async function startProcess(args: string[], env: Record<string, string>): Promise<Proc> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`bench process ${args[0]} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    kill: async (signal) => {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}

interface Cannon {
  requests_per_s: number;
  ok: number;
  non_ok: number;
  errors: number;
  timeouts: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
}

/** autocannon in its own process (so the client never shares the server's event loop), JSON result parsed. */
async function cannon(
  url: string,
  body: string,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
): Promise<Cannon> {
  const bodyFile = path.join(
    os.tmpdir(),
    `strata-bench-body-${process.pid}-${Math.random().toString(36).slice(2)}.json`,
  );
  fs.writeFileSync(bodyFile, body);
  try {
    const args = [
      path.join(ROOT, 'node_modules/autocannon/autocannon.js'),
      '--json',
      '-n',
      '-c',
      String(connections),
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-i',
      bodyFile,
      '-H',
      'content-type=application/json',
    ];
    for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
    args.push(url);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.once('exit', r));
    const j = JSON.parse(out);
    return {
      requests_per_s: Math.round(j.requests.average),
      ok: j['2xx'],
      non_ok: j.non2xx,
      errors: j.errors,
      timeouts: j.timeouts,
      latency_p50_ms: j.latency.p50,
      latency_p99_ms: j.latency.p99,
    };
  } finally {
    fs.rmSync(bodyFile, { force: true });
  }
}

/** Median milliseconds of one small write + fsync in `dir`: what a durable commit waits for at this moment. */
function fsyncMs(dir: string): number {
  const file = path.join(dir, 'fsync-probe');
  const fd = fs.openSync(file, 'w');
  const times: number[] = [];
  try {
    for (let i = 0; i < 21; i++) {
      fs.writeSync(fd, Buffer.alloc(4096, i), 0, 4096, 0);
      const t0 = performance.now();
      fs.fsyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return Math.round(times.sort((a, b) => a - b)[10] * 100) / 100;
}

const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** One dialect: baseline, Strata /log-request, Strata /track-request, baseline again; then SIGKILL and count. */
async function runDialect(
  dialect: 'sqlite' | 'postgres',
  seconds: number,
  connections: number,
): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-ingest-'));
  let pgUrl: string | undefined;
  let dropPg: (() => Promise<void>) | undefined;
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: process.env.BENCH_PG_URL });
    await admin.connect();
    const name = `strata_bench_ingest_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(process.env.BENCH_PG_URL!);
    u.pathname = `/${name}`;
    pgUrl = u.toString();
    dropPg = async () => {
      const c = new pg.Client({ connectionString: process.env.BENCH_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const logJson = JSON.stringify(logBody(1));
  const trackJson = JSON.stringify(trackBody(1));
  const warm = Math.max(1, Math.round(seconds / 5));
  try {
    const bareRun = async () => {
      const bare = await startProcess([path.join(ROOT, 'bench/bare-log-server.ts')], {});
      try {
        await cannon(`${bare.url}/log-request`, logJson, {}, warm, connections);
        const log = await cannon(`${bare.url}/log-request`, logJson, {}, seconds, connections);
        const track = await cannon(`${bare.url}/track-request`, trackJson, {}, seconds, connections);
        return { log, track };
      } finally {
        await bare.kill('SIGTERM');
      }
    };
    const load0 = loadavg();
    const fsync0 = fsyncMs(dir);
    const before = await bareRun();
    const env: Record<string, string> = {
      STRATA_DATA_DIR: path.join(dir, 'data'),
      STRATA_BOOTSTRAP_API_KEY: KEY,
      STRATA_LOG_LEVEL: 'warn',
    };
    if (pgUrl) env.DATABASE_URL = pgUrl;
    const server = await startProcess([path.join(ROOT, 'src/cli/main.ts'), 'serve'], env);
    let log: Cannon;
    let track: Cannon;
    let warmAcks: number;
    const load1 = loadavg();
    try {
      warmAcks = (await cannon(`${server.url}/log-request`, logJson, { 'x-api-key': KEY }, warm, connections)).ok;
      log = await cannon(`${server.url}/log-request`, logJson, { 'x-api-key': KEY }, seconds, connections);
      warmAcks += (await cannon(`${server.url}/track-request`, trackJson, {}, warm, connections)).ok;
      track = await cannon(`${server.url}/track-request`, trackJson, {}, seconds, connections);
    } finally {
      // No graceful shutdown: whatever was acknowledged must already be on disk.
      await server.kill('SIGKILL');
    }
    const load2 = loadavg();
    const fsync1 = fsyncMs(dir);
    const after = await bareRun();
    const acked = warmAcks + log.ok + track.ok;
    const stored = await countLogs(dialect, pgUrl, path.join(dir, 'data'));
    if (stored < acked)
      throw new Error(`${dialect}: ${acked} logs acknowledged but only ${stored} stored after SIGKILL`);
    if (log.non_ok + track.non_ok + log.errors + track.errors > 0)
      throw new Error(`${dialect}: refused or failed requests: ${JSON.stringify({ log, track })}`);
    const inProcess = await inProcessLogsPerSecond(env, seconds, connections);
    const bareLog = (before.log.requests_per_s + after.log.requests_per_s) / 2;
    const bareTrack = (before.track.requests_per_s + after.track.requests_per_s) / 2;
    return {
      connections,
      seconds,
      bare_log_request_per_s: `${before.log.requests_per_s} before, ${after.log.requests_per_s} after`,
      bare_track_request_per_s: `${before.track.requests_per_s} before, ${after.track.requests_per_s} after`,
      log_request_per_s: log.requests_per_s,
      log_request_p99_ms: log.latency_p99_ms,
      ratio_log_request: Math.round((log.requests_per_s / bareLog) * 100) / 100,
      track_request_per_s: track.requests_per_s,
      track_request_p99_ms: track.latency_p99_ms,
      ratio_track_request: Math.round((track.requests_per_s / bareTrack) * 100) / 100,
      in_process_log_request_per_s: inProcess,
      ratio_in_process_vs_bare: Math.round((inProcess / bareLog) * 100) / 100,
      acknowledged: acked,
      stored_after_sigkill: stored,
      loadavg_start_strata_end: `${load0} | ${load1} | ${load2}`,
      fsync_median_ms_before_after: `${fsync0} | ${fsync1}`,
    };
  } finally {
    await dropPg?.();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The storage work alone: the same logs through RequestLogService.logRequest in this process (validated once by the
 * route's schema beforehand, no HTTP, no JSON parsing), `inFlight` at a time like autocannon's connections, for
 * `seconds`, on the database the server process left. Each call resolves after its group commit is durable, as a 201
 * does. This is the ceiling of the HTTP figure: no change to the HTTP path can lift /log-request above it.
 */
async function inProcessLogsPerSecond(env: Record<string, string>, seconds: number, inFlight: number): Promise<number> {
  const app = await createApp(loadConfig({ ...process.env, ...env, STRATA_ROLES: 'api' }));
  try {
    const input = LogRequestBody.parse(logBody(1));
    const key = await app.auth.authenticateApiKey(KEY);
    if (!key) throw new Error('the bench key did not authenticate in process');
    const end = Date.now() + seconds * 1000;
    let done = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (Date.now() < end) {
          await app.requestLogs.logRequest(key, input);
          done++;
        }
      }),
    );
    return Math.round(done / seconds);
  } finally {
    await app.close();
  }
}

async function countLogs(dialect: 'sqlite' | 'postgres', pgUrl: string | undefined, dataDir: string): Promise<number> {
  if (dialect === 'postgres') {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
      return Number((await c.query('SELECT COUNT(*) AS n FROM request_logs')).rows[0].n);
    } finally {
      await c.end();
    }
  }
  const file = fs.readdirSync(dataDir).find((f) => f.endsWith('.db') || f.endsWith('.sqlite'));
  const db = new SQLite(path.join(dataDir, file!), { readonly: false });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM request_logs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function run(
  opts: { seconds?: number; connections?: number } = {},
): Promise<Record<string, number | string>> {
  const seconds = opts.seconds ?? Number(process.env.BENCH_INGEST_SECONDS ?? 10);
  const connections = opts.connections ?? Number(process.env.BENCH_INGEST_CONNECTIONS ?? 50);
  const out: Record<string, number | string> = {};
  const dialects: Array<'sqlite' | 'postgres'> = process.env.BENCH_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  if (process.env.BENCH_INGEST_DIALECTS)
    dialects.splice(
      0,
      dialects.length,
      ...(process.env.BENCH_INGEST_DIALECTS.split(',') as Array<'sqlite' | 'postgres'>),
    );
  for (const d of dialects)
    for (const [k, v] of Object.entries(await runDialect(d, seconds, connections))) out[`${d}.${k}`] = v;
  return out;
}
