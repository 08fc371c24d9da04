// Unit tests of the filter language (src/request-logs/log-filter.ts): filter_group → AST for every field kind and
// operator, the legacy fields → AST, bounds and error paths; then the compiled filters run as SQL on every dialect
// against logs ingested through /log-request, each checked against an independent model of those logs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ValidationError } from '../src/errors.js';
import {
  and,
  FILTER_GROUP_MAX_CONDITIONS,
  FILTER_GROUP_MAX_DEPTH,
  fromFilterGroup,
  fromLegacy,
  usesMetadata,
  type LogFilter,
} from '../src/request-logs/log-filter.js';
import type { FilterCondition, FilterGroup, LegacyFilter } from '../src/request-logs/log-filter.schema.js';
import { RequestLogRepository } from '../src/request-logs/request-log.repository.js';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const one = (c: FilterCondition): LogFilter => fromFilterGroup({ filters: [c] });
const cond = (field: string, operator: string, value?: FilterCondition['value'], nested_key?: string) =>
  one({ field, operator, value, ...(nested_key === undefined ? {} : { nested_key }) });

/** Asserts a 400 whose message starts with `path` and matches `msg`, with the matching body loc. */
function assertBad(fn: () => unknown, path: string, msg: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.status, 400);
    assert.ok(e.message.startsWith(`${path}: `), e.message);
    assert.match(e.message, msg);
    assert.deepEqual(e.issues[0]?.path, path.split('.'));
    return true;
  });
}

