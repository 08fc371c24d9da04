// Measures diff and export on large versions (both dialects when STRATA_TEST_DATABASE_URL is set): time and peak RSS.
// Run: node --import tsx bench/diff-export.bench.ts [rows]
import { DIALECTS } from '../test/support/dialects.js';
import { startTestApp } from '../test/support/test-app.js';

const ROWS = Number(process.argv[2] ?? 200_000);
const V2 = '/api/public/v2';

async function main() {
  for (const dialect of DIALECTS) {
    const t = await startTestApp(dialect, { STRATA_MAX_FILE_BYTES: String(500 * 1024 * 1024) });
    try {
      const g = (await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'bench' } })).json();
      const groupId = g.dataset_group.id as number;
      const db = t.app.dbh.db;
      // v1: ROWS rows written straight through the repository-level table (the import path is measured elsewhere).
      const now = Date.now();
      const mk = async (version: number, source: number | null) =>
        (
          await db
            .insertInto('datasets')
            .values({
              group_id: groupId,
              workspace_id: 1,
              version_number: version,
              column_names: JSON.stringify(['id', 'question', 'answer']),
              status: 'ready',
              origin: 'file',
              external_id: `bench${version}`,
              source_dataset_id: source,
              created_at: now,
              updated_at: now,
              row_count: ROWS,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      const v1 = await mk(1, null);
      const batch = 2000;
      for (let s = 0; s < ROWS; s += batch) {
        const rows = [];
        for (let i = s; i < Math.min(ROWS, s + batch); i++)
          rows.push({
            dataset_id: v1,
            row_index: i,
            row_uid: null,
            data: JSON.stringify([String(i), `question number ${i}`, `answer ${i}`]),
          });
        await db.insertInto('dataset_rows').values(rows).execute();
      }
      // v2 derived from v1: copy with identity, change 1% of rows, delete 1%, add 1%.
      const v2 = await mk(2, v1);
      let t0 = Date.now();
      await t.app.dbh.transaction(async (trx) => {
        const { DraftRepository } = await import('../src/datasets/draft.repository.js');
        await new DraftRepository(t.app.dbh.dialect).copyRows(trx, v2, v1);
      });
      const copyMs = Date.now() - t0;
      const pct = Math.floor(ROWS / 100);
      await db
        .updateTable('dataset_rows')
        .set({ data: JSON.stringify(['x', 'changed', 'changed']) })
        .where('dataset_id', '=', v2)
        .where('row_index', '<', pct)
        .execute();
      await db
        .deleteFrom('dataset_rows')
        .where('dataset_id', '=', v2)
        .where('row_index', '>=', ROWS - pct)
        .execute();
      const extra = [];
      for (let i = 0; i < pct; i++)
        extra.push({
          dataset_id: v2,
          row_index: ROWS + i,
          row_uid: null,
          data: JSON.stringify([`n${i}`, 'new', 'new']),
        });
      for (let s = 0; s < extra.length; s += batch)
        await db
          .insertInto('dataset_rows')
          .values(extra.slice(s, s + batch))
          .execute();

      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      t0 = Date.now();
      const diff = (await t.request({ method: 'GET', url: `${V2}/datasets/${v2}/diff?against=${v1}` })).json();
      const diffMs = Date.now() - t0;
      t0 = Date.now();
      const v3 = await mk(3, null);
      await db
        .insertInto('dataset_rows')
        .columns(['dataset_id', 'row_index', 'row_uid', 'data'])
        .expression((eb) =>
          eb
            .selectFrom('dataset_rows')
            .select([eb.val(v3).as('d'), 'row_index', 'row_uid', 'data'])
            .where('dataset_id', '=', v2),
        )
        .execute();
      const contentDiff = (await t.request({ method: 'GET', url: `${V2}/datasets/${v3}/diff?against=${v1}` })).json();
      const contentMs = Date.now() - t0;
      // Export over real HTTP so the body streams instead of being collected by inject.
      const base = await t.listen();
      t0 = Date.now();
      const res = await fetch(`${base}${V2}/datasets/${v1}/export?format=csv`, {
        headers: { 'x-api-key': 'sk_strata_test_key_for_the_default_workspace' },
      });
      let bytes = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
      const exportMs = Date.now() - t0;
      clearInterval(timer);
      console.log(
        JSON.stringify({
          dialect,
          rows: ROWS,
          copyMs,
          identityDiff: { ms: diffMs, counts: diff.counts },
          contentDiff: { ms: contentMs, counts: contentDiff.counts },
          exportCsv: { ms: exportMs, mb: +(bytes / 1e6).toFixed(1) },
          rssMbBefore: Math.round(rss0 / 1e6),
          rssMbPeakDuring: Math.round(peak / 1e6),
        }),
      );
    } finally {
      await t.close();
    }
  }
}

await main();
