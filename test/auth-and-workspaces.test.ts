// Authentication (API keys, users, JWT) and workspace isolation, on every dialect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { b64, startTestApp, type TestApp } from './support/test-app.js';

for (const dialect of DIALECTS) {
  describe(`auth and workspaces [${dialect}]`, () => {
    let t: TestApp;
    let otherKey: string;
    let jwt: string;
    before(async () => {
      t = await startTestApp(dialect);
      otherKey = (await t.app.auth.createApiKeyInWorkspace('other', 'k')).key;
      await t.app.auth.createUser('ana@example.com', 'correct horse', 'default');
      const login = await t.request({
        method: 'POST',
        url: '/api/auth/login',
        body: { email: 'ana@example.com', password: 'correct horse' },
        apiKey: null,
      });
      assert.equal(login.statusCode, 200, login.body);
      jwt = login.json().access_token;
    });
    after(async () => t.close());

    const bearer = () => ({ authorization: `Bearer ${jwt}` });

    it('refuses a wrong password and an unknown email alike', async () => {
      for (const body of [
        { email: 'ana@example.com', password: 'nope' },
        { email: 'who@example.com', password: 'correct horse' },
      ]) {
        const r = await t.request({ method: 'POST', url: '/api/auth/login', body, apiKey: null });
        assert.equal(r.statusCode, 401);
        assert.equal(r.json().error, 'wrong email or password');
      }
    });

    it('accepts a JWT where seed 000 says "JWT or API key"', async () => {
      const r = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-groups',
        body: { name: 'by-jwt' },
        apiKey: null,
        headers: bearer(),
      });
      assert.equal(r.statusCode, 201, r.body);
      const me = (await t.request({ method: 'GET', url: '/api/auth/me', apiKey: null, headers: bearer() })).json();
      assert.equal(me.user.email, 'ana@example.com');
      assert.deepEqual(
        me.workspaces.map((w: { name: string }) => w.name),
        ['default'],
      );
    });

    it('refuses a JWT on API-key-only endpoints with 401 saying so', async () => {
      const r = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: { dataset_group_id: 1, file_name: 'a.csv', file_content_base64: b64('a\n1\n') },
        apiKey: null,
        headers: bearer(),
      });
      assert.equal(r.statusCode, 401);
      assert.match(r.json().error, /API key authentication only/);
    });

    it('refuses a tampered or expired-looking token', async () => {
      const bad = jwt.slice(0, -3) + (jwt.endsWith('aaa') ? 'bbb' : 'aaa');
      const r = await t.request({
        method: 'GET',
        url: '/api/public/v2/datasets',
        apiKey: null,
        headers: { authorization: `Bearer ${bad}` },
      });
      assert.equal(r.statusCode, 401);
    });

    it('accepts an API key as a Bearer token too (Nebius style)', async () => {
      const r = await t.request({
        method: 'GET',
        url: '/api/public/v2/datasets',
        apiKey: null,
        headers: { authorization: `Bearer ${otherKey}` },
      });
      assert.equal(r.statusCode, 200);
    });

    it('creates, lists and revokes API keys; only hashes are stored', async () => {
      const created = await t.request({ method: 'POST', url: '/api/public/v2/api-keys', body: { name: 'ci' } });
      assert.equal(created.statusCode, 201);
      const { key, api_key } = created.json();
      assert.match(key, /^sk_strata_/);
      assert.ok(key.startsWith(api_key.prefix));
      const list = (await t.request({ method: 'GET', url: '/api/public/v2/api-keys' })).json();
      assert.ok(list.api_keys.some((k: { id: number }) => k.id === api_key.id));
      assert.ok(!JSON.stringify(list).includes(key), 'the full key is never listed');
      const stored = await t.app.dbh.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', api_key.id)
        .executeTakeFirstOrThrow();
      assert.notEqual(stored.key_hash, key);
      assert.ok(!JSON.stringify(stored).includes(key));
      assert.equal((await t.request({ method: 'GET', url: '/api/public/v2/datasets', apiKey: key })).statusCode, 200);
      const revoked = await t.request({ method: 'DELETE', url: `/api/public/v2/api-keys/${api_key.id}` });
      assert.equal(revoked.json().api_key.revoked, true);
      assert.equal((await t.request({ method: 'GET', url: '/api/public/v2/datasets', apiKey: key })).statusCode, 401);
      const foreign = await t.request({
        method: 'DELETE',
        url: `/api/public/v2/api-keys/${api_key.id}`,
        apiKey: otherKey,
      });
      assert.equal(foreign.statusCode, 404);
    });

    it("keeps a second workspace out of the first one's data", async () => {
      const g = (
        await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 'private' } })
      ).json();
      const groupId = g.dataset_group.id;
      const draftId = g.dataset.id;
      const asOther = (method: string, url: string, body?: unknown) =>
        t.request({ method, url, body, apiKey: otherKey });
      assert.equal((await asOther('GET', `/api/public/v2/dataset-groups/${groupId}`)).statusCode, 403);
      assert.equal((await asOther('DELETE', `/api/public/v2/dataset-groups/${groupId}`)).statusCode, 403);
      assert.equal((await asOther('GET', `/api/public/v2/datasets/${draftId}`)).statusCode, 403);
      assert.equal((await asOther('GET', `/api/public/v2/datasets/${draftId}/rows`)).statusCode, 403);
      assert.equal((await asOther('DELETE', `/api/public/v2/datasets/${draftId}`)).statusCode, 403);
      const upload = await asOther('POST', '/api/public/v2/dataset-versions/from-file', {
        dataset_group_id: groupId,
        file_name: 'a.csv',
        file_content_base64: b64('a\n1\n'),
      });
      assert.equal(upload.statusCode, 403);
      assert.match(upload.json().error, /access denied/i);
      const listed = (await asOther('GET', '/api/public/v2/datasets?per_page=100')).json();
      assert.equal(listed.total, 0);
      const groups = (await asOther('GET', '/api/public/v2/dataset-groups')).json();
      assert.equal(groups.total, 0);
      // The same name is free in another workspace.
      assert.equal((await asOther('POST', '/api/public/v2/dataset-groups', { name: 'private' })).statusCode, 201);
      const cross = await asOther('POST', '/api/public/v2/dataset-groups', {
        name: 'x',
        workspace_id: g.dataset_group.workspace_id,
      });
      assert.equal(cross.statusCode, 400);
    });

    it('serves OpenAPI 3.1 built from the route schemas, docs, and health checks', async () => {
      const spec = (await t.request({ method: 'GET', url: '/openapi.json', apiKey: null })).json();
      assert.equal(spec.openapi, '3.1.0');
      const fromFile = spec.paths['/api/public/v2/dataset-versions/from-file'].post;
      assert.deepEqual(fromFile.requestBody.content['application/json'].schema.required.sort(), [
        'dataset_group_id',
        'file_content_base64',
        'file_name',
      ]);
      assert.equal((await t.request({ method: 'GET', url: '/docs', apiKey: null })).statusCode < 400, true);
      assert.equal((await t.request({ method: 'GET', url: '/healthz', apiKey: null })).json().status, 'ok');
      assert.equal((await t.request({ method: 'GET', url: '/readyz', apiKey: null })).json().status, 'ready');
      const missing = await t.request({ method: 'GET', url: '/api/public/v2/nope' });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().success, false);
    });

    it('answers malformed and oversized bodies with 4xx, never 500', async () => {
      const bad = await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: '{"name":' });
      assert.equal(bad.statusCode, 400);
      const huge = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-groups',
        body: { name: 'x'.repeat(6 * 1024 * 1024) },
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(huge.json().success, false);
      const wrongType = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-groups',
        body: 'name=x',
        headers: { 'content-type': 'text/plain' },
      });
      assert.ok(wrongType.statusCode >= 400 && wrongType.statusCode < 500, String(wrongType.statusCode));
      const badId = await t.request({ method: 'GET', url: '/api/public/v2/datasets/abc' });
      assert.equal(badId.statusCode, 400);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`hostile input [${dialect}]`, () => {
    it('answers NUL characters, huge ids and huge pages with 4xx on every face, never 500', async () => {
      const t = await startTestApp(dialect);
      try {
        const cases: Array<[string, string, unknown?]> = [
          ['POST', '/api/public/v2/dataset-groups', { name: 'a\u0000b' }],
          ['POST', '/api/public/v2/dataset-groups', { name: 'ok', workspace_id: 1e20 }],
          ['GET', '/api/public/v2/datasets/100000000000000000000'],
          ['GET', '/api/public/v2/datasets?page=100000000000000000000'],
          ['GET', '/api/public/v2/datasets?name=%00'],
          [
            'POST',
            '/api/public/v2/dataset-versions/from-file',
            { dataset_group_id: 1e20, file_name: 'a.csv', file_content_base64: b64('a\n1\n') },
          ],
          [
            'POST',
            '/v1/datasets',
            { name: 'n\u0000', folder: '/', schema: [{ name: 'a', type: { name: 'string' } }], rows: [] },
          ],
        ];
        for (const [method, url, body] of cases) {
          const r = await t.request({ method, url, body });
          assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${method} ${url}: ${r.statusCode} ${r.body}`);
        }
        const nebius = await t.request({
          method: 'POST',
          url: '/v1/datasets',
          body: { name: 'n\u0000', folder: '/', schema: [], rows: [] },
        });
        assert.equal(nebius.statusCode, 422);
        assert.deepEqual(nebius.json().detail[0].loc, ['body', 'name']);
      } finally {
        await t.close();
      }
    });
  });
}
