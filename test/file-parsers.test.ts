// File parsers against independent oracles: csv-parse for CSV, JSON.parse for JSON/JSONL, over many chunk boundaries.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { chunked } from './support/chunked.js';
import { parse as csvParseSync } from 'csv-parse/sync';
import { openTableReader } from '../src/datasets/parsers/index.js';
import type { FileFormat } from '../src/jobs/job-catalogue.js';

async function readAll(format: FileFormat, input: Readable) {
  const reader = openTableReader(format, input);
  const rows: unknown[][] = [];
  for await (const r of reader.rows()) rows.push(r);
  return { columns: reader.columns, rows, warnings: reader.warnings };
}

function tricky(n: number): string {
  const lines = ['id,text,emoji,empty'];
  for (let i = 0; i < n; i++) {
    const text =
      i % 3 === 0
        ? `"line one, with comma\r\nline ""two"" ${i}"`
        : i % 3 === 1
          ? `plain ${i}`
          : `"${'long '.repeat(i % 50)}"`;
    lines.push(`${i},${text},héllo → ${i} 🎉,`);
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

describe('CSV reader', () => {
  it('matches csv-parse on quoted fields, CRLF, BOM and multi-byte text across tiny chunks', async () => {
    const text = tricky(3000);
    const oracle: string[][] = csvParseSync(text, { bom: true });
    for (const size of [7, 64, 4096, 1 << 20]) {
      const { columns, rows } = await readAll('csv', chunked(text, size));
      assert.deepEqual(columns, oracle[0]);
      assert.equal(rows.length, oracle.length - 1, `chunk size ${size}`);
      assert.deepEqual(rows, oracle.slice(1), `chunk size ${size}`);
    }
  });

  it('reports ragged rows and broken quotes with the line where the record starts', async () => {
    await assert.rejects(readAll('csv', chunked('a,b\n"x\ny",1\n2\n', 3)), /CSV line 4: expected 2 fields/);
    await assert.rejects(readAll('csv', chunked('a,b\n1,2\n\n3,"oops\n', 5)), /CSV line 4: Quoted field unterminated/);
    await assert.rejects(readAll('csv', chunked('', 5)), /empty/);
  });

  it('makes empty and repeated header names unique and says so', async () => {
    const { columns, warnings } = await readAll('csv', chunked('a,,a,a\n1,2,3,4\n', 100));
    assert.deepEqual(columns, ['a', 'column_2', 'a_2', 'a_3']);
    assert.equal(warnings.length, 3);
  });
});

describe('JSON and JSONL readers', () => {
  const objects = Array.from({ length: 500 }, (_, i) =>
    i % 2 ? { a: i, nested: { deep: [i, 'é'] } } : { b: `x${i}`, a: null },
  );

  it('reads a JSON array across chunk boundaries with the union of keys in first-seen order', async () => {
    const { columns, rows } = await readAll('json', chunked(JSON.stringify(objects, null, 1), 13));
    assert.deepEqual(columns, ['b', 'a', 'nested']);
    assert.equal(rows.length, 500);
    assert.deepEqual(rows[1], [null, 1, { deep: [1, 'é'] }]);
    assert.deepEqual(rows[0], ['x0', null]);
  });

  it('reads JSON items with quotes, backslashes, brackets and non-ASCII text cut at every chunk size, as JSON.parse does', async () => {
    const items = Array.from({ length: 300 }, (_, i) => ({
      s: `q"uo\\te ${i} ] } [ { , "`,
      u: `é → 🎉 \t\n`.slice(0, 3 + (i % 6)),
      n: i % 3 ? i / 7 : -i - 1,
      deep: { list: [i, [null, true, false], { '': 'x' }], e: 1e21 },
    }));
    const text = '  ' + JSON.stringify(items, null, 1) + '\n';
    for (const size of [1, 2, 3, 5, 13, 64, 1 << 16]) {
      const { columns, rows } = await readAll('json', chunked(text, size));
      assert.deepEqual(columns, ['s', 'u', 'n', 'deep']);
      assert.deepEqual(
        rows,
        items.map((o) => Object.values(o)),
        `chunk size ${size}`,
      );
    }
  });

  it('keeps integers past 2^53 exactly and reads the integer -0 as 0 in JSON files', async () => {
    const { rows } = await readAll('json', chunked('[{"a": 12345678901234567890, "b": -0, "c": -0.0, "d": [-0]}]', 7));
    assert.equal(String(rows[0][0]), '12345678901234567890');
    assert.ok(Object.is(rows[0][1], 0));
    assert.ok(Object.is(rows[0][2], -0));
    assert.deepEqual(rows[0][3], [0]);
  });

  it('names what is wrong with a broken JSON array', async () => {
    const cases: Array<[string, RegExp]> = [
      ['[{"a":1},', /JSON syntax error near line 1 \(after item 1\): unexpected end of file/],
      ['[{"a":1},\n{"a":2},]', /JSON syntax error near line 2 \(after item 2\): a "," just before "]"/],
      ['[{"a":1}\n\n {"a":2}]', /JSON syntax error near line 3 \(after item 1\): expected "," or "]"/],
      ['[{"a":1}] x', /data after the closing "]"/],
      ['[{"a":1},{"a":}]', /JSON syntax error in item 2/],
      ['{"a":1}', /JSON file must be an array of objects/],
      ['[{"a":1}, 5]', /JSON item 2: expected an object, found number/],
      ['[{"a":1}, [1]]', /JSON item 2: expected an object, found an array/],
      ['[null]', /JSON item 1: expected an object, found null/],
      ['[{"a":"x]', /unexpected end of file/],
    ];
    for (const [text, expected] of cases) {
      for (const size of [1, 4, 1024]) await assert.rejects(readAll('json', chunked(text, size)), expected, text);
    }
    assert.deepEqual((await readAll('json', chunked('\uFEFF [ ] ', 2))).rows, []);
  });

  it('reads JSONL and names the bad line', async () => {
    const text = objects.map((o) => JSON.stringify(o)).join('\n');
    const { rows } = await readAll('jsonl', chunked(text, 11));
    assert.equal(rows.length, 500);
    await assert.rejects(readAll('jsonl', chunked('{"a":1}\n[1]\n', 4)), /JSONL line 2: expected a JSON object/);
  });
});
