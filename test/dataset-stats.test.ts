// Column statistics over HTTP on every dialect: exact figures on known data, odd data never failing, wide versions
// paged, the published-version cache and the draft story (recomputed after each edit, cached once saved).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { b64, startTestApp, waitFor, type TestApp } from './support/test-app.js';
import { createGroup, createReadyVersion, waitDataset } from './support/factories.js';
import { ColumnStatsRepository } from '../src/datasets/column-stats.repository.js';
import { ColumnStatsService } from '../src/datasets/column-stats.service.js';
import { decodeDataset } from '../src/datasets/dataset.repository.js';

const V2 = '/api/public/v2';

interface Stats {
  status: string;
  row_count: number;
  rows_scanned: number;
  sampled: boolean;
  sample_step: number;
  cached: boolean;
  columns_total: number;
  column_offset: number;
  columns: Array<Record<string, any> & { name: string; computed_at: string }>;
}

async function stats(t: TestApp, id: number, query = ''): Promise<Stats> {
  const res = await t.request({ method: 'GET', url: `${V2}/datasets/${id}/stats${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<Stats>();
}

const col = (s: Stats, name: string) => {
  const c = s.columns.find((x) => x.name === name);
  assert.ok(c, `column ${name}`);
  return c;
};

async function newDraft(t: TestApp, name: string, rows: Array<Record<string, unknown>>) {
  const g = await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name } });
  assert.equal(g.statusCode, 201, g.body);
  const { dataset_group, dataset } = g.json<{ dataset_group: { id: number }; dataset: { id: number } }>();
  for (let i = 0; i < rows.length; i += 1000) {
    const res = await t.request({
      method: 'POST',
      url: `${V2}/datasets/${dataset.id}/rows`,
      body: { rows: rows.slice(i, i + 1000) },
    });
    assert.equal(res.statusCode, 201, res.body);
  }
  return { groupId: dataset_group.id, draftId: dataset.id };
}

/** Waits until the column statistics job queued by the version's publication has finished. */
async function statsJobDone(t: TestApp, datasetId: number) {
  await waitFor(
    async () => {
      const jobs = await t.app.dbh.db
        .selectFrom('jobs')
        .select(['payload', 'status'])
        .where('type', '=', 'dataset.column_stats')
        .execute();
      const job = jobs.find((j) => (JSON.parse(j.payload) as { datasetId: number }).datasetId === datasetId);
      return job?.status === 'done';
    },
    30_000,
    `the statistics job of dataset ${datasetId}`,
  );
}

const HUGE = 'x'.repeat(100_000);
const KNOWN = [
  { n: 1, s: 'a', b: true, m: 1, z: null, t: '10', u: '😀x' },
  { n: 2, s: 'bb', b: false, m: 'x', z: null, t: '20.5', u: 'é' },
  { n: 3, s: 'a', b: true, m: { k: 1 }, z: null, t: '-3', u: '\u0301' },
  { n: 4, s: '', b: true, m: [1], z: null, t: '1e2', u: '𝔘𝔫𝔦' },
  { n: null, s: 'ccc', b: null, m: true, z: null, t: '7', u: HUGE },
];

for (const dialect of DIALECTS) {
  describe(`column statistics [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('gives exact figures for known data, odd cells included', async () => {
      const { draftId } = await newDraft(t, 'stats-known', KNOWN);
      const s = await stats(t, draftId);
      assert.equal(s.status, 'draft');
      assert.equal(s.row_count, 5);
      assert.equal(s.rows_scanned, 5);
      assert.equal(s.sampled, false);
      assert.equal(s.cached, false);
      assert.equal(s.columns_total, 7);
      assert.deepEqual(
        s.columns.map((c) => c.name),
        ['n', 's', 'b', 'm', 'z', 't', 'u'],
      );

      const n = col(s, 'n');
      assert.equal(n.type, 'number');
      assert.equal(n.nulls, 1);
      assert.equal(n.null_share, 0.2);
      assert.deepEqual(n.distinct, { count: 4, approximate: false });
      assert.deepEqual({ min: n.number.min, max: n.number.max, mean: n.number.mean }, { min: 1, max: 4, mean: 2.5 });
      assert.deepEqual(
        n.number.histogram,
        [1, 2, 3, 4].map((v) => ({ from: v, to: v, count: 1 })),
      );
      assert.equal(n.string, null);

      const str = col(s, 's');
      assert.equal(str.type, 'string');
      assert.equal(str.empty, 1);
      assert.equal(str.null_share, 0.2);
      assert.deepEqual(str.distinct, { count: 3, approximate: false });
      assert.deepEqual(
        { min: str.string.length.min, max: str.string.length.max, mean: str.string.length.mean },
        { min: 1, max: 3, mean: 1.75 },
      );
      assert.deepEqual(str.string.length.histogram, [
        { from: 1, to: 1, count: 2 },
        { from: 2, to: 2, count: 1 },
        { from: 3, to: 3, count: 1 },
      ]);
      assert.deepEqual(str.string.top, [
        { value: 'a', count: 2, truncated: false },
        { value: 'bb', count: 1, truncated: false },
        { value: 'ccc', count: 1, truncated: false },
      ]);

      const b = col(s, 'b');
      assert.equal(b.type, 'boolean');
      assert.deepEqual(b.boolean, { true: 3, false: 1 });
      assert.deepEqual(b.distinct, { count: 2, approximate: false });

      const m = col(s, 'm');
      assert.equal(m.type, 'mixed');
      assert.deepEqual(m.kinds, { number: 1, string: 1, boolean: 1, json: 2 });
      assert.equal(m.distinct.count, 5);
      assert.deepEqual(m.number.histogram, [{ from: 1, to: 1, count: 1 }]);

      const z = col(s, 'z');
      assert.equal(z.type, 'empty');
      assert.equal(z.null_share, 1);
      assert.deepEqual(z.distinct, { count: 0, approximate: false });
      assert.equal(z.number, null);
      assert.equal(z.string, null);

      // Numbers stored as text (as CSV cells are) read as a number column.
      const tt = col(s, 't');
      assert.equal(tt.type, 'number');
      assert.equal(tt.number.from_text, 5);
      assert.deepEqual({ min: tt.number.min, max: tt.number.max }, { min: -3, max: 100 });
      assert.ok(Math.abs(tt.number.mean - 26.9) < 1e-9);
      assert.deepEqual(
        tt.number.histogram.map((h: { count: number }) => h.count),
        [2, 1, 1, 0, 0, 0, 0, 0, 0, 1],
      );
      assert.equal(tt.number.histogram[0].from, -3);
      assert.equal(tt.number.histogram[9].to, 100);

      // "true"/"false" text (as CSV cells are) reads as booleans, unless mixed with other text.
      const bt = await newDraft(t, 'stats-bool-text', [{ f: 'true' }, { f: 'FALSE' }, { f: 'true' }, { f: null }]);
      const f = col(await stats(t, bt.draftId), 'f');
      assert.equal(f.type, 'boolean');
      assert.deepEqual(f.boolean, { true: 2, false: 1 });
      const mixedText = await newDraft(t, 'stats-bool-mixed', [{ f: 'true' }, { f: 'maybe' }]);
      assert.equal(col(await stats(t, mixedText.draftId), 'f').type, 'string');
      assert.equal(col(await stats(t, mixedText.draftId), 'f').boolean, null);

      // Lengths count code points: an emoji is one character, a combining mark alone is one.
      const u = col(s, 'u');
      assert.equal(u.type, 'string');
      assert.deepEqual({ min: u.string.length.min, max: u.string.length.max }, { min: 1, max: 100_000 });
      const huge = u.string.top.find((x: { truncated: boolean }) => x.truncated);
      assert.equal(huge.value, 'x'.repeat(120));
    });

    it('recomputes a draft after each edit and caches the version it is saved as', async () => {
      const { groupId, draftId } = await newDraft(t, 'stats-draft', [{ n: 1 }, { n: 2 }, { n: 3 }]);
      assert.equal(col(await stats(t, draftId), 'n').number.max, 3);

      const edit = await t.request({
        method: 'PATCH',
        url: `${V2}/datasets/${draftId}/rows/0`,
        body: { values: { n: 10 } },
      });
      assert.equal(edit.statusCode, 200, edit.body);
      let s = await stats(t, draftId);
      assert.equal(s.cached, false);
      assert.deepEqual({ min: col(s, 'n').number.min, max: col(s, 'n').number.max }, { min: 2, max: 10 });

      assert.equal((await t.request({ method: 'DELETE', url: `${V2}/datasets/${draftId}/rows/1` })).statusCode, 200);
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: `${V2}/datasets/${draftId}/columns`,
            body: { name: 'tag', default_value: 'x' },
          })
        ).statusCode,
        201,
      );
      s = await stats(t, draftId);
      assert.equal(s.row_count, 2);
      assert.equal(col(s, 'n').number.count, 2);
      assert.deepEqual(col(s, 'tag').string.top, [{ value: 'x', count: 2, truncated: false }]);
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: `${V2}/datasets/${draftId}/columns/rename`,
            body: { from: 'tag', to: 'label' },
          })
        ).statusCode,
        200,
      );
      assert.deepEqual(
        (await stats(t, draftId)).columns.map((c) => c.name),
        ['n', 'label'],
      );

      const save = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/save-draft`,
        body: { dataset_group_id: groupId },
      });
      assert.equal(save.statusCode, 202, save.body);
      await waitDataset(t, draftId, ['ready']);
      // Publication queued the statistics job, which stores the figures of the first columns.
      await statsJobDone(t, draftId);
      const first = await stats(t, draftId);
      assert.equal(first.status, 'ready');
      assert.equal(first.cached, true);
      assert.deepEqual(
        col(first, 'n').number.histogram.map((h: { count: number }) => h.count),
        [1, 0, 0, 0, 0, 0, 0, 1],
      );
      assert.deepEqual(col(first, 'label').string.top, [{ value: 'x', count: 2, truncated: false }]);
      const second = await stats(t, draftId);
      assert.deepEqual(second.columns, first.columns);

      // A new draft from the version changes on its own; the version's stored figures stay.
      const copy = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/create-draft`,
        body: { dataset_group_id: groupId, source_dataset_id: draftId },
      });
      assert.ok([201, 202].includes(copy.statusCode), copy.body);
      const copyId = copy.json().draft_dataset_id as number;
      await waitFor(
        async () =>
          (await t.request({ method: 'GET', url: `${V2}/datasets/${copyId}` })).json().dataset.status === 'draft',
        30_000,
        'copy',
      );
      const rowIds = (await t.request({ method: 'GET', url: `${V2}/datasets/${copyId}/rows` })).json()
        .row_ids as number[];
      assert.equal(
        (
          await t.request({
            method: 'PATCH',
            url: `${V2}/datasets/${copyId}/rows/${rowIds[0]}`,
            body: { values: { n: -5 } },
          })
        ).statusCode,
        200,
      );
      assert.equal(col(await stats(t, copyId), 'n').number.min, -5);
      const again = await stats(t, draftId);
      assert.equal(again.cached, true);
      assert.equal(col(again, 'n').number.min, 3);
    });

    it('computes a published version’s first columns at publication and later pages at their first request', async () => {
      const header = Array.from({ length: 25 }, (_, i) => `c${i}`);
      const lines = [
        header.join(','),
        ...Array.from({ length: 4 }, (_, r) => header.map((_, i) => String(r * 100 + i)).join(',')),
      ].join('\n');
      const g = await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'stats-pages' } });
      const res = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/from-file`,
        body: { dataset_group_id: g.json().dataset_group.id, file_name: 'w.csv', file_content_base64: b64(lines) },
      });
      assert.equal(res.statusCode, 201, res.body);
      const id = res.json().dataset_id as number;
      await waitDataset(t, id, ['ready']);
      await statsJobDone(t, id);
      const stored = await t.app.dbh.db
        .selectFrom('dataset_column_stats')
        .select('column_index')
        .where('dataset_id', '=', id)
        .orderBy('column_index')
        .execute();
      assert.deepEqual(
        stored.map((r) => r.column_index),
        Array.from({ length: 20 }, (_, i) => i),
      );
      const page1 = await stats(t, id);
      assert.equal(page1.cached, true);
      assert.equal(page1.columns.length, 20);
      assert.deepEqual(
        { min: col(page1, 'c3').number.min, max: col(page1, 'c3').number.max, mean: col(page1, 'c3').number.mean },
        { min: 3, max: 303, mean: 153 },
      );
      const page2 = await stats(t, id, '?column_offset=20');
      assert.equal(page2.cached, false);
      assert.deepEqual(
        page2.columns.map((c) => c.name),
        ['c20', 'c21', 'c22', 'c23', 'c24'],
      );
      const again = await stats(t, id, '?column_offset=20');
      assert.equal(again.cached, true);
      assert.deepEqual(again.columns, page2.columns);
      // A page overlapping both is served from the store too.
      assert.equal((await stats(t, id, '?column_offset=15&column_limit=10')).cached, true);
    });

    it('estimates distinct counts past 10,000 values and says so', async () => {
      const lines = Array.from({ length: 12_000 }, (_, i) => JSON.stringify({ id: i, k: `key-${i % 500}` })).join('\n');
      const up = await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'stats-distinct' } });
      const res = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/from-file`,
        body: { dataset_group_id: up.json().dataset_group.id, file_name: 'd.jsonl', file_content_base64: b64(lines) },
      });
      assert.equal(res.statusCode, 201, res.body);
      const id = res.json().dataset_id as number;
      await waitDataset(t, id, ['ready']);
      const s = await stats(t, id);
      const ids = col(s, 'id');
      assert.equal(ids.distinct.approximate, true);
      assert.ok(Math.abs(ids.distinct.count - 12_000) < 12_000 * 0.05, `estimate ${ids.distinct.count}`);
      assert.deepEqual(
        { min: ids.number.min, max: ids.number.max, mean: ids.number.mean },
        { min: 0, max: 11_999, mean: 5999.5 },
      );
      assert.deepEqual(
        ids.number.histogram.map((h: { count: number }) => h.count),
        Array(10).fill(1200),
      );
      assert.deepEqual(col(s, 'k').distinct, { count: 500, approximate: false });
      assert.equal(col(s, 'k').string.top[0].count, 24);
    });

    it('lets the event loop turn while it scans a version', async () => {
      const g = await createGroup(t, 'stats-turns');
      const rows = Array.from({ length: 5_000 }, (_, i) => ({ id: i, s: `row ${i}` }));
      const { id } = await createReadyVersion(t, g.dataset_group.id, { rows });
      const d = decodeDataset(
        await t.app.dbh.db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
      );
      const service = new ColumnStatsService(new ColumnStatsRepository(t.app.dbh.db), t.app.datasets);
      // SQLite reads are synchronous: a scan that never gives the event loop a turn runs to its end before a
      // timer (or a waiting request) gets one.
      const turns: number[] = [];
      let scanning = true;
      const tick = () => {
        if (!scanning) return;
        turns.push(Date.now());
        setImmediate(tick);
      };
      setImmediate(tick);
      const columns = await service.compute(d, 0, 2);
      scanning = false;
      assert.equal(columns[0].stats.count, 5_000);
      assert.ok(turns.length >= 4, `the event loop turned ${turns.length} times during a 5,000-row scan`);
    });

    it('pages the columns of a 10,000-column version', async () => {
      const row = (v: number) =>
        Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`c${i}`, i % 2 ? v : `t${v}`]));
      const { draftId } = await newDraft(
        t,
        'stats-wide',
        Array.from({ length: 3 }, (_, i) => row(i)),
      );
      const s = await stats(t, draftId, '?column_offset=9990&column_limit=50');
      assert.equal(s.columns_total, 10_000);
      assert.equal(s.column_offset, 9990);
      assert.equal(s.sample_step, 1, '3 rows of 10,000 cells fit the cell budget');
      assert.deepEqual(
        s.columns.map((c) => c.name),
        Array.from({ length: 10 }, (_, i) => `c${9990 + i}`),
      );
      assert.equal(col(s, 'c9991').number.max, 2);
      assert.equal(col(s, 'c9990').distinct.count, 3);
      const beyond = await stats(t, draftId, '?column_offset=20000');
      assert.deepEqual(beyond.columns, []);
      const tooMany = await t.request({ method: 'GET', url: `${V2}/datasets/${draftId}/stats?column_limit=51` });
      assert.equal(tooMany.statusCode, 400);
    });

    it('answers 404 for an unknown version and empty figures for an empty draft', async () => {
      assert.equal((await t.request({ method: 'GET', url: `${V2}/datasets/999999/stats` })).statusCode, 404);
      const g = await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'stats-empty' } });
      const s = await stats(t, g.json().dataset.id);
      assert.deepEqual(
        { rows: s.rows_scanned, columns: s.columns, total: s.columns_total },
        { rows: 0, columns: [], total: 0 },
      );
    });
  });
}
