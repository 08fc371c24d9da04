// Drafts (create, edit, save, 409s), export round-trips and version diffs over HTTP, on every dialect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { b64, startTestApp, type TestApp } from './support/test-app.js';
import { createGroup, createReadyVersion, waitDataset } from './support/factories.js';

const V2 = '/api/public/v2';

async function upload(t: TestApp, groupId: number, fileName: string, content: string) {
  return createReadyVersion(t, groupId, { content, fileName });
}

async function allRows(t: TestApp, id: number): Promise<{ columns: string[]; rows: unknown[][]; rowIds: number[] }> {
  const rows: unknown[][] = [];
  const rowIds: number[] = [];
  let columns: string[];
  let cursor: string | null = null;
  do {
    const page: {
      columns: string[];
      rows: Array<Array<{ value: unknown }>>;
      row_ids: number[];
      next_cursor: string | null;
    } = (
      await t.request({
        method: 'GET',
        url: `${V2}/datasets/${id}/rows?per_page=100${cursor ? `&cursor=${cursor}` : ''}`,
      })
    ).json();
    columns = page.columns;
    for (const r of page.rows) rows.push(r.map((c) => c.value));
    rowIds.push(...page.row_ids);
    cursor = page.next_cursor;
  } while (cursor);
  return { columns, rows, rowIds };
}

