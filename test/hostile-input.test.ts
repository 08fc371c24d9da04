// Hostile input, one regression test per finding of issue 10 (items 8-14), on every dialect: column cap without
// freezing the server, NUL and deep nesting at any depth, PostgreSQL-only limits, SSRF literals, secrets in trace
// logs, and the quieter data changes of file imports (mixed line ends, __proto__, bad UTF-8, gzip, truncated Parquet).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { MAX_COLUMNS, MAX_DEPTH, MAX_INDEXED_BYTES } from '../src/input-limits.js';
import { forbiddenRange } from '../src/net/outbound-guard.js';
import { DIALECTS } from './support/dialects.js';
import { sendLogRequest } from './support/factories.js';
import { b64, startTestApp, TEST_API_KEY, waitFor, type TestApp } from './support/test-app.js';

const V2 = '/api/public/v2';
const chat = (text: string) => ({ type: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text }] }] });
/** The smallest valid /log-request body (tests add the field under attack). */
const TINY_LOG = {
  provider: 'p',
  model: 'm',
  input: chat('a'),
  output: chat('b'),
  request_start_time: 1,
  request_end_time: 2,
};
const deepArray = (n: number, inner = '1') => '['.repeat(n) + inner + ']'.repeat(n);
const deepObject = (n: number, inner = '1') => '{"a":'.repeat(n) + inner + '}'.repeat(n);
/** Incompressible text: PostgreSQL would compress repetitive text below its btree limit. */
const randomText = (chars: number) => randomBytes(chars).toString('base64').slice(0, chars);

