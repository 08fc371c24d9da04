// Nebius multipart uploads over HTTP on every dialect and both blob stores (local disk, S3 via s3rver): create, parts as
// raw bytes (a bad part re-sent), list, complete in a chosen order, then the dataset READY with the typed schema checked
// by the same parsers as other imports; bad rows FAIL the dataset; pydantic-style 422s on the upload bodies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { v1, waitSettled } from './support/nebius.js';
import { sendPart, uploadInOnePart } from './support/factories.js';

const SCHEMA = [
  { name: 'messages', type: { name: 'json' } },
  { name: 'tools', type: { name: 'option', item: { name: 'json' } } },
  { name: 'score', type: { name: 'double' } },
];

const STORES: Array<{ label: string; env: Record<string, string> }> = [
  { label: 'local blobs', env: { STRATA_STORAGE: 'local' } },
  { label: 'S3 blobs', env: { STRATA_STORAGE: 's3' } },
];

/** The dataset is READY and its content page is exactly `rows` (JSON text: big integers and -0.0 as written). */
async function assertReadyContent(t: TestApp, d: Record<string, any>, rows: string) {
  assert.equal(d.status, 'READY', JSON.stringify(d));
  const content = await v1(t, 'GET', `/v1/datasets/${d.id}/content`);
  assert.equal(content.body, '{"rows":' + rows + ',"version":"' + d.current_version + '"}');
}

