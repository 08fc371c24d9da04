// Property-based fuzzing of EVERY operation in /openapi.json (discovered at run time, so new routes are covered
// automatically): params, queries and bodies are generated from each operation's schemas mixed with hostile values;
// no answer may be a 5xx and the server must stay healthy. Seeded and reproducible: STRATA_FUZZ_SEED picks the seed,
// STRATA_FUZZ_RUNS the cases per operation (default 40 per dialect; `STRATA_FUZZ_RUNS=500` for a long run).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DIALECTS } from './support/dialects.js';
import { b64, startTestApp, TEST_API_KEY, waitFor, type TestApp } from './support/test-app.js';
import {
  hostileValue,
  RawJson,
  SchemaArbitraries,
  toJsonText,
  toParamText,
  type OpenApiDoc,
  type Operation,
} from './support/openapi-arbitraries.js';

const SEED = Number(process.env.STRATA_FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.STRATA_FUZZ_RUNS ?? 40);
/** Only operations matching this regular expression (e.g. `POST /v1`), for chasing one finding. */
const ONLY = process.env.STRATA_FUZZ_ONLY ? new RegExp(process.env.STRATA_FUZZ_ONLY) : undefined;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A counterexample as short JSON: long strings and raw JSON are shown by their start and length. */
function summarize(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof RawJson) x = x.text;
    return typeof x === 'string' && x.length > 60 ? `${x.slice(0, 24)}…(${x.length} chars)` : x;
  });
}

const hashOf = (s: string) => [...s].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0, 2166136261);

/** Lone surrogates become U+FFFD (URLs cannot carry them; raw bad bytes are sent through `raw:` path values). */
const wellFormed = (s: string) =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

interface Case {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  auth: 'key' | 'none' | 'wrong';
}

