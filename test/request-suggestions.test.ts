// GET /api/public/v2/requests/suggestions on every dialect: distinct existing values by case-insensitive prefix,
// per workspace, for models, providers, prompt names, tags, metadata keys/values and statuses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const chat = (text: string) => ({ type: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text }] }] });

for (const dialect of DIALECTS) {
  describe(`request-log filter suggestions [${dialect}]`, () => {
    let t: TestApp;
    const suggest = async (query: string) => {
      const res = await t.request({ method: 'GET', url: `/api/public/v2/requests/suggestions?${query}` });
      return { status: res.statusCode, body: res.json<{ success: boolean; values: string[]; error?: string }>() };
    };

    before(async () => {
      t = await startTestApp(dialect);
      for (const name of ['support-answer', 'support-triage']) {
        const res = await t.request({
          method: 'POST',
          url: '/rest/prompt-templates',
          body: { prompt_template: { prompt_name: name }, prompt_version: { prompt_template: chat('{q}') } },
        });
        assert.equal(res.statusCode, 201, `${res.body}`);
      }
      const logs = [
        {
          model: 'gpt-4o',
          provider: 'openai',
          tags: ['prod', 'Production-EU'],
          metadata: { env: 'prod', user_id: 'u1' },
          prompt_name: 'support-answer',
          status: 'SUCCESS',
        },
        {
          model: 'gpt-4o-mini',
          provider: 'openai',
          tags: ['prod', 'staging'],
          metadata: { env: 'staging' },
          prompt_name: 'support-triage',
          status: 'ERROR',
        },
        {
          model: 'claude-3-5',
          provider: 'anthropic',
          tags: ['100%_literal'],
          metadata: { env: 'prod', team: 'x' },
          status: 'SUCCESS',
        },
      ];
      for (const l of logs) {
        const res = await t.request({
          method: 'POST',
          url: '/log-request',
          body: {
            ...l,
            input: chat('hi'),
            output: chat('hello'),
            request_start_time: 1_770_000_000,
            request_end_time: 1_770_000_001,
          },
        });
        assert.equal(res.statusCode, 201, `${res.body}`);
      }
    });
    after(() => t?.close());

    it('suggests distinct tags by case-insensitive prefix, sorted', async () => {
      assert.deepEqual((await suggest('field=tags')).body, {
        success: true,
        values: ['100%_literal', 'prod', 'Production-EU', 'staging'].sort(),
      });
      assert.deepEqual((await suggest('field=tags&prefix=PROD')).body.values.sort(), ['Production-EU', 'prod'].sort());
      // LIKE wildcards in the prefix match literally.
      assert.deepEqual((await suggest('field=tags&prefix=100%25_')).body.values, ['100%_literal']);
      assert.deepEqual((await suggest('field=tags&prefix=_')).body.values, []);
    });

    it('suggests models, providers, prompt names and statuses from the logs', async () => {
      assert.deepEqual((await suggest('field=engine&prefix=gpt')).body.values, ['gpt-4o', 'gpt-4o-mini']);
      assert.deepEqual((await suggest('field=provider_type')).body.values, ['anthropic', 'openai']);
      assert.deepEqual((await suggest('field=prompt&prefix=support-t')).body.values, ['support-triage']);
      assert.deepEqual((await suggest('field=status')).body.values, ['ERROR', 'SUCCESS']);
      assert.deepEqual((await suggest('field=engine&prefix=gpt&limit=1')).body.values, ['gpt-4o']);
    });

    it('suggests metadata keys, and the values of one key', async () => {
      assert.deepEqual((await suggest('field=metadata_keys')).body.values, ['env', 'team', 'user_id']);
      assert.deepEqual((await suggest('field=metadata_values&metadata_key=env')).body.values, ['prod', 'staging']);
      assert.deepEqual((await suggest('field=metadata_values&metadata_key=env&prefix=st')).body.values, ['staging']);
      const missing = await suggest('field=metadata_values');
      assert.equal(missing.status, 400);
      assert.match(String(missing.body.error), /metadata_key/);
    });

    it('refuses unknown fields and callers without credentials, and sees only its own workspace', async () => {
      assert.equal((await suggest('field=nope')).status, 400);
      const anon = await t.request({
        method: 'GET',
        url: '/api/public/v2/requests/suggestions?field=tags',
        apiKey: null,
      });
      assert.equal(anon.statusCode, 401);
      const other = await t.app.auth.createApiKeyInWorkspace('suggestions-other', 'other key');
      const res = await t.request({
        method: 'GET',
        url: '/api/public/v2/requests/suggestions?field=tags',
        apiKey: other.key,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().values, []);
    });
  });
}
