// /track-request end to end on every dialect, through the real SDK wrappers: the official `promptlayer` JS SDK wraps the
// real `openai` and `@anthropic-ai/sdk` clients, which call a fake provider on 127.0.0.1 (plain JSON and SSE streams);
// the SDK logs into a listening Strata. The bodies the SDK really sent are recorded and asserted, and every stored log is
// read back field by field. Also: the Python SDK's body shapes (from its source), the score default rule, bad bodies.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type OpenAIClient from 'openai';
import type AnthropicClient from '@anthropic-ai/sdk';
import type { PromptLayer as PromptLayerType } from 'promptlayer';
import type { StoredRequestLogRow } from '../src/db/schema.js';
import { DIALECTS } from './support/dialects.js';
import { startFakeLlm, REPLY, USAGE, type FakeLlm } from './support/fake-llm-server.js';
import { startTestApp, TEST_API_KEY, type TestApp } from './support/test-app.js';

// The SDK's wrappers load `openai` / `@anthropic-ai/sdk` with require(), which only works in its CommonJS build (its ESM
// build prints "you must install the ... package"): a CommonJS app is what the wrapper supports, so load it that way.
const require = createRequire(import.meta.url);
const { PromptLayer } = require('promptlayer') as { PromptLayer: typeof PromptLayerType };

type Sent = { url: string; body: Record<string, unknown> };
type ChatMsg = {
  role: string;
  content: Array<{ type: string; text?: string }>;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
};

/** Provider params plus the wrapper's own options (pl_tags, return_pl_id), which the provider types do not know. */
const withPl = (params: Record<string, unknown>) => params as never;
const userSays = (text: string) => ({ role: 'user', content: [{ type: 'text', text }] });
const assistantSays = (text: string) => ({ role: 'assistant', content: [{ type: 'text', text }] });

/** Records the bodies the SDK posts to Strata (it uses the global fetch), passing every call through unchanged. */
function recordFetch(prefix: () => string): { sent: Sent[]; restore(): void } {
  const original = globalThis.fetch;
  const sent: Sent[] = [];
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(prefix()) && typeof init?.body === 'string')
      sent.push({ url: url.slice(prefix().length), body: JSON.parse(init.body) as Record<string, unknown> });
    return original(input, init);
  };
  return { sent, restore: () => void (globalThis.fetch = original) };
}

