import { describe, expect, it } from 'vitest';
import { initialKeyset, keysetReducer, resizeColumn, shouldLoadMore } from './keyset';

describe('keysetReducer', () => {
  it('appends pages in order and stops at the last page', () => {
    let s = initialKeyset<number>('q1');
    s = keysetReducer(s, { type: 'request', queryKey: 'q1' });
    expect(s.loading).toBe(true);
    s = keysetReducer(s, { type: 'page', queryKey: 'q1', rows: [1, 2], columns: ['a'], total: 3, nextCursor: 'c2' });
    expect(s).toMatchObject({ rows: [1, 2], nextCursor: 'c2', done: false, loading: false, total: 3 });
    s = keysetReducer(s, { type: 'page', queryKey: 'q1', rows: [3], columns: ['a'], total: 3, nextCursor: null });
    expect(s).toMatchObject({ rows: [1, 2, 3], done: true });
  });

  it('drops answers for a previous query (a new search started over)', () => {
    let s = initialKeyset<number>('old');
    s = keysetReducer(s, { type: 'reset', queryKey: 'new' });
    s = keysetReducer(s, { type: 'page', queryKey: 'old', rows: [9], columns: [], total: 1, nextCursor: null });
    expect(s.rows).toEqual([]);
    expect(s.queryKey).toBe('new');
  });

  it('keeps loaded rows on error', () => {
    let s = keysetReducer(initialKeyset<number>('q'), { type: 'page', queryKey: 'q', rows: [1], columns: [], total: 5, nextCursor: 'c' });
    s = keysetReducer(s, { type: 'error', queryKey: 'q', message: 'boom' });
    expect(s).toMatchObject({ rows: [1], error: 'boom', loading: false });
  });
});

describe('shouldLoadMore', () => {
  const base = { rows: new Array(100).fill(0), done: false, loading: false, error: null };
  it('loads when the view nears the end of the loaded rows', () => {
    expect(shouldLoadMore(base, 10)).toBe(false);
    expect(shouldLoadMore(base, 60)).toBe(true);
    expect(shouldLoadMore({ ...base, loading: true }, 99)).toBe(false);
    expect(shouldLoadMore({ ...base, done: true }, 99)).toBe(false);
    expect(shouldLoadMore({ ...base, error: 'x' }, 99)).toBe(false);
  });
});

describe('resizeColumn', () => {
  it('clamps widths and leaves other columns alone', () => {
    expect(resizeColumn({ a: 100, b: 50 }, 'a', 40)).toEqual({ a: 140, b: 50 });
    expect(resizeColumn({ a: 100 }, 'a', -500)).toEqual({ a: 60 });
    expect(resizeColumn({}, 'a', 5000)).toEqual({ a: 1200 });
    expect(resizeColumn({}, 'a', 10, 60, 1200, 200)).toEqual({ a: 210 });
  });
});
