// A large version just published is read page by page through the primary key on every dialect: on PostgreSQL the
// publication refreshes dataset_rows' statistics, without which a version the planner has no statistics for had its
// keyset page (`row_index > $after ORDER BY row_index LIMIT n`) planned as a scan of every remaining row plus a sort.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { REFRESH_STATISTICS_ROWS } from '../src/datasets/dataset.repository.js';
import { DIALECTS } from './support/dialects.js';
import { createGroup, createReadyVersion, csvRows } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The plan of the rows page after row `afterIndex`, as one text (node types and index names). */
async function pagePlan(t: TestApp, datasetId: number, afterIndex: number): Promise<string> {
  const page = sql`SELECT row_index, row_uid, data FROM dataset_rows WHERE dataset_id = ${sql.lit(datasetId)}
    AND row_index > ${sql.lit(afterIndex)} ORDER BY row_index LIMIT 2000`;
  if (t.dialect === 'postgres') {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${page}`.execute(t.app.dbh.db);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const { rows } = await sql<{ detail: string }>`EXPLAIN QUERY PLAN ${page}`.execute(t.app.dbh.db);
  return rows.map((r) => r.detail).join('\n');
}

for (const dialect of DIALECTS) {
  describe(`planner statistics after a large publication [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('reads the pages of a large new version by the primary key, without a sort', async () => {
      const g = await createGroup(t, 'stats-refresh');
      // A small version first, so the table has statistics that know nothing of the large one.
      await createReadyVersion(t, g.dataset_group.id, { csv: csvRows(50, 'small') });
      if (dialect === 'postgres') await sql`ANALYZE dataset_rows`.execute(t.app.dbh.db);
      const big = await createReadyVersion(t, g.dataset_group.id, {
        csv: csvRows(REFRESH_STATISTICS_ROWS + 500, 'big'),
      });
      if (dialect === 'postgres') {
        // The planner knows the new version's size (without the refresh it estimated a handful of rows).
        const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT data FROM dataset_rows
          WHERE dataset_id = ${sql.lit(big.id)}`.execute(t.app.dbh.db);
        const estimate = Number(/rows=(\d+)/.exec(rows[0]['QUERY PLAN'])?.[1]);
        assert.ok(estimate >= REFRESH_STATISTICS_ROWS / 2, `estimated ${estimate} rows: ${rows[0]['QUERY PLAN']}`);
      }
      const plan = await pagePlan(t, big.id, 100);
      if (dialect === 'postgres') {
        assert.match(plan, /Index Scan using dataset_rows_pk/, plan);
        assert.doesNotMatch(plan, /Sort|Bitmap/, plan);
      } else {
        assert.match(plan, /USING PRIMARY KEY|USING INDEX sqlite_autoindex_dataset_rows|dataset_rows_pk/, plan);
        assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
      }
    });
  });
}
