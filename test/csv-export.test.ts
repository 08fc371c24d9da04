// The CSV export's records: RFC 4180 quoting (delimiter, quote and line breaks quoted; empty fields quoted), CRLF.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { csvLine } from '../src/datasets/export/csv-writer.js';
import { LosslessNumber } from '../src/datasets/lossless-json.js';

describe('CSV export records', () => {
  it('quotes what needs quotes, and only that', () => {
    assert.equal(csvLine(['a', 'b c', "it's"], 3), "a,b c,it's\r\n");
    assert.equal(csvLine(['a,b', 'say "hi"', ''], 3), '"a,b","say ""hi""",""\r\n');
    assert.equal(csvLine([null, undefined], 2), '"",""\r\n');
    assert.equal(
      csvLine([1, -0, true, new LosslessNumber('12345678901234567890'), { a: [1] }], 5),
      '1,-0.0,true,12345678901234567890,"{""a"":[1]}"\r\n',
    );
    assert.equal(csvLine(['x'], 3), 'x,"",""\r\n', 'short rows are padded with empty fields');
  });

  it('quotes a lone line break (csv-stringify left "\\n" and "\\r" bare with CRLF records: the file did not parse back)', () => {
    assert.equal(csvLine(['a\nb', 'c\rd', 'e\r\nf'], 3), '"a\nb","c\rd","e\r\nf"\r\n');
    const cells = ['first\nsecond', 'x', '\r', 'plain'];
    assert.deepEqual(parse(csvLine(cells, cells.length), { relax_quotes: false }), [cells]);
  });
});
