// Nebius /v1/datasets over HTTP on every dialect: seed 004 rows upload, typed schema checks with exact 422 locs,
// list paging, PATCH, DELETE, content, export, TEMPORARY/DRAFT and the PromptLayer face reading the same groups.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { DIALECTS } from './support/dialects.js';
import { b64, startTestApp, waitFor, type TestApp } from './support/test-app.js';
import { v1 } from './support/nebius.js';

const RESPONSE_KEYS = [
  'ai_project_id',
  'created_at',
  'current_version',
  'current_version_origin',
  'error',
  'folder',
  'id',
  'metadata',
  'name',
  'schema',
  'status',
];

const ALL_TYPES_SCHEMA = [
  { name: 's', type: { name: 'string' } },
  { name: 'i', type: { name: 'integer' } },
  { name: 'b', type: { name: 'boolean' } },
  { name: 'f', type: { name: 'float' } },
  { name: 'd', type: { name: 'double' } },
  { name: 'j', type: { name: 'json' } },
  { name: 'n', type: { name: 'null' } },
  { name: 'o', type: { name: 'option', item: { name: 'integer' } } },
  { name: 'oo', type: { name: 'option', item: { name: 'option', item: { name: 'string' } } } },
];
const ALL_TYPES_ROWS = [
  { s: 'hello', i: 42, b: true, f: 1.5, d: -2.25, j: { nested: [1, 'x', null] }, n: null, o: 7, oo: 'x' },
  { s: '', i: -9007199254740991, b: false, f: 0, d: 1e300, j: [1, 2], n: null, o: null, oo: null },
  { s: 'missing options', i: 0, b: false, f: 3, d: 4, j: 'text', n: null },
];

