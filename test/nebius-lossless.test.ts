// Lossless values on the Nebius face, every dialect: big integers in json cells, 1e308 and the smallest double in
// float/double columns, -0.0, through content and the JSONL, CSV and Parquet exports (hyparquet, and pyarrow when
// python3 has it); NaN/Infinity refused with pydantic's finite_number; JSONL leaves out null option cells.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, TEST_API_KEY, type TestApp } from './support/test-app.js';
import { v1 } from './support/nebius.js';

const BIG = '12345678901234567891';
// Raw JSON text: a JS object literal could not carry the big integer exactly.
const BODY = `{"name": "lossless", "folder": "/", "schema": [
  {"name": "j", "type": {"name": "json"}},
  {"name": "f", "type": {"name": "float"}},
  {"name": "d", "type": {"name": "double"}},
  {"name": "tools", "type": {"name": "option", "item": {"name": "json"}}}
], "rows": [
  {"j": {"id": ${BIG}, "neg": -${BIG}}, "f": 1e308, "d": 5e-324},
  {"j": [${BIG}], "f": -0.0, "d": 1.7976931348623157e308, "tools": [{"type": "function"}]}
]}`;

function post(t: TestApp, payload: string) {
  return t.request({
    method: 'POST',
    url: '/v1/datasets',
    apiKey: null,
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: payload,
  });
}

const PYARROW_READ = `
import json, sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
print(json.dumps({"types": {f.name: str(f.type) for f in t.schema}, "rows": [{k: (v if not isinstance(v, float) else repr(v)) for k, v in r.items()} for r in t.to_pylist()]}))
`;