describe('filter_group → filter', () => {
  it('compiles every string-field operator', () => {
    assert.deepEqual(cond('engine', 'is', 'gpt'), { kind: 'cmp', column: 'model', op: 'eq', value: 'gpt' });
    assert.deepEqual(cond('provider_type', 'is_not', 'x'), {
      kind: 'not',
      item: { kind: 'cmp', column: 'provider', op: 'eq', value: 'x' },
    });
    assert.deepEqual(cond('status', 'in', ['ERROR', 'WARNING']), {
      kind: 'in',
      column: 'status',
      values: ['ERROR', 'WARNING'],
    });
    assert.deepEqual(cond('status', 'not_in', ['ERROR']), {
      kind: 'not',
      item: { kind: 'in', column: 'status', values: ['ERROR'] },
    });
    assert.deepEqual(cond('model', 'contains', 'pt'), { kind: 'text', column: 'model', op: 'contains', value: 'pt' });
    assert.deepEqual(cond('model', 'not_contains', 'pt'), {
      kind: 'not',
      item: { kind: 'text', column: 'model', op: 'contains', value: 'pt' },
    });
    assert.deepEqual(cond('function_name', 'is_null'), { kind: 'is_null', column: 'function_name' });
    assert.deepEqual(cond('error_type', 'is_not_null'), {
      kind: 'not',
      item: { kind: 'is_null', column: 'error_type' },
    });
    // Numbers and booleans are compared as their text.
    assert.deepEqual(cond('api_type', 'is', 7), { kind: 'cmp', column: 'api_type', op: 'eq', value: '7' });
  });

  it('compiles every text-field operator (is/is_not: exact; the others ignore case in SQL)', () => {
    const t = (op: string) => ({ kind: 'text', column: 'input_text', op, value: 'hi' });
    assert.deepEqual(cond('input_text', 'contains', 'hi'), t('contains'));
    assert.deepEqual(cond('input_text', 'not_contains', 'hi'), { kind: 'not', item: t('contains') });
    assert.deepEqual(cond('input_text', 'starts_with', 'hi'), t('starts_with'));
    assert.deepEqual(cond('input_text', 'ends_with', 'hi'), t('ends_with'));
    assert.deepEqual(cond('input_text', 'is', 'hi'), t('equals'));
    assert.deepEqual(cond('input_text', 'is_not', 'hi'), { kind: 'not', item: t('equals') });
    // `output` (without nested_key) and error_message are text fields too.
    assert.deepEqual(cond('output', 'contains', 'x'), {
      kind: 'text',
      column: 'output_text',
      op: 'contains',
      value: 'x',
    });
    assert.deepEqual(cond('error_message', 'is', 'x'), {
      kind: 'text',
      column: 'error_message',
      op: 'equals',
      value: 'x',
    });
  });

  it('compiles every numeric-field operator, with aliases and numeric strings', () => {
    for (const op of ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const)
      assert.deepEqual(cond('cost', op, 0.5), { kind: 'cmp', column: 'price', op, value: 0.5 });
    assert.deepEqual(cond('pl_id', 'eq', '12'), { kind: 'cmp', column: 'id', op: 'eq', value: 12 });
    assert.deepEqual(cond('input_tokens', 'between', [1, 9]), {
      kind: 'and',
      items: [
        { kind: 'cmp', column: 'input_tokens', op: 'gte', value: 1 },
        { kind: 'cmp', column: 'input_tokens', op: 'lte', value: 9 },
      ],
    });
    assert.deepEqual(cond('score', 'is_null'), { kind: 'is_null', column: 'score' });
    assert.deepEqual(cond('latency_ms', 'is_not_null'), {
      kind: 'not',
      item: { kind: 'is_null', column: 'latency_ms' },
    });
  });

  it('compiles every datetime operator from ISO 8601 and unix seconds', () => {
    const at = Date.UTC(2026, 4, 3);
    assert.deepEqual(cond('request_start_time', 'is', '2026-05-03T00:00:00Z'), {
      kind: 'cmp',
      column: 'request_start_time',
      op: 'eq',
      value: at,
    });
    assert.deepEqual(cond('request_end_time', 'before', at / 1000), {
      kind: 'cmp',
      column: 'request_end_time',
      op: 'lt',
      value: at,
    });
    // No offset means UTC.
    assert.deepEqual(cond('request_start_time', 'after', '2026-05-03T00:00:00'), {
      kind: 'cmp',
      column: 'request_start_time',
      op: 'gt',
      value: at,
    });
    assert.deepEqual(cond('request_start_time', 'between', ['2026-05-03T00:00:00Z', at / 1000 + 60]), {
      kind: 'and',
      items: [
        { kind: 'cmp', column: 'request_start_time', op: 'gte', value: at },
        { kind: 'cmp', column: 'request_start_time', op: 'lte', value: at + 60_000 },
      ],
    });
  });

  it('compiles boolean and array fields', () => {
    assert.deepEqual(cond('starred', 'is_true'), { kind: 'cmp', column: 'starred', op: 'eq', value: 1 });
    assert.deepEqual(cond('is_starred', 'is_false'), { kind: 'cmp', column: 'starred', op: 'eq', value: 0 });
    assert.deepEqual(cond('tags', 'contains', 'a'), { kind: 'tag', tags: ['a'] });
    assert.deepEqual(cond('tags', 'not_contains', 'a'), { kind: 'not', item: { kind: 'tag', tags: ['a'] } });
    assert.deepEqual(cond('tags', 'in', ['a', 'b']), { kind: 'tag', tags: ['a', 'b'] });
    assert.deepEqual(cond('tags', 'not_in', ['a']), { kind: 'not', item: { kind: 'tag', tags: ['a'] } });
    assert.deepEqual(cond('tags', 'is_empty'), { kind: 'not', item: { kind: 'any_tag' } });
    assert.deepEqual(cond('tags', 'is_not_empty'), { kind: 'any_tag' });
    assert.deepEqual(cond('metadata_keys', 'contains', 'k'), { kind: 'meta_key', keys: ['k'] });
    assert.deepEqual(cond('metadata_keys', 'in', ['k', 'j']), { kind: 'meta_key', keys: ['k', 'j'] });
    assert.deepEqual(cond('metadata_keys', 'is_empty'), { kind: 'not', item: { kind: 'any_meta' } });
    assert.deepEqual(cond('metadata_keys', 'is_not_empty'), { kind: 'any_meta' });
  });

  it('compiles nested fields: metadata, input_variables (dot paths) and scores', () => {
    const meta = (op: string, values: string[]) => ({ kind: 'meta', key: 'app', op, values });
    assert.deepEqual(cond('metadata', 'key_equals', 'web', 'app'), meta('eq', ['web']));
    assert.deepEqual(cond('metadata', 'key_not_equals', 'web', 'app'), { kind: 'not', item: meta('eq', ['web']) });
    assert.deepEqual(cond('metadata', 'key_contains', 'we', 'app'), meta('contains', ['we']));
    assert.deepEqual(cond('metadata', 'in', ['a', 1], 'app'), meta('in', ['a', '1']));
    assert.deepEqual(cond('metadata', 'not_in', ['a'], 'app'), { kind: 'not', item: meta('in', ['a']) });
    assert.deepEqual(cond('metadata', 'is_empty', undefined, 'app'), {
      kind: 'not',
      item: { kind: 'meta_key', keys: ['app'] },
    });
    assert.deepEqual(cond('metadata', 'is_not_empty', undefined, 'app'), { kind: 'meta_key', keys: ['app'] });
    const v = (op: string, values: string[]) => ({ kind: 'input_var', path: ['user', 'name'], op, values });
    assert.deepEqual(cond('input_variables', 'key_equals', 'ann', 'user.name'), v('eq', ['ann']));
    assert.deepEqual(cond('input_variables', 'key_contains', 'an', 'user.name'), v('contains', ['an']));
    assert.deepEqual(cond('input_variables', 'in', ['ann', 'bo'], 'user.name'), v('in', ['ann', 'bo']));
    assert.deepEqual(cond('input_variables', 'is_empty', undefined, 'user.name'), {
      kind: 'not',
      item: v('exists', []),
    });
    assert.deepEqual(cond('input_variables', 'is_not_empty', undefined, 'user.name'), v('exists', []));
    assert.deepEqual(cond('scores', 'gte', 50, 'quality'), { kind: 'score', name: 'quality', op: 'gte', value: 50 });
    assert.deepEqual(cond('scores', 'key_equals', '7', 'quality'), {
      kind: 'score',
      name: 'quality',
      op: 'eq',
      value: 7,
    });
    assert.deepEqual(cond('scores', 'key_not_equals', 7, 'q'), { kind: 'score', name: 'q', op: 'neq', value: 7 });
  });

  it('nests groups with AND (default) and OR; an empty group matches everything', () => {
    const g: FilterGroup = {
      logic: 'OR',
      filters: [
        { field: 'status', operator: 'is', value: 'ERROR' },
        {
          filters: [
            { field: 'tags', operator: 'contains', value: 'a' },
            { field: 'cost', operator: 'gt', value: 1 },
          ],
        },
      ],
    };
    assert.deepEqual(fromFilterGroup(g), {
      kind: 'or',
      items: [
        { kind: 'cmp', column: 'status', op: 'eq', value: 'ERROR' },
        {
          kind: 'and',
          items: [
            { kind: 'tag', tags: ['a'] },
            { kind: 'cmp', column: 'price', op: 'gt', value: 1 },
          ],
        },
      ],
    });
    assert.deepEqual(fromFilterGroup({ filters: [] }), { kind: 'const', value: true });
    assert.deepEqual(fromFilterGroup({ logic: 'OR', filters: [{ filters: [] }] }), { kind: 'const', value: true });
  });

  it('refuses unknown and unsupported fields, wrong operators and bad values, naming the exact path', () => {
    assertBad(() => cond('nope', 'is', 1), 'filter_group.filters.0.field', /unknown field "nope"; known fields: pl_id/);
    assertBad(() => cond('is_json', 'is_true'), 'filter_group.filters.0.field', /does not support yet/);
    assertBad(() => cond('output', 'key_equals', 'x', 'a'), 'filter_group.filters.0.field', /flattened JSON output/);
    assertBad(() => cond('tags', 'gt', 1), 'filter_group.filters.0.operator', /not an operator of array field tags/);
    assertBad(() => cond('engine', 'is', [1] as never), 'filter_group.filters.0.value', /must be a string/);
    assertBad(() => cond('cost', 'gt', 'cheap'), 'filter_group.filters.0.value', /must be a number/);
    assertBad(() => cond('status', 'in', []), 'filter_group.filters.0.value', /non-empty array/);
    assertBad(() => cond('status', 'in', 'ERROR'), 'filter_group.filters.0.value', /non-empty array/);
    assertBad(() => cond('status', 'in', ['a', ['b'] as never]), 'filter_group.filters.0.value.1', /must be a string/);
    assertBad(() => cond('request_start_time', 'after', 'yesterday'), 'filter_group.filters.0.value', /ISO 8601/);
    assertBad(() => cond('request_start_time', 'between', [1, 2, 3]), 'filter_group.filters.0.value', /\[from, to\]/);
    assertBad(() => cond('metadata', 'key_equals', 'x'), 'filter_group.filters.0.nested_key', /required for field/);
    assertBad(() => cond('metadata', 'gt', 1, 'k'), 'filter_group.filters.0.operator', /scores only/);
    assertBad(() => cond('scores', 'key_contains', 'x', 'k'), 'filter_group.filters.0.operator', /scores take/);
    assertBad(
      () => fromFilterGroup({ filters: [{ logic: 'OR', filters: [{ field: 'x', operator: 'is' }] }] }),
      'filter_group.filters.0.filters.0.field',
      /unknown field/,
    );
    // Stored job specs and other callers are not schema-checked: the walk checks the shape too.
    assertBad(() => fromFilterGroup({ filters: 'x' } as never), 'filter_group.filters', /must be an array/);
    assertBad(() => fromFilterGroup({ logic: 'XOR', filters: [] } as never), 'filter_group.logic', /AND or OR/);
    assertBad(() => fromFilterGroup({ filters: [7] } as never), 'filter_group.filters.0.field', /is required/);
  });

  it('holds integer columns, magnitudes, list sizes, depth and condition count to their bounds', () => {
    assertBad(() => cond('pl_id', 'eq', 2.5), 'filter_group.filters.0.value', /integer between/);
    assertBad(() => cond('input_tokens', 'gt', 2 ** 31), 'filter_group.filters.0.value', /2147483647/);
    assert.deepEqual(cond('input_tokens', 'lte', 2 ** 31 - 1), {
      kind: 'cmp',
      column: 'input_tokens',
      op: 'lte',
      value: 2 ** 31 - 1,
    });
    assertBad(() => cond('prompt_id', 'eq', 2 ** 60), 'filter_group.filters.0.value', /integer between/);
    assertBad(() => cond('input_tokens', 'between', [1, 2.5]), 'filter_group.filters.0.value.1', /integer/);
    assertBad(() => cond('cost', 'gt', 1e301), 'filter_group.filters.0.value', /out of range/);
    assert.equal((cond('cost', 'gt', 1e300) as { value: number }).value, 1e300);
    assertBad(() => cond('request_start_time', 'after', 1e300), 'filter_group.filters.0.value', /ISO 8601/);
    const many = Array.from({ length: 1001 }, (_, i) => `v${i}`);
    assertBad(() => cond('status', 'in', many), 'filter_group.filters.0.value', /at most 1000 items/);
    assert.equal((cond('status', 'in', many.slice(0, 1000)) as { values: string[] }).values.length, 1000);

    const nest = (depth: number): FilterGroup =>
      depth === 1 ? { filters: [{ field: 'id', operator: 'eq', value: 1 }] } : { filters: [nest(depth - 1)] };
    assert.doesNotThrow(() => fromFilterGroup(nest(FILTER_GROUP_MAX_DEPTH)));
    assertBad(
      () => fromFilterGroup(nest(FILTER_GROUP_MAX_DEPTH + 1)),
      `filter_group${'.filters.0'.repeat(FILTER_GROUP_MAX_DEPTH)}`,
      /nest at most 8 deep/,
    );
    const c: FilterCondition = { field: 'id', operator: 'gt', value: 0 };
    assert.doesNotThrow(() => fromFilterGroup({ filters: Array(FILTER_GROUP_MAX_CONDITIONS).fill(c) }));
    // Conditions count across nested groups (a group counts as one item of its parent).
    assertBad(
      () => fromFilterGroup({ filters: [{ filters: Array(FILTER_GROUP_MAX_CONDITIONS).fill(c) }] }),
      'filter_group.filters.0',
      /at most 200 conditions/,
    );
  });

  it('reports whether a filter tests metadata (for transpose_metadata_columns)', () => {
    assert.equal(usesMetadata(cond('metadata', 'key_equals', 'x', 'k')), true);
    assert.equal(usesMetadata(cond('metadata_keys', 'is_empty')), true);
    assert.equal(usesMetadata(and([cond('tags', 'contains', 'a'), cond('metadata_keys', 'in', ['k'])])), true);
    assert.equal(usesMetadata(cond('tags', 'contains', 'a')), false);
    assert.equal(usesMetadata(cond('input_variables', 'key_equals', 'x', 'k')), false);
  });
});

