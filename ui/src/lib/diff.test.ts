import { describe, expect, it } from 'vitest';
import { changedColumnsOf, normaliseDiff, rowAsRecord } from './diff';

describe('normaliseDiff', () => {
  it('reads a flat diff with a list of changes', () => {
    const d = normaliseDiff(
      {
        success: true,
        columns_added: ['score'],
        columns_removed: [],
        rows_added: 1,
        rows_removed: 1,
        rows_changed: 1,
        rows_unchanged: 997,
        changes: [
          { change: 'added', after: { id: '1001', name: 'row-1001', score: '1' } },
          { change: 'removed', before: ['6', 'row-6'] },
          {
            change: 'changed',
            before: { id: '5', name: 'row-5' },
            after: { id: '5', name: 'row-5-renamed', score: null },
          },
        ],
        total: 3,
      },
      ['id', 'name'],
      ['id', 'name', 'score'],
    );
    expect(d.columnsAdded).toEqual(['score']);
    expect(d.columnsRemoved).toEqual([]);
    expect(d.counts).toEqual({ added: 1, removed: 1, changed: 1, unchanged: 997 });
    expect(d.rows.map((r) => r.kind)).toEqual(['added', 'removed', 'changed']);
    expect(d.rows[1].before).toEqual({ id: '6', name: 'row-6' });
    expect(d.rows[2].changedColumns).toEqual(['name', 'score']);
    expect(d.totalChanges).toBe(3);
  });

  it('reads nested columns/counts and per-kind row arrays', () => {
    const d = normaliseDiff(
      {
        columns: { added: [], removed: ['old'] },
        summary: { added: 2, removed: 0, changed: 1 },
        rows: {
          added: [[{ type: 'dataset', value: 'x' }]],
          changed: [{ before: ['a'], after: ['b'], changed_columns: ['c1'] }],
        },
      },
      ['c1'],
      ['c1'],
    );
    expect(d.columnsRemoved).toEqual(['old']);
    expect(d.counts).toEqual({ added: 2, removed: 0, changed: 1, unchanged: null });
    expect(d.rows).toEqual([
      { kind: 'added', before: null, after: { c1: 'x' }, changedColumns: [] },
      { kind: 'changed', before: { c1: 'a' }, after: { c1: 'b' }, changedColumns: ['c1'] },
    ]);
    expect(d.totalChanges).toBeNull();
  });

  it('copes with an empty or odd answer', () => {
    expect(normaliseDiff(null)).toEqual({
      columnsAdded: [],
      columnsRemoved: [],
      counts: { added: 0, removed: 0, changed: 0, unchanged: null },
      rows: [],
      totalChanges: null,
      pages: null,
    });
    expect(normaliseDiff({ changes: [{ kind: 'weird' }, 5] }).rows).toEqual([]);
  });
});

describe('the Strata diff shape (GET /datasets/{id}/diff)', () => {
  it('reads columns, counts and the per-kind row lists with values', () => {
    const d = normaliseDiff({
      success: true,
      dataset_id: 9,
      against_dataset_id: 8,
      match_by: 'content',
      columns: { added: ['score'], removed: [], unchanged: ['id', 'name'] },
      counts: { added: 1, removed: 1, changed: 1, unchanged: 997 },
      rows: {
        added: [{ row_id: 999, row_uid: null, values: { id: '1001', name: 'row-1001', score: 1 } }],
        removed: [{ row_id: 5, row_uid: null, values: { id: '6', name: 'row-6' } }],
        changed: [
          {
            row_id: 4,
            against_row_id: 4,
            row_uid: 'u4',
            changed_columns: ['name'],
            before: { id: '5', name: 'row-5' },
            after: { id: '5', name: 'row-5-renamed', score: null },
          },
        ],
      },
      page: 1,
      per_page: 100,
      pages: 1,
    });
    expect(d.columnsAdded).toEqual(['score']);
    expect(d.counts).toEqual({ added: 1, removed: 1, changed: 1, unchanged: 997 });
    expect(d.pages).toBe(1);
    expect(d.rows).toEqual([
      { kind: 'added', before: null, after: { id: '1001', name: 'row-1001', score: 1 }, changedColumns: [] },
      { kind: 'removed', before: { id: '6', name: 'row-6' }, after: null, changedColumns: [] },
      {
        kind: 'changed',
        before: { id: '5', name: 'row-5' },
        after: { id: '5', name: 'row-5-renamed', score: null },
        changedColumns: ['name'],
      },
    ]);
  });
});

describe('row helpers', () => {
  it('turns every row form into a record', () => {
    expect(rowAsRecord(['1', '2'], ['a', 'b'])).toEqual({ a: '1', b: '2' });
    expect(rowAsRecord(['1', '2', '3'], ['a'])).toEqual({ a: '1', 'column 2': '2', 'column 3': '3' });
    expect(rowAsRecord({ cells: [{ type: 'dataset', value: 1 }] }, ['a'])).toEqual({ a: 1 });
    expect(rowAsRecord({ a: 1 }, [])).toEqual({ a: 1 });
    expect(rowAsRecord(null, [])).toBeNull();
  });

  it('finds changed columns by value, including JSON values', () => {
    expect(changedColumnsOf({ a: 1, b: { x: [1] }, c: 'same' }, { a: 2, b: { x: [1] }, c: 'same', d: 'new' })).toEqual([
      'a',
      'd',
    ]);
    expect(changedColumnsOf(null, { a: 1 })).toEqual([]);
  });
});
