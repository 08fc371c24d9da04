import { describe, expect, it } from 'vitest';
import {
  buildFilterBody,
  describeFilterParams,
  emptyFilterForm,
  splitList,
  toIsoUtc,
  type FilterForm,
} from './filter-params';

const form = (patch: Partial<FilterForm>): FilterForm => ({ ...emptyFilterForm(), ...patch });

describe('buildFilterBody', () => {
  it('sends only the group for an empty form', () => {
    expect(buildFilterBody(emptyFilterForm(), 7)).toEqual({ body: { dataset_group_id: 7 }, errors: {} });
  });

  it('maps every seed-003 field', () => {
    const { body, errors } = buildFilterBody(
      form({
        variables_to_parse: 'question, context',
        start_time: '2026-04-22T17:00',
        end_time: '2026-04-23T17:00',
        limit: '25',
        q: ' refund ',
        id: '12',
        starred: true,
        order_by_random: true,
        metadata_and: [{ key: 'app_name', value: 'local' }],
        metadata_or: [
          { key: 'env', value: 'prod' },
          { key: '', value: '' },
        ],
        tags_and: 'a, b',
        tags_or: 'c',
        prompt_templates_include: [{ name: 'generate-summary', version_numbers: '1, 3', labels: 'prod' }],
        prompt_templates_exclude: [{ name: 'old', version_numbers: '', labels: '' }],
        scores: [{ name: 'accuracy', operator: '>=', value: '80' }],
        status: ['SUCCESS', 'WARNING'],
        sort_by: 'latency',
        sort_order: 'asc',
        include_fields: 'engine, price',
        transpose_metadata_columns: true,
      }),
      20123,
    );
    expect(errors).toEqual({});
    expect(body).toEqual({
      dataset_group_id: 20123,
      variables_to_parse: ['question', 'context'],
      start_time: '2026-04-22T17:00:00Z',
      end_time: '2026-04-23T17:00:00Z',
      limit: 25,
      q: 'refund',
      id: 12,
      starred: true,
      order_by_random: true,
      metadata_and: [{ key: 'app_name', value: 'local' }],
      metadata_or: [{ key: 'env', value: 'prod' }],
      tags_and: ['a', 'b'],
      tags_or: ['c'],
      prompt_templates_include: [{ name: 'generate-summary', version_numbers: [1, 3], labels: ['prod'] }],
      prompt_templates_exclude: [{ name: 'old' }],
      scores: [{ name: 'accuracy', operator: '>=', value: 80 }],
      status: ['SUCCESS', 'WARNING'],
      sort_by: 'latency',
      sort_order: 'asc',
      include_fields: ['engine', 'price'],
      transpose_metadata_columns: true,
    });
  });

  it('applies the API rules, naming the field', () => {
    expect(buildFilterBody(form({ limit: '50001' }), 1).errors.limit).toMatch(/0 to 50,000/);
    expect(buildFilterBody(form({ limit: '-1' }), 1).errors.limit).toBeDefined();
    expect(buildFilterBody(form({ limit: '2.5' }), 1).errors.limit).toBeDefined();
    expect(buildFilterBody(form({ limit: '0' }), 1)).toEqual({ body: { dataset_group_id: 1, limit: 0 }, errors: {} });
    expect(buildFilterBody(form({ order_by_random: true }), 1).errors.order_by_random).toMatch(/requires a limit/);
    expect(buildFilterBody(form({ transpose_metadata_columns: true }), 1).errors.transpose_metadata_columns).toMatch(
      /metadata filter/,
    );
    expect(buildFilterBody(form({ id: '0' }), 1).errors.id).toBeDefined();
    expect(
      buildFilterBody(form({ start_time: '2026-04-23T00:00', end_time: '2026-04-22T00:00' }), 1).errors.end_time,
    ).toMatch(/before/);
    expect(buildFilterBody(form({ scores: [{ name: 'x', operator: '>', value: 'high' }] }), 1).errors.scores).toMatch(
      /numeric/,
    );
    expect(buildFilterBody(form({ metadata_and: [{ key: '', value: 'v' }] }), 1).errors.metadata_and).toMatch(/key/);
    expect(
      buildFilterBody(form({ prompt_templates_include: [{ name: 't', version_numbers: '1, x', labels: '' }] }), 1)
        .errors.prompt_templates_include,
    ).toMatch(/whole numbers/);
  });

  it('keeps metadata values exactly as typed (compared as strings)', () => {
    expect(buildFilterBody(form({ metadata_and: [{ key: ' k ', value: ' 01 ' }] }), 1).body.metadata_and).toEqual([
      { key: 'k', value: ' 01 ' },
    ]);
  });
});

describe('helpers', () => {
  it('splits comma lists and reads datetime-local as UTC', () => {
    expect(splitList(' a, ,b ,')).toEqual(['a', 'b']);
    expect(toIsoUtc('2026-04-22T17:00')).toBe('2026-04-22T17:00:00Z');
    expect(toIsoUtc('2026-04-22T17:00:30')).toBe('2026-04-22T17:00:30Z');
    expect(toIsoUtc('nonsense')).toBeUndefined();
    expect(toIsoUtc('')).toBeUndefined();
  });

  it('describes stored filter params without the group id or empty lists', () => {
    expect(
      describeFilterParams({
        dataset_group_id: 3,
        limit: 5,
        tags_and: [],
        metadata_and: [{ key: 'a', value: 'b' }],
        q: 'hi',
      }),
    ).toEqual([
      ['Limit', '5'],
      ['Metadata (all of)', 'a = b'],
      ['Text contains', 'hi'],
    ]);
    expect(
      describeFilterParams({
        tags_or: ['x', 'y'],
        prompt_templates_include: [{ name: 'qa', version_numbers: [1, 3], labels: ['prod'] }, { name: 'other' }],
        scores: [{ name: 'default', operator: '>=', value: 80 }],
        status: ['SUCCESS', 'ERROR'],
        starred: true,
        order_by_random: false,
        sort_order: 'asc',
        custom_thing: { a: 1 },
      }),
    ).toEqual([
      ['Tags (any of)', 'x or y'],
      ['Prompt templates', 'qa v1, v3 (prod); other'],
      ['Scores', 'default >= 80'],
      ['Status', 'SUCCESS, ERROR'],
      ['Starred only', 'yes'],
      ['Order', 'ascending'],
      ['custom thing', '{"a":1}'],
    ]);
    expect(describeFilterParams(null)).toEqual([]);
  });
});
