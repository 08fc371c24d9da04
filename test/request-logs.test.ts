// Request logs end to end on every dialect: the official `promptlayer` SDK logs into an in-process Strata, then every
// filter of seed 003 (alone and combined) builds a version whose row count is checked against a count computed here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PromptLayer } from 'promptlayer';
import type { DomainEvent, EventSink } from '../src/events/domain-events.js';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, TEST_API_KEY, type TestApp } from './support/test-app.js';
import { createGroup, waitDataset } from './support/factories.js';

/** What the test believes about each logged request: the independent model every count is checked against. */
interface Model {
  i: number;
  id: number;
  start: number;
  tags: string[];
  metadata: Record<string, string>;
  scores: Record<string, number>;
  status: 'SUCCESS' | 'WARNING' | 'ERROR';
  prompt?: { name: string; version: number };
  vars: Record<string, string>;
  input: string;
  output: string;
  inputTokens: number;
  starred: boolean;
}

const N = 48;
const BASE = Date.UTC(2026, 3, 22, 17, 0, 0);

const chat = (text: string) => ({
  type: 'chat' as const,
  messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text }] }],
});
const assistant = (text: string) => ({
  type: 'chat' as const,
  messages: [{ role: 'assistant' as const, content: [{ type: 'text' as const, text }] }],
});

/** A minimal chat log (the refusal tests change one field of it). */
const XY_LOG = {
  provider: 'openai',
  model: 'm',
  input: chat('x'),
  output: chat('y'),
  request_start_time: 1,
  request_end_time: 2,
};

function recordingSink(): EventSink & { events: DomainEvent[] } {
  const events: DomainEvent[] = [];
  return {
    events,
    async record(_ex, e) {
      events.push(e);
    },
  };
}

