// Spawns real `strata` processes (from source) sharing a test app's database and data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `nodeArgs` go before the script (e.g. `--import` of test/support/skewed-clock.mjs). */
export function spawnStrata(
  args: string[],
  env: Record<string, string>,
  opts: { nodeArgs?: string[] } = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...(opts.nodeArgs ?? []), 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Node arguments that make the process's JavaScript clock (Date) run `skewMs` ahead (negative: behind). */
export function skewedClockArgs(skewMs: number): string[] {
  return ['--import', `data:text/javascript,${encodeURIComponent(SKEW_SOURCE.replace('SKEW', String(skewMs)))}`];
}

const SKEW_SOURCE = `
const skew = SKEW;
const RealDate = Date;
class SkewedDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + skew); else super(...args); }
  static now() { return RealDate.now() + skew; }
}
globalThis.Date = SkewedDate;
`;

/** Collects a process's stdout and stderr (the tail, for failure messages). */
export function captureOutput(child: ChildProcess): { text(): string } {
  let out = '';
  const add = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return { text: () => out };
}

/** True while the process has not exited. */
export const isAlive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Runs a CLI command to completion; resolves with its exit code and output. */
export function runStrata(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnStrata(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** Resolves once the process prints a line matching `pattern` (on stdout or stderr); rejects if it exits first. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) finish();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`process exited (${code}) before printing ${pattern}:\n${seen.slice(-2000)}`));
    const timer = setTimeout(
      () => finish(new Error(`timed out waiting for ${pattern}:\n${seen.slice(-2000)}`)),
      timeoutMs,
    );
    function finish(err?: Error) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
