// PromptLayer's documented read shapes (GET /requests/{id}, POST /requests/search, GET /datasets), asserted field by
// field on every dialect, and the smaller compatibility gaps of issue 9: api_key in /rest/track-* bodies, unknown
// templates stored unlinked, 1,024-character metadata keys, offset-less times read as UTC, create-draft over the
// untouched draft, and add-request-log keeping a log's output beside a variable named `output`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PromptLayer } from 'promptlayer';
import { DIALECTS } from './support/dialects.js';
import { b64, startTestApp, TEST_API_KEY, waitFor, type TestApp } from './support/test-app.js';

const chat = (role: 'user' | 'assistant', text: string) => ({
  type: 'chat' as const,
  messages: [{ role, content: [{ type: 'text' as const, text }] }],
});
const BASE = Date.UTC(2026, 4, 3, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
/** Random ASCII letters: incompressible enough that PostgreSQL cannot shrink an index entry holding it. */
const randomText = (n: number) => Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join('');

for (const dialect of DIALECTS) {
  describe(`PromptLayer read shapes and compatibility gaps [${dialect}]`, () => {
    let t: TestApp;
    let pl: PromptLayer;
    let baseUrl: string;
    const ids: number[] = [];
    const api = async (method: string, url: string, body?: unknown) => t.request({ method, url, body });
    const ok = async (method: string, url: string, body?: unknown, status = 200) => {
      const res = await api(method, url, body);
      assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
      return res.json();
    };

    before(async () => {
      t = await startTestApp(dialect);
      baseUrl = await t.listen();
      pl = new PromptLayer({ apiKey: TEST_API_KEY, baseURL: baseUrl });
      // Five logs, i = 0..4: price rises with i, latency falls with i.
      for (let i = 0; i < 5; i++) {
        const r = await pl.logRequest({
          provider: 'openai',
          model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
          input: chat('user', `question ${i}`),
          output: chat('assistant', `answer ${i}`),
          request_start_time: (BASE + i * 60_000) / 1000,
          request_end_time: (BASE + i * 60_000 + (5 - i) * 1000) / 1000,
          parameters: { temperature: 0.1 * i },
          input_tokens: 10 + i,
          output_tokens: 20 + i,
          price: 0.05 * i,
          tags: i === 2 ? ['prod', 'eu'] : [],
          metadata: i === 2 ? { user_id: 'customer_123' } : {},
          ...(i === 2 ? { score: 80 } : {}),
        });
        ids.push(r!.id);
      }
      await pl.track.score({ request_id: ids[2], score: 55, name: 'accuracy' });
    });
    after(async () => t.close());

    it("GET /requests/{id} answers the documented fields at top level, with Strata's log kept as `request`", async () => {
      const traceId = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
      await t.app.dbh.db
        .updateTable('request_logs')
        .set({ trace_id: traceId, span_id: '00f067aa0ba902b7' })
        .where('id', '=', ids[3])
        .execute();
      const body = await ok('GET', `/api/public/v2/requests/${ids[3]}`);
      const start = BASE + 3 * 60_000;
      assert.deepEqual(Object.keys(body).sort(), [
        'input_tokens',
        'latency_ms',
        'model',
        'output_tokens',
        'price',
        'prompt_blueprint',
        'provider',
        'request',
        'request_end_time',
        'request_id',
        'request_start_time',
        'success',
        'tokens',
        'trace_id',
      ]);
      assert.equal(body.success, true);
      assert.equal(body.request_id, ids[3]);
      assert.equal(body.provider, 'openai');
      assert.equal(body.model, 'gpt-4o');
      assert.equal(body.input_tokens, 13);
      assert.equal(body.output_tokens, 23);
      assert.equal(body.tokens, 36);
      assert.ok(Math.abs(body.price - 0.15) < 1e-9);
      assert.equal(body.request_start_time, iso(start));
      assert.equal(body.request_end_time, iso(start + 2000));
      assert.equal(body.latency_ms, 2000);
      assert.equal(body.trace_id, traceId);
      assert.deepEqual(body.prompt_blueprint, {
        prompt_template: {
          type: 'chat',
          messages: [...chat('user', 'question 3').messages, ...chat('assistant', 'answer 3').messages],
        },
        metadata: { model: { provider: 'openai', name: 'gpt-4o', parameters: { temperature: 0.30000000000000004 } } },
        inference_client_name: null,
      });
      // Strata's richer object, which the UI reads, is still there in full.
      assert.equal(body.request.id, ids[3]);
      assert.equal(body.request.input_text, 'question 3');
      assert.equal(body.request.output_text, 'answer 3');
      assert.equal(body.request.trace_id, traceId);
      assert.equal(body.request.span_id, '00f067aa0ba902b7');
      assert.deepEqual(body.request.metadata, {});
      const untraced = await ok('GET', `/api/public/v2/requests/${ids[0]}`);
      assert.equal(untraced.trace_id, null);
      assert.equal((await api('GET', '/api/public/v2/requests/999999')).statusCode, 404);
    });

    it('POST /requests/search takes the documented body and answers the documented items and paging keys', async () => {
      // The reference's own example: cost >= 0.1, sorted by cost, descending.
      const res = await ok('POST', '/api/public/v2/requests/search', {
        filter_group: {
          logic: 'AND',
          filters: [
            { field: 'cost', operator: 'gte', value: 0.1 },
            { field: 'request_start_time', operator: 'after', value: '2026-05-03T00:00:00Z' },
          ],
        },
        page: 1,
        per_page: 25,
        sort_by: 'cost',
        sort_order: 'desc',
      });
      assert.deepEqual(
        res.items.map((x: { id: number }) => x.id),
        [ids[4], ids[3], ids[2]],
      );
      assert.deepEqual(
        {
          page: res.page,
          pages: res.pages,
          per_page: res.per_page,
          total: res.total,
          has_next: res.has_next,
          has_prev: res.has_prev,
          next_num: res.next_num,
          prev_num: res.prev_num,
          warnings: res.warnings,
        },
        {
          page: 1,
          pages: 1,
          per_page: 25,
          total: 3,
          has_next: false,
          has_prev: false,
          next_num: null,
          prev_num: null,
          warnings: [],
        },
      );
      const item = res.items[2];
      // The documented RequestLogSearchResult fields, one by one.
      assert.equal(item.id, ids[2]);
      assert.equal(item.engine, 'gpt-4o-mini');
      assert.equal(item.provider_type, 'openai');
      assert.equal(item.input_tokens, 12);
      assert.equal(item.output_tokens, 22);
      assert.ok(Math.abs(item.price - 0.1) < 1e-9);
      assert.equal(item.request_start_time, iso(BASE + 2 * 60_000));
      assert.equal(item.request_end_time, iso(BASE + 2 * 60_000 + 3000));
      assert.equal(item.latency, 3);
      assert.deepEqual(item.tags_array, ['prod', 'eu']);
      assert.deepEqual(item.metadata, [{ user_id: 'customer_123' }]);
      assert.deepEqual(
        [...item.scores].sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
        [
          { name: 'accuracy', score: 55 },
          { name: 'default', score: 80 },
        ],
      );
      assert.equal(item.prompt_name, null);
      // Strata's names stay beside them.
      assert.equal(item.model, 'gpt-4o-mini');
      assert.equal(item.provider, 'openai');
      assert.equal(item.latency_ms, 3000);
      assert.deepEqual(item.tags, ['prod', 'eu']);
      assert.deepEqual(item.metadata_map, { user_id: 'customer_123' });
      assert.deepEqual(item.scores_map, { accuracy: 55, default: 80 });
      assert.equal(item.score, 80);
      assert.equal(typeof item.input_text, 'string');

      // Default page size 10; paging keys; the documented sort names latency_ms and Strata's older ones.
      const paged = await ok('POST', '/api/public/v2/requests/search', {
        per_page: 2,
        page: 2,
        sort_by: 'latency_ms',
        sort_order: 'asc',
      });
      assert.deepEqual(
        paged.items.map((x: { id: number }) => x.id),
        [ids[2], ids[1]],
      );
      assert.deepEqual(
        [paged.pages, paged.has_next, paged.has_prev, paged.next_num, paged.prev_num],
        [3, true, true, 3, 1],
      );
      const defaults = await ok('POST', '/api/public/v2/requests/search', {
        page: null,
        per_page: null,
        q: null,
        sort_by: null,
        sort_order: null,
        filter_group: null,
        include_prompt_name: true,
      });
      assert.equal(defaults.per_page, 10);
      assert.equal(defaults.page, 1);
      assert.deepEqual(
        defaults.items.map((x: { id: number }) => x.id),
        [...ids].reverse(),
        'newest first',
      );
      const legacy = await ok('POST', '/api/public/v2/requests/search', { sort_by: 'latency', sort_order: 'desc' });
      assert.deepEqual(
        legacy.items.map((x: { id: number }) => x.id),
        ids,
      );
      const byPrice = await ok('POST', '/api/public/v2/requests/search', {
        sort_by: 'price',
        sort_order: 'asc',
        per_page: 100,
      });
      assert.deepEqual(
        byPrice.items.map((x: { id: number }) => x.id),
        ids,
      );

      // Fields it cannot honour are named, never dropped silently.
      const warned = await ok('POST', '/api/public/v2/requests/search', {
        metadata_cost_breakdown_key: 'user_id',
        tagz: ['x'],
      });
      assert.equal(warned.total, 5);
      assert.equal(warned.warnings.length, 2, JSON.stringify(warned.warnings));
      assert.ok(warned.warnings.some((w: string) => w.includes('"tagz"')));
      assert.ok(warned.warnings.some((w: string) => w.includes('metadata_cost_breakdown_key')));
      const inGroup = await ok('POST', '/api/public/v2/requests/search', {
        filter_group: {
          logic: 'AND',
          combinator: 'x',
          filters: [
            { field: 'engine', operator: 'is', value: 'gpt-4o', negate: true },
            { filters: [{ field: 'cost', operator: 'gte', value: 0, unit: 'usd' }] },
          ],
        },
      });
      assert.equal(inGroup.total, 2);
      assert.deepEqual(inGroup.warnings, [
        '"filter_group.combinator" is not a field of a filter group; ignored',
        '"filter_group.filters.0.negate" is not a field of a filter; ignored',
        '"filter_group.filters.1.filters.0.unit" is not a field of a filter; ignored',
      ]);
      for (const field of ['is_json', 'tool_names', 'user_intent']) {
        const bad = await api('POST', '/api/public/v2/requests/search', {
          filter_group: { filters: [{ field, operator: 'is_true' }] },
        });
        assert.equal(bad.statusCode, 400);
        assert.match(
          bad.json().error,
          new RegExp(
            `filter_group\\.filters\\.0\\.field: "${field}" is a PromptLayer field that Strata does not support`,
          ),
        );
      }
      const nestedOutput = await api('POST', '/api/public/v2/requests/search', {
        filter_group: { filters: [{ field: 'output', operator: 'key_equals', nested_key: 'action', value: 'x' }] },
      });
      assert.equal(nestedOutput.statusCode, 400);
      assert.match(nestedOutput.json().error, /output.*nested_key/);
      assert.equal((await api('POST', '/api/public/v2/requests/search', { sort_by: 'bogus' })).statusCode, 400);
      assert.equal((await api('POST', '/api/public/v2/requests/search', { per_page: 101 })).statusCode, 400);
    });

    it('GET /datasets honours the documented filters and names what it cannot link', async () => {
      await t.app.auth.createUser('ana@example.com', 'correct horse', 'default');
      const login = await t.request({
        method: 'POST',
        url: '/api/auth/login',
        body: { email: 'ana@example.com', password: 'correct horse' },
        apiKey: null,
      });
      const jwt = login.json().access_token as string;
      const byKey = await ok('POST', '/api/public/v2/dataset-groups', { name: 'by-key' }, 201);
      const before = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      const byAna = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-groups',
        body: { name: 'by-ana' },
        apiKey: null,
        headers: { authorization: `Bearer ${jwt}` },
      });
      assert.equal(byAna.statusCode, 201, byAna.body);
      const anaDraft = byAna.json().dataset.id as number;
      const list = async (query: string) => ok('GET', `/api/public/v2/datasets?${query}`);
      const idsOf = (body: { datasets: Array<{ id: number }> }) => body.datasets.map((d) => d.id).sort((a, b) => a - b);

      const all = await list('per_page=100');
      assert.deepEqual(idsOf(all), [byKey.dataset.id, anaDraft]);
      assert.deepEqual(all.warnings, []);
      assert.deepEqual(all.datasets[0].external_ids, []);
      assert.deepEqual(idsOf(await list('created_by_email=ANA@example.com')), [anaDraft]);
      assert.deepEqual(idsOf(await list(`created_after=${encodeURIComponent(iso(before))}`)), [anaDraft]);
      assert.deepEqual(idsOf(await list(`created_before=${encodeURIComponent(iso(before))}`)), [byKey.dataset.id]);
      assert.deepEqual(
        idsOf(
          await list(
            `updated_after=${encodeURIComponent(iso(before))}&updated_before=${encodeURIComponent(iso(Date.now() + 60_000))}`,
          ),
        ),
        [anaDraft],
      );
      // Offset-less times are UTC here too.
      assert.deepEqual(idsOf(await list(`created_after=${encodeURIComponent(iso(before).slice(0, -1))}`)), [anaDraft]);
      assert.deepEqual(idsOf(await list('workspace_id=1')), [byKey.dataset.id, anaDraft]);
      assert.equal((await api('GET', '/api/public/v2/datasets?workspace_id=999')).statusCode, 400);
      assert.equal((await api('GET', '/api/public/v2/datasets?created_after=yesterday')).statusCode, 400);
      assert.equal((await api('GET', '/api/public/v2/datasets?external_source=github')).statusCode, 400);

      for (const [query, field] of [
        ['prompt_id=3', 'prompt_id'],
        ['prompt_version_id=3', 'prompt_version_id'],
        ['prompt_label_id=3', 'prompt_label_id'],
        ['report_id=3', 'report_id'],
        ['external_source=gh&external_id=42', 'external_id'],
      ]) {
        const res = await list(query);
        assert.deepEqual(res.datasets, [], query);
        assert.equal(res.total, 0);
        assert.ok(
          res.warnings.some((w: string) => w.startsWith(`"${field}"`) && w.includes('no dataset matches')),
          JSON.stringify(res.warnings),
        );
      }
      const unknown = await list('colour=blue');
      assert.equal(unknown.total, 2);
      assert.deepEqual(unknown.warnings, ['"colour" is not a filter of /datasets; ignored']);
    });

    it('/rest/track-* accept api_key in the body as well as X-API-KEY', async () => {
      const group = (await ok('POST', '/rest/create-group', {})).id as number;
      const post = (path: string, body: unknown) => t.request({ method: 'POST', url: path, body, apiKey: null });
      await pl.templates.publish({ prompt_name: 'greet', prompt_template: chat('user', 'Hello {name}') });
      const calls: Array<[string, Record<string, unknown>]> = [
        ['/rest/track-metadata', { request_id: ids[0], metadata: { via: 'body-key' } }],
        ['/rest/track-score', { request_id: ids[0], score: 33, name: 'body' }],
        ['/rest/track-prompt', { request_id: ids[0], prompt_name: 'greet', prompt_input_variables: { name: 'Ana' } }],
        ['/rest/track-group', { request_id: ids[0], group_id: group }],
      ];
      for (const [path, body] of calls) {
        const res = await post(path, { ...body, api_key: TEST_API_KEY });
        assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
        assert.equal(res.json().success, true);
        assert.equal((await post(path, { ...body, api_key: 'sk_wrong' })).statusCode, 401, path);
        assert.equal((await post(path, body)).statusCode, 401, `${path} without any key`);
      }
      assert.equal((await post('/rest/create-group', { api_key: TEST_API_KEY })).statusCode, 200);
      // The reference types request_id as integer or string.
      assert.equal(
        (
          await post('/rest/track-metadata', {
            api_key: TEST_API_KEY,
            request_id: String(ids[0]),
            metadata: { as_text: 'yes' },
          })
        ).statusCode,
        200,
      );
      assert.equal(
        (await post('/rest/track-metadata', { api_key: TEST_API_KEY, request_id: 'abc', metadata: { a: 'b' } }))
          .statusCode,
        400,
      );
      const log = (await ok('GET', `/api/public/v2/requests/${ids[0]}`)).request;
      assert.deepEqual(
        [log.metadata.via, log.metadata.as_text, log.scores.body, log.prompt_name, log.group_id],
        ['body-key', 'yes', 33, 'greet', group],
      );
    });

    it('stores a log naming an unknown template, id or version unlinked, with a warning', async () => {
      const base = {
        provider: 'openai',
        model: 'm',
        input: chat('user', 'x'),
        output: chat('assistant', 'y'),
        request_start_time: 1,
        request_end_time: 2,
      };
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ prompt_name: 'no-such-template' }, /^prompt_name: .*"no-such-template".*stored without a prompt template$/],
        [{ prompt_id: 987654 }, /^prompt_id: .*987654/],
        [{ prompt_name: 'greet', prompt_version_number: 42 }, /^prompt_version_number: .*no version 42/],
        [{ prompt_version_number: 1 }, /^prompt_version_number: ignored without prompt_name or prompt_id/],
      ];
      for (const [extra, pattern] of cases) {
        const body = await ok('POST', '/log-request', { ...base, ...extra }, 201);
        assert.equal(body.warnings.length, 1, JSON.stringify(body.warnings));
        assert.match(body.warnings[0], pattern);
        const stored = (await ok('GET', `/api/public/v2/requests/${body.request_id}`)).request;
        assert.deepEqual([stored.prompt_name, stored.prompt_id, stored.prompt_version_number], [null, null, null]);
      }
      // Through the SDK too; a known template still links, without warnings.
      const viaSdk = (await pl.logRequest({ ...base, prompt_name: 'nope' })) as unknown as {
        warnings: string[];
        prompt_name: string | null;
      };
      assert.equal(viaSdk.prompt_name, null);
      assert.equal(viaSdk.warnings.length, 1);
      const linked = await ok('POST', '/log-request', { ...base, prompt_name: 'greet' }, 201);
      assert.deepEqual([linked.prompt_name, linked.prompt_version_number, linked.warnings], ['greet', 1, []]);
    });

    it('takes metadata keys of 1,024 characters on /log-request and track-metadata, filterable on both databases', async () => {
      const keyA = randomText(1024);
      const keyB = randomText(1024);
      const value = randomText(1000);
      const logged = await pl.logRequest({
        provider: 'openai',
        model: 'm',
        input: chat('user', 'long keys'),
        output: chat('assistant', 'ok'),
        request_start_time: 1,
        request_end_time: 2,
        metadata: { [keyA]: value },
      });
      const id = logged!.id;
      assert.equal(await pl.track.metadata({ request_id: id, metadata: { [keyB]: value } }), true);
      assert.equal(
        (await ok('POST', '/rest/track-metadata', { request_id: id, metadata: { [keyB]: 'again' } })).success,
        true,
      );
      const stored = (await ok('GET', `/api/public/v2/requests/${id}`)).request;
      assert.deepEqual(stored.metadata, { [keyA]: value, [keyB]: 'again' });
      const found = await ok('POST', '/api/public/v2/requests/search', {
        filter_group: { filters: [{ field: 'metadata', operator: 'key_equals', nested_key: keyA, value }] },
      });
      assert.deepEqual(
        found.items.map((x: { id: number }) => x.id),
        [id],
      );
      const preview = await ok('POST', '/api/public/v2/dataset-versions/from-filter-params/preview', {
        dataset_group_id: (await ok('POST', '/api/public/v2/dataset-groups', { name: 'long-keys' }, 201)).dataset_group
          .id,
        metadata_and: [{ key: keyB, value: 'again' }],
      });
      assert.equal(preview.count, 1);

      const base = {
        provider: 'openai',
        model: 'm',
        input: chat('user', 'x'),
        output: chat('assistant', 'y'),
        request_start_time: 1,
        request_end_time: 2,
      };
      // One character too many, and a key of 1,024 characters whose UTF-8 form is too large, are refused on both routes.
      for (const key of [randomText(1025), 'é'.repeat(1000)]) {
        const a = await api('POST', '/log-request', { ...base, metadata: { [key]: 'v' } });
        assert.equal(a.statusCode, 400, a.body);
        assert.match(a.json().error, /metadata/);
        assert.equal(
          (await api('POST', '/rest/track-metadata', { request_id: id, metadata: { [key]: 'v' } })).statusCode,
          400,
        );
      }
      assert.equal(
        (await api('POST', '/log-request', { ...base, metadata: { ['é'.repeat(512)]: 'v' } })).statusCode,
        201,
        '512 two-byte characters fit',
      );
    });

    it('reads times without an offset as UTC whatever the server timezone', async () => {
      const saved = process.env.TZ;
      process.env.TZ = 'Asia/Kolkata';
      try {
        // Control: this process really is in a non-UTC zone now, so Date.parse alone would shift these times.
        assert.notEqual(Date.parse('2026-04-22T17:00:00'), Date.UTC(2026, 3, 22, 17));
        const body = await ok(
          'POST',
          '/log-request',
          {
            provider: 'openai',
            model: 'tz',
            input: chat('user', 'tz'),
            output: chat('assistant', 'tz'),
            request_start_time: '2026-04-22T17:00:00',
            request_end_time: '2026-04-22 17:00:01.250',
          },
          201,
        );
        assert.equal(body.request_start_time, '2026-04-22T17:00:00.000Z');
        assert.equal(body.request_end_time, '2026-04-22T17:00:01.250Z');
        assert.equal(body.latency_ms, 1250);
        const offset = await ok(
          'POST',
          '/log-request',
          {
            provider: 'openai',
            model: 'tz',
            input: chat('user', 'tz'),
            output: chat('assistant', 'tz'),
            request_start_time: '2026-04-22T22:30:00+05:30',
            request_end_time: '2026-04-22T17:00:02.123456+00:00',
          },
          201,
        );
        assert.equal(offset.request_start_time, '2026-04-22T17:00:00.000Z');
        assert.equal(offset.request_end_time, '2026-04-22T17:00:02.123Z');
        const found = await ok('POST', '/api/public/v2/requests/search', {
          filter_group: {
            filters: [
              { field: 'model', operator: 'is', value: 'tz' },
              {
                field: 'request_start_time',
                operator: 'between',
                value: ['2026-04-22T16:59:59', '2026-04-22T17:00:00'],
              },
            ],
          },
        });
        assert.equal(found.total, 2);
        const group = (await ok('POST', '/api/public/v2/dataset-groups', { name: 'tz' }, 201)).dataset_group.id;
        const preview = await ok('POST', '/api/public/v2/dataset-versions/from-filter-params/preview', {
          dataset_group_id: group,
          start_time: '2026-04-22T17:00:00',
          end_time: '2026-04-22T17:00:00',
        });
        assert.equal(preview.count, 2);
        assert.equal(
          (
            await api('POST', '/log-request', {
              provider: 'o',
              model: 'm',
              input: chat('user', 'x'),
              output: chat('assistant', 'y'),
              request_start_time: '2026-04-22T25:00:00',
              request_end_time: 2,
            })
          ).statusCode,
          400,
        );
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });

    it("create-draft from a version replaces the group's untouched automatic draft instead of answering 409", async () => {
      const g = await ok('POST', '/api/public/v2/dataset-groups', { name: 'copy-over-auto' }, 201);
      const groupId = g.dataset_group.id as number;
      const auto = g.dataset.id as number;
      const file = await ok(
        'POST',
        '/api/public/v2/dataset-versions/from-file',
        { dataset_group_id: groupId, file_name: 'v.csv', file_content_base64: b64('q,a\n1,2\n3,4\n') },
        201,
      );
      const version = await waitFor(
        async () => {
          const d = (await ok('GET', `/api/public/v2/datasets/${file.dataset_id}`)).dataset;
          return d.status === 'ready' ? d : undefined;
        },
        20_000,
        'version 1',
      );
      const res = await api('POST', '/api/public/v2/dataset-versions/create-draft', {
        dataset_group_id: groupId,
        source_dataset_id: version.id,
      });
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(res.json().draft_dataset_id, auto, 'the automatic draft is reused');
      const copied = await waitFor(
        async () => {
          const d = (await ok('GET', `/api/public/v2/datasets/${auto}`)).dataset;
          return d.status === 'draft' ? d : undefined;
        },
        20_000,
        'the copy',
      );
      assert.deepEqual([copied.row_count, copied.column_names, copied.source_dataset_id], [2, ['q', 'a'], version.id]);
      // Now the draft holds rows: a second copy is refused as before.
      const again = await api('POST', '/api/public/v2/dataset-versions/create-draft', {
        dataset_group_id: groupId,
        source_dataset_id: version.id,
      });
      assert.equal(again.statusCode, 409);
      assert.match(again.json().error, /already has a draft/);
    });

    it("add-request-log keeps the log's output when an input variable is also named output", async () => {
      const logged = await ok(
        'POST',
        '/log-request',
        {
          provider: 'openai',
          model: 'm',
          input: chat('user', 'x'),
          output: chat('assistant', 'the real answer'),
          request_start_time: 1,
          request_end_time: 2,
          prompt_input_variables: { output: 'a variable', topic: 'cats' },
        },
        201,
      );
      const g = await ok('POST', '/api/public/v2/dataset-groups', { name: 'output-clash' }, 201);
      await ok(
        'POST',
        '/api/public/v2/dataset-versions/add-request-log',
        { dataset_group_id: g.dataset_group.id, request_log_id: logged.request_id },
        201,
      );
      await ok(
        'POST',
        '/api/public/v2/dataset-versions/add-request-log',
        { dataset_group_id: g.dataset_group.id, request_log_id: ids[1] },
        201,
      );
      const rows = await ok('GET', `/api/public/v2/datasets/${g.dataset.id}/rows?per_page=10`);
      assert.deepEqual(rows.columns, ['output', 'topic', 'output_2']);
      assert.deepEqual(
        rows.rows.map((r: Array<{ value: unknown }>) => r.map((c) => c.value)),
        [
          ['a variable', 'cats', 'the real answer'],
          ['answer 1', null, null],
        ],
      );
      // The same names a build from filter params gives.
      const preview = await ok('POST', '/api/public/v2/dataset-versions/from-filter-params/preview', {
        dataset_group_id: g.dataset_group.id,
        request_log_ids: [logged.request_id],
      });
      assert.deepEqual(preview.columns, ['output', 'topic', 'output_2']);
    });
  });
}
