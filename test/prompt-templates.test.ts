// Prompt templates and run() end to end on every dialect: the official JS SDK publishes and runs templates against a
// fake OpenAI / Anthropic server on loopback (what the provider receives is asserted exactly), the Python SDK's fetch
// body is sent as it sends it, and every documented PromptLayer shape of the registry routes is checked field by field.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import type { PromptLayer as PromptLayerClass } from 'promptlayer';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrations } from '../src/db/migrations/index.js';
import { createPostgresDatabase, DIALECTS } from './support/dialects.js';
import { startFakeProviders, type FakeProviders, type ProviderCall } from './support/fake-llm-providers.js';
import { startTestApp, TEST_API_KEY, type TestApp } from './support/test-app.js';

type Json = Record<string, unknown>;

// The SDK's CommonJS build, as a CommonJS app loads it: promptlayer 1.3.6's ESM build cannot run() at all (its bundled
// `require("openai")` shim throws "Dynamic require of \"openai\" is not supported").
const { PromptLayer } = createRequire(import.meta.url)('promptlayer') as { PromptLayer: typeof PromptLayerClass };
type PromptLayer = PromptLayerClass;

const text = (t: string) => [{ type: 'text', text: t }];
/** One template used by every provider: an f-string system and user message and a jinja2 user message. */
const chatTemplate = {
  type: 'chat',
  input_variables: ['persona', 'topic', 'lang'],
  messages: [
    { role: 'system', content: text('You are {persona}.'), template_format: 'f-string' },
    { role: 'user', content: text('Tell me about {topic}.') },
    { role: 'user', content: text('In {{ lang }} please.'), template_format: 'jinja2' },
  ],
};
const VARS = { persona: 'a poet', topic: 'cats', lang: 'French' };

const openAiModel = {
  provider: 'openai',
  name: 'gpt-4o-mini',
  parameters: { temperature: 0.2, max_tokens: 64 },
  api_type: 'chat-completions',
};
const EXPECTED_OPENAI_CHAT = {
  messages: [
    { role: 'system', content: 'You are a poet.' },
    { role: 'user', content: text('Tell me about cats.') },
    { role: 'user', content: text('In French please.') },
  ],
  model: 'gpt-4o-mini',
  temperature: 0.2,
  max_tokens: 64,
};
const EXPECTED_OPENAI_RESPONSES = {
  input: [
    { role: 'system', content: [{ type: 'input_text', text: 'You are a poet.' }] },
    { role: 'user', content: [{ type: 'input_text', text: 'Tell me about cats.' }] },
    { role: 'user', content: [{ type: 'input_text', text: 'In French please.' }] },
  ],
  model: 'gpt-4.1-mini',
  temperature: 1,
  max_output_tokens: 50,
};
const EXPECTED_ANTHROPIC = {
  system: 'You are a poet.',
  messages: [
    { role: 'user', content: text('Tell me about cats.') },
    { role: 'user', content: text('In French please.') },
  ],
  model: 'claude-3-5-haiku-latest',
  max_tokens: 200,
  temperature: 0.5,
};

/** Documented PromptLayer fields (pl-openapi.json), checked on every reply of that kind. */
const PUBLISH_FIELDS = [
  'id',
  'prompt_name',
  'prompt_version_id',
  'version_number',
  'tags',
  'release_labels',
  'prompt_template',
  'metadata',
  'commit_message',
  'external_ids',
];
// GetPromptTemplateResponse, plus what PromptLayer's server really answers (the Python SDK's recorded replies).
const FETCH_FIELDS = [
  'id',
  'prompt_name',
  'prompt_template',
  'metadata',
  'commit_message',
  'llm_kwargs',
  'version',
  'tags',
  'workspace_id',
  'provider_base_url',
  'snippets',
  'warning',
];
const RAW_FIELDS = [
  'success',
  'id',
  'prompt_name',
  'version',
  'workspace_id',
  'prompt_template',
  'metadata',
  'commit_message',
  'tags',
  'created_at',
  'snippets',
];
const LIST_FIELDS = ['has_next', 'has_prev', 'items', 'next_num', 'prev_num', 'page', 'pages', 'total'];
const LIST_ITEM_FIELDS = [
  'id',
  'prompt_name',
  'prompt_template',
  'metadata',
  'commit_message',
  'llm_kwargs',
  'version',
  'external_ids',
  'is_snippet',
];
const LABEL_FIELDS = ['created_at', 'id', 'name', 'prompt_id', 'prompt_version_id'];

function hasFields(obj: Json, fields: string[], what: string) {
  for (const f of fields)
    assert.ok(f in obj, `${what} lacks documented field ${f}: ${JSON.stringify(obj).slice(0, 400)}`);
}

function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  return fn().finally(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
}

