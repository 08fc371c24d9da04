// `npm run bench`: runs each scenario, prints its figures (ratios against baselines measured in the same run)
// and writes them all to bench/results/latest.json.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './support.js';
import * as diffExport from './diff-export.bench.js';
import * as fileImport from './file-import.js';
import * as filter from './filter.js';
import * as importWorkers from './import-workers.js';
import * as ingest from './ingest.js';
import * as nebiusRows from './nebius-rows.js';
import * as search from './search.js';

type Scenario = { name: string; run: () => Promise<Record<string, number | string>> };

const scenarios: Scenario[] = [
  // BENCH_ROWS scales every file case (1,000,000 = full size).
  ...fileImport.FILE_CASES.map((c) => ({
    name: c.name,
    run: () => fileImport.run(c, Number(process.env.BENCH_ROWS ?? 1_000_000) / 1_000_000),
  })),
  { name: 'file-import-pg-workers', run: () => importWorkers.run() },
  { name: 'log-ingestion', run: () => ingest.run() },
  { name: 'version-from-filters-1m-logs', run: () => filter.run() },
  { name: 'search-1m-logs', run: () => search.run() },
  { name: 'diff-export', run: () => diffExport.run() },
  // BENCH_NEBIUS_SCALE scales the bodies (1 = ~65 MB each).
  ...nebiusRows.ROWS_CASES.map((c) => ({
    name: c.name,
    run: () => nebiusRows.run(c, Number(process.env.BENCH_NEBIUS_SCALE ?? 1)),
  })),
];

const only = process.argv[2];
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
};
for (const s of scenarios) {
  if (only && !s.name.includes(only)) continue;
  process.stdout.write(`\n== ${s.name}\n`);
  try {
    const figures = await s.run();
    results[s.name] = figures;
    for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(28)} ${v}`);
  } catch (err) {
    results[s.name] = { error: String(err) };
    console.log(`  failed: ${String(err)}`);
    process.exitCode = 1;
  }
}
const out = path.join(ROOT, 'bench/results/latest.json');
fs.writeFileSync(out, JSON.stringify(results, null, 2));
console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
