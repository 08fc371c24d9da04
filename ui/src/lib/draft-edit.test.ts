import { describe, expect, it } from 'vitest';
import { draftOf, editText, isBlankDraft, onDraftConflict, parseEdit } from './draft-edit';
import { columnLeft, describeCell, nextSort, pruneView, scrollLeftFor, viewQuery } from './grid-view';
import type { Dataset } from './types';

const ds = (over: Partial<Dataset>): Dataset =>
  ({
    id: 1,
    dataset_group_id: 1,
    version_number: -1,
    column_names: [],
    filter_params: null,
    is_deleted: false,
    status: 'draft',
    origin: 'draft',
    row_count: 0,
    error: null,
    warnings: [],
    ...over,
  }) as Dataset;

describe('editText / parseEdit', () => {
  it('starts from the cell as text', () => {
    expect(editText(null)).toBe('');
    expect(editText('a b')).toBe('a b');
    expect(editText(12.5)).toBe('12.5');
    expect(editText({ a: [1] })).toBe('{"a":[1]}');
    expect(editText(false)).toBe('false');
  });
  it('keeps the kind of the cell', () => {
    expect(parseEdit('7', 3)).toEqual({ ok: true, value: 7, changed: true });
    expect(parseEdit('seven', 3)).toEqual({ ok: true, value: 'seven', changed: true });
    expect(parseEdit('3', 3)).toEqual({ ok: true, value: 3, changed: false });
    expect(parseEdit('TRUE', false)).toEqual({ ok: true, value: true, changed: true });
    expect(parseEdit('{"a": [1]}', { a: [1] })).toEqual({ ok: true, value: { a: [1] }, changed: false });
    expect(parseEdit('[1,2]', { a: 1 })).toEqual({ ok: true, value: [1, 2], changed: true });
    // Text stays text, even when it looks like a number (CSV cells are text).
    expect(parseEdit('42', '41')).toEqual({ ok: true, value: '42', changed: true });
    expect(parseEdit('', 'x')).toEqual({ ok: true, value: '', changed: true });
    expect(parseEdit('new', null)).toEqual({ ok: true, value: 'new', changed: true });
    expect(parseEdit('', null)).toEqual({ ok: true, value: null, changed: false });
    expect(parseEdit(' ', 5)).toEqual({ ok: true, value: null, changed: true });
  });
  it('refuses broken JSON for a JSON cell, saying why', () => {
    const r = parseEdit('{"a":', { a: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/Not valid JSON \(this cell holds an object\)/);
  });
});

describe('drafts of a group', () => {
  it('finds the draft in progress, newest first, ignoring deleted ones and versions', () => {
    const list = [
      ds({ id: 1, version_number: 1, status: 'ready', origin: 'file' }),
      ds({ id: 2, is_deleted: true }),
      ds({ id: 3, status: 'processing' }),
      ds({ id: 4, status: 'processing', origin: 'file', version_number: -1 }),
    ];
    expect(draftOf(list)?.id).toBe(3);
    expect(draftOf([list[0]])).toBeUndefined();
  });
  it('replaces a blank draft with a copy, opens it for an empty draft, refuses to lose edits', () => {
    const blank = ds({});
    const edited = ds({ row_count: 2, column_names: ['a'] });
    expect(isBlankDraft(blank)).toBe(true);
    expect(isBlankDraft(edited)).toBe(false);
    expect(onDraftConflict(blank, 9)).toBe('replace');
    expect(onDraftConflict(blank, undefined)).toBe('open');
    expect(onDraftConflict(edited, 9)).toBe('refuse');
    expect(onDraftConflict(ds({ status: 'processing' }), undefined)).toBe('refuse');
    expect(onDraftConflict(undefined, 9)).toBe('refuse');
  });
});

describe('grid view', () => {
  it('scrolls sideways only as far as needed, clear of the sticky row numbers', () => {
    const view = { scrollLeft: 0, clientWidth: 500 };
    expect(scrollLeftFor({ left: 84, width: 200 }, view, 84)).toBe(0);
    // Off to the right: its right edge lands on the viewport's right edge.
    expect(scrollLeftFor({ left: 484, width: 200 }, view, 84)).toBe(184);
    // Off to the left (under the row numbers): its left edge lands just after them.
    expect(scrollLeftFor({ left: 284, width: 200 }, { scrollLeft: 300, clientWidth: 500 }, 84)).toBe(200);
    // Wider than the viewport: show its start.
    expect(scrollLeftFor({ left: 1000, width: 900 }, view, 84)).toBe(916);
    expect(columnLeft([100, 200, 300], 2, 84)).toBe(384);
    expect(columnLeft([100], 0, 84)).toBe(84);
  });
  it('cycles the sort and builds the rows query', () => {
    expect(nextSort(null, 'a')).toEqual({ column: 'a', order: 'asc' });
    expect(nextSort({ column: 'a', order: 'asc' }, 'a')).toEqual({ column: 'a', order: 'desc' });
    expect(nextSort({ column: 'a', order: 'desc' }, 'a')).toBeNull();
    expect(nextSort({ column: 'a', order: 'desc' }, 'b')).toEqual({ column: 'b', order: 'asc' });
    expect(viewQuery({ column: 'a', order: 'desc' }, { b: ' x ', c: '  ' })).toEqual({
      sort: 'a',
      order: 'desc',
      'filter[b]': 'x',
    });
    expect(viewQuery(null, {})).toEqual({});
  });
  it('drops a sort or filter on a column that is gone', () => {
    expect(pruneView(['a'], { column: 'b', order: 'asc' }, { a: '1', b: '2' })).toEqual({
      sort: null,
      filters: { a: '1' },
    });
    const sort = { column: 'a', order: 'asc' as const };
    expect(pruneView(['a'], sort, {}).sort).toBe(sort);
  });
  it('says where the active cell is', () => {
    expect(describeCell(1200, 200000, 'name', 'row-5')).toBe('Row 1,200 of 200,000, name: row-5');
    expect(describeCell(1, 1, 'x', '')).toBe('Row 1 of 1, x: empty');
    expect(describeCell(1, 1, 'x', null)).toBe('Row 1 of 1, x: loading');
  });
});
