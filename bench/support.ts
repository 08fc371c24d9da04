// Shared bench plumbing: start a real Strata server process, sample its memory, time things.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCH_KEY = 'sk_strata_bench_key_000000000000000000';

export interface ServerProcess {
  url: string;
  pid: number;
  dataDir: string;
  child: ChildProcess;
  /** Resident memory now, in bytes. */
  rss(): number;
  /** Peak resident memory over the process's life (VmHWM), in bytes. */
  peakRss(): number;
  stop(): Promise<void>;
}

function statusField(pid: number, field: string): number {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU time (user + system) a process has used so far, in seconds (from /proc/PID/stat; 100 ticks a second). */
export function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Starts `strata serve` with `env`. `dataDir` shares a data directory (and so its local blobs) between processes;
 * a process without the api role (STRATA_ROLES=worker) serves no HTTP, so `waitReady: false` skips the wait for it.
 */
export async function startServer(
  env: Record<string, string> = {},
  opts: { dataDir?: string; waitReady?: boolean } = {},
): Promise<ServerProcess> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  // BENCH_CPU_PROF_DIR=dir writes a V8 CPU profile of each server process there when it exits.
  const prof = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  // BENCH_SERVER=dist runs the compiled server (`npm run build` first), as `npm start` does: no tsx loader, in the
  // process or in its worker threads.
  const entry =
    process.env.BENCH_SERVER === 'dist'
      ? [path.join(ROOT, 'dist/cli/main.js')]
      : ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts')];
  const child = spawn(process.execPath, [...prof, ...entry, 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      STRATA_DATA_DIR: dataDir,
      STRATA_BOOTSTRAP_API_KEY: BENCH_KEY,
      STRATA_LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (; opts.waitReady !== false;) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('bench server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    dataDir,
    child,
    rss: () => statusField(pid, 'VmRSS'),
    peakRss: () => statusField(pid, 'VmHWM'),
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api(server: ServerProcess, method: string, url: string, body?: unknown): Promise<any> {
  const r = await fetch(server.url + url, {
    method,
    headers: { 'x-api-key': BENCH_KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
