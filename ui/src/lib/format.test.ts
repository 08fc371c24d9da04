import { describe, expect, it } from 'vitest';
import { asJson, cellKind, formatCount, formatDate, fullCell, isExpandable, previewCell, versionLabel } from './format';

describe('cells', () => {
  it('classifies values', () => {
    expect(cellKind(null)).toBe('null');
    expect(cellKind(undefined)).toBe('null');
    expect(cellKind(3)).toBe('number');
    expect(cellKind(false)).toBe('boolean');
    expect(cellKind({ a: 1 })).toBe('json');
    expect(cellKind('[1,2]')).toBe('json');
    expect(cellKind('{not json')).toBe('text');
    expect(cellKind('hello')).toBe('text');
  });

  it('parses JSON held in strings, and only objects/arrays', () => {
    expect(asJson(' {"a": [1]} ')).toEqual({ a: [1] });
    expect(asJson('42')).toBeUndefined();
    expect(asJson('{broken}')).toBeUndefined();
  });

  it('previews on one line and cuts long text', () => {
    expect(previewCell('a\n  b')).toBe('a b');
    expect(previewCell('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(previewCell({ a: 1 })).toBe('{"a":1}');
    expect(previewCell(null)).toBe('');
  });

  it('pretty-prints JSON in the expanded view', () => {
    expect(fullCell('{"a":{"b":1}}')).toBe('{\n  "a": {\n    "b": 1\n  }\n}');
    expect(fullCell('plain\ntext')).toBe('plain\ntext');
    expect(fullCell(null)).toBe('null');
    expect(fullCell(12)).toBe('12');
  });

  it('offers expansion for long, multi-line and JSON cells', () => {
    expect(isExpandable('short')).toBe(false);
    expect(isExpandable('x'.repeat(61))).toBe(true);
    expect(isExpandable('a\nb')).toBe(true);
    expect(isExpandable('[1]')).toBe(true);
    expect(isExpandable(5)).toBe(false);
  });
});

describe('labels', () => {
  it('formats counts, versions and dates', () => {
    expect(formatCount(1000000)).toBe('1,000,000');
    expect(formatCount(null)).toBe('—');
    expect(versionLabel(-1)).toBe('draft');
    expect(versionLabel(3)).toBe('v3');
    expect(formatDate(null)).toBe('—');
    expect(formatDate('not a date')).toBe('not a date');
    expect(formatDate('2026-01-02T03:04:05Z')).toMatch(/^2026-01-0[12] \d\d:\d\d$/);
  });
});