for (const dialect of DIALECTS) {
  describe(`prompt templates and run() [${dialect}]`, () => {
    let t: TestApp;
    let baseUrl: string;
    let pl: PromptLayer;
    let fake: FakeProviders;
    let trackRequestExists = false;
    const ids: Record<string, number> = {};
    const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
      t.request({ method, url, body, headers });
    const lastCall = (path: string): ProviderCall => {
      const c = fake.calls.filter((x) => x.path === path).at(-1);
      assert.ok(c, `the fake provider received a request on ${path}`);
      return c;
    };

    /** The log run() stored, read from the database (its read shape belongs to other routes). */
    async function assertRunLogged(ctx: TestContext, result: unknown, expected: { template: string; model: string }) {
      if (!trackRequestExists)
        ctx.todo('needs POST /track-request (built on another branch): run() logs its result there');
      assert.ok(!(result instanceof Error), `run() succeeded: ${String(result)}`);
      const requestId = (result as { request_id?: number }).request_id;
      assert.equal(typeof requestId, 'number');
      const row = await t.app.dbh.db
        .selectFrom('request_logs')
        .selectAll()
        .where('id', '=', requestId as number)
        .executeTakeFirstOrThrow();
      assert.equal(row.prompt_id, ids[expected.template]);
      assert.equal(row.prompt_version_number, 1);
      assert.deepEqual(JSON.parse(row.prompt_input_variables), VARS);
      assert.equal(row.model, expected.model);
    }

    before(async () => {
      t = await startTestApp(dialect);
      baseUrl = await t.listen();
      fake = await startFakeProviders();
      pl = new PromptLayer({ apiKey: TEST_API_KEY, baseURL: baseUrl });
      const probe = await api('POST', '/track-request', {});
      trackRequestExists = probe.statusCode !== 404;
    });
    after(async () => {
      await fake.close();
      await t.close();
    });

    it('publishes with metadata.model and answers the documented publish fields', async () => {
      const res = await api('POST', '/rest/prompt-templates', {
        prompt_template: { prompt_name: 'greet', tags: ['demo'] },
        prompt_version: { prompt_template: chatTemplate, metadata: { model: openAiModel }, commit_message: 'first' },
        release_labels: ['prod'],
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json<Json>();
      hasFields(body, PUBLISH_FIELDS, 'publish reply');
      assert.equal(typeof body.id, 'number');
      assert.equal(body.prompt_name, 'greet');
      assert.equal(typeof body.prompt_version_id, 'number');
      assert.equal(body.version_number, 1);
      assert.deepEqual(body.tags, ['demo']);
      assert.deepEqual(body.release_labels, ['prod']);
      assert.deepEqual(body.prompt_template, chatTemplate);
      assert.deepEqual(body.metadata, { model: openAiModel });
      assert.equal(body.commit_message, 'first');
      assert.deepEqual(body.external_ids, []);
      assert.deepEqual(body.warnings, []);
      ids.greet = body.id as number;

      // The SDK's publish (prompt_template and prompt_version both carry the whole body) works the same way.
      const viaSdk = (await pl.templates.publish({
        prompt_name: 'greet-responses',
        prompt_template: chatTemplate as never,
        metadata: {
          model: {
            provider: 'openai',
            name: 'gpt-4.1-mini',
            parameters: { temperature: 1, max_tokens: 50 },
            api_type: 'responses',
          },
        },
        provider_base_url_name: 'fake-openai',
      })) as unknown as Json;
      assert.equal(viaSdk.version_number, 1);
      assert.equal(viaSdk.provider_base_url_name, 'fake-openai');
      ids['greet-responses'] = viaSdk.id as number;
      const claude = (await pl.templates.publish({
        prompt_name: 'greet-claude',
        prompt_template: chatTemplate as never,
        metadata: {
          model: {
            provider: 'anthropic',
            name: 'claude-3-5-haiku-latest',
            parameters: { max_tokens: 200, temperature: 0.5 },
          },
        },
      })) as unknown as Json;
      ids['greet-claude'] = claude.id as number;
      // An OpenAI model without api_type reads back as chat-completions (the SDK sends anything else to responses.create).
      const bare = (await pl.templates.publish({
        prompt_name: 'bare',
        prompt_template: chatTemplate as never,
        metadata: { model: { provider: 'openai', name: 'gpt-4o', parameters: {} } },
      })) as unknown as Json;
      assert.deepEqual(bare.metadata, {
        model: { provider: 'openai', name: 'gpt-4o', parameters: {}, api_type: 'chat-completions' },
      });
    });

    it('refuses malformed templates at publish with 400', async () => {
      const publish = (prompt_template: unknown, metadata?: unknown) =>
        api('POST', '/rest/prompt-templates', {
          prompt_template: { prompt_name: 'bad' },
          prompt_version: { prompt_template, ...(metadata ? { metadata } : {}) },
        });
      const cases: Array<[unknown, unknown?]> = [
        [{ type: 'chat', messages: {} }],
        [{ type: 'chat', messages: 'hello' }],
        [{ type: 'chat' }],
        [{ type: 'chat', messages: [{ role: 'user', content: [{ type: 'text' }] }] }],
        [{ type: 'chat', messages: [{ role: 'user', content: [{ text: 'no type' }] }] }],
        [{ type: 'chat', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }],
        [{ type: 'chat', messages: [{ role: 'user', content: { type: 'text', text: 'not a list' } }] }],
        [{ type: 'chat', messages: [{ role: 'robot', content: text('x') }] }],
        [{ type: 'chat', messages: [{ role: 'user', content: text('x'), template_format: 'mustache' }] }],
        [{ type: 'completion', content: [7] }],
        [{ type: 'completion' }],
        [{ type: 'chat', messages: [] }, { model: { provider: 'openai' } }],
        [{ type: 'chat', messages: [] }, { model: 'gpt-4o' }],
      ];
      for (const [tpl, md] of cases) {
        const res = await publish(tpl, md);
        assert.equal(
          res.statusCode,
          400,
          `${JSON.stringify(tpl)} ${JSON.stringify(md)}: ${res.statusCode} ${res.body}`,
        );
        assert.equal(res.json().success, false);
      }
      const listed = await api('GET', '/prompt-templates?name=bad');
      assert.equal(listed.json().total, 0, 'nothing refused was stored');
    });

    it('fetches llm_kwargs for openai chat-completions exactly as run() needs them, with the documented fields', async () => {
      const res = await api('POST', '/prompt-templates/greet', { input_variables: VARS });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<Json>();
      hasFields(body, FETCH_FIELDS, 'template fetch');
      assert.deepEqual(body.llm_kwargs, EXPECTED_OPENAI_CHAT);
      assert.equal(body.id, ids.greet);
      assert.equal(body.prompt_name, 'greet');
      assert.equal(body.version, 1);
      assert.equal(body.commit_message, 'first');
      assert.deepEqual(body.metadata, { model: openAiModel });
      assert.deepEqual(body.tags, ['demo']);
      assert.equal(typeof body.workspace_id, 'number');
      assert.equal(body.provider_base_url, null);
      assert.deepEqual(body.snippets, []);
      assert.equal(body.warning, null);
      const rendered = body.prompt_template as { messages: Array<{ content: Array<{ text: string }> }> };
      assert.deepEqual(
        rendered.messages.map((m) => m.content[0].text),
        ['You are a poet.', 'Tell me about cats.', 'In French please.'],
      );

      // By id, with the fetch's provider/model/parameter overrides.
      const byId = (
        await api('POST', `/prompt-templates/${ids.greet}`, {
          input_variables: VARS,
          model: 'gpt-4o',
          model_parameter_overrides: { temperature: 0.9, seed: 7 },
        })
      ).json();
      assert.deepEqual(byId.llm_kwargs, { ...EXPECTED_OPENAI_CHAT, model: 'gpt-4o', temperature: 0.9, seed: 7 });
      const asClaude = (
        await api('POST', '/prompt-templates/greet', {
          input_variables: VARS,
          provider: 'anthropic',
          model: 'claude-3-5-haiku-latest',
        })
      ).json();
      assert.deepEqual(asClaude.llm_kwargs, { ...EXPECTED_ANTHROPIC, max_tokens: 64, temperature: 0.2 });
    });

    it('fetches llm_kwargs for the responses api_type and for anthropic', async () => {
      const responses = (await api('POST', '/prompt-templates/greet-responses', { input_variables: VARS })).json();
      assert.deepEqual(responses.llm_kwargs, EXPECTED_OPENAI_RESPONSES);
      assert.match(responses.warning, /provider base URL "fake-openai" is not configured/);
      const claude = (await api('POST', '/prompt-templates/greet-claude', { input_variables: VARS })).json();
      assert.deepEqual(claude.llm_kwargs, EXPECTED_ANTHROPIC);
      assert.equal(claude.warning, null);
    });

    it('warns about missing input variables and names unsupported fetch fields in warnings', async () => {
      const res = (
        await api('POST', '/prompt-templates/greet', {
          input_variables: { persona: 'a poet' },
          metadata_filters: { user: 'u1' },
          colour: 'red',
        })
      ).json();
      assert.equal(res.warning, 'Missing input variables: lang, topic');
      const kw = res.llm_kwargs as typeof EXPECTED_OPENAI_CHAT;
      // f-string keeps an unknown placeholder visible; jinja2 renders it empty, as jinja2 does.
      assert.deepEqual(
        kw.messages.map((m) => (typeof m.content === 'string' ? m.content : m.content[0].text)),
        ['You are a poet.', 'Tell me about {topic}.', 'In  please.'],
      );
      assert.deepEqual(res.warnings, [
        'colour: not a field of this request; ignored',
        'metadata_filters: A/B release labels are not supported by Strata; the version was chosen by version, label or latest',
      ]);
      // No input_variables at all (templates.get() without params): the template as stored, and no warning.
      const plain = await pl.templates.get('greet');
      assert.equal((plain as unknown as Json).warning, null);
      assert.equal(
        ((plain as unknown as Json).prompt_template as typeof chatTemplate).messages[1].content[0].text,
        'Tell me about {topic}.',
      );
      // The JS SDK's cache asks for the unrendered template and renders it itself.
      const raw = (
        await api('POST', '/prompt-templates/greet', { input_variables: VARS, skip_input_variable_rendering: true })
      ).json();
      assert.equal(raw.llm_kwargs.messages[1].content[0].text, 'Tell me about {topic}.');
      assert.equal(raw.warning, null);
    });

    it("accepts the Python SDK's template-get body (api_key in the body) and list query", async () => {
      const body = {
        api_key: TEST_API_KEY,
        version: 1,
        provider: 'openai',
        model: 'gpt-3.5-turbo',
        input_variables: VARS,
      };
      const res = await t.request({
        method: 'POST',
        url: '/prompt-templates/greet',
        body,
        headers: { 'x-api-key': TEST_API_KEY },
      });
      assert.equal(res.statusCode, 200, res.body);
      const got = res.json();
      hasFields(got, FETCH_FIELDS, 'template fetch (Python body)');
      assert.deepEqual(got.llm_kwargs, { ...EXPECTED_OPENAI_CHAT, model: 'gpt-3.5-turbo' });
      assert.deepEqual(got.warnings, []);
      // What the Python SDK's run() sends (_prepare_get_prompt_template_params) and reads (llm_kwargs,
      // metadata.model.{provider, name, api_type}, prompt_template.type, provider_base_url, id, version).
      const runBody = {
        api_key: TEST_API_KEY,
        label: 'prod',
        input_variables: VARS,
        metadata_filters: { user: 'u1' },
        model_parameter_overrides: { temperature: 0 },
      };
      const run = (
        await t.request({
          method: 'POST',
          url: '/prompt-templates/greet',
          body: runBody,
          headers: { 'x-api-key': TEST_API_KEY },
        })
      ).json();
      assert.deepEqual(run.llm_kwargs, { ...EXPECTED_OPENAI_CHAT, temperature: 0 });
      assert.deepEqual(run.metadata.model, openAiModel);
      assert.equal(run.prompt_template.type, 'chat');
      assert.equal(run.provider_base_url, null);
      assert.equal(run.id, ids.greet);
      assert.equal(run.version, 1);
      assert.equal(run.warning, null);
      assert.deepEqual(run.warnings, [
        'metadata_filters: A/B release labels are not supported by Strata; the version was chosen by version, label or latest',
      ]);
      // quote(prompt_name, safe='') percent-encodes names such as "a:b".
      await api('POST', '/rest/prompt-templates', {
        prompt_template: { prompt_name: 'ns:greet' },
        prompt_version: { prompt_template: chatTemplate },
      });
      const encoded = await t.request({
        method: 'POST',
        url: '/prompt-templates/ns%3Agreet',
        body: { api_key: TEST_API_KEY },
        headers: { 'x-api-key': TEST_API_KEY },
      });
      assert.equal(encoded.statusCode, 200, encoded.body);
      assert.equal(encoded.json().llm_kwargs, null, 'no metadata.model and no provider: no llm_kwargs');
      assert.deepEqual(encoded.json().warnings, [
        'llm_kwargs: the template has no metadata.model.provider and the request named no provider',
      ]);
      const mistral = (await api('POST', '/prompt-templates/greet', { provider: 'mistral' })).json();
      assert.equal(mistral.llm_kwargs, null);
      assert.deepEqual(mistral.warnings, [
        'llm_kwargs: Strata builds llm_kwargs for openai, openai.azure and anthropic; not for provider "mistral"',
      ]);
      const list = await api('GET', '/prompt-templates?page=1&per_page=30&label=prod');
      assert.equal(list.statusCode, 200, list.body);
      assert.deepEqual(
        list.json().items.map((i: Json) => i.prompt_name),
        ['greet'],
      );
    });

    it('run() sends the rendered prompt to an OpenAI-compatible server (OPENAI_BASE_URL), plain and streamed', async (ctx) => {
      const before = fake.calls.length;
      const result = await withEnv({ OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: 'sk-fake' }, () =>
        pl.run({ promptName: 'greet', inputVariables: VARS, tags: ['run'] }).catch((e: unknown) => e),
      );
      assert.equal(fake.calls.length, before + 1, `run(): ${String(result)} ${(result as Error)?.stack ?? ''}`);
      const call = lastCall('/v1/chat/completions');
      assert.deepEqual(call.body, { ...EXPECTED_OPENAI_CHAT, stream: false });
      assert.equal(call.headers.authorization, 'Bearer sk-fake');

      const streamed: unknown[] = [];
      const streamError = await withEnv({ OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: 'sk-fake' }, async () => {
        try {
          const gen = (await pl.run({
            promptName: 'greet',
            inputVariables: VARS,
            stream: true,
          })) as AsyncIterable<unknown>;
          for await (const chunk of gen) streamed.push(chunk);
          return undefined;
        } catch (e) {
          return e;
        }
      });
      assert.deepEqual(lastCall('/v1/chat/completions').body, {
        ...EXPECTED_OPENAI_CHAT,
        stream: true,
        stream_options: { include_usage: true },
      });
      assert.ok(streamed.length >= 4, `the SDK yielded the streamed chunks (${streamed.length})`);

      await assertRunLogged(ctx, result, { template: 'greet', model: 'gpt-4o-mini' });
      assert.equal(streamError, undefined, `streamed run() logged its result: ${String(streamError)}`);
      const last = streamed.at(-1) as { request_id?: number };
      assert.equal(typeof last.request_id, 'number');
    });

    it('run() with the SDK cache renders client-side from the unrendered fetch and sends the same request', async (ctx) => {
      // The SDK renders all of llm_kwargs with the first message's template_format, so this template uses one format.
      const oneFormat = {
        ...chatTemplate,
        messages: chatTemplate.messages.map((m) => ({
          ...m,
          template_format: 'jinja2',
          content: text(m.content[0].text.replace(/\{(\w+)\}/g, '{{ $1 }}')),
        })),
      };
      const published = await api('POST', '/rest/prompt-templates', {
        prompt_template: { prompt_name: 'greet-cached' },
        prompt_version: { prompt_template: oneFormat, metadata: { model: openAiModel } },
      });
      assert.equal(published.statusCode, 201, published.body);
      ids['greet-cached'] = published.json().id;
      const cached = new PromptLayer({ apiKey: TEST_API_KEY, baseURL: baseUrl, cacheTtlSeconds: 60 });
      const before = fake.calls.length;
      const result = await withEnv({ OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: 'sk-fake' }, () =>
        cached.run({ promptName: 'greet-cached', inputVariables: VARS }).catch((e: unknown) => e),
      );
      assert.equal(fake.calls.length, before + 1, String(result));
      assert.deepEqual(lastCall('/v1/chat/completions').body, { ...EXPECTED_OPENAI_CHAT, stream: false });
      await assertRunLogged(ctx, result, { template: 'greet-cached', model: 'gpt-4o-mini' });
    });

    it('configures provider base URLs per workspace; run() follows them for the responses API and for Anthropic', async (ctx) => {
      const put = await api('PUT', '/api/public/v2/provider-base-urls/fake-openai', {
        provider: 'openai',
        url: `${fake.url}/v1`,
      });
      assert.equal(put.statusCode, 200, put.body);
      const entry = put.json().provider_base_url;
      assert.deepEqual(Object.keys(entry).sort(), [
        'created_at',
        'id',
        'is_default',
        'name',
        'provider',
        'updated_at',
        'url',
      ]);
      assert.equal(entry.is_default, false);
      const claudeUrl = await api('PUT', '/api/public/v2/provider-base-urls/fake-anthropic', {
        provider: 'anthropic',
        url: fake.url,
        is_default: true,
      });
      assert.equal(claudeUrl.statusCode, 200, claudeUrl.body);
      assert.equal(
        (await api('PUT', '/api/public/v2/provider-base-urls/x', { provider: 'openai', url: 'ftp://x' })).statusCode,
        400,
      );
      assert.equal(
        (await api('PUT', '/api/public/v2/provider-base-urls/x', { provider: 'openai', url: 'not a url' })).statusCode,
        400,
      );
      const listed = (await api('GET', '/api/public/v2/provider-base-urls')).json();
      assert.deepEqual(
        listed.items.map((i: Json) => [i.name, i.provider, i.is_default]),
        [
          ['fake-anthropic', 'anthropic', true],
          ['fake-openai', 'openai', false],
        ],
      );

      const fetched = (await api('POST', '/prompt-templates/greet-responses', { input_variables: VARS })).json();
      assert.deepEqual(fetched.provider_base_url, { ...entry, updated_at: fetched.provider_base_url.updated_at });
      assert.equal(fetched.provider_base_url.url, `${fake.url}/v1`);
      assert.equal(fetched.warning, null);
      // The default entry applies to versions of that provider that name none; the OpenAI template names none and has no default.
      assert.equal(
        (await api('POST', '/prompt-templates/greet-claude', {})).json().provider_base_url.name,
        'fake-anthropic',
      );
      assert.equal((await api('POST', '/prompt-templates/greet', {})).json().provider_base_url, null);

      const responses = await withEnv({ OPENAI_BASE_URL: undefined, OPENAI_API_KEY: 'sk-fake' }, () =>
        pl.run({ promptName: 'greet-responses', inputVariables: VARS }).catch((e: unknown) => e),
      );
      assert.deepEqual(lastCall('/v1/responses').body, { ...EXPECTED_OPENAI_RESPONSES, stream: false });
      const claude = await withEnv({ ANTHROPIC_BASE_URL: undefined, ANTHROPIC_API_KEY: 'sk-ant-fake' }, () =>
        pl.run({ promptName: 'greet-claude', inputVariables: VARS }).catch((e: unknown) => e),
      );
      const claudeCall = lastCall('/v1/messages');
      // The JS SDK leaves the base URL inside the Anthropic kwargs (it strips it for OpenAI only), so it reaches the body.
      assert.deepEqual(claudeCall.body, { ...EXPECTED_ANTHROPIC, stream: false, baseURL: fake.url });
      assert.equal(claudeCall.headers['x-api-key'], 'sk-ant-fake');

      assert.equal((await api('DELETE', '/api/public/v2/provider-base-urls/fake-anthropic')).statusCode, 200);
      assert.equal((await api('DELETE', '/api/public/v2/provider-base-urls/fake-anthropic')).statusCode, 404);
      assert.equal((await api('POST', '/prompt-templates/greet-claude', {})).json().provider_base_url, null);

      await assertRunLogged(ctx, responses, { template: 'greet-responses', model: 'gpt-4.1-mini' });
      await assertRunLogged(ctx, claude, { template: 'greet-claude', model: 'claude-3-5-haiku-latest' });
    });

    it('run() sends an Anthropic template to an Anthropic-compatible server (ANTHROPIC_BASE_URL), plain and streamed', async (ctx) => {
      const env = { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: 'sk-ant-fake' };
      const result = await withEnv(env, () =>
        pl.run({ promptName: 'greet-claude', inputVariables: VARS }).catch((e: unknown) => e),
      );
      assert.deepEqual(lastCall('/v1/messages').body, { ...EXPECTED_ANTHROPIC, stream: false });
      const streamed: unknown[] = [];
      const streamError = await withEnv(env, async () => {
        try {
          for await (const chunk of (await pl.run({
            promptName: 'greet-claude',
            inputVariables: VARS,
            stream: true,
          })) as AsyncIterable<unknown>)
            streamed.push(chunk);
          return undefined;
        } catch (e) {
          return e;
        }
      });
      assert.deepEqual(lastCall('/v1/messages').body, { ...EXPECTED_ANTHROPIC, stream: true });
      assert.ok(streamed.length >= 7, `the SDK yielded the streamed events (${streamed.length})`);
      await assertRunLogged(ctx, result, { template: 'greet-claude', model: 'claude-3-5-haiku-latest' });
      assert.equal(streamError, undefined, `streamed run() logged its result: ${String(streamError)}`);
    });

    it('answers GET /prompt-templates/{identifier} (raw) and its labels with the documented fields', async () => {
      const raw = await api('GET', '/prompt-templates/greet');
      assert.equal(raw.statusCode, 200, raw.body);
      const body = raw.json<Json>();
      hasFields(body, RAW_FIELDS, 'raw get');
      assert.equal(body.success, true);
      assert.equal(body.id, ids.greet);
      assert.equal(body.version, 1);
      assert.deepEqual(body.prompt_template, chatTemplate);
      assert.deepEqual(body.tags, ['demo']);
      assert.ok(!('llm_kwargs' in body), 'llm_kwargs only with include_llm_kwargs=true');
      const withKwargs = (await api('GET', `/prompt-templates/${ids.greet}?include_llm_kwargs=true&version=1`)).json();
      assert.equal(withKwargs.llm_kwargs.model, 'gpt-4o-mini');
      assert.equal(withKwargs.llm_kwargs.messages[0].content, 'You are {persona}.', 'raw: not rendered');
      assert.equal((await api('GET', '/prompt-templates/greet?label=nope')).statusCode, 404);
      assert.equal((await api('GET', '/prompt-templates/greet?include_llm_kwargs=maybe')).statusCode, 400);

      const labels = await api('GET', '/prompt-templates/greet/labels');
      assert.equal(labels.statusCode, 200, labels.body);
      const items = labels.json().release_labels as Json[];
      assert.equal(items.length, 1);
      assert.deepEqual(Object.keys(items[0]).sort(), [
        'prompt_version_id',
        'prompt_version_number',
        'release_label',
        'release_label_id',
      ]);
      assert.equal(items[0].release_label, 'prod');
      assert.equal(items[0].prompt_version_number, 1);
      assert.equal(items[0].prompt_version_id, body.prompt_version_id);
    });

    it('patches a version (PATCH /rest/prompt-templates/{identifier}) and manages labels by id', async () => {
      const patched = await api('PATCH', '/rest/prompt-templates/greet', {
        messages: { '1': { role: 'user', content: text('Tell me everything about {topic}.') } },
        model_parameters: { temperature: 0.9 },
        commit_message: 'warmer',
      });
      assert.equal(patched.statusCode, 201, patched.body);
      const v2 = patched.json<Json>();
      hasFields(v2, PUBLISH_FIELDS, 'patch reply');
      assert.equal(v2.version_number, 2);
      assert.equal(v2.commit_message, 'warmer');
      assert.deepEqual((v2.metadata as { model: Json }).model.parameters, { temperature: 0.9, max_tokens: 64 });
      const fetched = (await api('POST', '/prompt-templates/greet', { input_variables: VARS })).json();
      assert.equal(fetched.version, 2);
      assert.deepEqual(fetched.llm_kwargs.messages[1], {
        role: 'user',
        content: text('Tell me everything about cats.'),
      });
      assert.equal(fetched.llm_kwargs.temperature, 0.9);
      assert.equal(
        (
          await api('PATCH', '/rest/prompt-templates/greet', {
            messages: { '9': { role: 'user', content: text('x') } },
          })
        ).statusCode,
        400,
      );
      assert.equal(
        (await api('PATCH', '/rest/prompt-templates/greet', { messages: [{ role: 'user', content: {} }] })).statusCode,
        400,
      );
      assert.equal(
        (await api('PATCH', '/rest/prompt-templates/greet', { content: [] })).statusCode,
        400,
        'content is for completion templates',
      );
      assert.equal((await api('PATCH', '/rest/prompt-templates/nope', { commit_message: 'x' })).statusCode, 404);

      const created = await api('POST', `/prompts/${ids.greet}/label`, { name: 'staging', prompt_version_number: 1 });
      assert.equal(created.statusCode, 200, created.body);
      const label = created.json<Json>();
      hasFields(label, LABEL_FIELDS, 'label');
      assert.equal(label.name, 'staging');
      assert.equal(label.prompt_id, ids.greet);
      assert.equal(
        (await api('POST', `/prompts/${ids.greet}/label`, { name: 'staging', prompt_version_number: 2 })).statusCode,
        409,
      );
      assert.equal(
        (await api('POST', `/prompts/${ids.greet}/label`, { name: 'qa', prompt_version_number: 99 })).statusCode,
        404,
      );
      assert.equal((await api('POST', '/prompt-templates/greet', { label: 'staging' })).json().version, 1);
      const moved = await api('PATCH', `/prompt-labels/${label.id}`, { prompt_version_number: 2 });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(moved.json().prompt_version_id, v2.prompt_version_id);
      assert.equal((await api('POST', '/prompt-templates/greet', { label: 'staging' })).json().version, 2);
      assert.equal((await api('DELETE', `/prompt-labels/${label.id}`)).statusCode, 204);
      assert.equal((await api('POST', '/prompt-templates/greet', { label: 'staging' })).statusCode, 404);
      assert.equal((await api('DELETE', `/prompt-labels/${label.id}`)).statusCode, 404);
    });

    it('lists templates with the documented query fields and pagination keys, naming unsupported ones in warnings', async () => {
      const all = await api('GET', '/prompt-templates?per_page=2');
      assert.equal(all.statusCode, 200, all.body);
      const page = all.json<Json>();
      hasFields(page, LIST_FIELDS, 'list');
      for (const item of page.items as Json[]) hasFields(item, LIST_ITEM_FIELDS, 'list item');
      assert.equal(page.total, 6);
      assert.equal(page.next_num, 2);
      assert.equal(page.prev_num, null);
      assert.deepEqual(page.warnings, []);
      const names = async (qs: string) =>
        ((await api('GET', `/prompt-templates?${qs}`)).json().items as Json[]).map((i) => i.prompt_name);
      assert.deepEqual(await names('name=GREET-&sort_by=name&sort_order=asc'), [
        'greet-cached',
        'greet-claude',
        'greet-responses',
      ]);
      assert.deepEqual(await names('tags=demo'), ['greet']);
      assert.deepEqual(await names('tags=demo&tags=other'), []);
      assert.deepEqual(await names('sort_by=id&sort_order=desc&per_page=2'), ['greet-cached', 'ns:greet']);
      assert.deepEqual(await names('created_after=2999-01-01T00:00:00'), []);
      assert.equal((await names('created_before=2999-01-01T00:00:00Z')).length, 6);
      assert.deepEqual(await names('status=deleted'), []);
      assert.deepEqual(await names('is_snippet=true'), []);
      assert.equal((await names('is_snippet=false&status=all')).length, 6);
      const warned = (
        await api('GET', '/prompt-templates?external_source=git&external_id=1&created_by_email=a@b.c&colour=red')
      ).json();
      assert.deepEqual(warned.warnings, [
        'colour: not a field of this request; ignored',
        'external_source: not supported by Strata; ignored',
        'external_id: not supported by Strata; ignored',
        'created_by_email: not supported by Strata; ignored',
      ]);
      assert.equal((await api('GET', '/prompt-templates?sort_by=colour')).statusCode, 400);
      assert.equal((await api('GET', '/prompt-templates?created_after=yesterday')).statusCode, 400);
    });

    it('never lets a stored malformed template make a read fail (defensive rendering)', async () => {
      // Rows as an older Strata (before publish validated shapes) could have stored them.
      const db = t.app.dbh.db;
      const tpl = await db
        .insertInto('prompt_templates')
        .values({
          workspace_id: (await api('POST', '/prompt-templates/greet', {})).json().workspace_id,
          name: 'legacy',
          tags: '[]',
          created_at: Date.now(),
          updated_at: Date.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const stored = [
        [{ type: 'chat', messages: {} }, { model: { provider: 'openai', name: 'gpt-4o' } }],
        [
          { type: 'chat', messages: [{ role: 'user', content: { text: 'x' } }, 7, null] },
          { model: { provider: 'anthropic', name: 'claude', parameters: [] } },
        ],
        [null, { model: 'gpt-4o' }],
        [
          { type: 'completion', content: 'Hi {name}' },
          { model: { provider: 'openai', name: 'gpt-3.5-turbo-instruct' } },
        ],
      ];
      for (const [i, [template, metadata]] of stored.entries()) {
        await db
          .insertInto('prompt_template_versions')
          .values({
            template_id: tpl.id,
            version_number: i + 1,
            prompt_template: JSON.stringify(template),
            metadata: JSON.stringify(metadata),
            commit_message: null,
            created_at: Date.now(),
            provider_base_url_name: null,
          })
          .execute();
        for (const [method, url, body] of [
          ['POST', '/prompt-templates/legacy', { version: i + 1, input_variables: { name: 'Ann' } }],
          ['GET', `/prompt-templates/legacy?version=${i + 1}&include_llm_kwargs=true`, undefined],
          ['GET', '/prompt-templates?name=legacy', undefined],
        ] as const) {
          const res = await api(method, url, body);
          assert.equal(
            res.statusCode,
            200,
            `${method} ${url} with stored ${JSON.stringify(template)}: ${res.statusCode} ${res.body}`,
          );
        }
      }
      const completion = (
        await api('POST', '/prompt-templates/legacy', { version: 4, input_variables: { name: 'Ann' } })
      ).json();
      assert.deepEqual(completion.llm_kwargs, { prompt: 'Hi Ann', model: 'gpt-3.5-turbo-instruct' });
      assert.deepEqual((await api('POST', '/prompt-templates/legacy', { version: 1 })).json().llm_kwargs, {
        messages: [],
        model: 'gpt-4o',
      });
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`prompt registry migration 20261201T204408_prompt_registry_ids [${dialect}]`, () => {
    it('gives existing release labels ids without moving them, and migrates back down', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-mig-pt-'));
      let env: Record<string, string> = { STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'silent' };
      let drop = async () => {};
      if (dialect === 'postgres') {
        const pgDb = await createPostgresDatabase();
        drop = pgDb.drop;
        env = { ...env, DATABASE_URL: pgDb.url };
      }
      const dbh = openDatabase(loadConfig(env).database);
      try {
        const migrator = new Migrator({ db: dbh.db, provider: { getMigrations: async () => migrations } });
        assert.equal((await migrator.migrateTo('20261201T201539_request_log_traces')).error, undefined);
        const db = dbh.db as unknown as Kysely<any>;
        const ws = await db
          .insertInto('workspaces')
          .values({ name: 'old', created_at: 1 })
          .returning('id')
          .executeTakeFirstOrThrow();
        const tpl = await db
          .insertInto('prompt_templates')
          .values({ workspace_id: ws.id, name: 'old', tags: '[]', created_at: 1, updated_at: 2 })
          .returning('id')
          .executeTakeFirstOrThrow();
        for (const n of [1, 2])
          await db
            .insertInto('prompt_template_versions')
            .values({
              template_id: tpl.id,
              version_number: n,
              prompt_template: '{"type":"chat","messages":[]}',
              created_at: n,
            })
            .execute();
        await db
          .insertInto('prompt_release_labels')
          .values([
            { template_id: tpl.id, label: 'prod', version_number: 1, updated_at: 5 },
            { template_id: tpl.id, label: 'dev', version_number: 2, updated_at: 6 },
          ])
          .execute();

        assert.equal((await migrator.migrateToLatest()).error, undefined);
        const labels = await db.selectFrom('prompt_release_labels').selectAll().orderBy('label').execute();
        assert.deepEqual(
          labels.map((l) => [l.label, l.version_number, l.created_at === l.updated_at]),
          [
            ['dev', 2, true],
            ['prod', 1, true],
          ],
        );
        assert.ok(
          labels.every((l) => typeof l.id === 'number' || typeof l.id === 'string'),
          'labels have ids',
        );
        // New labels get fresh ids; (template, label) stays unique.
        const added = await db
          .insertInto('prompt_release_labels')
          .values({ template_id: tpl.id, label: 'qa', version_number: 2, created_at: 7, updated_at: 7 })
          .returning('id')
          .executeTakeFirstOrThrow();
        assert.ok(!labels.some((l) => Number(l.id) === Number(added.id)));
        await assert.rejects(
          db
            .insertInto('prompt_release_labels')
            .values({ template_id: tpl.id, label: 'qa', version_number: 1, created_at: 8, updated_at: 8 })
            .execute(),
        );

        assert.equal((await migrator.migrateTo('20261201T201539_request_log_traces')).error, undefined);
        const back = await db.selectFrom('prompt_release_labels').selectAll().orderBy('label').execute();
        assert.deepEqual(
          back.map((l) => [l.label, l.version_number]),
          [
            ['dev', 2],
            ['prod', 1],
            ['qa', 2],
          ],
        );
      } finally {
        await dbh.close();
        await drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
