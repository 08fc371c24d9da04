// The column statistics accumulator on arbitrary JSON cells (fast-check): never throws, and its result is plain JSON
// with finite numbers and consistent counts, whatever the values (huge or tiny numbers, odd text, nesting, nulls).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ColumnStatsAccumulator, histogram } from '../src/datasets/column-stats.js';

function finiteEverywhere(v: unknown, path = '$'): void {
  if (typeof v === 'number') assert.ok(Number.isFinite(v), `${path} is ${v}`);
  else if (Array.isArray(v)) v.forEach((x, i) => finiteEverywhere(x, `${path}[${i}]`));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) finiteEverywhere(x, `${path}.${k}`);
}

const cell = fc.oneof(
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(1e20, -1e20, 1.7e308, -1.7e308, 5e-324, 2 ** 53 + 2),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', 'true', 'FALSE', '12', ' 3.5 ', '1e400'),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 3 }),
);

describe('column statistics accumulator', () => {
  it('gives finite, consistent figures for any cells', () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 60 }), (cells) => {
        const acc = new ColumnStatsAccumulator();
        for (const c of cells) acc.add(c);
        const r = acc.result();
        finiteEverywhere(JSON.parse(JSON.stringify(r)));
        assert.equal(r.count, cells.length);
        assert.equal(
          r.nulls + r.empty + r.kinds.number + r.kinds.string + r.kinds.boolean + r.kinds.json,
          cells.length,
        );
        for (const h of [r.number?.histogram ?? [], r.string?.length.histogram ?? []]) {
          const n = h.reduce((s, b) => s + b.count, 0);
          assert.ok(h.length <= 20);
          if (h === r.number?.histogram) assert.equal(n, r.number.count);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('bins extreme ranges without looping or overflowing', () => {
    assert.deepEqual(histogram(Float64Array.of(1e20, 1e20), 1e20, 1e20), [{ from: 1e20, to: 1e20, count: 2 }]);
    assert.deepEqual(histogram(Float64Array.of(0.5, 0.5), 0.5, 0.5), [{ from: 0.5, to: 0.5, count: 2 }]);
    const wide = histogram(Float64Array.of(-1.7e308, 0, 1.7e308), -1.7e308, 1.7e308);
    assert.deepEqual(
      wide.map((b) => b.count),
      [1, 0, 0, 0, 0, 1, 0, 0, 0, 1],
    );
    const acc = new ColumnStatsAccumulator();
    for (const v of [1.7e308, 1.7e308]) acc.add(v);
    assert.equal(acc.result().number!.mean, 1.7e308);
  });
});
