// The per-process cache of verified API keys: a revocation through this process applies at once, one made elsewhere
// (another process, the CLI — here written straight to the database) within API_KEY_CACHE_MS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_KEY_CACHE_MS } from '../src/auth/auth.service.js';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';

for (const dialect of DIALECTS) {
  describe(`API key cache [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    const status = async (key: string) =>
      (await t.request({ method: 'GET', url: '/api/public/v2/datasets', apiKey: key })).statusCode;
    const mint = async (name: string) =>
      (await t.request({ method: 'POST', url: '/api/public/v2/api-keys', body: { name } })).json<{
        key: string;
        api_key: { id: number };
      }>();

    it('applies a revocation made outside this process within the documented bound', async () => {
      const { key, api_key } = await mint('elsewhere');
      assert.equal(await status(key), 200);
      await t.app.dbh.db.updateTable('api_keys').set({ revoked_at: Date.now() }).where('id', '=', api_key.id).execute();
      const revokedAt = Date.now();
      // Within the bound the cached lookup may still answer; once it has passed the key must be refused.
      await new Promise((r) => setTimeout(r, API_KEY_CACHE_MS + 50 - (Date.now() - revokedAt)));
      assert.equal(await status(key), 401);
    });

    it('applies a revocation made through this process at once', async () => {
      const { key, api_key } = await mint('here');
      assert.equal(await status(key), 200);
      assert.equal(
        (await t.request({ method: 'DELETE', url: `/api/public/v2/api-keys/${api_key.id}` })).statusCode,
        200,
      );
      assert.equal(await status(key), 401);
    });

    it('never caches an unknown key', async () => {
      assert.equal(await status('sk_strata_not_a_key_0000000000000000000'), 401);
    });
  });
}
