// Measures column statistics on a large version (both dialects when STRATA_TEST_DATABASE_URL is set): the first
// request of a published version (computed and stored), the next one (cached), and a draft of the same rows (sampled).
// Run: node --import tsx bench/column-stats.bench.ts [rows]
import { DIALECTS } from '../test/support/dialects.js';
import { startTestApp } from '../test/support/test-app.js';

const ROWS = Number(process.argv[2] ?? 200_000);
const V2 = '/api/public/v2';
const COLUMNS = ['id', 'question', 'answer', 'score', 'flag', 'meta'];

async function main() {
  for (const dialect of DIALECTS) {
    const t = await startTestApp(dialect);
    try {
      const g = (await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'bench' } })).json();
      const groupId = g.dataset_group.id as number;
      const db = t.app.dbh.db;
      const now = Date.now();
      // Rows written straight into the table (the import path is measured elsewhere); the draft holds the same rows.
      const mk = async (version: number, status: 'processing' | 'draft') =>
        (
          await db
            .insertInto('datasets')
            .values({
              group_id: groupId,
              workspace_id: 1,
              version_number: version,
              column_names: JSON.stringify(COLUMNS),
              status,
              origin: 'file',
              external_id: `bench${version}${status}`,
              created_at: now,
              updated_at: now,
              row_count: ROWS,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      // Published rows are immutable (database triggers): v1 is filled while processing, then published.
      const v1 = await mk(1, 'processing');
      const draft = await mk(-1, 'draft');
      const batch = 2000;
      for (const id of [v1, draft]) {
        for (let s = 0; s < ROWS; s += batch) {
          const rows = [];
          for (let i = s; i < Math.min(ROWS, s + batch); i++) {
            const cells = [
              i,
              `question number ${i}`,
              'answer '.repeat(1 + (i % 20)),
              (i % 1000) / 7,
              i % 3 === 0,
              i % 5 === 0 ? null : { k: i % 50 },
            ];
            rows.push({ dataset_id: id, row_index: i, row_uid: null, data: JSON.stringify(cells) });
          }
          await db.insertInto('dataset_rows').values(rows).execute();
        }
      }
      await db.updateTable('datasets').set({ status: 'ready' }).where('id', '=', v1).execute();
      const time = async (id: number) => {
        const t0 = performance.now();
        const res = await t.request({ method: 'GET', url: `${V2}/datasets/${id}/stats` });
        if (res.statusCode !== 200) throw new Error(res.body);
        const body = res.json<{ rows_scanned: number; cached: boolean; sample_step: number }>();
        return {
          ms: Math.round(performance.now() - t0),
          rows: body.rows_scanned,
          cached: body.cached,
          step: body.sample_step,
        };
      };
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const first = await time(v1);
      const second = await time(v1);
      const drafted = await time(draft);
      clearInterval(timer);
      console.log(
        JSON.stringify({
          dialect,
          rows: ROWS,
          columns: COLUMNS.length,
          published_first: first,
          published_cached: second,
          draft: drafted,
          peak_rss_growth_mb: Math.round((peak - rss0) / 1048576),
        }),
      );
    } finally {
      await t.close();
    }
  }
}

await main();
