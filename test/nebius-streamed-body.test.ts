// POST /v1/datasets bodies above 1 MiB stream (rows spooled to disk) on every dialect: the same answers as small
// bodies — READY with exact rows and big integers, cell errors at their row, dict_type rows, Python-json errors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, TEST_API_KEY, type TestApp } from './support/test-app.js';
import { v1 } from './support/nebius.js';
import { STREAM_BODY_ABOVE } from '../src/api/nebius/streamed-body.js';
import { SpooledRows } from '../src/datasets/typed-schema/spooled-rows.js';

const SCHEMA = '[{"name": "text", "type": {"name": "string"}}, {"name": "j", "type": {"name": "json"}}]';
const ROWS = 12_000;

function body(
  name: string,
  row: (i: number) => string,
  head = `"name": "${name}", "folder": "/", "schema": ${SCHEMA}, `,
) {
  const rows = Array.from({ length: ROWS }, (_, i) => row(i)).join(',');
  const text = `{${head}"rows": [${rows}]}`;
  assert.ok(text.length > STREAM_BODY_ABOVE, 'the body must take the streaming path');
  return text;
}
const goodRow = (i: number) => `{"text": "row ${i} ${'x'.repeat(80)}", "j": {"id": 1234567890123456789${i % 10}}}`;

function post(t: TestApp, payload: string) {
  return t.request({
    method: 'POST',
    url: '/v1/datasets',
    apiKey: null,
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: payload,
  });
}

for (const dialect of DIALECTS) {
  describe(`Nebius streamed create bodies [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('a large valid upload is READY with every row and big integer exact; no spool files are left', async () => {
      const res = await post(t, body('streamed', goodRow));
      assert.equal(res.statusCode, 200, res.body.slice(0, 500));
      const id = res.json().id;
      const page = await v1(t, 'GET', `/v1/datasets/${id}/content?limit=3&offset=11997`);
      assert.match(page.body, /"text":"row 11997 x+","j":\{"id":12345678901234567897\}/);
      assert.equal(page.json().rows.length, 3);
      const tmp = path.join(t.dataDir, 'tmp');
      assert.deepEqual(fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((f) => f.startsWith('v1-body-')) : [], []);
    });

    it('bad cells and non-object rows are reported at their index, as for small bodies', async () => {
      const cells = await post(
        t,
        body('bad-cells', (i) => (i === 9_001 ? '{"text": 5, "j": 1}' : goodRow(i))),
      );
      assert.equal(cells.statusCode, 422);
      assert.deepEqual(cells.json().detail, [
        { type: 'string_type', loc: ['body', 'rows', 9001, 'text'], msg: 'Input should be a valid string', input: 5 },
      ]);
      const notObject = await post(
        t,
        body('bad-row', (i) => (i === 7 ? '[1]' : goodRow(i))),
      );
      assert.equal(notObject.statusCode, 422);
      const first = notObject.json().detail[0];
      assert.deepEqual(first, {
        type: 'dict_type',
        loc: ['body', 'CreateDatasetRequestUpload', 'rows', 7],
        msg: 'Input should be a valid dictionary',
        input: [1],
      });
    });

    it("a NUL or nesting past the door's bound inside a streamed row is a 422 at that row; nothing is stored or left behind", async () => {
      const deep = `${'['.repeat(5_000)}1${']'.repeat(5_000)}`;
      for (const [name, bad, at] of [
        ['nul-row', '{"text": "a\\u0000b", "j": 1}', ['body', 'rows', 8_500, 'text']],
        ['deep-row', `{"text": "x", "j": ${deep}}`, ['body', 'rows', 8_500, 'j']],
      ] as const) {
        const res = await post(
          t,
          body(name, (i) => (i === 8_500 ? bad : goodRow(i))),
        );
        assert.equal(res.statusCode, 422, res.body.slice(0, 500));
        const [issue] = res.json().detail as Array<{ loc: Array<string | number>; type: string }>;
        assert.deepEqual(issue.loc.slice(0, 4), at);
        assert.equal(issue.type, 'value_error');
        const list = await v1(t, 'GET', '/v1/datasets');
        assert.ok(!list.body.includes(`"${name}"`), `${name} must not be stored`);
      }
      const tmp = path.join(t.dataDir, 'tmp');
      assert.deepEqual(fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((f) => f.startsWith('v1-body-')) : [], []);
    });

    it("a missing field echoes no rows; malformed JSON is json_invalid at Python's offset", async () => {
      const missing = await post(t, body('m', goodRow, `"folder": "/", "schema": ${SCHEMA}, `));
      assert.equal(missing.statusCode, 422);
      const [item] = missing.json().detail;
      assert.deepEqual(item.loc, ['body', 'CreateDatasetRequestUpload', 'name']);
      assert.equal(item.input, '[input omitted: its JSON is longer than 2048 characters]');
      const text = body('broken', goodRow);
      const at = text.indexOf('{"text": "row 9000 ');
      const res = await post(t, text.slice(0, at) + '}' + text.slice(at));
      assert.equal(res.statusCode, 422);
      assert.deepEqual(res.json().detail, [
        {
          type: 'json_invalid',
          loc: ['body', at],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: 'Expecting value' },
        },
      ]);
    });
  });
}

describe('SpooledRows batches', () => {
  it('cut at the row count or at the characters of JSON, whichever comes first, every row once and in order', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-spooled-'));
    try {
      const rows = new SpooledRows(path.join(dir, 'rows.jsonl'));
      const texts = Array.from({ length: 25 }, (_, i) => JSON.stringify({ i, s: 'x'.repeat(i < 10 ? 1 : 300) }));
      fs.writeFileSync(rows.path, texts.map((t) => `${t}\n`).join(''));
      const sizes: number[] = [];
      const seen: unknown[] = [];
      for await (const batch of rows.batches(4, 600)) {
        sizes.push(batch.length);
        seen.push(...batch.map((r) => r.i));
      }
      // Rows of 15 characters go 4 at a time; rows of ~316 characters 2 at a time (the second passes 600).
      assert.deepEqual(sizes, [4, 4, 4, 2, 2, 2, 2, 2, 2, 1]);
      assert.deepEqual(
        seen,
        Array.from({ length: 25 }, (_, i) => i),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