async function create(t: TestApp, body: Record<string, unknown>) {
  const res = await v1(t, 'POST', '/v1/datasets', body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

for (const dialect of DIALECTS) {
  describe(`Nebius /v1 datasets: rows [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('creates seed 004 upload example and answers exactly CreateDatasetResponse, READY', async () => {
      const body = {
        name: 'example_dataset',
        schema: [
          { name: 'text', type: { name: 'string' } },
          { name: 'text_1', type: { item: { name: 'string' }, name: 'option' } },
        ],
        folder: '/some/folder',
        rows: [{ text: 'This is the first row.' }],
        ai_project_id: 'example_project',
      };
      const d = await create(t, body);
      assert.deepEqual(Object.keys(d).sort(), RESPONSE_KEYS);
      assert.match(d.id, /^[0-9a-f]{32}$/);
      assert.match(d.current_version, /^[0-9a-f]{32}$/);
      assert.equal(d.name, 'example_dataset');
      assert.equal(d.status, 'READY');
      assert.deepEqual(d.schema, body.schema);
      assert.equal(typeof d.metadata, 'object');
      assert.deepEqual(d.current_version_origin, { type: 'upload' });
      assert.equal(d.folder, '/some/folder');
      assert.ok(
        Number.isInteger(d.created_at) && Math.abs(d.created_at - Date.now() / 1000) < 60,
        'created_at is unix seconds',
      );
      assert.equal(d.error, null);
      assert.equal(d.ai_project_id, 'example_project');

      const got = (await v1(t, 'GET', `/v1/datasets/${d.id}`)).json();
      assert.deepEqual(got, { ...d, type: 'dataset' });
      const content = (await v1(t, 'GET', `/v1/datasets/${d.id}/content`)).json();
      assert.deepEqual(content, {
        rows: [{ text: 'This is the first row.', text_1: null }],
        version: d.current_version,
      });
    });

    it('accepts every schema type with valid values and keeps them exactly', async () => {
      const d = await create(t, {
        name: 'all-types',
        folder: '/types',
        schema: ALL_TYPES_SCHEMA,
        rows: ALL_TYPES_ROWS,
      });
      assert.equal(d.status, 'READY');
      const content = (await v1(t, 'GET', `/v1/datasets/${d.id}/content`)).json();
      assert.deepEqual(
        content.rows,
        ALL_TYPES_ROWS.map((r) => ({ o: null, oo: null, ...r })),
      );
    });

    it('reports every bad cell of every type with its exact loc, and writes nothing', async () => {
      const bad = { s: 5, i: 1.5, b: 'yes', f: '1.0', d: null, j: 1, n: 0, o: 'seven', oo: 3 };
      const res = await v1(t, 'POST', '/v1/datasets', {
        name: 'bad-types',
        folder: '/',
        schema: ALL_TYPES_SCHEMA,
        rows: [ALL_TYPES_ROWS[0], bad],
      });
      assert.equal(res.statusCode, 422, res.body);
      const detail = res.json().detail as Array<{ loc: unknown[]; msg: string; type: string }>;
      assert.deepEqual(
        detail.map((x) => [x.loc, x.type]),
        [
          [['body', 'rows', 1, 's'], 'string_type'],
          [['body', 'rows', 1, 'i'], 'int_from_float'],
          [['body', 'rows', 1, 'b'], 'bool_type'],
          [['body', 'rows', 1, 'f'], 'float_type'],
          [['body', 'rows', 1, 'd'], 'float_type'],
          [['body', 'rows', 1, 'n'], 'none_required'],
          [['body', 'rows', 1, 'o'], 'int_type'],
          [['body', 'rows', 1, 'oo'], 'string_type'],
        ],
      );
      for (const x of detail) assert.ok(x.msg.length > 0);
      const list = (await v1(t, 'GET', '/v1/datasets?limit=100')).json();
      assert.ok(!list.data.some((x: { name: string }) => x.name === 'bad-types'), 'nothing half-written');
    });

    it('names row 12 age exactly, and reports unknown and missing columns', async () => {
      const schema = [
        { name: 'name', type: { name: 'string' } },
        { name: 'age', type: { name: 'integer' } },
        { name: 'nick', type: { name: 'option', item: { name: 'string' } } },
      ];
      const rows = Array.from({ length: 14 }, (_, i) => ({ name: `p${i}`, age: i }));
      (rows[12] as Record<string, unknown>).age = 'twelve';
      (rows[3] as Record<string, unknown>).colour = 'red';
      delete (rows[5] as Record<string, unknown>).age;
      const res = await v1(t, 'POST', '/v1/datasets', { name: 'people', folder: '/', schema, rows });
      assert.equal(res.statusCode, 422);
      assert.deepEqual(res.json().detail, [
        {
          type: 'extra_forbidden',
          loc: ['body', 'rows', 3, 'colour'],
          msg: 'Extra inputs are not permitted',
          input: 'red',
        },
        { type: 'missing', loc: ['body', 'rows', 5, 'age'], msg: 'Field required', input: { name: 'p5' } },
        { type: 'int_type', loc: ['body', 'rows', 12, 'age'], msg: 'Input should be a valid integer', input: 'twelve' },
      ]);
    });

    it('lists at most 100 bad cells, then says there are more', async () => {
      const rows = Array.from({ length: 10_001 }, () => ({ a: 1 }));
      const res = await v1(t, 'POST', '/v1/datasets', {
        name: 'many-bad',
        folder: '/',
        schema: [{ name: 'a', type: { name: 'string' } }],
        rows,
      });
      assert.equal(res.statusCode, 422);
      const detail = res.json().detail;
      assert.equal(detail.length, 101);
      assert.deepEqual(detail[99].loc, ['body', 'rows', 99, 'a']);
      assert.equal(detail[100].type, 'too_many_errors');
    });

    it('validates the body itself in FastAPI form', async () => {
      const cases: Array<[unknown, unknown[], string]> = [
        [
          { schema: [{ name: 'a', type: { name: 'string' } }], folder: '/', rows: [] },
          ['body', 'CreateDatasetRequestUpload', 'name'],
          'missing',
        ],
        [
          { name: 'x', schema: [{ name: 'a', type: { name: 'text' } }], folder: '/', rows: [] },
          ['body', 'CreateDatasetRequestUpload', 'schema', 0, 'type', 'SchemaPrimitive', 'name'],
          'enum',
        ],
        [
          { name: 'x', schema: [{ name: 'a', type: { name: 'option' } }], folder: '/', rows: [] },
          ['body', 'CreateDatasetRequestUpload', 'schema', 0, 'type', 'SchemaOption', 'item'],
          'missing',
        ],
        [
          { name: 'x', schema: [{ name: 'a', type: { name: 'string' } }], folder: '/', rows: [5] },
          ['body', 'CreateDatasetRequestUpload', 'rows', 0],
          'dict_type',
        ],
        [
          {
            name: 'x',
            schema: [
              { name: 'a', type: { name: 'string' } },
              { name: 'a', type: { name: 'integer' } },
            ],
            folder: '/',
            rows: [],
          },
          ['body', 'schema', 1, 'name'],
          'value_error',
        ],
        [[1, 2], ['body', 'CreateDatasetRequestUpload'], 'model_attributes_type'],
      ];
      for (const [body, loc, type] of cases) {
        const res = await v1(t, 'POST', '/v1/datasets', body);
        assert.equal(res.statusCode, 422, JSON.stringify(body));
        const detail = res.json().detail as Array<{ loc: unknown[]; type: string }>;
        assert.ok(
          detail.some((x) => JSON.stringify(x.loc) === JSON.stringify(loc) && x.type === type),
          `${JSON.stringify(body)} → ${JSON.stringify(detail)}`,
        );
      }
      const malformed = await v1(t, 'POST', '/v1/datasets', '{"name": ');
      assert.equal(malformed.statusCode, 422);
      assert.ok(Array.isArray(malformed.json().detail));
      const dupName = await v1(t, 'POST', '/v1/datasets', {
        name: 'example_dataset',
        folder: '/',
        schema: [{ name: 'a', type: { name: 'string' } }],
        rows: [],
      });
      assert.equal(dupName.statusCode, 422);
      assert.deepEqual(dupName.json().detail[0].loc, ['body', 'name']);
    });

    it('answers 401 without credentials and 404 for unknown ids, FastAPI style', async () => {
      const anon = await t.request({ method: 'GET', url: '/v1/datasets', apiKey: null });
      assert.equal(anon.statusCode, 401);
      assert.equal(typeof anon.json().detail, 'string');
      const anonPost = await t.request({ method: 'POST', url: '/v1/datasets', body: [1], apiKey: null });
      assert.equal(anonPost.statusCode, 401, 'authentication comes before validation');
      const wrongKey = await t.request({
        method: 'GET',
        url: '/v1/datasets',
        apiKey: null,
        headers: { authorization: 'Bearer sk_strata_wrong' },
      });
      assert.equal(wrongKey.statusCode, 401);
      for (const id of ['0'.repeat(32), 'not-an-id']) {
        const res = await v1(t, 'GET', `/v1/datasets/${id}`);
        assert.equal(res.statusCode, 404);
        assert.equal(typeof res.json().detail, 'string');
      }
    });

    it('lists with cursor paging and a folder filter, renames, moves and deletes', async () => {
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        made.push(
          (
            await create(t, {
              name: `page-${i}`,
              folder: '/paging',
              schema: [{ name: 'i', type: { name: 'integer' } }],
              rows: [{ i }],
            })
          ).id,
        );
      }
      const seen: string[] = [];
      let afterId: string | null = null;
      let pages = 0;
      for (;;) {
        const url: string = `/v1/datasets?limit=2&folder=/paging${afterId ? `&after=${afterId}` : ''}`;
        const page = (await v1(t, 'GET', url)).json();
        pages++;
        for (const d of page.data) {
          assert.equal(d.type, 'dataset');
          assert.equal(d.folder, '/paging');
          seen.push(d.id);
        }
        assert.equal(page.last_id, page.data.at(-1)?.id ?? null);
        if (!page.has_more) break;
        afterId = page.last_id;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...made].reverse(), 'newest first, each once');
      const bad = await v1(t, 'GET', '/v1/datasets?limit=0');
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(bad.json().detail[0].loc, ['query', 'limit']);

      const patched = await v1(t, 'PATCH', `/v1/datasets/${made[0]}`, { name: 'renamed', folder: '/moved' });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().name, 'renamed');
      assert.equal(patched.json().folder, '/moved');
      assert.deepEqual(patched.json().schema, [{ name: 'i', type: { name: 'integer' } }], 'schema unchanged');
      const taken = await v1(t, 'PATCH', `/v1/datasets/${made[1]}`, { name: 'renamed' });
      assert.equal(taken.statusCode, 422);
      assert.deepEqual(taken.json().detail[0].loc, ['body', 'name']);
      const moved = (await v1(t, 'GET', '/v1/datasets?folder=/moved')).json();
      assert.deepEqual(
        moved.data.map((d: { id: string }) => d.id),
        [made[0]],
      );

      const del = await v1(t, 'DELETE', `/v1/datasets/${made[0]}`);
      assert.equal(del.statusCode, 200);
      assert.deepEqual(del.json(), {});
      assert.equal((await v1(t, 'DELETE', `/v1/datasets/${made[0]}`)).statusCode, 404);
      assert.equal((await v1(t, 'GET', `/v1/datasets/${made[0]}`)).statusCode, 404);
      assert.equal((await v1(t, 'GET', `/v1/datasets/${made[0]}/content`)).statusCode, 404);
      // A deleted dataset's id still works as a cursor.
      const resumed = (await v1(t, 'GET', `/v1/datasets?limit=10&folder=/paging&after=${made[0]}`)).json();
      assert.equal(resumed.data.length, 0);
    });

    it('pages content with limit and offset, checks bounds, and reads an older version by id', async () => {
      const rows = Array.from({ length: 250 }, (_, i) => ({ n: i }));
      const d = await create(t, {
        name: 'content',
        folder: '/',
        schema: [{ name: 'n', type: { name: 'integer' } }],
        rows,
      });
      const page = (await v1(t, 'GET', `/v1/datasets/${d.id}/content?limit=100&offset=200`)).json();
      assert.equal(page.rows.length, 50);
      assert.deepEqual(page.rows[0], { n: 200 });
      assert.equal(page.version, d.current_version);
      assert.equal((await v1(t, 'GET', `/v1/datasets/${d.id}/content`)).json().rows.length, 100);
      assert.equal((await v1(t, 'GET', `/v1/datasets/${d.id}/content?limit=1000`)).statusCode, 200);
      for (const q of ['limit=0', 'limit=1001', 'offset=-1']) {
        const res = await v1(t, 'GET', `/v1/datasets/${d.id}/content?${q}`);
        assert.equal(res.statusCode, 422, q);
        assert.equal(res.json().detail[0].loc[0], 'query');
      }
      // A second version through the PromptLayer face; the first stays readable by its id.
      const groupId = Number(d.metadata.strata_dataset_group_id);
      const up = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: { dataset_group_id: groupId, file_name: 'v2.csv', file_content_base64: b64('n\nx\ny\n') },
      });
      assert.equal(up.statusCode, 201, up.body);
      const v2 = await waitFor(async () => {
        const g = (await v1(t, 'GET', `/v1/datasets/${d.id}`)).json();
        return g.current_version !== d.current_version ? g : undefined;
      });
      assert.equal(v2.status, 'READY');
      assert.deepEqual(
        v2.schema,
        [{ name: 'n', type: { name: 'string' } }],
        'a PromptLayer CSV upload has string columns',
      );
      assert.deepEqual((await v1(t, 'GET', `/v1/datasets/${d.id}/content`)).json().rows, [{ n: 'x' }, { n: 'y' }]);
      const old = (await v1(t, 'GET', `/v1/datasets/${d.id}/content?limit=1&version=${d.current_version}`)).json();
      assert.deepEqual(old, { rows: [{ n: 0 }], version: d.current_version });
      assert.equal((await v1(t, 'GET', `/v1/datasets/${d.id}/content?version=${'f'.repeat(32)}`)).statusCode, 404);
    });

    it('exports JSONL, CSV and typed Parquet', async () => {
      const d = await create(t, { name: 'export me', folder: '/', schema: ALL_TYPES_SCHEMA, rows: ALL_TYPES_ROWS });
      const jsonl = await v1(t, 'GET', `/v1/datasets/${d.id}/export?format=jsonl`);
      assert.equal(jsonl.statusCode, 200);
      assert.match(String(jsonl.headers['content-disposition']), /export_me\.jsonl/);
      assert.deepEqual(
        jsonl.body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
        // option columns whose cell is null are left out (Nebius's fine-tuning JSONL); other nulls stay.
        ALL_TYPES_ROWS.map((r) =>
          Object.fromEntries(
            ALL_TYPES_SCHEMA.filter(
              (c) => c.type.name !== 'option' || ((r as Record<string, unknown>)[c.name] ?? null) !== null,
            ).map((c) => [c.name, (r as Record<string, unknown>)[c.name]]),
          ),
        ),
      );
      const csv = await v1(t, 'GET', `/v1/datasets/${d.id}/export?format=csv`);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      const lines = csv.body.trim().split('\r\n'); // RFC 4180 line breaks
      assert.equal(lines[0], 's,i,b,f,d,j,n,o,oo');
      // The shared CSV writer quotes empty cells, so a row of one empty cell never reads back as a blank line.
      assert.equal(lines[1], 'hello,42,true,1.5,-2.25,"{""nested"":[1,""x"",null]}","",7,x');
      assert.equal((await v1(t, 'GET', `/v1/datasets/${d.id}/export?format=xml`)).statusCode, 422);

      const pq = await v1(t, 'GET', `/v1/datasets/${d.id}/export?format=parquet`);
      assert.equal(pq.statusCode, 200);
      assert.equal(pq.headers['content-type'], 'application/vnd.apache.parquet');
      const bytes = pq.rawPayload;
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const meta = await parquetMetadataAsync(file);
      const el = Object.fromEntries(meta.schema.slice(1).map((e) => [e.name, e]));
      assert.equal(el.i.type, 'INT64');
      assert.equal(el.i.repetition_type, 'REQUIRED');
      assert.equal(el.d.type, 'DOUBLE');
      assert.equal(el.f.type, 'DOUBLE');
      assert.equal(el.b.type, 'BOOLEAN');
      assert.equal(el.s.converted_type, 'UTF8');
      // The JSON logical type alone: Strata writes the exact JSON text (see docs/nebius.md, lossless values).
      assert.equal(el.j.logical_type?.type, 'JSON');
      assert.equal(el.o.type, 'INT64');
      assert.equal(el.o.repetition_type, 'OPTIONAL');
      const rows = await parquetReadObjects({ file });
      assert.equal(rows.length, 3);
      assert.equal(rows[0].i, 42n);
      const j = rows[0].j as unknown;
      assert.deepEqual(JSON.parse(typeof j === 'string' ? j : new TextDecoder().decode(j as Uint8Array)), {
        nested: [1, 'x', null],
      });
      assert.equal(rows[1].o, null);

      // Round trip through the PromptLayer face's from-file (.parquet as base64): same rows back.
      const g = (
        await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 'parquet-back' } })
      ).json();
      const up = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: {
          dataset_group_id: g.dataset_group.id,
          file_name: 'back.parquet',
          file_content_base64: Buffer.from(bytes).toString('base64'),
        },
      });
      assert.equal(up.statusCode, 201, up.body);
      const ready = await waitFor(async () => {
        const r = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${up.json().dataset_id}` })).json()
          .dataset;
        return r.status === 'ready' || r.status === 'failed' ? r : undefined;
      });
      assert.equal(ready.status, 'ready', ready.error);
      assert.deepEqual(
        ready.column_names,
        ALL_TYPES_SCHEMA.map((c) => c.name),
      );
      const back = (
        await t.request({ method: 'GET', url: `/api/public/v2/datasets/${ready.id}/rows?per_page=10` })
      ).json();
      assert.deepEqual(
        back.rows.map((r: Array<{ value: unknown }>) => r.map((c) => c.value)),
        ALL_TYPES_ROWS.map((r) => ALL_TYPES_SCHEMA.map((c) => (r as Record<string, unknown>)[c.name] ?? null)),
      );
    });

    it('reads PromptLayer-made groups through /v1: DRAFT until a version exists, then READY with an inferred schema', async () => {
      const g = (
        await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 'from-pl' } })
      ).json();
      const listed = (await v1(t, 'GET', '/v1/datasets?limit=100')).json();
      const mine = listed.data.find((d: { name: string }) => d.name === 'from-pl');
      assert.equal(mine.status, 'DRAFT');
      assert.equal(mine.folder, '/');
      assert.deepEqual(mine.schema, []);
      assert.equal(mine.current_version_origin, null);
      assert.deepEqual((await v1(t, 'GET', `/v1/datasets/${mine.id}/content`)).json().rows, []);
      const up = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: {
          dataset_group_id: g.dataset_group.id,
          file_name: 'a.jsonl',
          file_content_base64: b64('{"q":"a","meta":{"k":1}}\n{"q":"b"}\n'),
        },
      });
      assert.equal(up.statusCode, 201);
      const ready = await waitFor(async () => {
        const d = (await v1(t, 'GET', `/v1/datasets/${mine.id}`)).json();
        return d.status === 'READY' ? d : undefined;
      });
      assert.deepEqual(ready.schema, [
        { name: 'q', type: { name: 'string' } },
        { name: 'meta', type: { name: 'json' } },
      ]);
      assert.deepEqual(ready.current_version_origin, { type: 'upload' });
      assert.deepEqual((await v1(t, 'GET', `/v1/datasets/${mine.id}/content`)).json().rows, [
        { q: 'a', meta: { k: 1 } },
        { q: 'b', meta: null },
      ]);
      // ...and a /v1-made dataset is a PromptLayer group with version 1.
      const n = await create(t, {
        name: 'to-pl',
        folder: '/',
        schema: [{ name: 'x', type: { name: 'integer' } }],
        rows: [{ x: 1 }, { x: 2 }],
      });
      const pl = (
        await t.request({ method: 'GET', url: `/api/public/v2/dataset-groups/${n.metadata.strata_dataset_group_id}` })
      ).json();
      assert.equal(pl.dataset_group.name, 'to-pl');
      const v = pl.datasets.find((x: { version_number: number }) => x.version_number === 1);
      assert.equal(v.origin, 'rows');
      const rows = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${v.id}/rows` })).json();
      assert.deepEqual(rows.columns, ['x']);
      assert.deepEqual(
        rows.rows.map((r: Array<{ value: unknown }>) => r[0].value),
        [1, 2],
      );
    });

    it('makes TEMPORARY datasets that vanish when they expire', async () => {
      const d = await create(t, {
        name: 'scratch',
        folder: '/tmp',
        schema: [{ name: 'a', type: { name: 'string' } }],
        rows: [{ a: 'x' }],
        ttl_seconds: 3600,
      });
      assert.equal(d.status, 'TEMPORARY');
      assert.ok(Number(d.metadata.expires_at) > Date.now() / 1000);
      assert.equal((await v1(t, 'GET', `/v1/datasets/${d.id}/content`)).json().rows.length, 1);
      assert.equal(
        (
          await v1(t, 'POST', '/v1/datasets', {
            name: 'x',
            folder: '/',
            schema: [{ name: 'a', type: { name: 'string' } }],
            rows: [],
            ttl_seconds: 5,
          })
        ).statusCode,
        422,
      );
      // Time passes: move the expiry into the past.
      await t.app.dbh.db
        .updateTable('dataset_groups')
        .set({ expires_at: Date.now() - 1 })
        .where('external_id', '=', d.id)
        .execute();
      assert.equal((await v1(t, 'GET', `/v1/datasets/${d.id}`)).statusCode, 404);
      assert.ok(!(await v1(t, 'GET', '/v1/datasets?folder=/tmp')).json().data.length);
      assert.ok((await t.app.typedDatasets.expireTemporary()) >= 1);
      await create(t, { name: 'scratch', folder: '/tmp', schema: [{ name: 'a', type: { name: 'string' } }], rows: [] });
    });
  });
}
