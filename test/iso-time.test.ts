// Unit tests of the one API time rule (src/iso-time.ts parseApiTime): seconds, milliseconds past 1e11, ISO 8601.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MS_THRESHOLD, parseApiTime } from '../src/iso-time.js';

test('numbers up to 1e11 are unix seconds (fractions kept to the millisecond)', () => {
  assert.equal(parseApiTime(0), 0);
  assert.equal(parseApiTime(1_700_000_000), 1_700_000_000_000);
  assert.equal(parseApiTime(1_700_000_000.1234), 1_700_000_000_123);
  assert.equal(parseApiTime(MS_THRESHOLD), MS_THRESHOLD * 1000, 'exactly 1e11 is still seconds');
});

test('numbers above 1e11 are epoch milliseconds (Date.now() where seconds are documented)', () => {
  assert.equal(parseApiTime(MS_THRESHOLD + 1), MS_THRESHOLD + 1);
  assert.equal(parseApiTime(1_700_000_000_000), 1_700_000_000_000);
  assert.equal(parseApiTime(1_700_000_000_000.6), 1_700_000_000_001);
  assert.equal(parseApiTime(8.64e15), 8.64e15, 'the last instant a Date holds');
});

test('numbers outside the Date range, negative or not finite are not times', () => {
  for (const v of [-1, -0.5, 8.64e15 + 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
    assert.ok(Number.isNaN(parseApiTime(v)), String(v));
});

test('strings are ISO 8601 (UTC without an offset); numeric strings and other types are not times', () => {
  assert.equal(parseApiTime('2026-04-22T17:00:00Z'), Date.UTC(2026, 3, 22, 17));
  assert.equal(parseApiTime('2026-04-22 17:00'), Date.UTC(2026, 3, 22, 17));
  assert.equal(parseApiTime('2026-04-22T17:00:00+02:00'), Date.UTC(2026, 3, 22, 15));
  for (const v of ['1700000000', '', 'yesterday', '2026-02-30', null, undefined, true, {}, [1]])
    assert.ok(Number.isNaN(parseApiTime(v)), JSON.stringify(v));
});
