// File parsers against independent oracles: csv-parse for CSV, JSON.parse for JSON/JSONL, over many chunk boundaries.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { chunked } from './support/chunked.js';
import { parse as csvParseSync } from 'csv-parse/sync';
import readline from 'node:readline';
import { openTableReader } from '../src/datasets/parsers/index.js';
import { parseLossless } from '../src/datasets/lossless-json.js';
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

  it('reads numbers as the lossless parser does whether a 16-digit run or a "-0" is in a string, a number or both', async () => {
    const items = Array.from({ length: 400 }, (_, i) => ({
      id: i % 4 === 0 ? `${1234567890123456 + i}` : i,
      big: i % 9 === 0 ? 12345678901234567890n : i % 9 === 1 ? -0 : i % 9 === 2 ? -0.5 : i,
      text: i % 5 === 0 ? '-0 and 99999999999999999 in a string' : `t${i}`,
      nested: i % 11 === 0 ? { list: [-0, 1e-7, -0.0e1, 9007199254740993n] } : null,
    }));
    const texts = items.map((o) =>
      JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? `#${v}#` : Object.is(v, -0) ? '#-0#' : v)).replace(
        /"#(-?\d+)#"/g,
        '$1',
      ),
    );
    const text = `[${texts.join(',\n')}]`;
    // As each item was read before: the lossless parser for an item with a 16-digit run or an integer -0 anywhere.
    const oracle = texts.map((t) =>
      Object.values((/\d{16}|-0(?![\d.eE])/.test(t) ? parseLossless(t) : JSON.parse(t)) as Record<string, unknown>),
    );
    for (const size of [1, 7, 100, 4096, 1 << 16]) {
      const { rows } = await readAll('json', chunked(text, size));
      assert.deepEqual(
        rows.map((r) => r.map(String)),
        oracle.map((r) => r.map(String)),
        `chunk size ${size}`,
      );
      assert.deepEqual(
        rows.map((r) => r.map((c) => Object.is(c, -0))),
        oracle.map((r) => r.map((c) => Object.is(c, -0))),
      );
    }
  });

  it('names the broken item and keeps the rows before it when the item is in the middle of a chunk', async () => {
    const good = Array.from({ length: 50 }, (_, i) => JSON.stringify({ a: i }));
    for (const [bad, before] of [
      ['{"a":}', 50],
      ['{"a": NaN}', 50],
      ['5', 50],
      ['"x"', 50],
      ['{"a":1}{"b":2}', 51],
    ] as const) {
      const text = `[${[...good, bad, ...good].join(',')}]`;
      const seen: unknown[][] = [];
      const reader = openTableReader('json', chunked(text, 1 << 16));
      await assert.rejects(
        (async () => {
          for await (const r of reader.rows()) seen.push(r);
        })(),
        /item 51|after item 51/,
        bad,
      );
      assert.equal(seen.length, before, bad);
    }
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

  /** What JSONL means: readline's lines ("\n", "\r\n", a lone "\r"), blank ones skipped, each JSON with big integers kept. */
  async function jsonlOracle(text: string) {
    const rows: unknown[][] = [];
    const columns: string[] = [];
    let n = 0;
    for await (let line of readline.createInterface({ input: Readable.from([text]), crlfDelay: Infinity })) {
      n++;
      if (n === 1) line = line.replace(/^\uFEFF/, '');
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = /\d{16}/.test(line) ? parseLossless(line) : JSON.parse(line);
      } catch {
        throw new Error(`JSONL line ${n}: invalid JSON`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new Error(`JSONL line ${n}: expected a JSON object`);
      for (const k of Object.keys(value)) if (!columns.includes(k)) columns.push(k);
      rows.push(columns.map((c) => (value as Record<string, unknown>)[c] ?? null));
    }
    // Rows are as wide as the columns seen when they were read.
    return { columns, rows };
  }
  const padded = (rows: unknown[][], width: number) =>
    rows.map((r) => [...r, ...Array<null>(width - r.length).fill(null)].map((c) => String(c)));

  it('reads JSONL lines as readline splits them: LF, CRLF, lone CR, blank and white-space lines, a BOM, big integers', async () => {
    const ends = ['\n', '\r\n', '\r', '\n\n', '\r\n  \r\n', '\n\t\n'];
    const lines = Array.from({ length: 600 }, (_, i) =>
      JSON.stringify({ i, s: `é → 🎉 ${i} "q" \\ \t`, ...(i % 7 === 0 ? { n: { deep: [i, null] } } : {}) }).replace(
        i % 13 === 0 ? /"i":\d+/ : /^$/,
        `"i":${12345678901234567890n + BigInt(i)}`,
      ),
    );
    for (const variant of [0, 1, 2]) {
      const text =
        (variant === 0 ? '\uFEFF' : '') +
        lines.map((l, i) => l + (variant === 2 ? '\n' : ends[i % ends.length])).join('') +
        (variant === 1 ? '{"last":1}' : '');
      const oracle = await jsonlOracle(text);
      for (const size of [1, 3, 64, 1000, 1 << 16]) {
        const { columns, rows } = await readAll('jsonl', chunked(text, size));
        assert.deepEqual(columns, oracle.columns, `variant ${variant}, chunk size ${size}`);
        assert.deepEqual(
          padded(rows, columns.length),
          padded(oracle.rows, columns.length),
          `variant ${variant}, size ${size}`,
        );
      }
    }
  });

  it('names the same JSONL line readline would for broken lines in the middle of a chunk', async () => {
    const good = Array.from({ length: 40 }, (_, i) => JSON.stringify({ a: i }));
    const cases = [
      '{"a":1},{"b":2}', // two values on one line
      '{"a":"x\ny"}', // a string across two lines
      '{"a":1}\r{"b":[1]}\r[1]', // lone CRs: three lines
      '\n\n  \n[1]',
      '{"a": NaN}',
      '{"a": 12345678901234567890',
      '7',
    ];
    for (const bad of cases) {
      const text = [...good, bad, ...good].join('\r\n') + '\n';
      const expected = await jsonlOracle(text).then(
        () => assert.fail(`oracle accepted ${JSON.stringify(bad)}`),
        (err: Error) => err.message,
      );
      for (const size of [5, 1 << 16]) {
        await assert.rejects(
          readAll('jsonl', chunked(text, size)),
          (err: Error) => err.message.startsWith(expected),
          `${JSON.stringify(bad)} at chunk size ${size}: expected ${expected}`,
        );
      }
    }
  });
});