describe('legacy fields → filter', () => {
  const resolver = async (name: string, labels: string[]) =>
    name === 'summarize' && labels.includes('prod') ? [3] : [];
  const legacy = (f: LegacyFilter) => fromLegacy(f, resolver);

  it('turns every field into one conjunct', async () => {
    const parts = await legacy({
      start_time: '2026-05-03T00:00:00Z',
      end_time: '2026-05-04T00:00:00',
      q: '  hello ',
      id: 7,
      starred: true,
      metadata_and: [
        { key: 'app', value: 'web' },
        { key: 'env', value: 'prod' },
      ],
      metadata_or: [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ],
      tags_and: ['x', 'y'],
      tags_or: ['p', 'q', 'p'],
      prompt_templates_include: [{ name: 'summarize' }],
      prompt_templates_exclude: [{ name: 'other', version_numbers: [1, 2] }],
      scores: [{ name: 'default', operator: '>=', value: 50 }],
      status: ['ERROR', 'ERROR', 'WARNING'],
    });
    assert.deepEqual(parts, [
      { kind: 'cmp', column: 'request_start_time', op: 'gte', value: Date.UTC(2026, 4, 3) },
      { kind: 'cmp', column: 'request_start_time', op: 'lte', value: Date.UTC(2026, 4, 4) },
      { kind: 'q', text: 'hello' },
      { kind: 'cmp', column: 'id', op: 'eq', value: 7 },
      { kind: 'cmp', column: 'starred', op: 'eq', value: 1 },
      { kind: 'meta', key: 'app', op: 'eq', values: ['web'] },
      { kind: 'meta', key: 'env', op: 'eq', values: ['prod'] },
      {
        kind: 'or',
        items: [
          { kind: 'meta', key: 'a', op: 'eq', values: ['1'] },
          { kind: 'meta', key: 'b', op: 'eq', values: ['2'] },
        ],
      },
      { kind: 'tag', tags: ['x'] },
      { kind: 'tag', tags: ['y'] },
      { kind: 'tag', tags: ['p', 'q'] },
      { kind: 'cmp', column: 'prompt_name', op: 'eq', value: 'summarize' },
      {
        kind: 'not',
        item: {
          kind: 'and',
          items: [
            { kind: 'cmp', column: 'prompt_name', op: 'eq', value: 'other' },
            { kind: 'in', column: 'prompt_version_number', values: [1, 2] },
          ],
        },
      },
      { kind: 'score', name: 'default', op: 'gte', value: 50 },
      { kind: 'in', column: 'status', values: ['ERROR', 'WARNING'] },
    ]);
  });

  it('maps every score operator, and omits what selects nothing', async () => {
    const ops = { '>': 'gt', '<': 'lt', '>=': 'gte', '<=': 'lte', '=': 'eq' } as const;
    for (const [operator, op] of Object.entries(ops)) {
      assert.deepEqual(await legacy({ scores: [{ name: 's', operator: operator as keyof typeof ops, value: 1 }] }), [
        { kind: 'score', name: 's', op, value: 1 },
      ]);
    }
    // starred:false is "no starred filter" (as in PromptLayer); blank q and empty lists add nothing.
    assert.deepEqual(
      await legacy({
        starred: false,
        q: '   ',
        metadata_or: [],
        tags_or: [],
        status: [],
        prompt_templates_include: [],
      }),
      [],
    );
    assert.deepEqual(await legacy({}), []);
  });

  it('resolves release labels to version numbers; a template narrowed to nothing matches nothing', async () => {
    assert.deepEqual(
      await legacy({ prompt_templates_include: [{ name: 'summarize', labels: ['prod'], version_numbers: [1] }] }),
      [
        {
          kind: 'and',
          items: [
            { kind: 'cmp', column: 'prompt_name', op: 'eq', value: 'summarize' },
            { kind: 'in', column: 'prompt_version_number', values: [1, 3] },
          ],
        },
      ],
    );
    assert.deepEqual(await legacy({ prompt_templates_include: [{ name: 'summarize', labels: ['staging'] }] }), [
      { kind: 'const', value: false },
    ]);
    const two = await legacy({ prompt_templates_include: [{ name: 'a' }, { name: 'b' }] });
    assert.deepEqual(two, [
      {
        kind: 'or',
        items: [
          { kind: 'cmp', column: 'prompt_name', op: 'eq', value: 'a' },
          { kind: 'cmp', column: 'prompt_name', op: 'eq', value: 'b' },
        ],
      },
    ]);
  });
});