for (const dialect of DIALECTS) {
  describe(`hostile input, issue 10 [${dialect}]`, () => {
    let t: TestApp;
    let groupId: number;
    before(async () => {
      t = await startTestApp(dialect, { STRATA_OUTBOUND_ALLOWLIST: '' });
      groupId = (await group('hostile')).dataset_group.id;
    });
    after(async () => t?.close());

    async function group(name: string) {
      const r = await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name } });
      assert.equal(r.statusCode, 201, r.body);
      return r.json<{ dataset_group: { id: number }; dataset: { id: number } }>();
    }
    const upload = (fileName: string, content: string | Buffer) =>
      t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/from-file`,
        body: { dataset_group_id: groupId, file_name: fileName, file_content_base64: b64(content) },
      });
    async function uploadReady(fileName: string, content: string | Buffer) {
      const r = await upload(fileName, content);
      assert.equal(r.statusCode, 201, r.body);
      const id = r.json().dataset_id as number;
      const d = await waitFor(
        async () => {
          const x = (await t.request({ method: 'GET', url: `${V2}/datasets/${id}` })).json().dataset;
          return x.status === 'ready' || x.status === 'failed' ? x : undefined;
        },
        30_000,
        `dataset ${id}`,
      );
      assert.equal(d.status, 'ready', d.error);
      const rows = (await t.request({ method: 'GET', url: `${V2}/datasets/${id}/rows?per_page=100` })).json();
      return {
        columns: rows.columns as string[],
        rows: (rows.rows as Array<Array<{ value: unknown }>>).map((r) => r.map((c) => c.value)),
      };
    }
    function assert400(r: LightMyRequestResponse, pattern: RegExp) {
      assert.equal(r.statusCode, 400, r.body);
      assert.match(r.json().error, pattern);
    }

    it('8: refuses a JSON file with 100,000 distinct keys quickly with a 400 naming the limit, while /healthz answers', async () => {
      const items = Array.from({ length: 100_000 }, (_, i) => `{"k${i}":1}`);
      const file = `[${items.join(',')}]`;
      let stop = false;
      let worst = 0;
      const poll = (async () => {
        while (!stop) {
          const t0 = performance.now();
          const h = await t.request({ method: 'GET', url: '/healthz', apiKey: null });
          assert.equal(h.statusCode, 200);
          worst = Math.max(worst, performance.now() - t0);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const started = performance.now();
      const r = await upload('wide.json', file);
      const took = performance.now() - started;
      stop = true;
      await poll;
      assert400(r, new RegExp(`limit is ${MAX_COLUMNS} columns`));
      console.log(`100,000 keys: 400 after ${Math.round(took)} ms; slowest /healthz meanwhile ${Math.round(worst)} ms`);
      assert.ok(took < 30_000, `took ${took} ms`);
      assert.ok(worst < 1_000, `/healthz waited ${Math.round(worst)} ms during the upload`);
      // The same cap on the other formats and on the Nebius rows path.
      const header = Array.from({ length: MAX_COLUMNS + 1 }, (_, i) => `c${i}`).join(',');
      assert400(await upload('wide.csv', `${header}\n${'1,'.repeat(MAX_COLUMNS)}1\n`), /limit is 10000 columns/);
      assert400(
        await upload(
          'wide.jsonl',
          `${JSON.stringify(Object.fromEntries(Array.from({ length: MAX_COLUMNS + 1 }, (_, i) => [`k${i}`, i])))}\n`,
        ),
        /limit is 10000 columns/,
      );
      const schema = Array.from({ length: MAX_COLUMNS + 1 }, (_, i) => ({ name: `c${i}`, type: { name: 'string' } }));
      const nebius = await t.request({
        method: 'POST',
        url: '/v1/datasets',
        body: { name: 'wide', folder: '/', schema, rows: [] },
      });
      assert.equal(nebius.statusCode, 422, nebius.body);
      assert.deepEqual(nebius.json().detail[0].loc, ['body', 'schema']);
    });

    it('9: refuses NUL at any depth, in request bodies and in imported cells, and later reads keep working', async () => {
      const deepNul = JSON.parse(deepObject(80, '"x\\u0000"'));
      assert400(await sendLogRequest(t, { ...TINY_LOG, parameters: deepNul }), /NUL/);
      const search = await t.request({ method: 'POST', url: `${V2}/requests/search`, body: {} });
      assert.equal(search.statusCode, 200, search.body);
      // Decision: a NUL inside a file cell is refused (PostgreSQL text cannot hold it; the API refuses it too).
      assert400(await upload('nul.csv', 'a,b\n1,x\u0000y\n'), /row 1, column "b": strings must not contain NUL/);
      assert400(
        await upload('nul.jsonl', '{"a":{"b":"x\\u0000"}}\n'),
        /row 1, column "a": strings must not contain NUL/,
      );
      // A draft with ordinary rows still diffs and drops columns.
      const g = await group('nul-draft');
      const add = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${g.dataset.id}/rows`,
        body: { rows: [{ a: 'x', b: 'y' }] },
      });
      assert.equal(add.statusCode, 201, add.body);
      const remove = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${g.dataset.id}/columns/remove`,
        body: { name: 'b' },
      });
      assert.equal(remove.statusCode, 200, remove.body);
    });

    it(`10: refuses nesting deeper than ${MAX_DEPTH} levels (3,000-10,000 levels) with 400, 422 on /v1, and in file imports`, async () => {
      for (const depth of [MAX_DEPTH + 1, 3_000, 10_000]) {
        const routes: Array<[string, string, string]> = [
          ['POST', `${V2}/dataset-groups`, `{"name":${deepArray(depth, '"x"')}}`],
          [
            'POST',
            '/log-request',
            `{"provider":"p","model":"m","input":${deepObject(depth)},"output":{},"request_start_time":1,"request_end_time":2}`,
          ],
          ['POST', `${V2}/requests/search`, `{"filter_group":${deepObject(depth)}}`],
          ['POST', `${V2}/datasets/1/rows`, `{"rows":[{"a":${deepArray(depth)}}]}`],
          [
            'POST',
            '/rest/prompt-templates',
            `{"prompt_template":{"prompt_name":"x","prompt_template":${deepObject(depth)}}}`,
          ],
          ['POST', `${V2}/webhooks`, `{"url":"http://127.0.0.1:9/","events":${deepArray(depth)}}`],
        ];
        for (const [method, url, body] of routes) {
          const r = await t.request({ method, url, body });
          assert400(r, new RegExp(`nested at most ${MAX_DEPTH} levels`));
        }
        const v1 = await t.request({
          method: 'POST',
          url: '/v1/datasets',
          body: `{"name":"d","folder":"/","schema":[{"name":"a","type":${'{"name":"option","item":'.repeat(depth)}{"name":"string"}${'}'.repeat(depth)}}],"rows":[]}`,
        });
        assert.equal(v1.statusCode, 422, v1.body);
        assert.equal(v1.json().detail[0].type, 'value_error');
      }
      // Every operation with a JSON body in /openapi.json (so routes added later are covered too).
      const doc = (await t.request({ method: 'GET', url: '/openapi.json' })).json<{
        paths: Record<string, Record<string, { requestBody?: unknown }>>;
      }>();
      let withBody = 0;
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (!op.requestBody) continue;
          withBody++;
          const url = path.replace(/\{[^}]+\}/g, '1');
          const r = await t.request({
            method: method.toUpperCase(),
            url,
            body: `{"a":${deepObject(10_000)},"b":${deepArray(3_000)}}`,
          });
          const expected = url.startsWith('/v1/') ? 422 : 400;
          assert.equal(r.statusCode, expected, `${method} ${path}: ${r.statusCode} ${r.body.slice(0, 200)}`);
          assert.match(r.body, /nested at most 100 levels/, `${method} ${path}`);
        }
      }
      assert.ok(withBody >= 30, `${withBody} operations with a body`);
      assert400(
        await upload('deep.json', `[{"a":${deepArray(10_000)}}]`),
        /row 1, column "a": values may be nested at most/,
      );
      assert400(
        await upload('deep.jsonl', `{"a":${deepObject(10_000)}}\n`),
        /row 1, column "a": values may be nested at most/,
      );
      // Within the bound, nesting is kept as data.
      const ok = await uploadReady('ok.json', `[{"a":${deepArray(50)}}]`);
      assert.equal(JSON.stringify(ok.rows[0][0]), deepArray(50));
    });

    it('11: applies the same limits on both databases: long indexed strings 400, ids from 2^31 on 404', async () => {
      const long = randomText(MAX_INDEXED_BYTES + 200);
      assert400(
        await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: long } }),
        new RegExp(`at most ${MAX_INDEXED_BYTES} bytes`),
      );
      const v1 = await t.request({
        method: 'POST',
        url: '/v1/datasets',
        body: { name: long, folder: '/', schema: [{ name: 'a', type: { name: 'string' } }], rows: [] },
      });
      assert.equal(v1.statusCode, 422, v1.body);
      assert400(await sendLogRequest(t, { ...TINY_LOG, metadata: { k: long } }), /key and value together are at most/);
      const logged = await sendLogRequest(t, { ...TINY_LOG, metadata: { k: 'v' } });
      assert.equal(logged.statusCode, 201, logged.body);
      // At the limit it fits the index on both databases: a group name and a metadata key + value of exactly that size.
      const atLimit = randomText(MAX_INDEXED_BYTES);
      assert.equal(
        (await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: atLimit } })).statusCode,
        201,
      );
      const fits = await sendLogRequest(t, {
        ...TINY_LOG,
        metadata: { [atLimit.slice(0, 1024)]: atLimit.slice(1024) },
      });
      assert.equal(fits.statusCode, 201, fits.body);
      assert400(
        await t.request({
          method: 'POST',
          url: '/rest/track-metadata',
          body: { request_id: logged.json().id, metadata: { k: long } },
        }),
        /at most/,
      );
      const g = await group('ids');
      await t.request({ method: 'POST', url: `${V2}/datasets/${g.dataset.id}/rows`, body: { rows: [{ a: 1 }] } });
      for (const [method, url, body] of [
        ['GET', `${V2}/datasets/2147483648`],
        ['GET', `${V2}/dataset-groups/4294967296`],
        ['GET', `${V2}/requests/2147483648`],
        ['PATCH', `${V2}/datasets/${g.dataset.id}/rows/2147483648`, { values: { a: 2 } }],
        [
          'POST',
          `${V2}/dataset-versions/add-request-log`,
          { dataset_group_id: g.dataset_group.id, request_log_id: 2147483648 },
        ],
      ] as Array<[string, string, unknown?]>) {
        const r = await t.request({ method, url, body });
        assert.equal(r.statusCode, 404, `${method} ${url}: ${r.statusCode} ${r.body}`);
      }
      // Deleting a row that does not exist is idempotent (200), also past 2^31.
      const one = await t.request({ method: 'DELETE', url: `${V2}/datasets/${g.dataset.id}/rows/2147483648` });
      assert.equal(one.statusCode, 200, one.body);
      assert.match(one.json().message, /did not exist/);
      const del = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${g.dataset.id}/rows/delete`,
        body: { row_ids: [2147483648] },
      });
      assert.equal(del.statusCode, 200, del.body);
      assert.deepEqual(del.json().missing, [2147483648]);
    });

    it('12: refuses IPv4-compatible, IPv4-mapped and NAT64 IPv6 literals of private addresses', async () => {
      for (const host of [
        '[::127.0.0.1]',
        '[::a9fe:a9fe]',
        '[::7f00:1]',
        '[::ffff:127.0.0.1]',
        '[::ffff:a9fe:a9fe]',
        '[64:ff9b::7f00:1]',
        '[64:ff9b:1::a9fe:a9fe]',
        '[::10.0.0.1]',
      ]) {
        const r = await t.request({ method: 'POST', url: `${V2}/webhooks`, body: { url: `http://${host}:9/hook` } });
        assert.equal(r.statusCode, 400, `${host}: ${r.body}`);
        assert.match(r.json().error, /non-public/);
      }
      for (const a of ['::127.0.0.1', '::a9fe:a9fe', '::808:808', '64:ff9b::808:808', '64:ff9b:1::1'])
        assert.notEqual(forbiddenRange(a), null, a);
      assert.equal(forbiddenRange('::ffff:8.8.8.8'), null);
    });

    it('14: CSV with mixed CRLF/LF line ends parses into the right rows, without \\r in cells', async () => {
      const csv = 'a,b\r\n1,x\n2,"multi\r\nline"\r\n3,z\n4,w\r\n';
      const { columns, rows } = await uploadReady('mixed.csv', csv);
      assert.deepEqual(columns, ['a', 'b']);
      assert.deepEqual(rows, [
        ['1', 'x'],
        ['2', 'multi\r\nline'],
        ['3', 'z'],
        ['4', 'w'],
      ]);
    });

    it('14: a __proto__ key is refused with a clear message (never dropped silently)', async () => {
      assert400(await upload('p.json', '[{"a":1,"__proto__":{"x":1}}]'), /"__proto__" is not allowed/);
      assert400(await upload('p.jsonl', '{"a":1,"__proto__":2}\n'), /"__proto__" is not allowed/);
      assert400(await upload('p2.jsonl', '{"a":{"__proto__":2}}\n'), /"__proto__" is not allowed/);
      assert400(await upload('p.csv', '__proto__,b\n1,2\n'), /"__proto__" is not allowed as a column name/);
      // The upload body itself (streamed by its own parser) refuses it like every other JSON body.
      const body = `{"dataset_group_id":${groupId},"file_name":"a.csv","file_content_base64":"${b64('a\n1\n')}","__proto__":{"x":1}}`;
      assert400(await t.request({ method: 'POST', url: `${V2}/dataset-versions/from-file`, body }), /__proto__/);
    });

    it('14: invalid UTF-8 is refused naming its line and byte offset; gzip named .csv and truncated Parquet say so', async () => {
      const bad = Buffer.concat([Buffer.from('a,b\n1,ok\n2,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
      assert400(await upload('bad.csv', bad), /not valid UTF-8: invalid byte 0xc3 on line 3 \(byte offset 11\)/);
      assert400(
        await upload('bad.jsonl', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}\n')])),
        /not valid UTF-8.*line 1 \(byte offset 6\)/,
      );
      assert400(await upload('data.csv', gzipSync('a,b\n1,2\n')), /looks like gzip/);
      const pq = Buffer.from(
        parquetWriteBuffer({ columnData: [{ name: 'a', data: Array.from({ length: 500 }, (_, i) => `v${i}`) }] }),
      );
      assert400(
        await upload('cut.parquet', pq.subarray(0, Math.floor(pq.length / 2))),
        /not a valid Parquet file \(truncated or damaged\?\)/,
      );
      const footerLength = pq.readUInt32LE(pq.length - 8);
      const stitched = Buffer.concat([pq.subarray(0, 100), pq.subarray(pq.length - 8 - footerLength)]);
      assert400(await upload('stitched.parquet', stitched), /truncated or damaged: column "a" of row group 1/);
    });

    it('fuzz finding: a draft holding 1e308 exports as Parquet (it is no INT64), and a failing download answers JSON', async () => {
      const g = await group('big-number');
      await t.request({
        method: 'POST',
        url: `${V2}/datasets/${g.dataset.id}/rows`,
        body: { rows: [{ a: 1e308 }, { a: 2 }] },
      });
      const r = await t.request({ method: 'GET', url: `${V2}/datasets/${g.dataset.id}/export?format=parquet` });
      assert.equal(r.statusCode, 200, r.body.slice(0, 300));
      const missing = await t.request({ method: 'GET', url: `${V2}/datasets/999999/export?format=parquet` });
      assert.equal(missing.statusCode, 404);
      assert.match(String(missing.headers['content-type']), /application\/json/);
    });

    it('fuzz finding: a 300,000-character name filter is a 400 on both databases (SQLite caps LIKE patterns)', async () => {
      for (const url of [`${V2}/dataset-groups?name=`, `${V2}/datasets?name=`]) {
        const r = await t.request({ method: 'GET', url: url + encodeURIComponent('é'.repeat(300_000)) });
        assert.equal(r.statusCode, 400, `${url}: ${r.body.slice(0, 200)}`);
      }
    });

    it("14: a draft's row_count is right after a row delete followed by add-request-log", async () => {
      const g = await group('counts');
      const add = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${g.dataset.id}/rows`,
        body: { rows: [{ a: 1 }, { a: 2 }, { a: 3 }] },
      });
      const ids = add.json().row_ids as number[];
      assert.equal(
        (await t.request({ method: 'DELETE', url: `${V2}/datasets/${g.dataset.id}/rows/${ids[0]}` })).statusCode,
        200,
      );
      const log = await sendLogRequest(t, TINY_LOG);
      const r = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/add-request-log`,
        body: { dataset_group_id: g.dataset_group.id, request_log_id: log.json().id },
      });
      assert.equal(r.statusCode, 201, r.body);
      const d = (await t.request({ method: 'GET', url: `${V2}/datasets/${g.dataset.id}` })).json().dataset;
      const rows = (await t.request({ method: 'GET', url: `${V2}/datasets/${g.dataset.id}/rows?per_page=100` })).json();
      assert.equal(rows.rows.length, 3);
      assert.equal(d.row_count, 3);
      assert.equal(rows.total, 3);
    });
  });

  describe(`secrets in trace logs, issue 10 item 13 [${dialect}]`, () => {
    it('a 431 (headers over 16 KB) at trace level logs neither the raw packet nor any key, password or S3 secret', async () => {
      const t = await startTestApp(dialect, {}, { captureLogs: true });
      try {
        const base = await t.listen();
        const { port } = new URL(base);
        const secretBody = JSON.stringify({
          email: 'a@example.com',
          password: 'hunter2-password-xyz',
          s3_secret_key: 'S3SECRETabcdef123456',
        });
        const raw = [
          'POST /api/auth/login HTTP/1.1',
          'Host: 127.0.0.1',
          `X-API-KEY: ${TEST_API_KEY}`,
          'Content-Type: application/json',
          `Content-Length: ${secretBody.length}`,
          `X-Pad: ${'p'.repeat(20_000)}`,
          '',
          secretBody,
        ].join('\r\n');
        const answer = await new Promise<string>((resolve, reject) => {
          const s = net.connect(Number(port), '127.0.0.1', () => s.write(raw));
          let got = '';
          s.on('data', (d) => (got += d));
          s.on('error', () => resolve(got));
          s.on('close', () => resolve(got));
          setTimeout(() => reject(new Error('no answer')), 10_000).unref();
        });
        assert.match(answer, /^HTTP\/1\.1 431/);
        // A normal request with the same secrets, and an S3 import carrying a secret key.
        await t.request({ method: 'POST', url: '/api/auth/login', body: secretBody });
        await t.request({
          method: 'POST',
          url: '/v1/datasets',
          body: {
            name: 's3',
            folder: '/',
            s3_service_url: 'http://127.0.0.1:9',
            s3_region: 'r',
            s3_uri: 's3://b/k.csv',
            s3_key_id: 'AKIA',
            s3_secret_key: 'S3SECRETabcdef123456',
          },
        });
        await waitFor(
          async () => t.logLines.some((l) => l.includes('header_overflow')),
          5_000,
          'the client error log line',
        );
        const all = t.logLines.join('\n');
        for (const secret of [TEST_API_KEY, 'hunter2-password-xyz', 'S3SECRETabcdef123456'])
          assert.ok(!all.includes(secret), `a log line contains ${secret.slice(0, 10)}…`);
        assert.ok(
          t.logLines.some((l) => l.includes('"rawPacket":"[redacted]"')),
          'the raw packet is redacted',
        );
      } finally {
        await t.close();
      }
    });
  });
}
