// Version diffs by a key column (?key=) and their streamed progress, over HTTP on every dialect: matched rows with
// cell-level changes, renamed/added/removed columns, null keys, duplicate keys and unknown columns (400s), paging.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createGroup, createReadyVersion } from './support/factories.js';

const V2 = '/api/public/v2';

async function uploadJsonl(t: TestApp, groupId: number, rows: object[]): Promise<number> {
  return (await createReadyVersion(t, groupId, { rows })).id;
}

async function group(t: TestApp, name: string): Promise<number> {
  return (await createGroup(t, name)).dataset_group.id;
}

function ndjson(body: string): Array<Record<string, unknown>> {
  return body
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

for (const dialect of DIALECTS) {
  describe(`key-column diff [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('matches rows by key: changed cells old → new, added/removed (null keys never match), renamed columns', async () => {
      const g = await group(t, 'key-diff');
      const v1 = await uploadJsonl(t, g, [
        { id: 1, name: 'a', score: 1 },
        { id: 2, name: 'b', score: 2 },
        { id: 3, name: 'c', score: 3 },
        { id: null, name: 'n', score: 0 },
        { id: 5, name: 'e', score: null },
      ]);
      // "name" is renamed to "title", "extra" is added; rows come in another order.
      const v2 = await uploadJsonl(t, g, [
        { id: 5, title: 'e', score: 'five', extra: 'w' },
        { id: 4, title: 'd', score: 4, extra: 'z' },
        { id: 2, title: 'B', score: 20, extra: 'y' },
        { id: 1, title: 'a', score: 1, extra: 'x' },
        { id: null, title: 'n', score: 0, extra: '' },
      ]);
      const res = await t.request({ method: 'GET', url: `${V2}/datasets/${v2}/diff?against=${v1}&key=id` });
      assert.equal(res.statusCode, 200, res.body);
      const d = res.json();
      assert.equal(d.match_by, 'key');
      assert.equal(d.key, 'id');
      assert.deepEqual(d.columns, { added: ['title', 'extra'], removed: ['name'], unchanged: ['id', 'score'] });
      assert.deepEqual(d.counts, { added: 2, removed: 2, changed: 2, unchanged: 1 });
      assert.deepEqual(
        d.rows.changed.map((r: { key: unknown; changes: unknown }) => [r.key, r.changes]),
        [
          [5, [{ column: 'score', old: null, new: 'five' }]],
          [2, [{ column: 'score', old: 2, new: 20 }]],
        ],
      );
      assert.equal(d.rows.changed[1].row_id, 2);
      assert.equal(d.rows.changed[1].against_row_id, 1);
      assert.deepEqual(d.rows.changed[1].changed_columns, ['score']);
      assert.deepEqual(d.rows.changed[1].before, { id: 2, name: 'b', score: 2 });
      assert.deepEqual(
        d.rows.added.map((r: { key: unknown }) => r.key),
        [4, null],
      );
      assert.deepEqual(
        d.rows.removed.map((r: { key: unknown; values: { name: string } }) => [r.key, r.values.name]),
        [
          [3, 'c'],
          [null, 'n'],
        ],
      );

      // Paging one kind at a time.
      const p = (
        await t.request({
          method: 'GET',
          url: `${V2}/datasets/${v2}/diff?against=${v1}&key=id&only=changed&per_page=1&page=2`,
        })
      ).json();
      assert.equal(p.pages, 2);
      assert.deepEqual(p.rows.added, []);
      assert.deepEqual(p.rows.removed, []);
      assert.deepEqual(
        p.rows.changed.map((r: { key: unknown }) => r.key),
        [2],
      );
      // The reverse direction swaps added and removed, old and new.
      const back = (await t.request({ method: 'GET', url: `${V2}/datasets/${v1}/diff?against=${v2}&key=id` })).json();
      assert.deepEqual(back.counts, { added: 2, removed: 2, changed: 2, unchanged: 1 });
      assert.deepEqual(back.rows.changed.find((r: { key: unknown }) => r.key === 2).changes, [
        { column: 'score', old: 20, new: 2 },
      ]);
      // Without key the old behaviour stays (two independent uploads: by content).
      assert.equal(
        (await t.request({ method: 'GET', url: `${V2}/datasets/${v2}/diff?against=${v1}` })).json().match_by,
        'content',
      );

      // A key only one version has: 400 naming the shared columns.
      const unknown = await t.request({ method: 'GET', url: `${V2}/datasets/${v2}/diff?against=${v1}&key=title` });
      assert.equal(unknown.statusCode, 400, unknown.body);
      assert.match(unknown.body, /unknown key column \\"title\\"/);
      assert.match(unknown.body, /\\"id\\", \\"score\\"/);
      const unknownProgress = await t.request({
        method: 'GET',
        url: `${V2}/datasets/${v2}/diff/progress?against=${v1}&key=nope`,
      });
      assert.equal(unknownProgress.statusCode, 400, unknownProgress.body);
    });

    it('pages every kind in row order, as a model of the two versions says (null keys, moved, edited rows)', async () => {
      const g = await group(t, 'key-diff-model');
      const key = (i: number) => (i % 13 === 5 ? null : i % 11 === 0 ? `k${i}` : i);
      const v1Rows = Array.from({ length: 60 }, (_, i) => ({ id: key(i), v: i % 4 }));
      // v2: rows 0-9 dropped, 40 new keys, every 3rd kept row edited, and the order reversed (keys move).
      const v2Rows = [
        ...v1Rows.slice(10).map((r, i) => (i % 3 === 0 ? { ...r, v: 'edited' } : r)),
        ...Array.from({ length: 40 }, (_, i) => ({ id: i % 9 === 0 ? null : 1000 + i, v: 0 })),
      ].reverse();
      const v1 = await uploadJsonl(t, g, v1Rows);
      const v2 = await uploadJsonl(t, g, v2Rows);
      const fromIndex = new Map(v1Rows.flatMap((r, i) => (r.id === null ? [] : [[r.id, i] as const])));
      const toIndex = new Map(v2Rows.flatMap((r, i) => (r.id === null ? [] : [[r.id, i] as const])));
      const model = {
        added: v2Rows.flatMap((r, i) => (r.id === null || !fromIndex.has(r.id) ? [i] : [])),
        removed: v1Rows.flatMap((r, i) => (r.id === null || !toIndex.has(r.id) ? [i] : [])),
        changed: v2Rows.flatMap((r, i) =>
          r.id !== null && fromIndex.has(r.id) && v1Rows[fromIndex.get(r.id)!].v !== r.v ? [i] : [],
        ),
      };
      for (const kind of ['added', 'removed', 'changed'] as const) {
        const seen: number[] = [];
        for (let page = 1; ; page++) {
          const res = await t.request({
            method: 'GET',
            url: `${V2}/datasets/${v2}/diff?against=${v1}&key=id&only=${kind}&per_page=7&page=${page}`,
          });
          assert.equal(res.statusCode, 200, res.body);
          const d = res.json();
          assert.deepEqual(d.counts, {
            added: model.added.length,
            removed: model.removed.length,
            changed: model.changed.length,
            unchanged: v2Rows.length - model.added.length - model.changed.length,
          });
          const rows = d.rows[kind] as Array<{ row_id: number }>;
          if (rows.length === 0) break;
          seen.push(...rows.map((r) => r.row_id));
        }
        assert.deepEqual(seen, model[kind], kind);
      }
    });

    it('sees a change in a big integer beyond 2^53 (cells compared losslessly)', async () => {
      const g = await group(t, 'key-diff-bigint');
      // 9007199254740993 and 9007199254740992 are the same JS number; only their stored text differs.
      const file = (n: string) => ({ content: `{"id": 1, "n": ${n}}\n{"id": 2, "n": 7}`, fileName: 'big.jsonl' });
      const v1 = (await createReadyVersion(t, g, file('9007199254740992'))).id;
      const v2 = (await createReadyVersion(t, g, file('9007199254740993'))).id;
      const byKey = await t.request({ method: 'GET', url: `${V2}/datasets/${v2}/diff?against=${v1}&key=id` });
      assert.equal(byKey.statusCode, 200, byKey.body);
      const d = byKey.json();
      assert.deepEqual(d.counts, { added: 0, removed: 0, changed: 1, unchanged: 1 });
      assert.deepEqual(
        d.rows.changed.map((r: { key: unknown; changes: Array<{ column: string }> }) => [
          r.key,
          r.changes.map((c) => c.column),
        ]),
        [[1, ['n']]],
      );
    });

    it('refuses duplicated key values with how many and a sample', async () => {
      const g = await group(t, 'key-diff-dups');
      const v1 = await uploadJsonl(t, g, [{ k: 'a' }, { k: 'b' }, { k: null }, { k: null }]);
      const v2 = await uploadJsonl(t, g, [
        { k: 'a' },
        { k: 'b' },
        { k: 'b' },
        { k: 'c' },
        { k: 'c' },
        { k: 'c' },
        { k: 'a' },
      ]);
      const ok = await t.request({ method: 'GET', url: `${V2}/datasets/${v1}/diff?against=${v1}&key=k` });
      assert.equal(ok.statusCode, 200, 'repeated null keys are not duplicates: they never match');
      assert.deepEqual(ok.json().counts, { added: 2, removed: 2, changed: 0, unchanged: 2 });
      for (const url of [
        `${V2}/datasets/${v2}/diff?against=${v1}&key=k`,
        `${V2}/datasets/${v2}/diff/progress?against=${v1}&key=k`,
      ]) {
        const res = await t.request({ method: 'GET', url });
        assert.equal(res.statusCode, 400, res.body);
        const msg = String(res.json().error);
        assert.ok(
          msg.includes(`not unique in dataset ${v2}: 3 value(s) appear on more than one row (7 rows in all)`),
          msg,
        );
        assert.ok(msg.includes('"c" (3 rows), "a" (2 rows)'), msg);
      }
    });

    it('pairs unchanged rows by row index without changing any answer: duplicates, moved and null keys, extra rows', async () => {
      const g = await group(t, 'key-diff-pairs');
      const diff = (to: number, against: number) =>
        t.request({ method: 'GET', url: `${V2}/datasets/${to}/diff?against=${against}&key=k` });
      const refused = async (to: number, against: number, dataset: number, what: string) => {
        const res = await diff(to, against);
        assert.equal(res.statusCode, 400, res.body);
        assert.ok(String(res.json().error).includes(`not unique in dataset ${dataset}: ${what}`), res.body);
      };
      const base = [
        { k: 'a', v: 1 },
        { k: 'b', v: 2 },
        { k: 'c', v: 3 },
      ];
      const v1 = await uploadJsonl(t, g, base);
      // A duplicate whose first copy is an unchanged row at the same index and the second an edited row elsewhere.
      const dupTo = await uploadJsonl(t, g, [base[0], base[1], { k: 'a', v: 9 }]);
      await refused(dupTo, v1, dupTo, '1 value(s) appear on more than one row (2 rows in all), e.g. "a" (2 rows)');
      // The same duplicate in `against`, checked first.
      await refused(v1, dupTo, dupTo, '1 value(s) appear on more than one row (2 rows in all), e.g. "a" (2 rows)');
      // Duplicates only among rows that are the same on both sides, in both versions.
      const dupBoth = await uploadJsonl(t, g, [{ k: 'x' }, { k: 'x' }, { k: 'y' }]);
      const dupBoth2 = await uploadJsonl(t, g, [{ k: 'x' }, { k: 'x' }, { k: 'z' }]);
      await refused(
        dupBoth2,
        dupBoth,
        dupBoth,
        '1 value(s) appear on more than one row (2 rows in all), e.g. "x" (2 rows)',
      );
      await refused(
        dupBoth,
        dupBoth,
        dupBoth,
        '1 value(s) appear on more than one row (2 rows in all), e.g. "x" (2 rows)',
      );
      // A duplicate between a paired row and a row at an index `against` lacks.
      const dupExtra = await uploadJsonl(t, g, [...base, { k: 'c', v: 4 }]);
      await refused(
        dupExtra,
        v1,
        dupExtra,
        '1 value(s) appear on more than one row (2 rows in all), e.g. "c" (2 rows)',
      );

      // Keys moved to other row indexes, unchanged and edited; null and missing keys on identical rows; rows at
      // indexes the other side lacks (added at the end, removed at the end).
      const from = await uploadJsonl(t, g, [
        { k: 1, v: 'x' },
        { k: 2, v: 'y' },
        { k: 3, v: 'z' },
        { k: null, v: 'n' },
        { v: 'missing key' },
        { k: 6, v: 'w' },
        { k: 7, v: 'gone' },
      ]);
      const to = await uploadJsonl(t, g, [
        { k: 2, v: 'y' },
        { k: 1, v: 'x2' },
        { k: 3, v: 'z' },
        { k: null, v: 'n' },
        { v: 'missing key' },
        { k: 6, v: 'w' },
        { k: 8, v: 'new' },
        { k: 9, v: 'new too' },
      ]);
      const d = (await diff(to, from)).json();
      assert.deepEqual(d.counts, { added: 4, removed: 3, changed: 1, unchanged: 3 });
      assert.deepEqual(
        d.rows.added.map((r: { row_id: number; key: unknown }) => [r.row_id, r.key]),
        [
          [3, null],
          [4, null],
          [6, 8],
          [7, 9],
        ],
      );
      assert.deepEqual(
        d.rows.removed.map((r: { row_id: number; key: unknown }) => [r.row_id, r.key]),
        [
          [3, null],
          [4, null],
          [6, 7],
        ],
      );
      assert.deepEqual(
        d.rows.changed.map((r: { row_id: number; against_row_id: number; key: unknown }) => [
          r.row_id,
          r.against_row_id,
          r.key,
        ]),
        [[1, 0, 1]],
      );
      // The other way round, `to` is the shorter side; and a version against itself: all unchanged but null keys.
      const back = (await diff(from, to)).json();
      assert.deepEqual(back.counts, { added: 3, removed: 4, changed: 1, unchanged: 3 });
      const self = (await diff(to, to)).json();
      assert.deepEqual(self.counts, { added: 2, removed: 2, changed: 0, unchanged: 6 });
      // The streamed progress (which pairs nothing: windows of both sides grouped by key) gives the same counts.
      for (const [a, b, counts] of [
        [to, from, d.counts],
        [from, to, back.counts],
        [to, to, self.counts],
      ] as const) {
        const res = await t.request({ method: 'GET', url: `${V2}/datasets/${a}/diff/progress?against=${b}&key=k` });
        const lines = ndjson(res.body);
        assert.deepEqual(lines[lines.length - 1].counts, counts);
      }
    });

    it('streams progress (rows compared / total) step by step, then the same counts as the paged diff', async () => {
      const g = await group(t, 'key-diff-progress');
      const n = 6_000;
      const before = Array.from({ length: n }, (_, i) => ({ id: `k${i}`, v: i }));
      // Every 10th value changes, the last 500 rows are replaced by 700 new ones.
      const after = Array.from({ length: n - 500 }, (_, i) => ({ id: `k${i}`, v: i % 10 === 0 ? -i : i })).concat(
        Array.from({ length: 700 }, (_, i) => ({ id: `new${i}`, v: i })),
      );
      const v1 = await uploadJsonl(t, g, before);
      const v2 = await uploadJsonl(t, g, after);
      const res = await t.request({ method: 'GET', url: `${V2}/datasets/${v2}/diff/progress?against=${v1}&key=id` });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /application\/x-ndjson/);
      const lines = ndjson(res.body);
      const progress = lines.filter((l) => l.type === 'progress');
      assert.ok(progress.length >= 3, `several steps, got ${progress.length}`);
      const compared = progress.map((l) => l.compared as number);
      assert.deepEqual(
        compared,
        [...compared].sort((a, b) => a - b),
        'progress never goes back',
      );
      assert.equal(progress[0].total, n + n + 200);
      assert.equal(compared[0], 0);
      const done = lines[lines.length - 1];
      assert.equal(done.type, 'done');
      assert.equal(done.compared, done.total);
      const expected = { added: 700, removed: 500, changed: 549, unchanged: n - 500 - 549 };
      assert.deepEqual(done.counts, expected);
      assert.deepEqual(done.columns, { added: [], removed: [], unchanged: ['id', 'v'] });
      const paged = (
        await t.request({
          method: 'GET',
          url: `${V2}/datasets/${v2}/diff?against=${v1}&key=id&only=changed&per_page=100`,
        })
      ).json();
      assert.deepEqual(paged.counts, expected);
      assert.equal(paged.pages, 6);
      assert.deepEqual(paged.rows.changed[0].changes, [{ column: 'v', old: 10, new: -10 }]);
    });
  });
}