// ---- the compiled filters as SQL, on every dialect

const BASE = Date.UTC(2026, 4, 3, 12);
interface Model {
  provider: string;
  model: string;
  status: 'SUCCESS' | 'WARNING' | 'ERROR';
  input_tokens: number;
  price: number;
  start: number;
  tags: string[];
  metadata: Record<string, string>;
  vars: Record<string, unknown>;
  score?: number;
  function_name?: string;
  text: string;
  starred: boolean;
}
const LOGS: Model[] = Array.from({ length: 12 }, (_, i) => ({
  provider: i % 3 === 0 ? 'anthropic' : 'openai',
  model: ['gpt-4o', 'gpt-4o-mini', 'claude-3'][i % 3],
  status: i % 5 === 0 ? 'ERROR' : i % 4 === 0 ? 'WARNING' : 'SUCCESS',
  input_tokens: i * 10,
  price: i / 10,
  start: BASE + i * 60_000,
  tags: i % 2 === 0 ? ['even', ...(i % 3 === 0 ? ['three'] : [])] : [],
  metadata: i % 4 === 0 ? {} : { app: i % 2 === 0 ? 'web' : 'mobile', ...(i > 6 ? { env: 'prod' } : {}) },
  vars: i % 3 === 1 ? { user: { name: i < 6 ? 'Ann' : 'Bob' } } : {},
  ...(i % 2 === 1 ? { score: i * 8 } : {}),
  ...(i % 4 === 1 ? { function_name: 'openai.chat.completions.create' } : {}),
  text: `Question ${i}: ${i % 2 === 0 ? 'Weather' : 'News'} today`,
  starred: i % 5 === 1,
}));

