// The upload spooler's byte scan: the same result however the body is cut into chunks, and the same refusals.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { ValidationError } from '../src/errors.js';
import { spoolJsonUpload } from '../src/datasets/upload-spooler.js';

const FIELD = 'file_content_base64';
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-spooler-test-'));
after(() => fs.rmSync(tmpDir, { recursive: true, force: true }));

/** `text` cut into pieces of the given sizes (cycled), as a request stream delivers them. */
function chunked(text: string | Buffer, sizes: number[]): Readable {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let i = 0, k = 0; i < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    pieces.push(bytes.subarray(i, i + n));
    i += n;
  }
  return Readable.from(pieces);
}

async function spool(body: string | Buffer, sizes = [1 << 16], maxBytes = 1 << 20) {
  const r = await spoolJsonUpload(chunked(body, sizes), {
    field: FIELD,
    maxBytes,
    maxBodyBytes: 4 * maxBytes,
    tmpDir,
  });
  const content = r.file ? fs.readFileSync(r.file.path) : undefined;
  if (r.file) fs.rmSync(r.file.path);
  return { body: r.body, content, size: r.file?.size };
}

async function refusal(body: string, sizes = [1 << 16], maxBytes = 1 << 20): Promise<string> {
  try {
    await spool(body, sizes, maxBytes);
  } catch (err) {
    assert.ok(err instanceof ValidationError, `a ValidationError, got ${String(err)}`);
    assert.deepEqual(fs.readdirSync(tmpDir), [], 'the temporary file is removed');
    return err.message;
  }
  assert.fail('expected a refusal');
}

const SPLITS = [[1], [2], [3], [5], [7, 1, 13], [64], [4096], [1 << 16]];
const file = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));

describe('upload spooler', () => {
  it('decodes the file and keeps every other field, for any chunking', async () => {
    const b64 = file.toString('base64');
    const bodies = [
      // Keys and strings that mention the field or hold quotes, escapes, brackets and non-ASCII text.
      `{"dataset_group_id": 12, "note": "a \\"${FIELD}\\": [x] {y} \\\\", "${FIELD}" : "${b64}", "file_name":"d.csv",` +
        `"nested":{"${FIELD}":"not the file","a":[1,2.5,true,false,null,"é 🎉"]}}`,
      // Wrapped base64 as JSON.stringify writes it (escaped line breaks), escaped slashes, URL-safe characters.
      JSON.stringify({ [FIELD]: b64.replace(/(.{76})/g, '$1\n'), file_name: 'w.csv' }),
      `{"${FIELD}":"${b64.replaceAll('/', '\\/')}"}`,
      `{"${FIELD}":"${file.toString('base64url')}"}`,
      // A key spelt with an escape is the same key.
      `{"file_content\\u005fbase64":"${b64}"}`,
    ];
    for (const body of bodies) {
      for (const sizes of SPLITS) {
        const r = await spool(body, sizes);
        assert.deepEqual(r.content, file, `content for splits ${sizes.join(',')}`);
        assert.equal(r.size, file.length);
        const expected = JSON.parse(body) as Record<string, unknown>;
        expected[FIELD] = `(decoded to a temporary file: ${file.length} bytes)`;
        assert.deepEqual(r.body, expected);
      }
    }
  });

  it('decodes every padding length and keeps bodies without a file as they are', async () => {
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const bytes = file.subarray(0, n);
      for (const sizes of SPLITS.slice(0, 5)) {
        for (const text of [bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, '')]) {
          const r = await spool(`{"${FIELD}":"${text}"}`, sizes);
          assert.deepEqual(r.content, bytes, `${n} bytes as "${text}" split ${sizes.join(',')}`);
        }
      }
    }
    assert.deepEqual((await spool('{"a":1,"b":{"c":[]}}')).body, { a: 1, b: { c: [] } });
    assert.deepEqual((await spool(`{"${FIELD}":5}`)).body, { [FIELD]: 5 }, 'a non-string is left to the schema');
  });

  it('refuses bad base64, bad JSON, a second file, __proto__ and oversized files, removing the temporary file', async () => {
    const good = file.subarray(0, 300).toString('base64');
    for (const sizes of [[1], [3], [1 << 16]]) {
      assert.match(await refusal(`{"${FIELD}":"${good.slice(0, 100)}!${good.slice(100)}"}`, sizes), /not valid base64/);
      assert.match(await refusal(`{"${FIELD}":"QQ==QUJD"}`, sizes), /not valid base64/);
      assert.match(await refusal(`{"${FIELD}":"QUJDR"}`, sizes), /bad length or padding/);
      assert.match(await refusal(`{"${FIELD}":"${good}\t"}`, sizes), /not valid/);
      assert.match(await refusal(`{"${FIELD}":"${good.slice(0, 80)}\n${good.slice(80)}"}`, sizes), /not valid JSON/);
      assert.match(await refusal(`{"${FIELD}":"${good}\\x"}`, sizes), /not valid JSON/);
      assert.match(await refusal(`{"${FIELD}":"${good}","${FIELD}":"${good}"}`, sizes), /appears twice/);
      assert.match(await refusal(`{"${FIELD}":"${good}"`, sizes), /not valid JSON/);
      assert.match(await refusal(`{"${FIELD}":"${good}`, sizes), /not valid JSON/);
      assert.match(await refusal(`{"${FIELD}":"${good}","__proto__":{"x":1}}`, sizes), /__proto__/);
      assert.match(await refusal(`{"a":{"__proto__":1}}`, sizes), /__proto__/);
      assert.match(await refusal(`[{"${FIELD}":"${good}"}]`, sizes), /must be a JSON object/);
      assert.match(await refusal(`  `, sizes), /empty/);
      assert.match(await refusal(`{"${FIELD}":"${good}"}`, sizes, 200), /file too large/);
    }
  });
});