for (const dialect of DIALECTS) {
  describe(`request logs via the promptlayer SDK [${dialect}]`, () => {
    let t: TestApp;
    let pl: PromptLayer;
    let baseUrl: string;
    const sink = recordingSink();
    const logs: Model[] = [];

    const api = async (method: string, url: string, body?: unknown) => t.request({ method, url, body });

    async function rowsOf(id: number) {
      const out: unknown[][] = [];
      let cursor: string | null = null;
      let columns: string[];
      do {
        const res = await api(
          'GET',
          `/api/public/v2/datasets/${id}/rows?per_page=100${cursor ? `&cursor=${cursor}` : ''}`,
        );
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        columns = body.columns;
        for (const row of body.rows as Array<Array<{ value: unknown }>>) out.push(row.map((c) => c.value));
        cursor = body.next_cursor;
      } while (cursor);
      return { columns, rows: out };
    }

    let groupId: number;
    /** Builds a version with `filters` and checks its row count against the model predicate (and the preview). */
    async function expectBuild(
      filters: Record<string, unknown>,
      predicate: (m: Model) => boolean,
      opts: { cap?: number } = {},
    ) {
      const expected = Math.min(logs.filter(predicate).length, opts.cap ?? Infinity);
      const body = { dataset_group_id: groupId, ...filters };
      const preview = await api('POST', '/api/public/v2/dataset-versions/from-filter-params/preview', body);
      assert.equal(preview.statusCode, 200, preview.body);
      assert.equal(preview.json().count, expected, `preview count for ${JSON.stringify(filters)}`);
      const res = await api('POST', '/api/public/v2/dataset-versions/from-filter-params', body);
      assert.equal(res.statusCode, 201, res.body);
      const created = res.json();
      assert.deepEqual(Object.keys(created).sort(), [
        'dataset_group_id',
        'dataset_id',
        'message',
        'success',
        'version_number',
        'warnings',
      ]);
      assert.equal(created.version_number, -1);
      assert.equal(created.dataset_group_id, groupId);
      const version = await waitDataset(t, created.dataset_id);
      assert.equal(version.status, 'ready', JSON.stringify(version));
      assert.equal(version.row_count, expected, `row count for ${JSON.stringify(filters)}`);
      assert.ok(version.version_number >= 1);
      const event = sink.events.find(
        (e) =>
          e.type === 'dataset_version_created_from_filter_params' &&
          (e.details as { dataset_id: number }).dataset_id === created.dataset_id,
      );
      assert.ok(event, 'event recorded');
      assert.deepEqual(event.details, {
        dataset_id: created.dataset_id,
        rows_added: expected,
        dataset_version_number: version.version_number,
      });
      return { version, created };
    }

    before(async () => {
      t = await startTestApp(dialect, {}, { events: sink });
      baseUrl = await t.listen();
      pl = new PromptLayer({ apiKey: TEST_API_KEY, baseURL: baseUrl });
    });
    after(async () => t.close());

    it('publishes templates and moves release labels (templates.publish/get/all)', async () => {
      const v1 = await pl.templates.publish({
        prompt_name: 'summarize',
        prompt_template: chat('Summarize {topic} #{n}'),
        release_labels: ['prod', 'staging'],
        tags: ['nlp'],
      });
      assert.equal(v1.prompt_name, 'summarize');
      await pl.templates.publish({
        prompt_name: 'summarize',
        prompt_template: chat('Summarize {topic} briefly, #{n}'),
        release_labels: ['prod'],
        commit_message: 'shorter',
      });
      await pl.templates.publish({
        prompt_name: 'classify',
        prompt_template: { type: 'completion', content: [{ type: 'text', text: 'Classify {topic}' }] },
        release_labels: ['prod'],
      });

      const prod = await pl.templates.get('summarize', { label: 'prod' });
      assert.equal(prod?.version, 2, 'prod moved to version 2');
      const staging = await pl.templates.get('summarize', { label: 'staging' });
      assert.equal(staging?.version, 1);
      const first = await pl.templates.get('summarize', { version: 1, input_variables: { topic: 'cats', n: 7 } });
      assert.equal(first?.version, 1);
      assert.equal(
        (first?.prompt_template as { messages: Array<{ content: Array<{ text: string }> }> }).messages[0].content[0]
          .text,
        'Summarize cats #7',
      );
      const latest = await pl.templates.get('summarize');
      assert.equal(latest?.version, 2);
      assert.deepEqual(latest?.tags, ['nlp']);
      const all = await pl.templates.all();
      assert.deepEqual(
        all.map((x) => [x.prompt_name, x.version]),
        [
          ['summarize', 2],
          ['classify', 1],
        ],
      );
      await assert.rejects(() => pl.templates.get('summarize', { version: 9 }), /not found/);
      await assert.rejects(() => pl.templates.get('nope'), /not found/);
    });

    it('ingests logs with templates, tags, metadata, scores and statuses (logRequest, concurrently)', async () => {
      const specs = Array.from({ length: N }, (_, i) => {
        const topic = i % 2 ? 'cats' : 'dogs';
        const prompt =
          i % 4 === 0
            ? { name: 'summarize', version: 1 }
            : i % 4 === 1
              ? { name: 'summarize', version: 2 }
              : i % 4 === 2
                ? { name: 'classify', version: 1 }
                : undefined;
        const tags = [
          ...(i % 2 === 0 ? ['even'] : []),
          ...(i % 3 === 0 ? ['three'] : []),
          ...(i % 5 === 0 ? ['five'] : []),
        ];
        const metadata: Record<string, string> = { app: i % 2 ? 'local' : 'prod', user: `u${i % 3}` };
        const status = i % 6 === 5 ? ('ERROR' as const) : i % 6 === 4 ? ('WARNING' as const) : ('SUCCESS' as const);
        const start = BASE + i * 60_000;
        const m: Model = {
          i,
          id: 0,
          start,
          tags,
          metadata,
          // Score 0 without a score_name is the Python SDK's default and leaves the log unscored (docs/request-logs.md).
          scores: (i * 7) % 101 === 0 ? {} : { default: (i * 7) % 101 },
          status,
          prompt,
          vars: prompt ? { topic, n: String(i) } : {},
          input: `question ${i} about ${topic}`,
          output: `answer number ${i}${i % 9 === 0 ? ' NEEDLE' : ''}`,
          inputTokens: ((i * 37) % 50) * 10,
          starred: false,
        };
        return m;
      });
      for (let k = 0; k < specs.length; k += 12) {
        const results = await Promise.all(
          specs.slice(k, k + 12).map((m) =>
            pl.logRequest({
              provider: 'openai',
              model: m.i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
              input: chat(m.input),
              output: assistant(m.output),
              request_start_time: m.start / 1000,
              request_end_time: m.start / 1000 + (m.i % 7) * 0.5,
              tags: m.tags,
              metadata: m.metadata,
              score: (m.i * 7) % 101, // 0 for log 0: sent, and stored as "not scored"
              status: m.status,
              ...(m.status === 'ERROR' ? { error_type: 'PROVIDER_ERROR', error_message: 'boom' } : {}),
              ...(m.prompt
                ? {
                    prompt_name: m.prompt.name,
                    prompt_version_number: m.prompt.version,
                    prompt_input_variables: m.vars,
                  }
                : {}),
              input_tokens: m.inputTokens,
              output_tokens: m.i * 5,
              price: m.i * 0.001,
              parameters: { temperature: 0.2 },
              function_name: 'openai.chat.completions.create',
            }),
          ),
        );
        results.forEach((r, j) => {
          assert.ok(r && typeof r.id === 'number');
          assert.ok(r.prompt_version, 'prompt_version returned');
          specs[k + j].id = r.id;
        });
      }
      logs.push(...specs);
      assert.equal(new Set(logs.map((l) => l.id)).size, N);

      const one = (await api('GET', `/api/public/v2/requests/${logs[5].id}`)).json().request;
      assert.equal(one.status, 'ERROR');
      assert.equal(one.error_message, 'boom');
      assert.equal(one.latency_ms, 2500);
      assert.equal(one.prompt_name, 'summarize');
      assert.equal(one.prompt_version_number, 2);
      assert.deepEqual(one.tags, ['five']);
      assert.equal(one.input_text, 'question 5 about cats');
      assert.equal(one.request_start_time, new Date(logs[5].start).toISOString());
    });

    it('refuses bad logs with 400 and stores logs naming an unknown template unlinked, with a warning', async () => {
      // In a workspace of their own, so the model of this suite's logs stays exact.
      const { key } = await t.app.auth.createApiKeyInWorkspace('unlinked-logs', 'sdk');
      const side = new PromptLayer({ apiKey: key, baseURL: baseUrl });
      await side.templates.publish({ prompt_name: 'summarize', prompt_template: chat('Summarize {topic}') });
      const unknownName = (await side.logRequest({ ...XY_LOG, prompt_name: 'missing' })) as unknown as Record<
        string,
        unknown
      >;
      assert.equal(unknownName.prompt_name, null);
      assert.match((unknownName.warnings as string[])[0], /prompt_name.*"missing".*stored without a prompt template/);
      const unknownVersion = (await side.logRequest({
        ...XY_LOG,
        prompt_name: 'summarize',
        prompt_version_number: 9,
      })) as unknown as Record<string, unknown>;
      assert.equal(unknownVersion.prompt_version_number, null);
      assert.match((unknownVersion.warnings as string[])[0], /prompt_version_number/);
      const bad = await api('POST', '/log-request', { ...XY_LOG, request_start_time: 5 });
      assert.equal(bad.statusCode, 400);
      const badStatus = await api('POST', '/log-request', { ...XY_LOG, status: 'OK' });
      assert.equal(badStatus.statusCode, 400);
      assert.match(badStatus.json().error, /status/);
      const noKey = await t.request({ method: 'POST', url: '/log-request', apiKey: null, body: {} });
      assert.equal(noKey.statusCode, 401);
    });

    it('tracks metadata (overwrite), scores, prompts and groups through the SDK and the /rest twins', async () => {
      // Re-tracking a key overwrites it.
      assert.equal(
        await pl.track.metadata({ request_id: logs[1].id, metadata: { app: 'overwritten', extra: 'x' } }),
        true,
      );
      logs[1].metadata = { ...logs[1].metadata, app: 'overwritten', extra: 'x' };
      // A named score is its own score; the default one is replaced.
      for (const m of logs.filter((l) => l.i % 4 === 0)) {
        assert.equal(await pl.track.score({ request_id: m.id, score: (m.i * 3) % 100, name: 'accuracy' }), true);
        m.scores.accuracy = (m.i * 3) % 100;
      }
      assert.equal(await pl.track.score({ request_id: logs[2].id, score: 99 }), true);
      logs[2].scores.default = 99;
      // Link an untemplated log to classify by label.
      assert.equal(
        await pl.track.prompt({
          request_id: logs[3].id,
          prompt_name: 'classify',
          prompt_input_variables: { topic: 'cats', n: '3' },
          label: 'prod',
        }),
        true,
      );
      logs[3].prompt = { name: 'classify', version: 1 };
      logs[3].vars = { topic: 'cats', n: '3' };
      const group = await pl.group.create();
      assert.equal(typeof group, 'number');
      assert.equal(await pl.track.group({ request_id: logs[4].id, group_id: group as number }), true);
      await assert.rejects(() => pl.track.score({ request_id: 999_999, score: 5 }), /not found/);
      await assert.rejects(
        () =>
          pl.track.prompt({
            request_id: logs[3].id,
            prompt_name: 'classify',
            prompt_input_variables: {},
            label: 'nope',
          }),
        /label/,
      );

      // REST twins with X-API-KEY.
      const rest = async (path: string, body: unknown) =>
        fetch(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
          body: JSON.stringify(body),
        });
      assert.equal(
        (await rest('/rest/track-metadata', { request_id: logs[7].id, metadata: { user: 'u9' } })).status,
        200,
      );
      logs[7].metadata.user = 'u9';
      assert.equal(
        (await rest('/rest/track-score', { request_id: logs[7].id, score: 42, name: 'accuracy' })).status,
        200,
      );
      logs[7].scores.accuracy = 42;
      assert.equal((await rest('/rest/track-group', { request_id: logs[7].id, group_id: group })).status, 200);
      assert.equal(
        (
          await rest('/rest/track-prompt', {
            request_id: logs[11].id,
            prompt_name: 'summarize',
            version: 1,
            prompt_input_variables: { topic: 'cats', n: '11' },
          })
        ).status,
        200,
      );
      logs[11].prompt = { name: 'summarize', version: 1 };
      logs[11].vars = { topic: 'cats', n: '11' };
      assert.equal((await rest('/rest/track-score', { request_id: logs[7].id, score: 101 })).status, 400);
      // The body-key routes refuse a wrong key.
      const wrong = await fetch(`${baseUrl}/library-track-score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api_key: 'nope', request_id: logs[7].id, score: 1 }),
      });
      assert.equal(wrong.status, 401);

      const seven = (await api('GET', `/api/public/v2/requests/${logs[7].id}`)).json().request;
      assert.deepEqual(seven.metadata, { app: 'local', user: 'u9' });
      assert.equal(seven.scores.accuracy, 42);
      assert.equal(seven.group_id, group);
      const three = (await api('GET', `/api/public/v2/requests/${logs[3].id}`)).json().request;
      assert.equal(three.prompt_name, 'classify');
      assert.equal(three.prompt_version_number, 1);
    });

    it('stars and unstars logs', async () => {
      for (const m of logs.filter((l) => l.i % 8 === 0 || l.i === 9)) {
        const res = await api('POST', `/api/public/v2/requests/${m.id}/star`);
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().request.is_starred, true);
        m.starred = true;
      }
      const un = await api('DELETE', `/api/public/v2/requests/${logs[9].id}/star`);
      assert.equal(un.json().request.is_starred, false);
      logs[9].starred = false;
      assert.equal((await api('POST', '/api/public/v2/requests/999999/star')).statusCode, 404);
    });

    it('searches with filter_group, q, sort and paging', async () => {
      const search = async (body: unknown) => {
        const res = await api('POST', '/api/public/v2/requests/search', body);
        assert.equal(res.statusCode, 200, res.body);
        return res.json();
      };
      const all = await search({ per_page: 10 });
      assert.equal(all.total, N);
      assert.equal(all.items.length, 10);
      assert.equal(all.pages, Math.ceil(N / 10));
      assert.equal(all.has_next, true);
      assert.equal(all.has_prev, false);
      assert.equal(all.items[0].id, logs[N - 1].id, 'newest first');
      const cases: Array<[unknown, (m: Model) => boolean]> = [
        [{ logic: 'AND', filters: [{ field: 'status', operator: 'is', value: 'ERROR' }] }, (m) => m.status === 'ERROR'],
        [
          {
            logic: 'OR',
            filters: [
              { field: 'tags', operator: 'contains', value: 'five' },
              { field: 'metadata', operator: 'key_equals', nested_key: 'user', value: 'u1' },
            ],
          },
          (m) => m.tags.includes('five') || m.metadata.user === 'u1',
        ],
        [
          {
            filters: [
              { field: 'input_tokens', operator: 'between', value: [100, 300] },
              { field: 'tags', operator: 'is_empty' },
            ],
          },
          (m) => m.inputTokens >= 100 && m.inputTokens <= 300 && m.tags.length === 0,
        ],
        [
          { filters: [{ field: 'output_text', operator: 'contains', value: 'needle' }] },
          (m) => m.output.includes('NEEDLE'),
        ],
        [{ filters: [{ field: 'prompt_version_number', operator: 'is_null' }] }, (m) => !m.prompt],
        [
          {
            filters: [
              { field: 'request_start_time', operator: 'before', value: new Date(BASE + 10 * 60_000).toISOString() },
            ],
          },
          (m) => m.start < BASE + 10 * 60_000,
        ],
        [
          { filters: [{ field: 'metadata', operator: 'key_not_equals', nested_key: 'app', value: 'prod' }] },
          (m) => m.metadata.app !== 'prod',
        ],
        [
          { filters: [{ field: 'input_variables', operator: 'key_equals', nested_key: 'topic', value: 'cats' }] },
          (m) => m.vars.topic === 'cats',
        ],
        [
          { filters: [{ field: 'scores', operator: 'gte', nested_key: 'accuracy', value: 50 }] },
          (m) => (m.scores.accuracy ?? -1) >= 50,
        ],
        [
          {
            filters: [
              { field: 'starred', operator: 'is_true' },
              {
                logic: 'OR',
                filters: [
                  { field: 'engine', operator: 'in', value: ['gpt-4o'] },
                  { field: 'tags', operator: 'not_contains', value: 'three' },
                ],
              },
            ],
          },
          (m) => m.starred && (m.i % 2 === 1 || !m.tags.includes('three')),
        ],
      ];
      for (const [filter_group, predicate] of cases) {
        const res = await search({ filter_group, per_page: 100 });
        assert.equal(res.total, logs.filter(predicate).length, JSON.stringify(filter_group));
        assert.deepEqual(
          res.items.map((x: { id: number }) => x.id).sort(),
          logs
            .filter(predicate)
            .map((m) => m.id)
            .sort(),
        );
      }
      const q = await search({ q: 'NEEDLE', sort_by: 'input_tokens', sort_order: 'asc', per_page: 100 });
      const needles = logs
        .filter((m) => m.output.includes('NEEDLE'))
        .sort((a, b) => a.inputTokens - b.inputTokens || a.id - b.id);
      assert.deepEqual(
        q.items.map((x: { id: number }) => x.id),
        needles.map((m) => m.id),
      );
      const bad = await api('POST', '/api/public/v2/requests/search', {
        filter_group: { filters: [{ field: 'tags', operator: 'gt', value: 1 }] },
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error, /filter_group\.filters\.0\.operator/);
      const badField = await api('POST', '/api/public/v2/requests/search', {
        filter_group: { filters: [{ logic: 'AND', filters: [{ field: 'nope', operator: 'is', value: 1 }] }] },
      });
      assert.equal(badField.statusCode, 400);
      assert.match(badField.json().error, /filter_group\.filters\.0\.filters\.0\.field/);
    });

    it('builds a version for every seed 003 filter alone, each matching an independent count', async () => {
      const g = await createGroup(t, 'from-filters');
      groupId = g.dataset_group.id;
      // The first build reuses the group's draft.
      const first = await expectBuild({ tags_and: ['even'] }, (m) => m.tags.includes('even'));
      assert.equal(first.created.dataset_id, g.dataset.id, 'the existing draft is reused');
      assert.deepEqual(first.version.filter_params, { tags_and: ['even'] });

      const from = new Date(BASE + 10 * 60_000).toISOString();
      const to = new Date(BASE + 20 * 60_000).toISOString();
      await expectBuild({ start_time: from }, (m) => m.start >= BASE + 10 * 60_000);
      await expectBuild({ end_time: to }, (m) => m.start <= BASE + 20 * 60_000);
      await expectBuild(
        { start_time: from, end_time: to },
        (m) => m.start >= BASE + 10 * 60_000 && m.start <= BASE + 20 * 60_000,
      );
      await expectBuild({ limit: 7 }, () => true, { cap: 7 });
      await expectBuild({ limit: 0 }, () => true, { cap: 0 });
      await expectBuild({ q: 'about CATS' }, (m) => m.input.includes('about cats'));
      await expectBuild({ q: 'needle' }, (m) => m.output.includes('NEEDLE'));
      await expectBuild({ id: logs[13].id }, (m) => m.i === 13);
      await expectBuild({ starred: true }, (m) => m.starred);
      await expectBuild({ starred: false }, () => true);
      await expectBuild({ order_by_random: true, limit: 5 }, () => true, { cap: 5 });
      await expectBuild(
        {
          metadata_and: [
            { key: 'app', value: 'local' },
            { key: 'user', value: 'u1' },
          ],
        },
        (m) => m.metadata.app === 'local' && m.metadata.user === 'u1',
      );
      await expectBuild(
        {
          metadata_or: [
            { key: 'app', value: 'overwritten' },
            { key: 'user', value: 'u2' },
          ],
        },
        (m) => m.metadata.app === 'overwritten' || m.metadata.user === 'u2',
      );
      await expectBuild({ tags_or: ['three', 'five'] }, (m) => m.tags.includes('three') || m.tags.includes('five'));
      await expectBuild({ tags_and: ['three', 'five'] }, (m) => m.tags.includes('three') && m.tags.includes('five'));
      await expectBuild({ prompt_templates_include: [{ name: 'summarize' }] }, (m) => m.prompt?.name === 'summarize');
      await expectBuild(
        { prompt_templates_include: [{ name: 'summarize', version_numbers: [1] }] },
        (m) => m.prompt?.name === 'summarize' && m.prompt.version === 1,
      );
      await expectBuild(
        { prompt_templates_include: [{ name: 'summarize', labels: ['prod'] }] },
        (m) => m.prompt?.name === 'summarize' && m.prompt.version === 2,
      );
      await expectBuild(
        { prompt_templates_include: [{ name: 'summarize', labels: ['staging'] }, { name: 'classify' }] },
        (m) => (m.prompt?.name === 'summarize' && m.prompt.version === 1) || m.prompt?.name === 'classify',
      );
      await expectBuild({ prompt_templates_include: [{ name: 'summarize', labels: ['no-such-label'] }] }, () => false);
      await expectBuild({ prompt_templates_exclude: [{ name: 'summarize' }] }, (m) => m.prompt?.name !== 'summarize');
      await expectBuild(
        { prompt_templates_exclude: [{ name: 'summarize', version_numbers: [2] }] },
        (m) => !(m.prompt?.name === 'summarize' && m.prompt.version === 2),
      );
      await expectBuild({ scores: [{ name: 'default', operator: '>', value: 50 }] }, (m) => m.scores.default > 50);
      await expectBuild(
        { scores: [{ name: 'accuracy', operator: '<=', value: 30 }] },
        (m) => m.scores.accuracy !== undefined && m.scores.accuracy <= 30,
      );
      await expectBuild({ scores: [{ name: 'default', operator: '=', value: 99 }] }, (m) => m.scores.default === 99);
      await expectBuild(
        {
          scores: [
            { name: 'default', operator: '>=', value: 20 },
            { name: 'default', operator: '<', value: 60 },
          ],
        },
        (m) => m.scores.default >= 20 && m.scores.default < 60,
      );
      await expectBuild({ status: ['ERROR'] }, (m) => m.status === 'ERROR');
      await expectBuild({ status: ['WARNING', 'ERROR'] }, (m) => m.status !== 'SUCCESS');
      await expectBuild({ q: 'no-such-text-anywhere' }, () => false);
    });

    it('combines filters, and follows sort_by/sort_order, include_fields, variables_to_parse and transposition', async () => {
      const from = new Date(BASE + 5 * 60_000).toISOString();
      const to = new Date(BASE + 40 * 60_000).toISOString();
      const inWindow = (m: Model) => m.start >= BASE + 5 * 60_000 && m.start <= BASE + 40 * 60_000;
      await expectBuild(
        {
          start_time: from,
          end_time: to,
          metadata_and: [{ key: 'app', value: 'prod' }],
          tags_or: ['three', 'five'],
          status: ['SUCCESS', 'WARNING'],
        },
        (m) =>
          inWindow(m) &&
          m.metadata.app === 'prod' &&
          (m.tags.includes('three') || m.tags.includes('five')) &&
          m.status !== 'ERROR',
      );
      await expectBuild(
        {
          prompt_templates_include: [{ name: 'summarize' }],
          prompt_templates_exclude: [{ name: 'summarize', labels: ['prod'] }],
          scores: [{ name: 'default', operator: '<', value: 80 }],
          q: 'dogs',
        },
        (m) =>
          m.prompt?.name === 'summarize' && m.prompt.version !== 2 && m.scores.default < 80 && m.input.includes('dogs'),
      );
      await expectBuild(
        {
          tags_and: ['even'],
          metadata_or: [
            { key: 'user', value: 'u0' },
            { key: 'user', value: 'u2' },
          ],
          starred: true,
          limit: 3,
        },
        (m) => m.tags.includes('even') && (m.metadata.user === 'u0' || m.metadata.user === 'u2') && m.starred,
        { cap: 3 },
      );
      await expectBuild(
        {
          filter_group: {
            logic: 'OR',
            filters: [
              { field: 'status', operator: 'is', value: 'ERROR' },
              { field: 'tags', operator: 'contains', value: 'five' },
            ],
          },
          start_time: from,
        },
        (m) => (m.status === 'ERROR' || m.tags.includes('five')) && m.start >= BASE + 5 * 60_000,
      );

      // Sorting and the exact column set.
      const sorted = await expectBuild(
        {
          prompt_templates_include: [{ name: 'summarize' }],
          sort_by: 'input_tokens',
          sort_order: 'asc',
          include_fields: ['id', 'status', 'input_tokens'],
          variables_to_parse: ['topic'],
        },
        (m) => m.prompt?.name === 'summarize',
      );
      const { columns, rows } = await rowsOf(sorted.created.dataset_id);
      assert.deepEqual(columns, ['topic', 'output', 'id', 'status', 'input_tokens']);
      const expectedOrder = logs
        .filter((m) => m.prompt?.name === 'summarize')
        .sort((a, b) => a.inputTokens - b.inputTokens || a.id - b.id);
      assert.deepEqual(
        rows.map((r) => r[2]),
        expectedOrder.map((m) => m.id),
      );
      assert.deepEqual(rows[0], [
        expectedOrder[0].vars.topic,
        expectedOrder[0].output,
        expectedOrder[0].id,
        expectedOrder[0].status,
        expectedOrder[0].inputTokens,
      ]);

      // Default sort: newest first; all variables, sorted; metadata transposed.
      const tr = await expectBuild(
        {
          metadata_or: [
            { key: 'app', value: 'overwritten' },
            { key: 'user', value: 'u9' },
          ],
          transpose_metadata_columns: true,
        },
        (m) => m.metadata.app === 'overwritten' || m.metadata.user === 'u9',
      );
      const t2 = await rowsOf(tr.created.dataset_id);
      assert.deepEqual(t2.columns, ['n', 'topic', 'output', 'metadata.app', 'metadata.extra', 'metadata.user']);
      assert.deepEqual(t2.rows, [
        [null, null, logs[7].output, 'local', null, 'u9'],
        ['1', 'cats', logs[1].output, 'overwritten', 'x', 'u1'],
      ]);

      // request_log_ids: a static snapshot in the given order, with filter_params null.
      const ids = [logs[30].id, logs[2].id, logs[17].id];
      const snap = await expectBuild({ request_log_ids: [...ids, 987654], include_fields: ['id'] }, (m) =>
        ids.includes(m.id),
      );
      assert.equal(snap.version.filter_params, null);
      assert.deepEqual(
        (await rowsOf(snap.created.dataset_id)).rows.map((r) => r.at(-1)),
        ids,
      );
    });

    it('refuses rule violations with 400 naming the field', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ limit: 50_001 }, /limit/],
        [{ limit: -1 }, /limit/],
        [{ limit: 2.5 }, /limit/],
        [{ order_by_random: true }, /order_by_random/],
        [{ transpose_metadata_columns: true }, /transpose_metadata_columns/],
        [
          {
            transpose_metadata_columns: true,
            filter_group: { filters: [{ field: 'status', operator: 'is', value: 'ERROR' }] },
          },
          /transpose_metadata_columns/,
        ],
        [{ start_time: 'yesterday' }, /start_time/],
        [{ start_time: '2026-04-23T00:00:00Z', end_time: '2026-04-22T00:00:00Z' }, /end_time/],
        [{ id: 0 }, /id/],
        [{ status: ['OK'] }, /status/],
        [{ scores: [{ name: 'default', operator: '!=', value: 3 }] }, /scores\.0\.operator/],
        [{ metadata_and: [{ key: 'app' }] }, /metadata_and\.0\.value/],
        [{ prompt_templates_include: [{ version_numbers: [1] }] }, /prompt_templates_include\.0\.name/],
        [{ sort_by: 'cost' }, /sort_by/],
        [{ sort_order: 'up' }, /sort_order/],
        [{ include_fields: ['id', 'nope'] }, /include_fields\.1/],
        [{ variables_to_parse: 'topic' }, /variables_to_parse/],
        [{ request_log_ids: [] }, /request_log_ids/],
        [
          { filter_group: { filters: [{ field: 'status', operator: 'gt', value: 1 }] } },
          /filter_group\.filters\.0\.operator/,
        ],
        [{ tags_and: 'even' }, /tags_and/],
      ];
      for (const [extra, pattern] of cases) {
        for (const path of ['from-filter-params', 'from-filter-params/preview']) {
          const res = await api('POST', `/api/public/v2/dataset-versions/${path}`, {
            dataset_group_id: groupId,
            ...extra,
          });
          assert.equal(res.statusCode, 400, `${path} ${JSON.stringify(extra)}: ${res.body}`);
          assert.equal(res.json().success, false);
          assert.match(res.json().error, pattern, JSON.stringify(extra));
        }
      }
      const missing = await api('POST', '/api/public/v2/dataset-versions/from-filter-params', { limit: 3 });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.json().error, /dataset_group_id/);
      assert.equal(
        (await api('POST', '/api/public/v2/dataset-versions/from-filter-params', { dataset_group_id: 99999 }))
          .statusCode,
        404,
      );
      // No half-written state: the refused requests left no processing drafts behind.
      const listed = (await api('GET', `/api/public/v2/datasets?dataset_group_id=${groupId}&per_page=100`)).json()
        .datasets as Array<{ status: string }>;
      assert.ok(listed.every((d) => d.status === 'ready'));
    });

    it('answers hostile input with 400, never 500', async () => {
      const cases: Array<[string, unknown]> = [
        ['/log-request', { ...XY_LOG, input_tokens: 2 ** 40 }],
        ['/log-request', { ...XY_LOG, request_end_time: 1e300 }],
        ['/log-request', { ...XY_LOG, tags: ['a\u0000b'] }],
        ['/log-request', { ...XY_LOG, metadata: { k: 7 } }],
        ['/log-request', { ...XY_LOG, input: { type: 'image' } }],
        ['/log-request', 'not json'],
        [
          '/api/public/v2/requests/search',
          { filter_group: { filters: [{ field: 'pl_id', operator: 'eq', value: 2.5 }] } },
        ],
        [
          '/api/public/v2/requests/search',
          { filter_group: { filters: [{ field: 'input_tokens', operator: 'gt', value: 1e20 }] } },
        ],
        [
          '/api/public/v2/requests/search',
          { filter_group: { filters: [{ field: 'request_start_time', operator: 'after', value: 1e300 }] } },
        ],
        [
          '/api/public/v2/requests/search',
          { filter_group: { filters: [{ field: 'input_tokens', operator: 'between', value: [1] }] } },
        ],
        [
          '/api/public/v2/requests/search',
          { filter_group: { filters: [{ field: 'metadata', operator: 'key_equals', value: 'x' }] } },
        ],
        ['/api/public/v2/requests/search', { filter_group: { filters: [7] } }],
        ['/api/public/v2/requests/search', { q: 'a\u0000' }],
        [
          '/api/public/v2/dataset-versions/from-filter-params',
          { dataset_group_id: groupId, prompt_templates_include: [{ name: 'summarize', version_numbers: [2 ** 40] }] },
        ],
        ['/api/public/v2/dataset-versions/from-filter-params', { dataset_group_id: groupId, id: 2 ** 60 }],
        ['/prompt-templates/summarize', { version: 2 ** 40 }],
        [
          '/rest/prompt-templates',
          { prompt_template: { prompt_name: 'x' }, prompt_version: { prompt_template: { type: 'nope' } } },
        ],
      ];
      for (const [url, body] of cases) {
        const res = await api('POST', url, body);
        assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}: ${res.statusCode} ${res.body}`);
        assert.equal(res.json().success, false);
      }
    });

    it('accepts unknown fields but names each one in warnings', async () => {
      const body = {
        dataset_group_id: groupId,
        metadata: { app: 'local' },
        tagz: ['even'],
        tags_or: ['five'],
        prompt_templates_include: [{ name: 'summarize', version: 2 }],
      };
      const preview = await api('POST', '/api/public/v2/dataset-versions/from-filter-params/preview', body);
      assert.equal(preview.statusCode, 200);
      const res = await api('POST', '/api/public/v2/dataset-versions/from-filter-params', body);
      assert.equal(res.statusCode, 201);
      for (const warnings of [res.json().warnings, preview.json().warnings] as string[][]) {
        assert.equal(warnings.length, 3, JSON.stringify(warnings));
        assert.ok(warnings.some((w) => w.includes('"metadata"') && w.includes('metadata_and')));
        assert.ok(warnings.some((w) => w.includes('"tagz"')));
        assert.ok(warnings.some((w) => w.includes('prompt_templates_include.0.version')));
      }
      const version = await waitDataset(t, res.json().dataset_id);
      assert.equal(
        version.row_count,
        logs.filter((m) => m.tags.includes('five') && m.prompt?.name === 'summarize').length,
      );
      assert.equal(version.warnings.length, 3);
      const clean = await api('POST', '/api/public/v2/dataset-versions/from-filter-params/preview', {
        dataset_group_id: groupId,
        limit: 1,
      });
      assert.deepEqual(clean.json().warnings, []);
      assert.equal(clean.json().rows.length, 1);
    });

    it('accepts API keys only on from-filter-params', async () => {
      const login = await t.request({ method: 'GET', url: '/api/auth/me' });
      assert.equal(login.statusCode, 200);
      const jwtLike = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
      const res = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-filter-params',
        apiKey: null,
        headers: { authorization: `Bearer ${jwtLike}` },
        body: { dataset_group_id: groupId },
      });
      assert.equal(res.statusCode, 401);
    });

    it('keeps workspaces apart: logs, templates, tracking, filters and groups', async () => {
      const { key } = await t.app.auth.createApiKeyInWorkspace('other-team', 'sdk');
      const other = new PromptLayer({ apiKey: key, baseURL: baseUrl });
      const mine = await other.logRequest({
        provider: 'openai',
        model: 'm',
        input: chat('their NEEDLE'),
        output: assistant('x'),
        request_start_time: BASE / 1000,
        request_end_time: BASE / 1000 + 1,
        tags: ['even'],
      });
      assert.ok(mine?.id);
      const as = (url: string, method = 'GET', body?: unknown) => t.request({ method, url, body, apiKey: key });
      assert.equal((await as(`/api/public/v2/requests/${logs[0].id}`)).statusCode, 404);
      assert.equal((await as('/api/public/v2/requests/search', 'POST', { per_page: 100 })).json().total, 1);
      await assert.rejects(() => other.track.metadata({ request_id: logs[0].id, metadata: { a: 'b' } }), /not found/);
      await assert.rejects(() => other.templates.get('summarize'), /not found/);
      // Another workspace's template name is unknown here: the log is stored unlinked, with a warning.
      const unlinked = (await other.logRequest({
        provider: 'o',
        model: 'm',
        input: chat('x'),
        output: chat('y'),
        request_start_time: 1,
        request_end_time: 2,
        prompt_name: 'summarize',
      })) as unknown as Record<string, unknown>;
      assert.equal(unlinked.prompt_name, null);
      assert.match((unlinked.warnings as string[])[0], /prompt_name/);
      assert.equal(
        (await as('/api/public/v2/dataset-versions/from-filter-params', 'POST', { dataset_group_id: groupId }))
          .statusCode,
        403,
      );
      const g = (await as('/api/public/v2/dataset-groups', 'POST', { name: 'theirs' })).json();
      const preview = await as('/api/public/v2/dataset-versions/from-filter-params/preview', 'POST', {
        dataset_group_id: g.dataset_group.id,
        q: 'needle',
      });
      assert.equal(preview.json().count, 1, 'only their own log matches');
      const ids = await as('/api/public/v2/dataset-versions/from-filter-params/preview', 'POST', {
        dataset_group_id: g.dataset_group.id,
        request_log_ids: [logs[0].id, mine.id],
      });
      assert.equal(ids.json().count, 1, 'ids of another workspace are skipped');
      // And the first workspace does not see theirs.
      assert.equal((await api('GET', `/api/public/v2/requests/${mine.id}`)).statusCode, 404);
    });

    it('adds a request log to the draft (add-request-log), 404 without a draft', async () => {
      const g = await createGroup(t, 'hand-picked');
      const add = async (id: number) =>
        api('POST', '/api/public/v2/dataset-versions/add-request-log', {
          dataset_group_id: g.dataset_group.id,
          request_log_id: id,
        });
      const a = await add(logs[6].id);
      assert.equal(a.statusCode, 201, a.body);
      assert.deepEqual(a.json(), { success: true, message: a.json().message, draft_dataset_id: g.dataset.id });
      assert.equal((await add(logs[1].id)).statusCode, 201);
      assert.equal((await add(logs[3].id)).statusCode, 201);
      const { columns, rows } = await rowsOf(g.dataset.id);
      assert.deepEqual(columns, ['n', 'topic', 'output']);
      assert.deepEqual(rows, [
        ['6', 'dogs', logs[6].output],
        ['1', 'cats', logs[1].output],
        ['3', 'cats', logs[3].output],
      ]);
      assert.equal((await add(999_999)).statusCode, 404);
      // A group whose draft was consumed by a build has no draft.
      const noDraft = await api('POST', '/api/public/v2/dataset-versions/add-request-log', {
        dataset_group_id: groupId,
        request_log_id: logs[1].id,
      });
      assert.equal(noDraft.statusCode, 404);
      assert.match(noDraft.json().error, /draft/);
      // Then a build from filter params reuses this draft, replacing the hand-picked rows.
      const res = await api('POST', '/api/public/v2/dataset-versions/from-filter-params', {
        dataset_group_id: g.dataset_group.id,
        status: ['ERROR'],
      });
      assert.equal(res.json().dataset_id, g.dataset.id);
      const v = await waitDataset(t, g.dataset.id);
      assert.equal(v.row_count, logs.filter((m) => m.status === 'ERROR').length);
      assert.equal(v.version_number, 1);
    });
  });
}
