// Tracing end to end on every dialect: a CommonJS app with the official JS SDK and `enableTracing: true` (its own
// process: the SDK registers a process-wide OpenTelemetry provider) makes wrapped OpenAI calls inside
// pl.wrapWithSpan against a fake provider; its span export reaches /spans-bulk, the spans are stored and the logs get
// their trace id, and the SDK writes nothing to stderr (no console.error/console.warn). Also /spans-bulk directly:
// span before log, idempotent re-export, bounds, and GET /api/public/v2/traces/{trace_id}.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { StoredRequestLogRow, StoredSpanRow } from '../src/db/schema.js';
import { DIALECTS } from './support/dialects.js';
import { startFakeLlm, REPLY, type FakeLlm } from './support/fake-llm-server.js';
import { startTestApp, TEST_API_KEY, type TestApp } from './support/test-app.js';

// OpenTelemetry's own OTLP/HTTP exporters (the wire formats the Python SDK's OTLPSpanExporter posts to /v1/traces);
// installed with the promptlayer SDK, loaded as CommonJS.
const require = createRequire(import.meta.url);
type OtlpExporter = {
  export(spans: unknown[], cb: (r: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
};
const { OTLPTraceExporter: ProtoExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as {
  OTLPTraceExporter: new (o: object) => OtlpExporter;
};
const { OTLPTraceExporter: JsonExporter } = require('@opentelemetry/exporter-trace-otlp-http') as {
  OTLPTraceExporter: new (o: object) => OtlpExporter;
};
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base') as {
  BasicTracerProvider: new (o: object) => {
    getTracer(n: string): {
      startSpan(
        n: string,
        o?: object,
        ctx?: unknown,
      ): {
        spanContext(): { traceId: string; spanId: string };
        setAttribute(k: string, v: unknown): void;
        addEvent(n: string): void;
        setStatus(s: object): void;
        end(): void;
      };
    };
    forceFlush(): Promise<void>;
  };
  InMemorySpanExporter: new () => { getFinishedSpans(): unknown[] };
  SimpleSpanProcessor: new (e: unknown) => unknown;
};
const otelApi = require('@opentelemetry/api') as {
  trace: { setSpan(ctx: unknown, span: unknown): unknown };
  context: { active(): unknown };
};

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'sdk-tracing-client.cjs');
const hex = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => ((seed * 7 + i * 3) % 16).toString(16)).join('');

interface Sent {
  path: string;
  status: number;
  body: Record<string, unknown>;
}
interface ExportedSpan {
  name: string;
  context: { trace_id: string; span_id: string; trace_state: string };
  kind: string;
  parent_id: string | null;
  start_time: string;
  end_time: string;
  status: { status_code: string };
  attributes: Record<string, unknown>;
  resource: { attributes: Record<string, unknown> };
}

