// GET /datasets/{id}/rows with sort=&order= and filter[<column>]=: ordering by kind and value, paging, filters with q, errors; on every dialect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const V2 = '/api/public/v2';

interface Page {
  columns: string[];
  rows: Array<Array<{ value: unknown }>>;
  row_ids: number[];
  total: number;
  next_cursor: string | null;
}

for (const dialect of DIALECTS) {
  describe(`rows sort and per-column filter [${dialect}]`, () => {
    let t: TestApp;
    let id = 0;
    const rows = async (query: string): Promise<Page> => {
      const res = await t.request({ method: 'GET', url: `${V2}/datasets/${id}/rows?${query}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<Page>();
    };
    const column = (p: Page, i: number) => p.rows.map((r) => r[i].value);

    before(async () => {
      t = await startTestApp(dialect);
      // A draft holds typed JSON values (a CSV would be all text): numbers, numeric text, text, null, booleans, JSON.
      const g = (await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'sorting' } })).json();
      id = g.dataset.id as number;
      const values: unknown[] = [
        10,
        '9',
        'banana',
        null,
        'Apple',
        2.5,
        true,
        { a: 1 },
        '-3',
        'apple pie',
        false,
        '1.5.2',
      ];
      const add = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${id}/rows`,
        body: { rows: values.map((v, i) => ({ v, name: `n${i}`, tag: i % 3 === 0 ? 'Three' : 'other' })) },
      });
      assert.equal(add.statusCode, 201, add.body);
    });
    after(async () => t.close());

    it('sorts null first, then numbers and numeric text by value, text by code point, booleans, JSON; desc reverses', async () => {
      const asc = await rows('sort=v&per_page=100');
      assert.deepEqual(column(asc, 0), [
        null,
        '-3',
        2.5,
        '9',
        10,
        '1.5.2',
        'Apple',
        'apple pie',
        'banana',
        false,
        true,
        { a: 1 },
      ]);
      assert.equal(asc.total, 12);
      assert.equal(asc.next_cursor, null, 'a sorted view is paged by number');
      const desc = await rows('sort=v&order=desc&per_page=100');
      assert.deepEqual(column(desc, 0), [...column(asc, 0)].reverse());
      // row_ids stay each row's own id, so a sorted row can still be edited.
      assert.equal(asc.row_ids[0], 3);
    });

    it('pages a sorted view by page number; ties keep row order', async () => {
      const p1 = await rows('sort=tag&per_page=5&page=1');
      const p2 = await rows('sort=tag&per_page=5&page=2');
      const p3 = await rows('sort=tag&per_page=5&page=3');
      assert.deepEqual([...p1.row_ids, ...p2.row_ids, ...p3.row_ids], [0, 3, 6, 9, 1, 2, 4, 5, 7, 8, 10, 11]);
      const bad = await t.request({
        method: 'GET',
        url: `${V2}/datasets/${id}/rows?sort=tag&cursor=${p1.next_cursor ?? 'cjQ'}`,
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error, /cursor cannot be combined with sort/);
    });

    it('filters by a column (case-insensitive substring), several filters and q all apply, with keyset paging', async () => {
      const apple = await rows(`${encodeURIComponent('filter[v]')}=APPLE`);
      assert.deepEqual(column(apple, 0), ['Apple', 'apple pie']);
      assert.equal(apple.total, 2);
      const both = await rows(`filter[v]=apple&filter[tag]=three`);
      assert.deepEqual(column(both, 1), ['n9']);
      const withQ = await rows(`filter[tag]=other&q=n1&sort=name&order=desc`);
      assert.deepEqual(column(withQ, 1), ['n11', 'n10', 'n1']);
      // Unsorted filtered views keep keyset cursors.
      const first = await rows('filter[tag]=other&per_page=3');
      assert.ok(first.next_cursor);
      const next = await rows(`filter[tag]=other&per_page=3&cursor=${first.next_cursor}`);
      assert.deepEqual(next.row_ids, [5, 7, 8]);
      // An empty filter is no filter; % and _ match literally.
      assert.equal((await rows('filter[v]=')).total, 12);
      assert.equal((await rows('filter[v]=%25')).total, 0);
    });

    it('answers 400 naming an unknown column', async () => {
      for (const q of ['sort=nope', 'filter[nope]=x']) {
        const res = await t.request({ method: 'GET', url: `${V2}/datasets/${id}/rows?${q}` });
        assert.equal(res.statusCode, 400, q);
        assert.match(res.json().error, /no column "nope"/);
      }
    });
  });
}
