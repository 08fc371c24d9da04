// A throw-away PostgreSQL cluster for fault tests: initdb + pg_ctl in a temp dir on its own port, so a test may stop
// and restart it (never the shared server on 5432). As root, the server runs as the `postgres` system user.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PG_BIN = process.env.STRATA_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function pgBinariesAvailable(): boolean {
  return fs.existsSync(path.join(PG_BIN, 'initdb')) && fs.existsSync(path.join(PG_BIN, 'pg_ctl'));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface PgCluster {
  port: number;
  /** URL of database `name` on this cluster. */
  url(name?: string): string;
  createDatabase(name: string): Promise<string>;
  /** pg_ctl restart -m fast: every connection is cut, the server is back once this resolves. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPgCluster(): Promise<PgCluster> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-pg-'));
  const dataDir = path.join(root, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) fs.chownSync(root, ...ownerOf('postgres'));
  const pgCmd = async (bin: string, args: string[]) => {
    const file = path.join(PG_BIN, bin);
    // initdb and postgres refuse to run as root.
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: root });
    else await run(file, args, { cwd: root });
  };
  await pgCmd('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const opts = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const ctl = (...args: string[]) =>
    pgCmd('pg_ctl', ['-D', dataDir, '-w', '-t', '60', '-l', path.join(root, 'log'), ...args]);
  await ctl('-o', opts, 'start');
  const url = (name = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    restart: () => ctl('-m', 'fast', '-o', opts, 'restart'),
    stop: () => ctl('-m', 'fast', 'stop'),
    start: () => ctl('-o', opts, 'start'),
    async destroy() {
      await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

function ownerOf(user: string): [number, number] {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no system user ${user} to run PostgreSQL as`);
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}
