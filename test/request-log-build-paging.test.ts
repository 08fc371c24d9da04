// A build larger than one keyset page (5,000 rows) on every dialect: order across page boundaries, with ties on the
// sort key, must match a sort computed here; nothing is lost or repeated.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RequestLogRepository } from '../src/request-logs/request-log.repository.js';
import { DIALECTS } from './support/dialects.js';
import { logBundle } from './support/factories.js';
import { startTestApp, waitFor, type TestApp } from './support/test-app.js';

const N = 12_000;
const BASE = Date.UTC(2026, 5, 1);

for (const dialect of DIALECTS) {
  describe(`dataset builds across keyset pages [${dialect}]`, () => {
    let t: TestApp;
    const model: Array<{ id: number; tokens: number; start: number; tagged: boolean }> = [];
    before(async () => {
      t = await startTestApp(dialect);
      const repo = new RequestLogRepository(t.app.dbh.db, t.app.dbh.dialect);
      const bundle = (i: number) => {
        const start = BASE + (i % 100) * 1000;
        return logBundle(
          1,
          {
            provider: 'openai',
            model: 'm',
            input: '{"type":"chat","messages":[]}',
            output: '{"type":"chat","messages":[]}',
            input_text: `in ${i}`,
            output_text: `out ${i}`,
            request_start_time: start,
            request_end_time: start + 10,
            latency_ms: 10,
            input_tokens: i % 7,
            prompt_input_variables: JSON.stringify({ i: String(i) }),
            created_at: start,
          },
          { tags: i % 3 === 0 ? ['third'] : [] },
        );
      };
      for (let k = 0; k < N; k += 1000) {
        const bundles = Array.from({ length: 1000 }, (_, j) => bundle(k + j));
        const ids = await t.app.dbh.transaction((trx) => repo.insertMany(trx, bundles));
        ids.forEach((id, j) =>
          model.push({
            id,
            tokens: bundles[j].log.input_tokens,
            start: bundles[j].log.request_start_time,
            tagged: bundles[j].tags.length > 0,
          }),
        );
      }
    });
    after(async () => t.close());

    async function build(body: Record<string, unknown>): Promise<number[]> {
      const g = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-groups',
        body: { name: `g${Math.random()}` },
      });
      const res = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-filter-params',
        body: { dataset_group_id: g.json().dataset_group.id, include_fields: ['id'], ...body },
      });
      assert.equal(res.statusCode, 201, res.body);
      const id = res.json().dataset_id as number;
      await waitFor(
        async () => {
          const d = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${id}` })).json().dataset;
          return d.status === 'ready';
        },
        60_000,
        'build',
      );
      const rows = await t.app.dbh.db
        .selectFrom('dataset_rows')
        .select(['row_index', 'data'])
        .where('dataset_id', '=', id)
        .orderBy('row_index')
        .execute();
      return rows.map((r) => (JSON.parse(r.data) as number[]).at(-1)!);
    }

    it('sorts by a key with many ties, ascending, across pages', async () => {
      const got = await build({ sort_by: 'input_tokens', sort_order: 'asc' });
      const expected = [...model].sort((a, b) => a.tokens - b.tokens || a.id - b.id).map((m) => m.id);
      assert.equal(got.length, N);
      assert.deepEqual(got, expected);
    });

    it('keeps the default order (newest first) with a filter, and with a limit that ends mid-page', async () => {
      const tagged = await build({ tags_and: ['third'] });
      const expectedTagged = model
        .filter((m) => m.tagged)
        .sort((a, b) => b.start - a.start || b.id - a.id)
        .map((m) => m.id);
      assert.equal(expectedTagged.length, 4_000);
      assert.deepEqual(tagged, expectedTagged);
      const limited = await build({ limit: 7_777 });
      assert.deepEqual(
        limited,
        [...model]
          .sort((a, b) => b.start - a.start || b.id - a.id)
          .slice(0, 7_777)
          .map((m) => m.id),
      );
    });

    it('stops exactly at a limit one past two full pages', async () => {
      const got = await build({ sort_by: 'request_start_time', sort_order: 'asc', limit: 10_001 });
      const expected = [...model]
        .sort((a, b) => a.start - b.start || a.id - b.id)
        .slice(0, 10_001)
        .map((m) => m.id);
      assert.deepEqual(got, expected);
    });
  });
}
