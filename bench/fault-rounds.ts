// Long variant of the fault suite (not run in CI): many rounds of PostgreSQL restarting mid-import under real API
// and worker processes (the report behind issue 10 saw workers die in 10 of 12 rounds).
// Run: node --import tsx bench/fault-rounds.ts [rounds=12]
import { spawnSync } from 'node:child_process';
import { ROOT } from './support.js';

const rounds = process.argv[2] ?? '12';
const started = Date.now();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/pg-restart.test.ts'], {
  cwd: ROOT,
  env: { ...process.env, STRATA_FAULT_ROUNDS: rounds },
  stdio: 'inherit',
});
console.log(
  `\n${rounds} restart rounds: ${r.status === 0 ? 'all passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exitCode = r.status ?? 1;
