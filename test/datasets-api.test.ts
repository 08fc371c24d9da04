// PromptLayer-compatible dataset API over HTTP, on every dialect: groups, from-file, listing, rows, errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { b64, startTestApp, type TestApp } from './support/test-app.js';
import { createGroup, fromFileBody, waitDataset } from './support/factories.js';

async function upload(t: TestApp, groupId: number, fileName: string, content: string | Buffer) {
  return t.request({
    method: 'POST',
    url: '/api/public/v2/dataset-versions/from-file',
    body: fromFileBody(groupId, { content, fileName }),
  });
}

for (const dialect of DIALECTS) {
  describe(`dataset API [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('creates a group with its draft (seed 000 shape)', async () => {
      const res = await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 'seed-000' } });
      assert.equal(res.statusCode, 201);
      const body = res.json();
      assert.equal(body.success, true);
      assert.equal(typeof body.message, 'string');
      assert.deepEqual(Object.keys(body.dataset_group).sort().slice(0, 4).length, 4);
      assert.equal(body.dataset_group.name, 'seed-000');
      assert.equal(body.dataset_group.is_deleted, false);
      assert.equal(body.dataset.version_number, -1);
      assert.equal(body.dataset.dataset_group_id, body.dataset_group.id);
      assert.deepEqual(body.dataset.column_names, []);
      assert.equal(body.dataset.filter_params, null);
      assert.equal(body.dataset.status, 'draft');
      assert.equal(body.dataset.origin, 'draft');
    });

    it('refuses a duplicate name with 400, and frees it after delete', async () => {
      const g = await createGroup(t, 'dup');
      const again = await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 'dup' } });
      assert.equal(again.statusCode, 400);
      assert.deepEqual(Object.keys(again.json()).sort(), ['error', 'message', 'success']);
      assert.equal(again.json().success, false);
      const del = await t.request({ method: 'DELETE', url: `/api/public/v2/dataset-groups/${g.dataset_group.id}` });
      assert.equal(del.statusCode, 200);
      await createGroup(t, 'dup');
    });

    it('refuses a workspace_id the caller does not belong to with 400', async () => {
      const res = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-groups',
        body: { name: 'x', workspace_id: 999 },
      });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().error, /workspace_id 999/);
    });

    it('validates the create-group body', async () => {
      for (const body of [{}, { name: '' }, { name: 5 }, { name: 'ok', workspace_id: 0 }]) {
        const res = await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.equal(res.json().success, false);
      }
    });

    it('imports a CSV with RFC 4180 edge cases into version 1, then rows read back exactly', async () => {
      const g = await createGroup(t, 'csv-edge');
      const csv = '\uFEFFname,note,,name\r\n"Smith, J","said ""hi""\r\nthen left",x,dup\r\nplain,,y,z\r\n';
      const res = await upload(t, g.dataset_group.id, 'edge.csv', csv);
      assert.equal(res.statusCode, 201, res.body);
      const { success, dataset_id } = res.json();
      assert.equal(success, true);
      const d = await waitDataset(t, dataset_id);
      assert.equal(d.status, 'ready', d.error);
      assert.equal(d.version_number, 1);
      assert.equal(d.origin, 'file');
      assert.deepEqual(d.column_names, ['name', 'note', 'column_3', 'name_2']);
      assert.equal(d.warnings.length, 2);
      const rows = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${dataset_id}/rows` })).json();
      assert.deepEqual(rows.columns, ['name', 'note', 'column_3', 'name_2']);
      assert.deepEqual(
        rows.rows[0].map((c: { value: unknown }) => c.value),
        ['Smith, J', 'said "hi"\r\nthen left', 'x', 'dup'],
      );
      assert.deepEqual(rows.rows[1][0], { type: 'dataset', value: 'plain' });
      assert.equal(rows.total, 2);
    });

    it('imports JSON and JSONL with the union of keys and nested values kept', async () => {
      const g = await createGroup(t, 'json');
      const json = JSON.stringify([
        { a: 1, b: { x: [1, 2] } },
        { c: 'z', a: 2 },
      ]);
      const r1 = await upload(t, g.dataset_group.id, 'data.json', json);
      assert.equal(r1.statusCode, 201, r1.body);
      const d1 = await waitDataset(t, r1.json().dataset_id);
      assert.deepEqual(d1.column_names, ['a', 'b', 'c']);
      const rows = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${d1.id}/rows` })).json();
      assert.deepEqual(
        rows.rows[0].map((c: { value: unknown }) => c.value),
        [1, { x: [1, 2] }, null],
      );
      assert.deepEqual(
        rows.rows[1].map((c: { value: unknown }) => c.value),
        [2, null, 'z'],
      );
      const r2 = await upload(t, g.dataset_group.id, 'data.jsonl', '{"q":"a"}\n\n{"q":"b","r":true}\n');
      const d2 = await waitDataset(t, r2.json().dataset_id);
      assert.equal(d2.version_number, 2);
      assert.deepEqual(d2.column_names, ['q', 'r']);
    });

    it('answers broken files with 400 naming the line or item', async () => {
      const g = await createGroup(t, 'broken');
      const cases: Array<[string, string, RegExp]> = [
        ['a.csv', 'a,b\n1,2\n3\n', /line 3/],
        ['a.csv', 'a,b\n"1,2\n', /line 2: Quoted field unterminated/],
        ['a.json', '[{"a":1}, 5]', /item 2/],
        ['a.json', '{"a":1}', /array/],
        ['a.json', '[{"a":1},', /JSON syntax error/],
        ['a.jsonl', '{"a":1}\n{oops}\n', /line 2/],
        ['a.csv', 'only,header\n', /no data rows/],
        ['a.txt', 'a,b\n1,2\n', /must end with/],
      ];
      for (const [name, content, pattern] of cases) {
        const res = await upload(t, g.dataset_group.id, name, content);
        assert.equal(res.statusCode, 400, `${name}: ${res.body}`);
        assert.match(res.json().error, pattern, name);
      }
      const badB64 = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: { dataset_group_id: g.dataset_group.id, file_name: 'a.csv', file_content_base64: 'not*base64' },
      });
      assert.equal(badB64.statusCode, 400);
      assert.match(badB64.json().error, /base64/);
      const listed = (
        await t.request({ method: 'GET', url: `/api/public/v2/datasets?dataset_group_id=${g.dataset_group.id}` })
      ).json();
      assert.equal(listed.total, 1, 'only the initial draft: nothing half-written');
    });

    it('returns 404 for a missing group and 401 without a key', async () => {
      const res = await upload(t, 999999, 'a.csv', 'a\n1\n');
      assert.equal(res.statusCode, 404);
      const anon = await t.request({ method: 'GET', url: '/api/public/v2/datasets', apiKey: null });
      assert.equal(anon.statusCode, 401);
      const wrong = await t.request({ method: 'GET', url: '/api/public/v2/datasets', apiKey: 'sk_strata_nope' });
      assert.equal(wrong.statusCode, 401);
    });

    it('pages rows by page number and by keyset cursor, and searches', async () => {
      const g = await createGroup(t, 'paging');
      const lines = ['n,text'];
      for (let i = 0; i < 250; i++) lines.push(`${i},${i % 10 === 0 ? 'needle' : 'hay'} ${i}`);
      const res = await upload(t, g.dataset_group.id, 'p.csv', lines.join('\n'));
      const d = await waitDataset(t, res.json().dataset_id);
      const p3 = (
        await t.request({ method: 'GET', url: `/api/public/v2/datasets/${d.id}/rows?page=3&per_page=100` })
      ).json();
      assert.equal(p3.rows.length, 50);
      assert.equal(p3.pages, 3);
      assert.equal(p3.total, 250);
      assert.equal(p3.rows[0][0].value, '200');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/public/v2/datasets/${d.id}/rows?per_page=100${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await t.request({ method: 'GET', url })).json();
        for (const row of page.rows) seen.push(row[0].value);
        cursor = page.next_cursor;
      } while (cursor);
      assert.equal(seen.length, 250);
      assert.equal(new Set(seen).size, 250);
      const found = (
        await t.request({ method: 'GET', url: `/api/public/v2/datasets/${d.id}/rows?q=NEEDLE&per_page=100` })
      ).json();
      assert.equal(found.total, 25);
      const bad = await t.request({ method: 'GET', url: `/api/public/v2/datasets/${d.id}/rows?cursor=zzz` });
      assert.equal(bad.statusCode, 400);
      const tooMany = await t.request({ method: 'GET', url: `/api/public/v2/datasets/${d.id}/rows?per_page=101` });
      assert.equal(tooMany.statusCode, 400);
    });

    it('gives 20 concurrent uploads to one group versions 1..20', async () => {
      const g = await createGroup(t, 'concurrent');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => upload(t, g.dataset_group.id, `f${i}.csv`, `i\n${i}\n`)),
      );
      for (const r of results) assert.equal(r.statusCode, 201, r.body);
      const done = await Promise.all(results.map((r) => waitDataset(t, r.json().dataset_id)));
      const versions = done.map((d) => d.version_number).sort((a, b) => a - b);
      assert.deepEqual(
        versions,
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`streamed uploads [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { STRATA_MAX_FILE_BYTES: '200' });
    });
    after(async () => t.close());

    const send = (body: unknown) =>
      t.request({ method: 'POST', url: '/api/public/v2/dataset-versions/from-file', body });

    it('accepts line-wrapped base64 (as `base64` prints it) and keeps no temporary files', async () => {
      const g = await createGroup(t, 'wrapped');
      const wrapped = b64('a,b\n1,2\n3,4\n').replace(/(.{8})/g, '$1\n');
      const r = await send({ file_name: 'w.csv', dataset_group_id: g.dataset_group.id, file_content_base64: wrapped });
      assert.equal(r.statusCode, 201, r.body);
      const d = await waitDataset(t, r.json().dataset_id);
      assert.equal(d.row_count, 2);
    });

    it('refuses files over STRATA_MAX_FILE_BYTES, bad padding and non-object bodies with 400, cleaning up', async () => {
      const g = await createGroup(t, 'limits');
      const big = await send({
        dataset_group_id: g.dataset_group.id,
        file_name: 'big.csv',
        file_content_base64: b64('a\n' + 'x\n'.repeat(200)),
      });
      assert.equal(big.statusCode, 400);
      assert.match(big.json().error, /file too large.*200 bytes/);
      const pad = await send({
        dataset_group_id: g.dataset_group.id,
        file_name: 'p.csv',
        file_content_base64: 'YQ==YQ==',
      });
      assert.equal(pad.statusCode, 400);
      assert.match(pad.json().error, /base64/);
      const arr = await send([1, 2]);
      assert.equal(arr.statusCode, 400);
      const missing = await send({ dataset_group_id: g.dataset_group.id, file_name: 'm.csv' });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.json().error, /file_content_base64/);
      const fs = await import('node:fs');
      const tmp = `${t.dataDir}/tmp`;
      const left = fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
      assert.deepEqual(left, [], 'no temporary upload files remain');
      const listed = (
        await t.request({ method: 'GET', url: `/api/public/v2/datasets?dataset_group_id=${g.dataset_group.id}` })
      ).json();
      assert.equal(listed.total, 1, 'nothing half-written: only the initial draft');
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`oversized streamed upload [${dialect}]`, () => {
    it('answers 400 and keeps serving when the limit is crossed mid-stream', async () => {
      const t = await startTestApp(dialect, { STRATA_MAX_FILE_BYTES: String(1024 * 1024) });
      try {
        const g = await createGroup(t, 'big');
        const content = 'a,b\n' + 'some text,more text\n'.repeat(250_000); // about 5 MB
        const r = await upload(t, g.dataset_group.id, 'big.csv', content);
        assert.equal(r.statusCode, 400);
        assert.match(r.json().error, /file too large/);
        const after = await t.request({ method: 'GET', url: '/healthz', apiKey: null });
        assert.equal(after.statusCode, 200);
        const ok = await upload(t, g.dataset_group.id, 'small.csv', 'a,b\n1,2\n');
        assert.equal(ok.statusCode, 201);
      } finally {
        await t.close();
      }
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`Parquet export on the PromptLayer face [${dialect}]`, () => {
    it('exports a version as Parquet that re-imports through from-file with the same rows', async () => {
      const t = await startTestApp(dialect);
      try {
        const g = await createGroup(t, 'pq');
        const first = await upload(
          t,
          g.dataset_group.id,
          'src.jsonl',
          '{"q":"a, b","n":1,"j":{"x":[1]}}\n{"q":"c","n":null,"j":null}\n',
        );
        const v1 = await waitDataset(t, first.json().dataset_id);
        const res = await t.request({ method: 'GET', url: `/api/public/v2/datasets/${v1.id}/export?format=parquet` });
        assert.equal(res.statusCode, 200, res.body);
        assert.match(String(res.headers['content-type']), /parquet/);
        assert.match(String(res.headers['content-disposition']), /\.parquet/);
        const again = await upload(t, g.dataset_group.id, 'back.parquet', res.rawPayload);
        assert.equal(again.statusCode, 201, again.body);
        const v2 = await waitDataset(t, again.json().dataset_id);
        assert.deepEqual(v2.column_names, ['q', 'n', 'j']);
        const rows = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${v2.id}/rows` })).json();
        assert.deepEqual(
          rows.rows.map((r: Array<{ value: unknown }>) => r.map((c) => c.value)),
          [
            ['a, b', 1, { x: [1] }],
            ['c', null, null],
          ],
        );
      } finally {
        await t.close();
      }
    });
  });
}
