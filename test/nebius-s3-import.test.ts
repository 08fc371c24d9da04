// Nebius S3 imports against a real s3rver on loopback, on every dialect: each format, a prefix, bad credentials,
// a missing key, schema mismatch, the SSRF guard, and the secret absent from every response, log line and table.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { addS3KeyPair, startS3Server, type TestS3 } from './support/s3-server.js';
import { v1, waitSettled } from './support/nebius.js';

const KEY_ID = 'STRATAIMPORTKEY';
const SECRET = 'strata-secret-Zq9x-never-log-me';
const BUCKET = 'imports';

for (const dialect of DIALECTS) {
  describe(`Nebius /v1 S3 import [${dialect}]`, () => {
    let t: TestApp;
    let s3: TestS3;
    before(async () => {
      addS3KeyPair(KEY_ID, SECRET);
      s3 = await startS3Server([BUCKET]);
      t = await startTestApp(dialect, { STRATA_OUTBOUND_ALLOWLIST: '127.0.0.1' }, { captureLogs: true });
      await s3.put(BUCKET, 'data/people.csv', 'name,age\nAda,36\n"Lovelace, A",\n');
      await s3.put(
        BUCKET,
        'data/items.json',
        JSON.stringify([
          { id: 1, tags: ['a'], ok: true },
          { id: 2.5, ok: false },
        ]),
      );
      await s3.put(
        BUCKET,
        'data/chat.jsonl',
        '{"custom_id":"r1","messages":[{"role":"user","content":"hi"}]}\n\n{"custom_id":"r2","messages":[]}\n',
      );
      const pq = parquetWriteBuffer({
        columnData: [
          { name: 'id', data: [1n, 2n, 3n], type: 'INT64' },
          { name: 'score', data: [0.5, null, 2], type: 'DOUBLE' },
          { name: 'label', data: ['x', 'y', 'z'], type: 'STRING' },
        ],
      });
      await s3.put(BUCKET, 'data/table.parquet', Buffer.from(pq));
      await s3.put(BUCKET, 'typed/noext', '{"a":1}\n{"a":2}\n', 'application/x-ndjson');
      await s3.put(BUCKET, 'batch/part-1.jsonl', '{"text":"one"}\n');
      await s3.put(BUCKET, 'batch/part-2.jsonl', '{"text":"two"}\n{"text":"three","extra":1}\n');
      await s3.put(BUCKET, 'broken/bad.json', '[{"a":1},');
    });
    after(async () => {
      await t.close();
      await s3.close();
    });

    const body = (name: string, uri: string, extra: Record<string, unknown> = {}) => ({
      name,
      folder: '/imports',
      s3_service_url: s3.endpoint,
      s3_region: 'eu-north-1',
      s3_uri: uri,
      s3_key_id: KEY_ID,
      s3_secret_key: SECRET,
      ...extra,
    });

    async function importAndWait(name: string, uri: string, extra: Record<string, unknown> = {}) {
      const res = await v1(t, 'POST', '/v1/datasets', body(name, uri, extra));
      assert.equal(res.statusCode, 200, res.body);
      const created = res.json();
      assert.equal(created.status, 'PENDING');
      assert.deepEqual(created.current_version_origin, { type: 's3' });
      assert.equal(created.error, null);
      return waitSettled(t, created.id);
    }

    const content = async (id: string) => (await v1(t, 'GET', `/v1/datasets/${id}/content?limit=1000`)).json().rows;

    it('imports seed 004 S3 example shape: CSV, PENDING at once then READY with an inferred schema', async () => {
      const d = await importAndWait('example_dataset', `s3://${BUCKET}/data/people.csv`, {
        ai_project_id: 'example_project',
      });
      assert.equal(d.status, 'READY', d.error);
      assert.equal(d.ai_project_id, 'example_project');
      assert.deepEqual(d.schema, [
        { name: 'name', type: { name: 'string' } },
        { name: 'age', type: { name: 'string' } },
      ]);
      assert.deepEqual(await content(d.id), [
        { name: 'Ada', age: '36' },
        { name: 'Lovelace, A', age: '' },
      ]);
    });

    it('imports JSON, JSONL and Parquet, inferring types', async () => {
      const json = await importAndWait('json', `s3://${BUCKET}/data/items.json`);
      assert.equal(json.status, 'READY', json.error);
      assert.deepEqual(json.schema, [
        { name: 'id', type: { name: 'double' } },
        { name: 'tags', type: { name: 'json' } },
        { name: 'ok', type: { name: 'boolean' } },
      ]);
      const jsonl = await importAndWait('jsonl', `s3://${BUCKET}/data/chat.jsonl`);
      assert.equal(jsonl.status, 'READY', jsonl.error);
      assert.deepEqual(jsonl.schema, [
        { name: 'custom_id', type: { name: 'string' } },
        { name: 'messages', type: { name: 'json' } },
      ]);
      assert.deepEqual((await content(jsonl.id))[0], { custom_id: 'r1', messages: [{ role: 'user', content: 'hi' }] });
      const pq = await importAndWait('parquet', `s3://${BUCKET}/data/table.parquet`);
      assert.equal(pq.status, 'READY', pq.error);
      assert.deepEqual(pq.schema, [
        { name: 'id', type: { name: 'integer' } },
        { name: 'score', type: { name: 'option', item: { name: 'double' } } },
        { name: 'label', type: { name: 'string' } },
      ]);
      assert.deepEqual(await content(pq.id), [
        { id: 1, score: 0.5, label: 'x' },
        { id: 2, score: null, label: 'y' },
        { id: 3, score: 2, label: 'z' },
      ]);
      const byType = await importAndWait('by-content-type', `s3://${BUCKET}/typed/noext`);
      assert.equal(byType.status, 'READY', byType.error);
      assert.deepEqual(await content(byType.id), [{ a: 1 }, { a: 2 }]);
    });

    it('imports every object under a prefix ending in /', async () => {
      const d = await importAndWait('prefix', `s3://${BUCKET}/batch/`);
      assert.equal(d.status, 'READY', d.error);
      assert.deepEqual(d.schema, [
        { name: 'text', type: { name: 'string' } },
        { name: 'extra', type: { name: 'option', item: { name: 'integer' } } },
      ]);
      assert.deepEqual(await content(d.id), [
        { text: 'one', extra: null },
        { text: 'two', extra: null },
        { text: 'three', extra: 1 },
      ]);
      const empty = await importAndWait('empty-prefix', `s3://${BUCKET}/nothing-here/`);
      assert.equal(empty.status, 'FAILED');
      assert.match(empty.error, /no objects under s3:\/\/imports\/nothing-here\//);
    });

    it('fails with readable errors: wrong credentials, missing key, missing bucket, unparseable file, schema mismatch', async () => {
      // s3rver checks the access key id but does not verify SigV4 signatures, so wrong credentials here means an unknown key id.
      const wrong = await importAndWait('wrong-creds', `s3://${BUCKET}/data/people.csv`, {
        s3_key_id: 'NOSUCHKEY',
        s3_secret_key: 'not-the-secret',
      });
      assert.equal(wrong.status, 'FAILED');
      assert.equal(
        wrong.error,
        'S3 refused the credentials for s3://imports/data/people.csv (InvalidAccessKeyId): check s3_key_id and s3_secret_key',
      );
      const wrongOnPrefix = await importAndWait('wrong-creds-prefix', `s3://${BUCKET}/batch/`, {
        s3_key_id: 'NOSUCHKEY',
      });
      assert.equal(wrongOnPrefix.status, 'FAILED');
      assert.match(
        wrongOnPrefix.error,
        /S3 refused the credentials for s3:\/\/imports\/batch\/ \(InvalidAccessKeyId\)/,
      );
      const missing = await importAndWait('missing-key', `s3://${BUCKET}/data/nope.csv`);
      assert.equal(missing.status, 'FAILED');
      assert.equal(missing.error, 'S3 object s3://imports/data/nope.csv does not exist');
      const noBucket = await importAndWait('missing-bucket', 's3://no-such-bucket/a.csv');
      assert.equal(noBucket.status, 'FAILED');
      assert.match(noBucket.error, /bucket .* does not exist/);
      const broken = await importAndWait('broken', `s3://${BUCKET}/broken/bad.json`);
      assert.equal(broken.status, 'FAILED');
      assert.match(broken.error, /cannot parse s3:\/\/imports\/broken\/bad\.json as JSON/);
      const mismatch = await importAndWait('mismatch', `s3://${BUCKET}/data/people.csv`, {
        schema: [
          { name: 'name', type: { name: 'string' } },
          { name: 'age', type: { name: 'integer' } },
        ],
      });
      assert.equal(mismatch.status, 'FAILED');
      assert.match(
        mismatch.error,
        /schema mismatch in s3:\/\/imports\/data\/people\.csv row 2: column "age": Input should be a valid integer/,
      );
      const typed = await importAndWait('typed-csv', `s3://${BUCKET}/data/people.csv`, {
        schema: [
          { name: 'name', type: { name: 'string' } },
          { name: 'age', type: { name: 'option', item: { name: 'integer' } } },
        ],
      });
      assert.equal(typed.status, 'READY', typed.error);
      assert.deepEqual(await content(typed.id), [
        { name: 'Ada', age: 36 },
        { name: 'Lovelace, A', age: null },
      ]);
      for (const d of [wrong, missing, broken]) {
        assert.equal((await v1(t, 'GET', `/v1/datasets/${d.id}/content`)).statusCode, 409);
      }
    });

    it('validates the S3 body and the URI in FastAPI form', async () => {
      const missingSecret = body('x', `s3://${BUCKET}/a.csv`) as Record<string, unknown>;
      delete missingSecret.s3_secret_key;
      const res = await v1(t, 'POST', '/v1/datasets', missingSecret);
      assert.equal(res.statusCode, 422);
      const detail = res.json().detail as Array<{ loc: unknown[]; type: string }>;
      assert.deepEqual(
        detail.map((d) => [d.type, d.loc.join('.')]),
        [
          ['missing', 'body.CreateDatasetRequestUpload.schema'],
          ['missing', 'body.CreateDatasetRequestUpload.rows'],
          ['missing', 'body.CreateDatasetRequestS3.s3_secret_key'],
        ],
      );
      const badUri = await v1(t, 'POST', '/v1/datasets', body('x', 'https://example.com/a.csv'));
      assert.equal(badUri.statusCode, 422);
      assert.deepEqual(badUri.json().detail[0].loc, ['body', 's3_uri']);
    });

    it('never returns, logs or stores the secret in plain text', async () => {
      const d = await importAndWait('secret-check', `s3://${BUCKET}/data/people.csv`);
      const failed = await importAndWait('secret-check-failed', `s3://${BUCKET}/data/nope.csv`);
      const responses = [
        await v1(t, 'GET', `/v1/datasets/${d.id}`),
        await v1(t, 'GET', `/v1/datasets/${failed.id}`),
        await v1(t, 'GET', '/v1/datasets?limit=100'),
        await v1(t, 'POST', '/v1/datasets', body('secret-post', `s3://${BUCKET}/data/people.csv`)),
        await v1(t, 'POST', '/v1/datasets', { ...body('secret-bad', `s3://${BUCKET}/x.csv`), folder: 5 }),
        await t.request({ method: 'GET', url: '/api/public/v2/datasets?per_page=100&include_failed=true' }),
        await t.request({ method: 'GET', url: '/api/public/v2/jobs' }),
      ];
      for (const r of responses)
        assert.ok(!r.body.includes(SECRET), `response leaks the secret: ${r.body.slice(0, 200)}`);
      await waitSettled(t, responses[3].json().id);
      assert.ok(t.logLines.length > 20, 'logs were captured');
      assert.ok(
        t.logLines.some((l) => l.includes('/v1/datasets')),
        'request lines were captured',
      );
      for (const line of t.logLines) assert.ok(!line.includes(SECRET), `log line leaks the secret: ${line}`);
      const jobs = await t.app.dbh.db.selectFrom('jobs').select('payload').execute();
      for (const j of jobs) assert.ok(!j.payload.includes(SECRET));
      // While an import waits (here: an endpoint that refuses connections, so the job retries), its secret is stored sealed.
      const waiting = await v1(t, 'POST', '/v1/datasets', {
        ...body('secret-held', `s3://${BUCKET}/data/people.csv`),
        s3_service_url: 'http://127.0.0.1:9',
      });
      assert.equal(waiting.statusCode, 200);
      const rows = await t.app.dbh.db.selectFrom('nebius_s3_imports').selectAll().execute();
      assert.ok(rows.length >= 1);
      for (const r of rows) {
        assert.ok(!r.secret_sealed.includes(SECRET));
        assert.match(r.secret_sealed, /^v1:/);
      }
    });
  });
}

describe('Nebius /v1 S3 import: endpoint guard', () => {
  it('refuses a loopback endpoint unless STRATA_OUTBOUND_ALLOWLIST allows it', async () => {
    const t = await startTestApp(DIALECTS[0]);
    try {
      const res = await v1(t, 'POST', '/v1/datasets', {
        name: 'ssrf',
        folder: '/',
        s3_service_url: 'http://127.0.0.1:9/',
        s3_region: 'x',
        s3_uri: 's3://bucket/a.csv',
        s3_key_id: 'k',
        s3_secret_key: 's',
      });
      assert.equal(res.statusCode, 422);
      assert.deepEqual(res.json().detail[0].loc, ['body', 's3_service_url']);
      assert.match(res.json().detail[0].msg, /(loopback).*STRATA_OUTBOUND_ALLOWLIST/);
      for (const url of ['http://169.254.169.254/', 'http://[::1]:80/', 'file:///etc/passwd', 'http://10.0.0.1/']) {
        const r = await v1(t, 'POST', '/v1/datasets', {
          name: 'ssrf',
          folder: '/',
          s3_service_url: url,
          s3_region: 'x',
          s3_uri: 's3://bucket/a.csv',
          s3_key_id: 'k',
          s3_secret_key: 's',
        });
        assert.equal(r.statusCode, 422, url);
      }
    } finally {
      await t.close();
    }
  });
});