for (const dialect of DIALECTS) {
  describe(`drafts, export and diff [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('runs the draft flow end to end with 409s where stated', async () => {
      const g = await createGroup(t, 'draft-flow');
      const groupId = g.dataset_group.id;
      const d0 = g.dataset.id;
      // Group creation made an empty draft already.
      const dup = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/create-draft`,
        body: { dataset_group_id: groupId },
      });
      assert.equal(dup.statusCode, 409, dup.body);
      assert.equal(dup.json().success, false);
      const emptySave = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/save-draft`,
        body: { dataset_group_id: groupId },
      });
      assert.equal(emptySave.statusCode, 400, 'an empty draft has nothing to save');

      const added = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${d0}/rows`,
        body: {
          rows: [
            { q: 'a', a: '1' },
            { q: 'b', a: '2' },
            { q: 'c', a: '3', extra: null },
          ],
        },
      });
      assert.equal(added.statusCode, 201, added.body);
      assert.deepEqual(added.json().row_ids, [0, 1, 2]);
      assert.deepEqual(added.json().columns, ['q', 'a', 'extra']);
      const upd = await t.request({
        method: 'PATCH',
        url: `${V2}/datasets/${d0}/rows/1`,
        body: { values: { a: '22' } },
      });
      assert.equal(upd.statusCode, 200, upd.body);
      assert.deepEqual(upd.json().row.values, { q: 'b', a: '22', extra: null });
      assert.equal(
        (await t.request({ method: 'PATCH', url: `${V2}/datasets/${d0}/rows/1`, body: { values: { nope: 1 } } }))
          .statusCode,
        400,
      );
      assert.equal(
        (await t.request({ method: 'PATCH', url: `${V2}/datasets/${d0}/rows/99`, body: { values: { a: 1 } } }))
          .statusCode,
        404,
      );
      assert.equal((await t.request({ method: 'DELETE', url: `${V2}/datasets/${d0}/rows/2` })).statusCode, 200);
      const col = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${d0}/columns`,
        body: { name: 'note', default_value: 'n' },
      });
      assert.equal(col.statusCode, 201, col.body);
      assert.equal(
        (await t.request({ method: 'POST', url: `${V2}/datasets/${d0}/columns`, body: { name: 'note' } })).statusCode,
        400,
      );
      assert.equal(
        (await t.request({ method: 'POST', url: `${V2}/datasets/${d0}/columns/remove`, body: { name: 'extra' } }))
          .statusCode,
        200,
      );
      const ren = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${d0}/columns/rename`,
        body: { from: 'a', to: 'answer' },
      });
      assert.deepEqual(ren.json().columns, ['q', 'answer', 'note']);
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: `${V2}/datasets/${d0}/columns/rename`,
            body: { from: 'zzz', to: 'y' },
          })
        ).statusCode,
        404,
      );
      const draftRows = await allRows(t, d0);
      assert.deepEqual(draftRows.columns, ['q', 'answer', 'note']);
      assert.deepEqual(draftRows.rows, [
        ['a', '1', 'n'],
        ['b', '22', 'n'],
      ]);
      assert.deepEqual(draftRows.rowIds, [0, 1]);

      const save = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/save-draft`,
        body: { dataset_group_id: groupId },
      });
      assert.equal(save.statusCode, 202, save.body);
      assert.deepEqual(Object.keys(save.json()).sort(), ['draft_dataset_id', 'message', 'success']);
      assert.equal(save.json().draft_dataset_id, d0);
      const v1 = await waitDataset(t, d0, ['ready']);
      assert.equal(v1.version_number, 1);
      assert.equal(v1.row_count, 2);
      assert.deepEqual(v1.column_names, ['q', 'answer', 'note']);

      // Published versions are immutable.
      for (const [method, url, body] of [
        ['POST', `${V2}/datasets/${d0}/rows`, { rows: [{ q: 'x' }] }],
        ['PATCH', `${V2}/datasets/${d0}/rows/0`, { values: { q: 'x' } }],
        ['DELETE', `${V2}/datasets/${d0}/rows/0`, undefined],
        ['POST', `${V2}/datasets/${d0}/rows/delete`, { row_ids: [0] }],
        ['POST', `${V2}/datasets/${d0}/columns`, { name: 'z' }],
        ['POST', `${V2}/datasets/${d0}/columns/rename`, { from: 'q', to: 'z' }],
        ['POST', `${V2}/datasets/${d0}/columns/remove`, { name: 'q' }],
      ] as const) {
        const res = await t.request({ method, url, body });
        assert.equal(res.statusCode, 409, `${method} ${url}: ${res.body}`);
      }
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: `${V2}/dataset-versions/save-draft`,
            body: { dataset_group_id: groupId },
          })
        ).statusCode,
        404,
        'no draft left to save',
      );

      // A draft copied from version 1: 202, then 409 for a second draft while it exists.
      const copy = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/create-draft`,
        body: { dataset_group_id: groupId, source_dataset_id: d0 },
      });
      assert.equal(copy.statusCode, 202, copy.body);
      const d1 = copy.json().draft_dataset_id as number;
      assert.equal(copy.json().dataset.version_number, -1);
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: `${V2}/dataset-versions/create-draft`,
            body: { dataset_group_id: groupId },
          })
        ).statusCode,
        409,
      );
      const copied = await waitDataset(t, d1, ['draft']);
      assert.equal(copied.row_count, 2);
      assert.equal(copied.source_dataset_id, d0);
      assert.deepEqual((await allRows(t, d1)).rows, draftRows.rows);

      const other = await createGroup(t, 'draft-other');
      const cross = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/create-draft`,
        body: { dataset_group_id: other.dataset_group.id, source_dataset_id: d0 },
      });
      assert.equal(cross.statusCode, 400);
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: `${V2}/dataset-versions/create-draft`,
            body: { dataset_group_id: 999999 },
          })
        ).statusCode,
        404,
      );
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: `${V2}/dataset-versions/create-draft`,
            body: { dataset_group_id: 'x' },
          })
        ).statusCode,
        400,
      );

      // Edit the copy and save it as version 2; then diff against version 1 by row identity.
      await t.request({ method: 'PATCH', url: `${V2}/datasets/${d1}/rows/0`, body: { values: { answer: 'one' } } });
      const bulk = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${d1}/rows/delete`,
        body: { row_ids: [1, 7] },
      });
      assert.deepEqual(bulk.json().deleted, [1]);
      assert.deepEqual(bulk.json().missing, [7]);
      await t.request({
        method: 'POST',
        url: `${V2}/datasets/${d1}/rows`,
        body: { rows: [{ q: 'd', answer: '4', note: 'n', source: 'manual' }] },
      });
      const save2 = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/save-draft`,
        body: { dataset_group_id: groupId },
      });
      assert.equal(save2.statusCode, 202);
      const v2 = await waitDataset(t, d1, ['ready']);
      assert.equal(v2.version_number, 2);

      const diff = (await t.request({ method: 'GET', url: `${V2}/datasets/${d1}/diff?against=${d0}` })).json();
      assert.equal(diff.match_by, 'row_identity');
      assert.deepEqual(diff.columns, { added: ['source'], removed: [], unchanged: ['q', 'answer', 'note'] });
      assert.deepEqual(diff.counts, { added: 1, removed: 1, changed: 1, unchanged: 0 });
      assert.deepEqual(diff.rows.added[0].values, { q: 'd', answer: '4', note: 'n', source: 'manual' });
      assert.deepEqual(diff.rows.removed[0].values, { q: 'b', answer: '22', note: 'n' });
      assert.equal(diff.rows.removed[0].row_uid, `${d0}:1`);
      assert.deepEqual(diff.rows.changed[0].changed_columns, ['answer']);
      assert.equal(diff.rows.changed[0].before.answer, '1');
      assert.equal(diff.rows.changed[0].after.answer, 'one');
      const back = (await t.request({ method: 'GET', url: `${V2}/datasets/${d0}/diff?against=${d1}` })).json();
      assert.deepEqual(back.counts, { added: 1, removed: 1, changed: 1, unchanged: 0 });
      assert.deepEqual(back.columns.removed, ['source']);
      assert.equal(
        (await t.request({ method: 'GET', url: `${V2}/datasets/${d1}/diff?against=${other.dataset.id}` })).statusCode,
        400,
      );
      assert.equal((await t.request({ method: 'GET', url: `${V2}/datasets/${d1}/diff` })).statusCode, 400);

      // After saving, a new empty draft can be created again (201).
      const fresh = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/create-draft`,
        body: { dataset_group_id: groupId },
      });
      assert.equal(fresh.statusCode, 201, fresh.body);
      assert.equal(fresh.json().dataset.status, 'draft');
    });

    it('diffs two independent uploads by content, with counts and paged detail', async () => {
      const g = await createGroup(t, 'diff-content');
      const a = await upload(
        t,
        g.dataset_group.id,
        'a.csv',
        'id,text,score\n1,one,10\n2,two,20\n3,three,30\n4,four,40\n4,four,40\n',
      );
      const b = await upload(
        t,
        g.dataset_group.id,
        'b.csv',
        'text,id,label\none,1,x\ntwo,2,x\nTHREE,3,x\nfour,4,x\nfive,5,x\nsix,6,x\n',
      );
      const diff = (
        await t.request({ method: 'GET', url: `${V2}/datasets/${b.id}/diff?against=${a.id}&per_page=2` })
      ).json();
      assert.equal(diff.match_by, 'content');
      assert.deepEqual(diff.columns, { added: ['label'], removed: ['score'], unchanged: ['text', 'id'] });
      // Matched on shared columns (text, id) as a multiset: one of the duplicate "4,four" rows is gone.
      assert.deepEqual(diff.counts, { added: 3, removed: 2, changed: 0, unchanged: 3 });
      assert.deepEqual(
        diff.rows.added.map((r: { values: { text: string } }) => r.values.text),
        ['THREE', 'five'],
      );
      assert.equal(diff.pages, 2);
      const p2 = (
        await t.request({ method: 'GET', url: `${V2}/datasets/${b.id}/diff?against=${a.id}&per_page=2&page=2` })
      ).json();
      assert.deepEqual(
        p2.rows.added.map((r: { values: { text: string } }) => r.values.text),
        ['six'],
      );
      assert.deepEqual(
        diff.rows.removed.map((r: { values: { text: string } }) => r.values.text),
        ['three', 'four'],
      );
      assert.equal(diff.rows.removed[0].row_uid, null);
      const same = (await t.request({ method: 'GET', url: `${V2}/datasets/${a.id}/diff?against=${a.id}` })).json();
      assert.deepEqual(same.counts, { added: 0, removed: 0, changed: 0, unchanged: 5 });
    });

    it('exports CSV that re-imports to the same rows, with the right headers', async () => {
      const g = await createGroup(t, 'export csv/ü');
      const csv =
        'name,note,empty,n\r\n"Smith, J","said ""hi""\r\nthen left",,1\r\nplain,héllo 😀,,2\r\n" padded ",=1+1,,3\r\n';
      const v = await upload(t, g.dataset_group.id, 'in.csv', csv);
      const res = await t.request({ method: 'GET', url: `${V2}/datasets/${v.id}/export?format=csv` });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
      assert.match(
        String(res.headers['content-disposition']),
        /^attachment; filename="export_csv_-v1\.csv"; filename\*=UTF-8''export%20csv%2F%C3%BC-v1\.csv$/,
      );
      const again = await upload(t, g.dataset_group.id, 'again.csv', res.body);
      const [r1, r2] = [await allRows(t, v.id), await allRows(t, again.id)];
      assert.deepEqual(r2.columns, r1.columns);
      assert.deepEqual(r2.rows, r1.rows);
      assert.equal(r1.rows.length, 3);
      const diff = (await t.request({ method: 'GET', url: `${V2}/datasets/${again.id}/diff?against=${v.id}` })).json();
      assert.deepEqual(diff.counts, { added: 0, removed: 0, changed: 0, unchanged: 3 });
      const bad = await t.request({ method: 'GET', url: `${V2}/datasets/${v.id}/export?format=xml` });
      assert.equal(bad.statusCode, 400);
      assert.equal((await t.request({ method: 'GET', url: `${V2}/datasets/999999/export` })).statusCode, 404);
    });

    it('exports JSON and JSONL with nested values and nulls, and streams large versions whole', async () => {
      const g = await createGroup(t, 'export-json');
      const items = [
        { a: 1, b: { x: [1, 2] } },
        { c: 'z', a: 2 },
        { a: null, b: 'ü' },
      ];
      const res = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/from-file`,
        body: {
          dataset_group_id: g.dataset_group.id,
          file_name: 'd.json',
          file_content_base64: b64(JSON.stringify(items)),
        },
      });
      const v = await waitDataset(t, res.json().dataset_id, ['ready']);
      const expected = [
        { a: 1, b: { x: [1, 2] }, c: null },
        { a: 2, b: null, c: 'z' },
        { a: null, b: 'ü', c: null },
      ];
      const json = await t.request({ method: 'GET', url: `${V2}/datasets/${v.id}/export?format=json` });
      assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
      assert.match(String(json.headers['content-disposition']), /filename="export-json-v1\.json"/);
      assert.deepEqual(JSON.parse(json.body), expected);
      const jsonl = await t.request({ method: 'GET', url: `${V2}/datasets/${v.id}/export?format=jsonl` });
      assert.equal(jsonl.headers['content-type'], 'application/x-ndjson; charset=utf-8');
      assert.deepEqual(
        jsonl.body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
        expected,
      );

      const lines = ['i,text'];
      for (let i = 0; i < 5000; i++) lines.push(`${i},row ${i}`);
      const big = await upload(t, g.dataset_group.id, 'big.csv', lines.join('\n'));
      const out = await t.request({ method: 'GET', url: `${V2}/datasets/${big.id}/export?format=jsonl` });
      const parsed = out.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(parsed.length, 5000);
      assert.deepEqual(parsed[4999], { i: '4999', text: 'row 4999' });
      const emptyJson = await t.request({ method: 'GET', url: `${V2}/datasets/${g.dataset.id}/export?format=json` });
      assert.deepEqual(JSON.parse(emptyJson.body), [], 'an empty draft exports as an empty array');
    });
  });
}
