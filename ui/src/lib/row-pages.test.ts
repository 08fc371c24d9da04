import { describe, expect, it } from 'vitest';
import { fetchPlan, pageOf, pagesToEvict, pagesToFetch, resizeColumn, windowFor } from './row-pages';

describe('pagesToFetch', () => {
  it('lists the missing pages of the visible rows, within the total', () => {
    expect(pageOf(0)).toBe(0);
    expect(pageOf(199)).toBe(1);
    expect(pagesToFetch(0, 30, 1000, new Set(), new Set())).toEqual([0]);
    expect(pagesToFetch(150, 420, 1000, new Set([2]), new Set([3]))).toEqual([1, 4]);
    expect(pagesToFetch(950, 5000, 1000, new Set(), new Set())).toEqual([9]);
    expect(pagesToFetch(0, 10, 0, new Set(), new Set())).toEqual([]);
  });
});

describe('fetchPlan', () => {
  it('uses the keyset cursor when the previous page gave one, else the page number', () => {
    const cursors = new Map([[3, 'cursor-after-page-2']]);
    expect(fetchPlan(0, cursors)).toEqual({ page: 1 });
    expect(fetchPlan(3, cursors)).toEqual({ cursor: 'cursor-after-page-2' });
    expect(fetchPlan(7, cursors)).toEqual({ page: 8 });
  });
});

describe('pagesToEvict', () => {
  it('keeps memory bounded by dropping the pages farthest from the viewport', () => {
    expect(pagesToEvict([1, 2, 3], 2, 5)).toEqual([]);
    expect(pagesToEvict([0, 1, 2, 50, 51, 99], 50, 3).sort((a, b) => a - b)).toEqual([0, 1, 99]);
  });
});

describe('windowFor', () => {
  it('lays out the whole version when small', () => {
    expect(windowFor(500, 1000)).toEqual({ start: 0, count: 1000 });
  });
  it('centres a page-aligned window on the target row of a huge version', () => {
    expect(windowFor(0, 1_000_000)).toEqual({ start: 0, count: 200_000 });
    expect(windowFor(500_050, 1_000_000)).toEqual({ start: 400_000, count: 200_050 });
    expect(windowFor(999_999, 1_000_000)).toEqual({ start: 800_000, count: 200_000 });
    expect(windowFor(333_333, 1_000_000, 1000)).toEqual({ start: 332_800, count: 1033 });
  });
  it('reaches the last row when the total is not a multiple of the page size', () => {
    // 236,626 rows: the window used to stop at row 236,600 (start rounded down to a page, size capped).
    for (const target of [236_625, 236_600, 150_000, 120_000]) {
      const w = windowFor(target, 236_626);
      expect(w.start % 100).toBe(0);
      expect(w.start).toBeLessThanOrEqual(target);
      expect(w.start + w.count).toBeGreaterThan(target);
      expect(w.start + w.count).toBeLessThanOrEqual(236_626);
    }
    expect(windowFor(236_625, 236_626)).toEqual({ start: 36_600, count: 200_026 });
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