for (const dialect of DIALECTS) {
  describe(`/track-request through the SDK wrappers [${dialect}]`, () => {
    let t: TestApp;
    let llm: FakeLlm;
    let baseUrl = '';
    let pl: PromptLayerType;
    let openai: OpenAIClient;
    let anthropic: AnthropicClient;
    let rec: ReturnType<typeof recordFetch>;

    const row = async (id: number): Promise<StoredRequestLogRow> =>
      t.app.dbh.db.selectFrom('request_logs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const lastSent = (path: string) => {
      const hit = rec.sent.filter((s) => s.url === path).at(-1);
      assert.ok(hit, `the SDK posted ${path}`);
      return hit.body;
    };
    const post = (url: string, body: unknown) => t.request({ method: 'POST', url, body, apiKey: null });

    /** What every tracked call stores alike: the fake's reply, its usage, SUCCESS, a latency from the SDK's times. */
    function assertCommon(
      log: StoredRequestLogRow,
      sent: Record<string, unknown>,
      expect: { provider: string; model: string; functionName: string; apiType: string },
    ) {
      assert.equal(log.provider, expect.provider);
      assert.equal(log.model, expect.model);
      assert.equal(log.function_name, expect.functionName);
      assert.equal(log.api_type, expect.apiType);
      assert.equal(log.status, 'SUCCESS');
      assert.equal(log.error_type, null);
      assert.equal(log.input_tokens, USAGE.input);
      assert.equal(log.output_tokens, USAGE.output);
      const start = Date.parse(String(sent.request_start_time));
      const end = Date.parse(String(sent.request_end_time));
      assert.equal(log.request_start_time, start);
      assert.equal(log.request_end_time, end);
      assert.equal(log.latency_ms, end - start);
      // Without enableTracing the SDK's span is OpenTelemetry's non-recording one, whose id is all zeros: no span.
      assert.equal(sent.span_id, '0000000000000000');
      assert.equal(log.span_id, null, 'the invalid (all-zero) span id is not stored');
      assert.equal(log.output_text, REPLY);
      assert.equal(log.score, null, 'unscored');
    }

    before(async () => {
      t = await startTestApp(dialect);
      llm = await startFakeLlm();
      baseUrl = await t.listen();
      rec = recordFetch(() => baseUrl);
      pl = new PromptLayer({ apiKey: TEST_API_KEY, baseURL: baseUrl });
      const OpenAI = pl.OpenAI as unknown as typeof OpenAIClient;
      const Anthropic = pl.Anthropic as unknown as typeof AnthropicClient;
      openai = new OpenAI({ apiKey: 'sk-fake', baseURL: `${llm.url}/v1`, maxRetries: 0 });
      anthropic = new Anthropic({ apiKey: 'sk-ant-fake', baseURL: llm.url, maxRetries: 0 });
    });
    after(async () => {
      rec.restore();
      await t.close();
      await llm.close();
    });

    it('openai chat.completions.create: the call resolves to [response, pl_id]; the log holds blueprints, tokens, tags', async () => {
      const [response, plId] = (await openai.chat.completions.create(
        withPl({
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Say hello' },
          ],
          temperature: 0.2,
          max_tokens: 50,
          pl_tags: ['sdk', 'chat'],
          return_pl_id: true,
        }),
      )) as unknown as [OpenAIClient.Chat.ChatCompletion, number];
      assert.equal(response.choices[0].message.content, REPLY, 'the app gets the provider response');
      assert.ok(Number.isInteger(plId) && plId > 0, 'pl_id returned');
      assert.deepEqual(
        llm.requests.at(-1)?.body,
        {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Say hello' },
          ],
          temperature: 0.2,
          max_tokens: 50,
        },
        'wrapper options not sent to the provider',
      );

      const sent = lastSent('/track-request');
      assert.deepEqual(Object.keys(sent).sort(), [
        'api_key',
        'function_name',
        'kwargs',
        'provider_type',
        'request_end_time',
        'request_response',
        'request_start_time',
        'return_pl_id',
        'span_id',
        'tags',
      ]);
      assert.equal(sent.api_key, TEST_API_KEY);
      assert.equal(sent.function_name, 'openai.chat.completions.create');
      assert.equal(sent.provider_type, 'openai');
      assert.deepEqual(sent.tags, ['sdk', 'chat']);
      assert.equal(sent.return_pl_id, true);
      assert.match(String(sent.request_start_time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.equal((sent.request_response as { id: string }).id, 'chatcmpl-fake');

      const log = await row(plId);
      assertCommon(log, sent, {
        provider: 'openai',
        model: 'gpt-4o-mini',
        functionName: 'openai.chat.completions.create',
        apiType: 'chat-completions',
      });
      assert.deepEqual(JSON.parse(log.input), {
        type: 'chat',
        messages: [{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }, userSays('Say hello')],
      });
      assert.deepEqual(JSON.parse(log.output), { type: 'chat', messages: [assistantSays(REPLY)] });
      assert.deepEqual(JSON.parse(log.parameters), { temperature: 0.2, max_tokens: 50 });
      assert.deepEqual(JSON.parse(log.tags), ['sdk', 'chat']);
      assert.equal(log.trace_id, null, 'no span stored: no trace yet');

      // Metadata and a score afterwards (track.metadata / track.score), and the read API shows the tracked log.
      assert.equal(await pl.track.metadata({ request_id: plId, metadata: { user: 'u1', session: 's9' } }), true);
      assert.equal(await pl.track.score({ request_id: plId, score: 80 }), true);
      const after = await row(plId);
      assert.deepEqual(JSON.parse(after.metadata), { user: 'u1', session: 's9' });
      assert.equal(after.score, 80);
      const read = await t.request({ method: 'GET', url: `/api/public/v2/requests/${plId}` });
      assert.equal(read.statusCode, 200, read.body);
      const body = read.json<{ request?: Record<string, unknown> } & Record<string, unknown>>();
      const shown = body.request ?? body;
      assert.equal(shown.model, 'gpt-4o-mini');
      assert.equal(shown.function_name, 'openai.chat.completions.create');
    });

    it('openai chat.completions streamed: the stream ends without throwing and the assembled reply is logged', async () => {
      const stream = (await openai.chat.completions.create(
        withPl({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Stream hello' }],
          stream: true,
          stream_options: { include_usage: true },
          return_pl_id: true,
        }),
      )) as unknown as AsyncIterable<[OpenAIClient.Chat.ChatCompletionChunk, number | null]>;
      let text = '';
      let plId: number | null = null;
      let items = 0;
      for await (const [chunk, id] of stream) {
        items++;
        if (id !== null) plId = id;
        else text += chunk.choices[0]?.delta?.content ?? '';
      }
      assert.equal(text, REPLY, 'the app sees every chunk');
      assert.ok(items >= 7);
      assert.ok(plId !== null && plId > 0, 'pl_id delivered after the last chunk');

      const sent = lastSent('/track-request');
      assert.equal(sent.function_name, 'openai.chat.completions.create');
      const assembled = sent.request_response as { choices: Array<{ message: { content: string } }>; usage: unknown };
      assert.equal(assembled.choices[0].message.content, REPLY, 'the SDK sends what it assembled');
      const log = await row(plId);
      assertCommon(log, sent, {
        provider: 'openai',
        model: 'gpt-4o-mini',
        functionName: 'openai.chat.completions.create',
        apiType: 'chat-completions',
      });
      assert.deepEqual(JSON.parse(log.input), { type: 'chat', messages: [userSays('Stream hello')] });
      assert.deepEqual(JSON.parse(log.output), { type: 'chat', messages: [assistantSays(REPLY)] });
      assert.deepEqual(JSON.parse(log.parameters), {}, 'stream options are transport, not parameters');
    });

    it('openai chat.completions with tools: the tool call is an assistant tool_calls entry; tool results are tool messages', async () => {
      const [, plId] = (await openai.chat.completions.create(
        withPl({
          model: 'gpt-4o',
          messages: [
            { role: 'user', content: 'Weather in Paris?' },
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'call_0', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
              ],
            },
            { role: 'tool', tool_call_id: 'call_0', content: 'sunny' },
          ],
          tools: [
            {
              type: 'function',
              function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
            },
          ],
          return_pl_id: true,
        }),
      )) as unknown as [unknown, number];
      const log = await row(plId);
      const input = JSON.parse(log.input) as { messages: ChatMsg[] };
      assert.deepEqual(input.messages[1], {
        role: 'assistant',
        content: [],
        tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } }],
      });
      assert.deepEqual(input.messages[2], {
        role: 'tool',
        content: [{ type: 'text', text: 'sunny' }],
        tool_call_id: 'call_0',
      });
      assert.deepEqual(JSON.parse(log.output), {
        type: 'chat',
        messages: [
          {
            role: 'assistant',
            content: [],
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            ],
          },
        ],
      });
      assert.equal((JSON.parse(log.parameters) as { tools: unknown[] }).tools.length, 1, 'tools are a parameter');
    });

    it('openai responses.create, plain and streamed', async () => {
      const [plain, plainId] = (await openai.responses.create(
        withPl({
          model: 'gpt-4.1',
          instructions: 'Be kind.',
          input: 'Hi there',
          max_output_tokens: 64,
          return_pl_id: true,
        }),
      )) as unknown as [OpenAIClient.Responses.Response, number];
      assert.equal(plain.output_text, REPLY);
      let sent = lastSent('/track-request');
      assert.equal(sent.function_name, 'openai.responses.create');
      let log = await row(plainId);
      assertCommon(log, sent, {
        provider: 'openai',
        model: 'gpt-4.1',
        functionName: 'openai.responses.create',
        apiType: 'responses',
      });
      assert.deepEqual(JSON.parse(log.input), {
        type: 'chat',
        messages: [{ role: 'system', content: [{ type: 'text', text: 'Be kind.' }] }, userSays('Hi there')],
      });
      assert.deepEqual(JSON.parse(log.output), { type: 'chat', messages: [assistantSays(REPLY)] });
      assert.deepEqual(JSON.parse(log.parameters), { max_output_tokens: 64 });

      const stream = (await openai.responses.create(
        withPl({
          model: 'gpt-4.1',
          input: [{ role: 'user', content: [{ type: 'input_text', text: 'Stream please' }] }],
          stream: true,
          return_pl_id: true,
        }),
      )) as unknown as AsyncIterable<[{ type: string; delta?: string }, number | null]>;
      let text = '';
      let streamedId: number | null = null;
      for await (const [event, id] of stream) {
        if (id !== null) streamedId = id;
        else if (event.type === 'response.output_text.delta') text += event.delta;
      }
      assert.equal(text, REPLY);
      assert.ok(streamedId !== null);
      sent = lastSent('/track-request');
      log = await row(streamedId);
      assertCommon(log, sent, {
        provider: 'openai',
        model: 'gpt-4.1',
        functionName: 'openai.responses.create',
        apiType: 'responses',
      });
      assert.deepEqual(JSON.parse(log.input), { type: 'chat', messages: [userSays('Stream please')] });
      assert.deepEqual(JSON.parse(log.output), { type: 'chat', messages: [assistantSays(REPLY)] });
    });

    it('anthropic messages.create, plain and streamed', async () => {
      const [plain, plainId] = (await anthropic.messages.create(
        withPl({
          model: 'claude-sonnet-4-5',
          system: 'Answer in English.',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'Bonjour' }],
          pl_tags: ['claude'],
          return_pl_id: true,
        }),
      )) as unknown as [AnthropicClient.Message, number];
      assert.equal((plain.content[0] as { text: string }).text, REPLY);
      let sent = lastSent('/track-request');
      assert.equal(sent.function_name, 'anthropic.messages.create');
      assert.equal(sent.provider_type, 'anthropic');
      let log = await row(plainId);
      assertCommon(log, sent, {
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        functionName: 'anthropic.messages.create',
        apiType: 'messages',
      });
      assert.deepEqual(JSON.parse(log.input), {
        type: 'chat',
        messages: [{ role: 'system', content: [{ type: 'text', text: 'Answer in English.' }] }, userSays('Bonjour')],
      });
      assert.deepEqual(JSON.parse(log.output), { type: 'chat', messages: [assistantSays(REPLY)] });
      assert.deepEqual(JSON.parse(log.parameters), { max_tokens: 100 });
      assert.deepEqual(JSON.parse(log.tags), ['claude']);

      const stream = (await anthropic.messages.create(
        withPl({
          model: 'claude-sonnet-4-5',
          max_tokens: 100,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'Stream it' }] }],
          stream: true,
          return_pl_id: true,
        }),
      )) as unknown as AsyncIterable<[{ type: string; delta?: { text?: string } }, number | null]>;
      let text = '';
      let streamedId: number | null = null;
      for await (const [event, id] of stream) {
        if (id !== null) streamedId = id;
        else if (event.type === 'content_block_delta') text += event.delta?.text ?? '';
      }
      assert.equal(text, REPLY);
      assert.ok(streamedId !== null);
      sent = lastSent('/track-request');
      log = await row(streamedId);
      assertCommon(log, sent, {
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        functionName: 'anthropic.messages.create',
        apiType: 'messages',
      });
      assert.deepEqual(JSON.parse(log.output), { type: 'chat', messages: [assistantSays(REPLY)] });
    });

    it('without return_pl_id the app gets the plain response; group.create + track.group put the log in a group', async () => {
      const before = rec.sent.length;
      const response = (await openai.chat.completions.create(
        withPl({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'plain' }] }),
      )) as OpenAIClient.Chat.ChatCompletion;
      assert.equal(response.choices[0].message.content, REPLY);
      assert.equal(rec.sent.length, before + 1, 'one /track-request');
      const groupId = await pl.group.create();
      assert.ok(typeof groupId === 'number' && groupId > 0);
      const [, plId] = (await openai.chat.completions.create(
        withPl({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'grouped' }],
          return_pl_id: true,
        }),
      )) as unknown as [unknown, number];
      assert.equal(await pl.track.group({ request_id: plId, group_id: groupId }), true);
      assert.equal((await row(plId)).group_id, groupId);
    });

    it('the Python SDK wrapper body (pl.openai.OpenAI(), from its source): unix-second times, args, metadata, no span', async () => {
      // promptlayer/utils.py promptlayer_api_request: exactly these keys; times are datetime.now().timestamp().
      const start = 1_764_590_400.123;
      const res = await post('/track-request', {
        function_name: 'openai.OpenAI.chat.completions.create',
        provider_type: 'openai',
        args: [],
        kwargs: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'from python' }], top_p: 0.5 },
        tags: null,
        request_response: {
          id: 'x',
          object: 'chat.completion',
          model: 'gpt-4o-mini-2024',
          choices: [{ index: 0, message: { role: 'assistant', content: 'py reply' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 2 },
        },
        request_start_time: start,
        request_end_time: start + 0.25,
        metadata: { team: 'py' },
        api_key: TEST_API_KEY,
        span_id: null,
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<{
        success: boolean;
        request_id: number;
        prompt_blueprint: {
          prompt_template: { messages: unknown[] };
          metadata: { model: { provider: string; name: string } };
        };
      }>();
      assert.equal(body.success, true);
      assert.deepEqual(body.prompt_blueprint.prompt_template.messages, [
        userSays('from python'),
        assistantSays('py reply'),
      ]);
      assert.deepEqual(body.prompt_blueprint.metadata.model, {
        provider: 'openai',
        name: 'gpt-4o-mini-2024',
        parameters: { top_p: 0.5 },
      });
      const log = await row(body.request_id);
      assert.equal(log.model, 'gpt-4o-mini-2024', 'the model that answered');
      assert.equal(log.request_start_time, Math.round(start * 1000));
      assert.equal(log.latency_ms, 250);
      assert.deepEqual(JSON.parse(log.metadata), { team: 'py' });
      assert.deepEqual(JSON.parse(log.tags), []);
      assert.equal(log.span_id, null);
      assert.equal(log.input_tokens, 3);
      assert.equal(log.output_tokens, 2);
    });

    it('the Python SDK run() body (_prepare_track_request_kwargs): group, input variables, an error call', async () => {
      const groupId = (await post('/create-group', { api_key: TEST_API_KEY })).json().id as number;
      const now = Date.now() / 1000;
      const res = await post('/track-request', {
        function_name: 'anthropic.messages.create',
        provider_type: 'anthropic',
        args: [],
        kwargs: {
          model: 'claude-3-5-haiku',
          max_tokens: 20,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi Ada' }] }],
        },
        tags: ['run'],
        request_start_time: now,
        request_end_time: now + 1,
        api_key: TEST_API_KEY,
        metadata: { env: 'test' },
        prompt_input_variables: { name: 'Ada' },
        group_id: groupId,
        return_prompt_blueprint: true,
        span_id: 'ABCDEF0123456789',
        request_response: {},
        status: 'ERROR',
        error_type: 'PROVIDER_RATE_LIMIT',
        error_message: 'rate limited',
        some_future_field: { x: 1 },
      });
      assert.equal(res.statusCode, 200, res.body);
      const log = await row(res.json().request_id as number);
      assert.equal(log.status, 'ERROR');
      assert.equal(log.error_type, 'PROVIDER_RATE_LIMIT');
      assert.equal(log.error_message, 'rate limited');
      assert.equal(log.group_id, groupId);
      assert.equal(log.model, 'claude-3-5-haiku', 'model from the request when there is no response');
      assert.deepEqual(JSON.parse(log.output), { type: 'chat', messages: [] });
      assert.deepEqual(JSON.parse(log.prompt_input_variables), { name: 'Ada' });
      assert.equal(log.span_id, 'abcdef0123456789', 'span ids are stored lowercase');
      assert.equal(log.latency_ms, 1000);
    });

    it('score rule: the SDK default score 0 without a name is "not scored", on /track-request and /log-request alike', async () => {
      const base = {
        function_name: 'openai.chat.completions.create',
        provider_type: 'openai',
        kwargs: { model: 'm', messages: [] },
        request_response: {},
        request_start_time: 1,
        request_end_time: 2,
        api_key: TEST_API_KEY,
      };
      const scoreOf = async (res: Awaited<ReturnType<typeof post>>) => {
        assert.ok(res.statusCode === 200 || res.statusCode === 201, res.body);
        const log = await row(res.json<{ request_id: number }>().request_id);
        return [log.score, JSON.parse(log.scores)];
      };
      assert.deepEqual(await scoreOf(await post('/track-request', { ...base, score: 0 })), [null, {}]);
      assert.deepEqual(await scoreOf(await post('/track-request', { ...base, score: 40 })), [40, { default: 40 }]);
      assert.deepEqual(await scoreOf(await post('/track-request', { ...base, score: 0, score_name: 'accuracy' })), [
        null,
        { accuracy: 0 },
      ]);
      // The Python SDK's log_request() body: every default it sends, score 0 included.
      const logBody = {
        provider: 'openai',
        model: 'gpt-4o',
        input: { type: 'chat', messages: [userSays('q')] },
        output: { type: 'chat', messages: [assistantSays('a')] },
        request_start_time: 1_764_590_400.5,
        request_end_time: 1_764_590_401.5,
        parameters: {},
        tags: [],
        metadata: {},
        prompt_name: null,
        prompt_version_number: null,
        prompt_input_variables: {},
        input_tokens: 0,
        output_tokens: 0,
        price: 0.0,
        function_name: '',
        score: 0,
        prompt_id: null,
        score_name: null,
        api_type: null,
        status: 'SUCCESS',
        error_type: null,
        error_message: null,
      };
      const logReq = (b: unknown) => t.request({ method: 'POST', url: '/log-request', body: b });
      assert.deepEqual(await scoreOf(await logReq(logBody)), [null, {}]);
      assert.deepEqual(await scoreOf(await logReq({ ...logBody, score: 75 })), [75, { default: 75 }]);
      // A real zero is recorded with track.score, which has no default to confuse it with.
      const id = (await logReq(logBody)).json().request_id as number;
      assert.equal(await pl.track.score({ request_id: id, score: 0 }), true);
      assert.equal((await row(id)).score, 0);
    });

    it('ISO times without an offset are UTC whatever the server timezone', async () => {
      const tz = process.env.TZ;
      process.env.TZ = 'Asia/Kolkata';
      try {
        const res = await post('/track-request', {
          function_name: 'openai.chat.completions.create',
          kwargs: { model: 'm', messages: [] },
          request_response: {},
          api_key: TEST_API_KEY,
          request_start_time: '2026-12-01T10:00:00',
          request_end_time: '2026-12-01 10:00:01.500',
        });
        assert.equal(res.statusCode, 200, res.body);
        const log = await row(res.json().request_id as number);
        assert.equal(log.request_start_time, Date.UTC(2026, 11, 1, 10, 0, 0));
        assert.equal(log.latency_ms, 1500);
      } finally {
        if (tz === undefined) delete process.env.TZ;
        else process.env.TZ = tz;
      }
    });

    it('bad bodies get a clear 400 (never 500), a bad key 401, and unknown calls are still logged', async () => {
      const good = {
        function_name: 'openai.chat.completions.create',
        kwargs: { model: 'm', messages: [] },
        request_response: {},
        request_start_time: 1,
        request_end_time: 2,
        api_key: TEST_API_KEY,
      };
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ ...good, function_name: undefined }, /function_name/],
        [{ ...good, kwargs: 'text' }, /kwargs/],
        [{ ...good, request_start_time: 'yesterday' }, /request_start_time/],
        [{ ...good, request_start_time: 5, request_end_time: 4 }, /request_end_time/],
        [{ ...good, span_id: 'not-hex' }, /span_id/],
        [{ ...good, tags: [1] }, /tags/],
        [{ ...good, group_id: 999_999 }, /group/],
      ];
      for (const [body, message] of cases) {
        const res = await post('/track-request', body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
        assert.equal(res.json().success, false);
        assert.match(res.json().message, message);
      }
      const bad = await post('/track-request', { ...good, api_key: 'sk_wrong' });
      assert.equal(bad.statusCode, 401);
      const none = await post('/track-request', { ...good, api_key: undefined });
      assert.equal(none.statusCode, 401);
      const notJson = await t.request({
        method: 'POST',
        url: '/track-request',
        body: '{"function_name": ',
        apiKey: null,
      });
      assert.equal(notJson.statusCode, 400);

      // A response Strata cannot read is logged without output (refusing it would make the SDK throw in the app).
      for (const response of ['', [1, 2], null]) {
        const odd = await post('/track-request', { ...good, request_response: response, kwargs: undefined });
        assert.equal(odd.statusCode, 200, odd.body);
        const oddLog = await row(odd.json().request_id as number);
        assert.deepEqual(JSON.parse(oddLog.output), { type: 'chat', messages: [] });
        assert.equal(oddLog.model, 'unknown');
      }

      const legacy = await post('/track-request', {
        ...good,
        function_name: 'openai.completions.create',
        kwargs: { model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon', max_tokens: 5 },
        request_response: {
          model: 'gpt-3.5-turbo-instruct',
          choices: [{ text: ' a time' }],
          usage: { prompt_tokens: 2, completion_tokens: 3 },
        },
      });
      assert.equal(legacy.statusCode, 200, legacy.body);
      const log = await row(legacy.json().request_id as number);
      assert.deepEqual(JSON.parse(log.input), { type: 'completion', content: [{ type: 'text', text: 'Once upon' }] });
      assert.deepEqual(JSON.parse(log.output), { type: 'completion', content: [{ type: 'text', text: ' a time' }] });
      assert.equal(log.api_type, 'completions');
    });
  });
}