function runClient(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLIENT],
      { env: { ...process.env, ...env }, cwd: path.dirname(CLIENT), timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

const span = (traceId: string, spanId: string, extra: Record<string, unknown> = {}) => ({
  name: 'step',
  context: { trace_id: traceId, span_id: spanId, trace_state: '' },
  kind: 'SpanKind.INTERNAL',
  parent_id: null,
  start_time: '1764590400000000000',
  end_time: '1764590400250000000',
  status: { status_code: 'StatusCode.OK', description: undefined },
  attributes: { k: 'v' },
  events: [],
  links: [],
  resource: { attributes: { 'service.name': 'prompt-layer-js' }, schema_url: '' },
  ...extra,
});

for (const dialect of DIALECTS) {
  describe(`tracing: /spans-bulk and trace links [${dialect}]`, () => {
    let t: TestApp;
    let llm: FakeLlm;
    let baseUrl = '';
    const logRow = async (id: number): Promise<StoredRequestLogRow> =>
      t.app.dbh.db.selectFrom('request_logs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const spanRows = async (traceId: string): Promise<StoredSpanRow[]> =>
      t.app.dbh.db.selectFrom('spans').selectAll().where('trace_id', '=', traceId).orderBy('id').execute();

    before(async () => {
      t = await startTestApp(dialect);
      llm = await startFakeLlm();
      baseUrl = await t.listen();
    });
    after(async () => {
      await t.close();
      await llm.close();
    });

    it('the JS SDK with enableTracing: spans stored, logs linked to their trace, nothing on stderr', async () => {
      const { stdout, stderr } = await runClient({ PL_BASE_URL: baseUrl, PL_API_KEY: TEST_API_KEY, LLM_URL: llm.url });
      assert.equal(stderr, '', 'the SDK printed no console.error/console.warn');
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      assert.ok(line, stdout);
      const { result, sent } = JSON.parse(line.slice('RESULT '.length)) as {
        result: { text: string; plId: number; streamed: string; streamedId: number };
        sent: Sent[];
      };
      assert.equal(result.text, REPLY);
      assert.equal(result.streamed, REPLY);

      const tracks = sent.filter((s) => s.path === '/track-request');
      const exports = sent.filter((s) => s.path === '/spans-bulk');
      assert.equal(tracks.length, 2);
      assert.ok(exports.length >= 3, 'one export per ended span (two calls and the wrapping span)');
      for (const e of sent) assert.ok(e.status === 200 || e.status === 201, `${e.path} answered ${e.status}`);
      const spans = exports.flatMap((e) => (e.body as { spans: ExportedSpan[] }).spans);
      assert.deepEqual(Object.keys(spans[0]).sort(), [
        'attributes',
        'context',
        'end_time',
        'events',
        'kind',
        'links',
        'name',
        'parent_id',
        'resource',
        'start_time',
        'status',
      ]);
      const outer = spans.find((s) => s.name === 'answer-question');
      assert.ok(outer, `spans: ${spans.map((s) => s.name).join(', ')}`);
      assert.equal(outer.attributes['app.step'], 'qa');
      assert.match(outer.start_time, /^\d{19}$/, 'nanosecond strings');
      const traceId = outer.context.trace_id;

      // Each tracked call names its own span; that span is a child of the wrapping span, in the same trace.
      for (const [track, id] of [
        [tracks[0], result.plId],
        [tracks[1], result.streamedId],
      ] as const) {
        const spanId = String(track.body.span_id);
        const callSpan = spans.find((s) => s.context.span_id === spanId);
        assert.ok(callSpan, `the span ${spanId} of /track-request was exported`);
        assert.equal(callSpan.name, 'openai.openai.chat.completions.create');
        assert.equal(callSpan.parent_id, outer.context.span_id);
        assert.equal(callSpan.context.trace_id, traceId);
        const log = await logRow(id);
        assert.equal(log.span_id, spanId);
        assert.equal(log.trace_id, traceId, 'the span arrived after the log and linked it');
      }

      const stored = await spanRows(traceId);
      assert.deepEqual(
        stored.map((s) => s.span_id).sort(),
        spans
          .filter((s) => s.context.trace_id === traceId)
          .map((s) => s.context.span_id)
          .sort(),
      );
      const outerRow = stored.find((s) => s.name === 'answer-question')!;
      assert.equal(outerRow.status_code, outer.status.status_code);
      assert.equal(outerRow.start_time_ns, outer.start_time);
      assert.equal(outerRow.start_time, Number(BigInt(outer.start_time) / 1_000_000n));
      assert.deepEqual(JSON.parse(outerRow.resource), outer.resource);

      const trace = await t.request({ method: 'GET', url: `/api/public/v2/traces/${traceId}` });
      assert.equal(trace.statusCode, 200, trace.body);
      const body = trace.json<{
        success: boolean;
        trace_id: string;
        spans: Array<{
          span_id: string;
          name: string;
          parent_id: string | null;
          request_log_id: number | null;
          start_time: string;
        }>;
      }>();
      assert.equal(body.success, true);
      assert.equal(body.trace_id, traceId);
      assert.equal(body.spans.length, stored.length);
      const byId = new Map(body.spans.map((s) => [s.span_id, s]));
      assert.equal(byId.get(String(tracks[0].body.span_id))?.request_log_id, result.plId);
      assert.equal(byId.get(String(tracks[1].body.span_id))?.request_log_id, result.streamedId);
      assert.equal(byId.get(outer.context.span_id)?.request_log_id, null);
      assert.match(body.spans[0].start_time, /Z$/);
    });

    it('a span stored before its log: the tracked log gets the trace id at once', async () => {
      const traceId = hex(32, 1);
      const spanId = hex(16, 2);
      const res = await t.request({ method: 'POST', url: '/spans-bulk', body: { spans: [span(traceId, spanId)] } });
      assert.equal(res.statusCode, 201, res.body);
      const created = res.json<{
        success: boolean;
        spans: Array<{ id: number; name: string; span_id: string }>;
        request_logs: unknown[];
      }>();
      assert.equal(created.success, true);
      assert.deepEqual(
        created.spans.map((s) => [s.name, s.span_id]),
        [['step', spanId]],
      );
      assert.deepEqual(created.request_logs, []);

      const tracked = await t.request({
        method: 'POST',
        url: '/track-request',
        apiKey: null,
        body: {
          api_key: TEST_API_KEY,
          function_name: 'openai.chat.completions.create',
          kwargs: { model: 'm', messages: [] },
          request_response: {},
          request_start_time: 1,
          request_end_time: 2,
          span_id: spanId,
        },
      });
      assert.equal(tracked.statusCode, 200, tracked.body);
      assert.equal(tracked.json().trace_id, traceId);
      assert.equal((await logRow(tracked.json().request_id as number)).trace_id, traceId);

      // Re-exporting the same span is idempotent: same row, and the answer names the linked log.
      const again = await t.request({
        method: 'POST',
        url: '/spans-bulk',
        body: { spans: [span(traceId, spanId, { name: 'renamed' })] },
      });
      assert.equal(again.statusCode, 201, again.body);
      assert.deepEqual(again.json().spans, created.spans);
      assert.deepEqual(again.json().request_logs, [{ id: tracked.json().request_id, span_id: spanId }]);
      assert.equal((await spanRows(traceId)).length, 1);
    });

    it('spans are workspace-scoped: another workspace neither sees nor links them', async () => {
      const traceId = hex(32, 5);
      const spanId = hex(16, 6);
      assert.equal(
        (await t.request({ method: 'POST', url: '/spans-bulk', body: { spans: [span(traceId, spanId)] } })).statusCode,
        201,
      );
      const { key } = await t.app.auth.createApiKeyInWorkspace('other', 'tracing test');
      const other = await t.request({ method: 'GET', url: `/api/public/v2/traces/${traceId}`, apiKey: key });
      assert.equal(other.statusCode, 404, other.body);
      // Its own span with the same id is its own row; the default workspace's trace is untouched.
      const mine = await t.request({
        method: 'POST',
        url: '/spans-bulk',
        body: { spans: [span(hex(32, 8), spanId)] },
        apiKey: key,
      });
      assert.equal(mine.statusCode, 201, mine.body);
      assert.equal((await spanRows(traceId)).length, 1);
      const missing = await t.request({ method: 'GET', url: `/api/public/v2/traces/${hex(32, 9)}` });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().success, false);
    });

    it("OTLP/HTTP at /v1/traces (protobuf, JSON, gzip) from OpenTelemetry's exporters: stored and linked like /spans-bulk", async () => {
      // Real spans: a parent and a child with attributes of every type, an event and an error status.
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
      const tracer = provider.getTracer('otlp-test');
      const parent = tracer.startSpan('agent-turn');
      const child = tracer.startSpan(
        'openai.OpenAI.chat.completions.create',
        { kind: 2 /* api SpanKind.CLIENT */ },
        otelApi.trace.setSpan(otelApi.context.active(), parent),
      );
      child.setAttribute('gen_ai.request.model', 'gpt-4o');
      child.setAttribute('gen_ai.usage.input_tokens', 25);
      child.setAttribute('ratio', 0.5);
      child.setAttribute('ok', true);
      child.setAttribute('tags', ['a', 'b']);
      child.addEvent('first-token');
      child.setStatus({ code: 2, message: 'boom' });
      child.end();
      parent.end();
      const spans = memory.getFinishedSpans();
      const traceId = parent.spanContext().traceId;
      const childId = child.spanContext().spanId;

      // A log tracked with the child's span id first (as the Python wrapper does), then the export links it.
      const tracked = await t.request({
        method: 'POST',
        url: '/track-request',
        apiKey: null,
        body: {
          api_key: TEST_API_KEY,
          function_name: 'openai.OpenAI.chat.completions.create',
          kwargs: { model: 'gpt-4o', messages: [] },
          request_response: {},
          request_start_time: 1,
          request_end_time: 2,
          span_id: childId,
        },
      });
      assert.equal(tracked.statusCode, 200, tracked.body);

      for (const [Exporter, compression] of [
        [ProtoExporter, 'none'],
        [JsonExporter, 'gzip'],
        [ProtoExporter, 'gzip'],
        [JsonExporter, 'none'],
      ] as const) {
        const exporter = new Exporter({
          url: `${baseUrl}/v1/traces`,
          headers: { 'X-Api-Key': TEST_API_KEY },
          compression,
        });
        const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
        assert.equal(
          result.code,
          0,
          `${Exporter === ProtoExporter ? 'protobuf' : 'json'}/${compression}: ${result.error?.message}`,
        );
        await exporter.shutdown();
      }
      const stored = await spanRows(traceId);
      assert.equal(stored.length, 2, 'four exports of the same two spans: stored once');
      const c = stored.find((s) => s.span_id === childId)!;
      assert.equal(c.name, 'openai.OpenAI.chat.completions.create');
      assert.equal(c.parent_id, parent.spanContext().spanId);
      assert.equal(c.kind, 'SpanKind.CLIENT');
      assert.equal(c.status_code, 'StatusCode.ERROR');
      assert.equal(c.status_description, 'boom');
      assert.deepEqual(JSON.parse(c.attributes), {
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 25,
        ratio: 0.5,
        ok: true,
        tags: ['a', 'b'],
      });
      assert.deepEqual(
        (JSON.parse(c.events) as Array<{ name: string }>).map((e) => e.name),
        ['first-token'],
      );
      assert.match(c.start_time_ns, /^\d{19}$/);
      assert.equal(
        typeof (JSON.parse(c.resource) as { attributes: Record<string, unknown> }).attributes['service.name'],
        'string',
      );
      assert.equal((await logRow(tracked.json().request_id as number)).trace_id, traceId);

      const bad = await t.request({
        method: 'POST',
        url: '/v1/traces',
        body: Buffer.from([0x0a, 0xff, 0xff]),
        headers: { 'content-type': 'application/x-protobuf' },
      });
      assert.ok(bad.statusCode === 400 || bad.statusCode === 422, bad.body);
      const noKey = await t.request({ method: 'POST', url: '/v1/traces', body: { resourceSpans: [] }, apiKey: null });
      assert.equal(noKey.statusCode, 401);
    });

    it('bounds and bad bodies: clear 4xx', async () => {
      const traceId = hex(32, 3);
      const post = (body: unknown, apiKey?: string | null) =>
        t.request({ method: 'POST', url: '/spans-bulk', body, apiKey });
      const cases: Array<[unknown, number, RegExp]> = [
        [{}, 400, /spans/],
        [{ spans: [] }, 400, /spans/],
        [
          { spans: Array.from({ length: 1001 }, (_, i) => span(traceId, i.toString(16).padStart(16, '0'))) },
          400,
          /spans/,
        ],
        [{ spans: [span('xyz', hex(16, 1))] }, 400, /trace_id/],
        [{ spans: [span(traceId, 'short')] }, 400, /span_id/],
        [{ spans: [span(traceId, hex(16, 4), { start_time: 'noon' })] }, 400, /start_time/],
        [{ spans: [span(traceId, hex(16, 4), { attributes: { big: 'x'.repeat(600 * 1024) } })] }, 413, /bytes/],
      ];
      for (const [body, status, message] of cases) {
        const res = await post(body);
        assert.equal(res.statusCode, status, res.body.slice(0, 300));
        assert.match(res.json().message, message);
      }
      assert.equal((await post({ spans: [span(traceId, hex(16, 7))] }, null)).statusCode, 401);
      assert.equal((await spanRows(traceId)).length, 0, 'nothing stored from refused bodies');
    });
  });
}