for (const dialect of DIALECTS) {
  describe(`Nebius lossless values [${dialect}]`, () => {
    let t: TestApp;
    let id: string;
    before(async () => {
      t = await startTestApp(dialect);
      const res = await post(t, BODY);
      assert.equal(res.statusCode, 200, res.body);
      id = res.json().id;
    });
    after(async () => t.close());

    it('content keeps every digit of big integers, 1e308, 5e-324 and -0.0', async () => {
      const res = await v1(t, 'GET', `/v1/datasets/${id}/content`);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, new RegExp(`"j":\\{"id":${BIG},"neg":-${BIG}\\}`));
      assert.match(res.body, new RegExp(`"j":\\[${BIG}\\]`));
      assert.match(res.body, /"f":1e\+308/);
      assert.match(res.body, /"d":5e-324/);
      assert.match(res.body, /"f":-0\.0/);
    });

    it('JSONL and CSV exports keep them too; JSONL omits null option cells', async () => {
      const jsonl = await v1(t, 'GET', `/v1/datasets/${id}/export?format=jsonl`);
      const [first, second] = jsonl.body.trim().split('\n');
      assert.equal(first, `{"j":{"id":${BIG},"neg":-${BIG}},"f":1e+308,"d":5e-324}`);
      assert.equal(second, `{"j":[${BIG}],"f":-0.0,"d":1.7976931348623157e+308,"tools":[{"type":"function"}]}`);
      const csv = await v1(t, 'GET', `/v1/datasets/${id}/export?format=csv`);
      assert.ok(csv.body.includes(`"{""id"":${BIG},""neg"":-${BIG}}"`), csv.body);
      assert.ok(csv.body.includes(',-0.0,'), csv.body);
      const [header, row1] = csv.body.split('\r\n');
      assert.equal(header, 'j,f,d,tools');
      assert.ok(row1.endsWith(',""'), `CSV keeps the empty option cell: ${row1}`);
    });

    it('Parquet: float and double are DOUBLE, json text is exact (hyparquet)', async () => {
      const res = await v1(t, 'GET', `/v1/datasets/${id}/export?format=parquet`);
      const buf = res.rawPayload;
      const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      const meta = await parquetMetadataAsync(file);
      const el = Object.fromEntries(meta.schema.slice(1).map((e) => [e.name, e]));
      assert.equal(el.f.type, 'DOUBLE');
      assert.equal(el.d.type, 'DOUBLE');
      const rows = await parquetReadObjects({ file });
      const text = (v: unknown) => (typeof v === 'string' ? v : new TextDecoder().decode(v as Uint8Array));
      assert.equal(text(rows[0].j), `{"id":${BIG},"neg":-${BIG}}`);
      assert.equal(rows[0].f, 1e308);
      assert.equal(rows[0].d, 5e-324);
      assert.ok(Object.is(rows[1].f, -0));
      assert.equal(rows[1].d, 1.7976931348623157e308);
      assert.equal(rows[0].tools, null);
    });

    it('Parquet read back by pyarrow (skips when python3 has no pyarrow)', async (ctx) => {
      if (spawnSync('python3', ['-c', 'import pyarrow']).status !== 0)
        return ctx.skip('pyarrow is not installed (pip install pyarrow): the pyarrow cross-check cannot run here');
      const res = await v1(t, 'GET', `/v1/datasets/${id}/export?format=parquet`);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'strata-pq-')), 'export.parquet');
      fs.writeFileSync(file, res.rawPayload);
      const out = spawnSync('python3', ['-c', PYARROW_READ, file], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const got = JSON.parse(out.stdout) as { types: Record<string, string>; rows: Array<Record<string, unknown>> };
      assert.equal(got.types.f, 'double');
      assert.equal(got.types.d, 'double');
      assert.equal(got.rows[0].f, '1e+308');
      assert.equal(got.rows[0].d, '5e-324');
      assert.equal(got.rows[1].f, '-0.0');
      assert.equal(got.rows[1].d, '1.7976931348623157e+308');
      // pyarrow reads the JSON logical type as text (or its json extension type): the digits are all there.
      assert.ok(String(got.rows[0].j).includes(BIG), JSON.stringify(got.rows[0]));
      assert.equal(got.rows[0].tools, null);
    });

    it('a big integer is a float in a float column and int_range in an integer column', async () => {
      const ok = await post(
        t,
        `{"name": "big-float", "folder": "/", "schema": [{"name": "f", "type": {"name": "double"}}], "rows": [{"f": ${BIG}}]}`,
      );
      assert.equal(ok.statusCode, 200, ok.body);
      const bad = await post(
        t,
        `{"name": "big-int", "folder": "/", "schema": [{"name": "i", "type": {"name": "integer"}}], "rows": [{"i": ${BIG}}, ${BIG}]}`,
      );
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(
        bad.json().detail.map((d: { type: string; loc: unknown[] }) => [d.type, d.loc]),
        [
          ['dict_type', ['body', 'CreateDatasetRequestUpload', 'rows', 1]],
          ['missing', ['body', 'CreateDatasetRequestS3', 's3_service_url']],
          ['missing', ['body', 'CreateDatasetRequestS3', 's3_region']],
          ['missing', ['body', 'CreateDatasetRequestS3', 's3_uri']],
          ['missing', ['body', 'CreateDatasetRequestS3', 's3_key_id']],
          ['missing', ['body', 'CreateDatasetRequestS3', 's3_secret_key']],
        ],
      );
      const range = await post(
        t,
        `{"name": "big-int", "folder": "/", "schema": [{"name": "i", "type": {"name": "integer"}}], "rows": [{"i": ${BIG}}]}`,
      );
      assert.equal(range.json().detail[0].type, 'int_range');
    });

    it('NaN and ±Infinity (which Python json reads) are refused: finite_number', async () => {
      const res = await post(
        t,
        '{"name": "nan", "folder": "/", "schema": [{"name": "f", "type": {"name": "float"}}, {"name": "j", "type": {"name": "json"}}], "rows": [{"f": NaN, "j": 1}, {"f": 1, "j": {"x": [Infinity]}}]}',
      );
      assert.equal(res.statusCode, 422, res.body);
      assert.deepEqual(
        res.json().detail.map((d: { type: string; loc: unknown[] }) => [d.type, d.loc]),
        [
          ['finite_number', ['body', 'rows', 0, 'f']],
          ['finite_number', ['body', 'rows', 1, 'j']],
        ],
      );
    });
  });
}