const has = (s: string, sub: string) => s.toLowerCase().includes(sub.toLowerCase());
/** filter_group conditions and which logs they select, computed from the model, not from SQL. */
const SQL_CASES: Array<[FilterCondition | FilterGroup, (m: Model) => boolean]> = [
  [{ field: 'engine', operator: 'is', value: 'gpt-4o' }, (m) => m.model === 'gpt-4o'],
  [{ field: 'provider_type', operator: 'is_not', value: 'openai' }, (m) => m.provider !== 'openai'],
  [{ field: 'status', operator: 'in', value: ['ERROR', 'WARNING'] }, (m) => m.status !== 'SUCCESS'],
  [{ field: 'status', operator: 'not_in', value: ['ERROR'] }, (m) => m.status !== 'ERROR'],
  [{ field: 'model', operator: 'contains', value: 'MINI' }, (m) => has(m.model, 'mini')],
  [{ field: 'model', operator: 'not_contains', value: 'gpt' }, (m) => !has(m.model, 'gpt')],
  [{ field: 'function_name', operator: 'is_null' }, (m) => m.function_name === undefined],
  [{ field: 'function_name', operator: 'is_not_null' }, (m) => m.function_name !== undefined],
  [{ field: 'input_text', operator: 'contains', value: 'weather' }, (m) => has(m.text, 'weather')],
  [{ field: 'input_text', operator: 'not_contains', value: 'weather' }, (m) => !has(m.text, 'weather')],
  [{ field: 'input_text', operator: 'starts_with', value: 'question 1' }, (m) => m.text.startsWith('Question 1')],
  [{ field: 'input_text', operator: 'ends_with', value: 'NEWS TODAY' }, (m) => m.text.endsWith('News today')],
  [
    { field: 'input_text', operator: 'is', value: 'Question 3: News today' },
    (m) => m.text === 'Question 3: News today',
  ],
  [
    { field: 'input_text', operator: 'is_not', value: 'Question 3: News today' },
    (m) => m.text !== 'Question 3: News today',
  ],
  [{ field: 'input_tokens', operator: 'gte', value: 50 }, (m) => m.input_tokens >= 50],
  [{ field: 'input_tokens', operator: 'neq', value: 50 }, (m) => m.input_tokens !== 50],
  [{ field: 'cost', operator: 'between', value: [0.2, 0.5] }, (m) => m.price >= 0.2 - 1e-9 && m.price <= 0.5 + 1e-9],
  [{ field: 'cost', operator: 'lt', value: 0.3 }, (m) => m.price < 0.3 - 1e-9],
  [{ field: 'score', operator: 'gt', value: 40 }, (m) => (m.score ?? -1) > 40],
  [{ field: 'score', operator: 'is_null' }, (m) => m.score === undefined],
  [
    { field: 'request_start_time', operator: 'after', value: (BASE + 5 * 60_000) / 1000 },
    (m) => m.start > BASE + 5 * 60_000,
  ],
  [
    { field: 'request_start_time', operator: 'before', value: new Date(BASE + 3 * 60_000).toISOString() },
    (m) => m.start < BASE + 3 * 60_000,
  ],
  [
    { field: 'request_start_time', operator: 'is', value: new Date(BASE + 4 * 60_000).toISOString() },
    (m) => m.start === BASE + 4 * 60_000,
  ],
  [
    {
      field: 'request_start_time',
      operator: 'between',
      value: [new Date(BASE + 60_000).toISOString(), (BASE + 3 * 60_000) / 1000],
    },
    (m) => m.start >= BASE + 60_000 && m.start <= BASE + 3 * 60_000,
  ],
  [{ field: 'starred', operator: 'is_true' }, (m) => m.starred],
  [{ field: 'is_starred', operator: 'is_false' }, (m) => !m.starred],
  [{ field: 'tags', operator: 'contains', value: 'three' }, (m) => m.tags.includes('three')],
  [{ field: 'tags', operator: 'not_contains', value: 'three' }, (m) => !m.tags.includes('three')],
  [{ field: 'tags', operator: 'in', value: ['three', 'nope'] }, (m) => m.tags.includes('three')],
  [{ field: 'tags', operator: 'not_in', value: ['even'] }, (m) => !m.tags.includes('even')],
  [{ field: 'tags', operator: 'is_empty' }, (m) => m.tags.length === 0],
  [{ field: 'tags', operator: 'is_not_empty' }, (m) => m.tags.length > 0],
  [{ field: 'metadata_keys', operator: 'contains', value: 'env' }, (m) => 'env' in m.metadata],
  [{ field: 'metadata_keys', operator: 'is_empty' }, (m) => Object.keys(m.metadata).length === 0],
  [{ field: 'metadata', operator: 'key_equals', nested_key: 'app', value: 'web' }, (m) => m.metadata.app === 'web'],
  [{ field: 'metadata', operator: 'key_not_equals', nested_key: 'app', value: 'web' }, (m) => m.metadata.app !== 'web'],
  [
    { field: 'metadata', operator: 'key_contains', nested_key: 'app', value: 'OBI' },
    (m) => has(m.metadata.app ?? '', 'obi'),
  ],
  [{ field: 'metadata', operator: 'in', nested_key: 'app', value: ['web', 'tv'] }, (m) => m.metadata.app === 'web'],
  [{ field: 'metadata', operator: 'not_in', nested_key: 'app', value: ['web'] }, (m) => m.metadata.app !== 'web'],
  [{ field: 'metadata', operator: 'is_empty', nested_key: 'env' }, (m) => !('env' in m.metadata)],
  [{ field: 'metadata', operator: 'is_not_empty', nested_key: 'env' }, (m) => 'env' in m.metadata],
  [
    { field: 'input_variables', operator: 'key_equals', nested_key: 'user.name', value: 'Ann' },
    (m) => (m.vars.user as { name?: string } | undefined)?.name === 'Ann',
  ],
  [
    { field: 'input_variables', operator: 'is_not_empty', nested_key: 'user.name' },
    (m) => (m.vars.user as { name?: string } | undefined)?.name !== undefined,
  ],
  [{ field: 'scores', operator: 'gte', nested_key: 'default', value: 40 }, (m) => (m.score ?? -1) >= 40],
  [
    {
      logic: 'OR',
      filters: [
        { field: 'status', operator: 'is', value: 'ERROR' },
        {
          filters: [
            { field: 'tags', operator: 'contains', value: 'even' },
            { field: 'metadata', operator: 'key_equals', nested_key: 'env', value: 'prod' },
          ],
        },
      ],
    },
    (m) => m.status === 'ERROR' || (m.tags.includes('even') && m.metadata.env === 'prod'),
  ],
];