for (const dialect of DIALECTS) {
  describe(`OpenAPI fuzz [${dialect}]`, () => {
    let t: TestApp;
    let doc: OpenApiDoc;
    let apiKey = TEST_API_KEY;
    /** Ids of real objects, so generated paths reach handlers and not only 404s. */
    const pool = { int: [] as number[], hex: [] as string[], names: [] as string[] };

    before(async () => {
      t = await startTestApp(dialect, { STRATA_OUTBOUND_ALLOWLIST: '127.0.0.1' });
      doc = (await t.request({ method: 'GET', url: '/openapi.json' })).json<OpenApiDoc>();
      const api = async (method: string, url: string, body?: unknown) => {
        const r = await t.request({ method, url, body });
        assert.ok(r.statusCode < 300, `${method} ${url}: ${r.statusCode} ${r.body}`);
        return r.json();
      };
      const g = await api('POST', '/api/public/v2/dataset-groups', { name: 'fuzz' });
      pool.int.push(g.dataset_group.id, g.dataset.id);
      const v = await api('POST', '/api/public/v2/dataset-versions/from-file', {
        dataset_group_id: g.dataset_group.id,
        file_name: 'a.csv',
        file_content_base64: b64('a,b\n1,x\n2,y\n'),
      });
      pool.int.push(v.dataset_id);
      await waitFor(
        async () => (await api('GET', `/api/public/v2/datasets/${v.dataset_id}`)).dataset.status === 'ready',
        20_000,
        'file version',
      );
      await api('POST', `/api/public/v2/datasets/${g.dataset.id}/rows`, { rows: [{ a: 1 }, { a: 2 }] });
      const chat = { type: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };
      const log = await api('POST', '/log-request', {
        provider: 'openai',
        model: 'm',
        input: chat,
        output: chat,
        request_start_time: 1,
        request_end_time: 2,
        tags: ['t'],
        metadata: { k: 'v' },
      });
      if (typeof log.id === 'number') pool.int.push(log.id);
      const n = await api('POST', '/v1/datasets', {
        name: 'fuzz-n',
        folder: '/f',
        schema: [{ name: 'a', type: { name: 'string' } }],
        rows: [{ a: 'x' }],
      });
      pool.hex.push(n.id);
      const w = await t.request({
        method: 'POST',
        url: '/api/public/v2/webhooks',
        body: { url: 'http://127.0.0.1:9/hook' },
      });
      if (w.statusCode < 300) pool.int.push(w.json().webhook?.id ?? 1);
      pool.names.push('fuzz', 'greeting');
    });
    after(async () => t?.close());

    const pathValue = (name: string, schema: Record<string, unknown>): fc.Arbitrary<unknown> => {
      const numeric = schema.type === 'integer' || schema.type === 'number';
      const real = numeric
        ? fc.constantFrom(...pool.int, 1, 2, 2 ** 31)
        : fc.constantFrom(...pool.hex, ...pool.names, 'x');
      return fc.oneof(
        { arbitrary: real, weight: 6 },
        {
          arbitrary: fc.constantFrom(
            '0',
            '-1',
            '1.5',
            '0x10',
            '2147483648',
            '9223372036854775808',
            '1e400',
            '%00',
            '%2e%2e%2f',
            'a'.repeat(5000),
            '%F0%9F%99%82',
            ' 1',
            'raw:%00',
            'raw:%ED%A0%80',
            'raw:%FF',
            'raw:%',
            'raw:..%2F..%2F',
          ),
          weight: 3,
        },
        { arbitrary: hostileValue.filter((v) => !(v instanceof RawJson) || v.text.length < 2000), weight: 1 },
      );
    };

    function caseArbitrary(op: Operation, arbs: SchemaArbitraries): fc.Arbitrary<Case> {
      const params: Record<string, fc.Arbitrary<unknown>> = {};
      const query: Record<string, fc.Arbitrary<unknown>> = {};
      for (const p of op.parameters ?? []) {
        if (p.in === 'path') params[p.name] = pathValue(p.name, p.schema);
        else if (p.in === 'query') query[p.name] = arbs.value(p.schema);
      }
      const schema = op.requestBody?.content?.['application/json']?.schema;
      const body = schema
        ? fc.oneof(
            { arbitrary: arbs.value(schema), weight: 12 },
            {
              arbitrary: fc.constantFrom(
                undefined,
                new RawJson('{"a":'),
                new RawJson('[]'),
                new RawJson('"text"'),
                new RawJson(''),
              ),
              weight: 1,
            },
          )
        : fc.constant(undefined);
      return fc.record({
        params: fc.record(params),
        query: fc.record(query, { requiredKeys: [] }),
        body,
        auth: fc.constantFrom<Case['auth']>('key', 'key', 'key', 'key', 'key', 'key', 'key', 'key', 'none', 'wrong'),
      });
    }

    async function send(method: string, template: string, c: Case) {
      const url = template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const text = toParamText(c.params[name]);
        return text.startsWith('raw:') ? text.slice(4) : encodeURIComponent(wellFormed(text));
      });
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(c.query)) {
        if (v === undefined) continue;
        if (Array.isArray(v)) for (const x of v) qs.append(k, wellFormed(toParamText(x)));
        else qs.append(k, wellFormed(toParamText(v)));
      }
      const full = qs.size > 0 ? `${url}?${qs}` : url;
      const key = c.auth === 'key' ? apiKey : c.auth === 'wrong' ? 'sk_strata_not_a_real_key_000000000' : null;
      return t.request({
        method: method.toUpperCase(),
        url: full,
        body: c.body === undefined ? undefined : toJsonText(c.body),
        apiKey: key,
      });
    }

    it('answers every generated request to every operation without a 5xx, and stays healthy', async () => {
      const ops: Array<[string, string, Operation]> = [];
      for (const [p, byMethod] of Object.entries(doc.paths)) {
        for (const [m, op] of Object.entries(byMethod))
          if (METHODS.includes(m) && (!ONLY || ONLY.test(`${m.toUpperCase()} ${p}`))) ops.push([m, p, op]);
      }
      // Deletions last, so they do not remove the fixtures the other operations aim at.
      ops.sort((a, b) => Number(a[0] === 'delete') - Number(b[0] === 'delete'));
      assert.ok(ONLY || ops.length >= 60, `only ${ops.length} operations in /openapi.json`);
      const arbs = new SchemaArbitraries(doc, 0.12);
      const failures: string[] = [];
      let cases = 0;
      const started = Date.now();
      for (const [method, path, op] of ops) {
        // Each operation's seed depends on its name only, so a finding replays alone with STRATA_FUZZ_ONLY.
        const seed = (SEED ^ hashOf(`${method} ${path}`)) >>> 0;
        const opStart = Date.now();
        const result = await fc.check(
          fc.asyncProperty(caseArbitrary(op, arbs), async (c) => {
            cases++;
            const t0 = Date.now();
            const res = await send(method, path, c);
            if (process.env.STRATA_FUZZ_VERBOSE && Date.now() - t0 > 500)
              console.log(`slow ${Date.now() - t0} ms: ${method.toUpperCase()} ${path} ${toJsonText(c).slice(0, 300)}`);
            if (res.statusCode >= 500)
              throw new Error(`${method.toUpperCase()} ${path} → ${res.statusCode} ${res.body.slice(0, 300)}`);
            const health = await t.request({ method: 'GET', url: '/healthz', apiKey: null });
            if (health.statusCode !== 200)
              throw new Error(`/healthz answered ${health.statusCode} after ${method.toUpperCase()} ${path}`);
            if (
              path.startsWith('/api/public/v2/api-keys') &&
              (await t.request({ method: 'GET', url: '/api/auth/me', apiKey })).statusCode === 401
            ) {
              apiKey = (await t.app.auth.createApiKeyInWorkspace('default', 'fuzz')).key; // the case revoked our key: carry on with a new one
            }
          }),
          { seed, numRuns: RUNS, endOnFailure: true },
        );
        if (process.env.STRATA_FUZZ_VERBOSE)
          console.log(`${method.toUpperCase()} ${path}: ${Date.now() - opStart} ms${result.failed ? ' FAILED' : ''}`);
        if (result.failed)
          failures.push(
            `${String(result.errorInstance)}\n    counterexample: ${summarize(result.counterexample).slice(0, 600)} (seed ${seed}, path ${result.counterexamplePath})`,
          );
      }
      const ms = Date.now() - started;
      console.log(
        `fuzz [${dialect}]: ${ops.length} operations, ${cases} requests (incl. shrinking) in ${ms} ms, seed ${SEED}`,
      );
      assert.deepEqual(failures, [], `${failures.length} operations answered 5xx:\n${failures.join('\n')}`);
    });
  });
}
