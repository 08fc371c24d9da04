import { describe, expect, it } from 'vitest';
import { barHeights, binLabel, compactNumber, histogramLabel, percent } from './column-stats';

describe('column statistics formatting', () => {
  it('writes numbers compactly', () => {
    expect(compactNumber(12345)).toBe('12,345');
    expect(compactNumber(2_500_000)).toBe('2.5M');
    expect(compactNumber(0.125)).toBe('0.125');
    expect(compactNumber(26.9)).toBe('26.9');
    expect(compactNumber(1 / 3)).toBe('0.3333');
    expect(compactNumber(0.0000031)).toBe('3.10e-6');
    expect(compactNumber(0)).toBe('0');
  });
  it('writes shares and bins', () => {
    expect(percent(0.2)).toBe('20%');
    expect(percent(0.0123)).toBe('1.2%');
    expect(percent(0.0001)).toBe('<0.1%');
    expect(binLabel({ from: 3, to: 3, count: 1 })).toBe('3');
    expect(binLabel({ from: -3, to: 7.3, count: 1 })).toBe('-3–7.3');
  });
  it('scales bars to the tallest bin and describes them', () => {
    expect(
      barHeights([
        { from: 0, to: 1, count: 1 },
        { from: 1, to: 2, count: 200 },
        { from: 2, to: 3, count: 0 },
      ]),
    ).toEqual([4, 100, 0]);
    expect(
      histogramLabel('Values', [
        { from: 1, to: 1, count: 2 },
        { from: 2, to: 2, count: 1 },
      ]),
    ).toBe('Values: 1: 2; 2: 1');
  });
});