for (const dialect of DIALECTS) {
  describe(`log filters as SQL [${dialect}]`, () => {
    let t: TestApp;
    let repo: RequestLogRepository;
    let ws: number;
    /** Model index by log id. */
    const byId = new Map<number, Model>();

    before(async () => {
      t = await startTestApp(dialect);
      repo = new RequestLogRepository(t.app.dbh.db, t.app.dbh.dialect);
      for (const m of LOGS) {
        const chat = (text: string) => ({
          type: 'chat',
          messages: [{ role: 'user', content: [{ type: 'text', text }] }],
        });
        const res = await t.request({
          method: 'POST',
          url: '/log-request',
          body: {
            provider: m.provider,
            model: m.model,
            input: chat(m.text),
            output: chat('answer'),
            request_start_time: m.start / 1000,
            request_end_time: m.start / 1000 + 1,
            status: m.status,
            input_tokens: m.input_tokens,
            price: m.price,
            tags: m.tags,
            metadata: m.metadata,
            prompt_input_variables: m.vars,
            ...(m.score === undefined ? {} : { score: m.score }),
            ...(m.function_name ? { function_name: m.function_name } : {}),
          },
        });
        assert.equal(res.statusCode, 201, res.body);
        const id = res.json<{ id: number }>().id;
        byId.set(id, m);
        if (m.starred) {
          const star = await t.request({ method: 'POST', url: `/api/public/v2/requests/${id}/star` });
          assert.equal(star.statusCode, 200, star.body);
        }
      }
      const row = await t.app.dbh.db.selectFrom('request_logs').select('workspace_id').executeTakeFirstOrThrow();
      ws = Number(row.workspace_id);
    });
    after(() => t.close());

    const matching = async (f: LogFilter | undefined) =>
      (await repo.selectMatches(ws, f, { kind: 'column', column: 'id', direction: 'asc' }, 1000)).map((r) => r.id);
    const expected = (p: (m: Model) => boolean) => [...byId].filter(([, m]) => p(m)).map(([id]) => id);

    it('selects what every filter_group operator means, checked against a model of the logs', async () => {
      for (const [item, predicate] of SQL_CASES) {
        const f = fromFilterGroup({ filters: [item] });
        const want = expected(predicate);
        assert.ok(want.length > 0 && want.length < LOGS.length, `a case that separates: ${JSON.stringify(item)}`);
        assert.deepEqual(await matching(f), want, JSON.stringify(item));
        assert.equal(await repo.count(ws, f), want.length, JSON.stringify(item));
      }
    });

    it('selects what the legacy fields mean', async () => {
      const cases: Array<[LegacyFilter, (m: Model) => boolean]> = [
        [{ start_time: new Date(BASE + 2 * 60_000).toISOString() }, (m) => m.start >= BASE + 2 * 60_000],
        [{ end_time: new Date(BASE + 2 * 60_000).toISOString() }, (m) => m.start <= BASE + 2 * 60_000],
        [{ q: 'WEATHER' }, (m) => has(m.text, 'weather')],
        [{ starred: true }, (m) => m.starred],
        [
          {
            metadata_and: [
              { key: 'app', value: 'web' },
              { key: 'env', value: 'prod' },
            ],
          },
          (m) => m.metadata.app === 'web' && m.metadata.env === 'prod',
        ],
        [
          {
            metadata_or: [
              { key: 'app', value: 'web' },
              { key: 'env', value: 'prod' },
            ],
          },
          (m) => m.metadata.app === 'web' || m.metadata.env === 'prod',
        ],
        [{ tags_and: ['even', 'three'] }, (m) => m.tags.includes('even') && m.tags.includes('three')],
        [{ tags_or: ['three', 'none'] }, (m) => m.tags.includes('three')],
        [{ scores: [{ name: 'default', operator: '<', value: 50 }] }, (m) => m.score !== undefined && m.score < 50],
        [{ status: ['ERROR', 'WARNING'] }, (m) => m.status !== 'SUCCESS'],
        [{ prompt_templates_exclude: [{ name: 'none' }] }, () => true],
      ];
      for (const [legacy, predicate] of cases) {
        const parts = await fromLegacy(legacy, async () => []);
        assert.deepEqual(await matching(and(parts)), expected(predicate), JSON.stringify(legacy));
      }
      const firstId = [...byId.keys()][3];
      assert.deepEqual(await matching(and(await fromLegacy({ id: firstId }, async () => []))), [firstId]);
      assert.deepEqual(await matching({ kind: 'const', value: false }), []);
      assert.deepEqual(await matching(undefined), [...byId.keys()]);
    });
  });
}