for (const dialect of DIALECTS) {
  for (const store of STORES) {
    describe(`Nebius multipart uploads [${dialect}, ${store.label}]`, () => {
      let t: TestApp;
      before(async () => {
        t = await startTestApp(dialect, store.env);
      });
      after(async () => t.close());

      it('create → parts (one re-sent) → complete in order → READY dataset with exact rows', async () => {
        const created = await v1(t, 'POST', '/v1/datasets/uploads', {
          name: 'ft-upload',
          folder: '/ft',
          schema: SCHEMA,
        });
        assert.equal(created.statusCode, 200, created.body);
        const up = created.json();
        assert.match(up.id, /^[0-9a-f]{32}$/);
        assert.equal(up.upload_info.status, 'PENDING');
        assert.deepEqual(up.upload_info.dataset, { name: 'ft-upload', schema: SCHEMA, folder: '/ft', id: null });

        const lines = Array.from(
          { length: 300 },
          (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }], score: i / 4 }) + '\n',
        );
        lines[7] = '{"messages": {"id": 12345678901234567891}, "tools": [{"type": "function"}], "score": 1e308}\n';
        const text = lines.join('');
        // Split in the middle of a line: parts are bytes, not rows.
        const cut = Math.floor(text.length / 2) + 3;
        const p1 = (await sendPart(t, up.id, text.slice(0, cut))).json();
        const broken = (await sendPart(t, up.id, 'garbage from a dropped connection')).json();
        const p2res = await sendPart(t, up.id, text.slice(cut));
        assert.equal(p2res.statusCode, 200, p2res.body);
        const p2 = p2res.json();
        assert.equal(p1.size + p2.size, Buffer.byteLength(text));
        assert.match(p1.sha256, /^[0-9a-f]{64}$/);

        const parts = await v1(t, 'GET', `/v1/datasets/uploads/${up.id}/parts`);
        assert.equal(parts.json().object, 'list');
        assert.deepEqual(
          new Set(parts.json().data.map((p: { id: string }) => p.id)),
          new Set([p1.id, broken.id, p2.id]),
        );

        const done = await v1(t, 'POST', `/v1/datasets/uploads/${up.id}/complete`, { part_ids: [p1.id, p2.id] });
        assert.equal(done.statusCode, 200, done.body);
        assert.equal(done.json().upload_info.status, 'COMPLETED');
        const datasetId = done.json().upload_info.dataset.id;
        assert.match(datasetId, /^[0-9a-f]{32}$/);
        const d = await waitSettled(t, datasetId);
        assert.equal(d.status, 'READY', JSON.stringify(d));
        assert.deepEqual(d.schema, SCHEMA);
        assert.deepEqual(d.current_version_origin, { type: 'upload' });

        const content = await v1(t, 'GET', `/v1/datasets/${datasetId}/content?limit=10`);
        assert.equal(content.statusCode, 200);
        assert.match(content.body, /"messages":\{"id":12345678901234567891\}/);
        assert.match(content.body, /"score":1e\+308/);
        assert.equal(content.json().rows[0].tools, null);

        const again = await v1(t, 'POST', `/v1/datasets/uploads/${up.id}/complete`, { part_ids: [p1.id, p2.id] });
        assert.equal(again.statusCode, 409);
      });

      it('rows that do not match the schema FAIL the dataset with the row named', async () => {
        const { uploadId, dataset: d } = await uploadInOnePart(
          t,
          { name: 'bad-rows', folder: '/', schema: SCHEMA, format: 'jsonl' },
          '{"messages": [], "score": 1}\n{"messages": [], "score": "high"}\n',
        );
        assert.equal(d.status, 'FAILED');
        assert.match(d.error, /row 2: column "score": Input should be a valid number/);
        const info = (await v1(t, 'GET', `/v1/datasets/uploads/${uploadId}`)).json();
        assert.equal(info.upload_info.status, 'FAILED');
      });

      it('a CSV upload reads cells as the declared types, big integers in json cells exact', async () => {
        const schema = [
          { name: 'id', type: { name: 'integer' } },
          { name: 'meta', type: { name: 'json' } },
          { name: 'note', type: { name: 'option', item: { name: 'string' } } },
        ];
        const { dataset: d } = await uploadInOnePart(
          t,
          { name: 'csv-up', folder: '/', schema, format: 'csv' },
          'id,meta,note\r\n1,"{""big"": 12345678901234567891}",hi\r\n2,[],\r\n',
        );
        await assertReadyContent(
          t,
          d,
          '[{"id":1,"meta":{"big":12345678901234567891},"note":"hi"},{"id":2,"meta":[],"note":null}]',
        );
      });

      it('a JSON (array) upload keeps big integers in json cells exact, and -0.0', async () => {
        const schema = [
          { name: 'id', type: { name: 'integer' } },
          { name: 'meta', type: { name: 'json' } },
          { name: 'x', type: { name: 'double' } },
        ];
        const { dataset: d } = await uploadInOnePart(
          t,
          { name: 'json-up', folder: '/', schema, format: 'json' },
          '[{"id": 1, "meta": {"big": 12345678901234567891, "s": "98765432109876543210"}, "x": -0.0}]',
        );
        await assertReadyContent(
          t,
          d,
          '[{"id":1,"meta":{"big":12345678901234567891,"s":"98765432109876543210"},"x":-0.0}]',
        );
      });

      it('the upload routes are in /openapi.json', async () => {
        const spec = (await t.request({ method: 'GET', url: '/openapi.json', apiKey: null })).json();
        for (const p of [
          '/v1/datasets/uploads',
          '/v1/datasets/uploads/{upload_id}/parts',
          '/v1/datasets/uploads/{upload_id}/complete',
        ])
          assert.ok(spec.paths[p], p);
      });

      it('upload bodies answer pydantic-style 422s; unknown parts and uploads are refused', async () => {
        const missing = await v1(t, 'POST', '/v1/datasets/uploads', { name: 'x', folder: '/' });
        assert.equal(missing.statusCode, 422);
        assert.deepEqual(missing.json().detail, [
          { type: 'missing', loc: ['body', 'schema'], msg: 'Field required', input: { name: 'x', folder: '/' } },
        ]);
        const up = (await v1(t, 'POST', '/v1/datasets/uploads', { name: 'x', folder: '/', schema: SCHEMA })).json();
        const badList = await v1(t, 'POST', `/v1/datasets/uploads/${up.id}/complete`, { part_ids: 'p' });
        assert.deepEqual(badList.json().detail, [
          { type: 'list_type', loc: ['body', 'part_ids'], msg: 'Input should be a valid list', input: 'p' },
        ]);
        const unknown = await v1(t, 'POST', `/v1/datasets/uploads/${up.id}/complete`, { part_ids: ['f'.repeat(32)] });
        assert.equal(unknown.statusCode, 422);
        assert.deepEqual(unknown.json().detail[0].loc, ['body', 'part_ids', 0]);
        assert.equal((await sendPart(t, 'f'.repeat(32), 'x')).statusCode, 404);
      });
    });
  }
}
