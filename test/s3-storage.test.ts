// STRATA_STORAGE=s3 on every dialect: the S3 blob store against a real s3rver, and the from-file flow storing uploads there.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DIALECTS } from './support/dialects.js';
import { b64, startTestApp, waitFor, type TestApp } from './support/test-app.js';
import { S3BlobStore, PART_BYTES } from '../src/storage/s3-blob-store.js';
import { BlobNotFoundError } from '../src/storage/blob-store.js';

async function text(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

for (const dialect of DIALECTS) {
  describe(`S3 blob storage [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { STRATA_STORAGE: 's3' });
    });
    after(async () => t.close());

    it('chooses the S3 store and keeps keys under the configured prefix', async () => {
      assert.ok(t.app.blobs instanceof S3BlobStore);
      await t.app.blobs.put('probe/a.txt', Buffer.from('hello'));
      const listed = await t.s3!.client.send(
        new ListObjectsV2Command({ Bucket: 'strata-blobs', Prefix: 'test/probe/' }),
      );
      assert.deepEqual(
        listed.Contents?.map((o) => o.Key),
        ['test/probe/a.txt'],
      );
      assert.deepEqual(await t.app.blobs.stat('probe/a.txt'), { size: 5 });
      assert.equal((await text(await t.app.blobs.get('probe/a.txt'))).toString(), 'hello');
      await t.app.blobs.delete('probe/a.txt');
      await t.app.blobs.delete('probe/a.txt');
      assert.equal(await t.app.blobs.stat('probe/a.txt'), null);
      await assert.rejects(t.app.blobs.get('probe/a.txt'), BlobNotFoundError);
      await assert.rejects(t.app.blobs.put('../escape', Buffer.from('x')), /unsafe blob key/);
    });

    it('streams a large upload in parts and reads it back byte for byte', async () => {
      const size = PART_BYTES * 2 + 12345;
      const pattern = Buffer.alloc(size);
      for (let i = 0; i < size; i++) pattern[i] = (i * 31 + 7) & 0xff;
      // Uneven source chunks, as a network stream would deliver them.
      const source = Readable.from(
        (function* () {
          for (let off = 0; off < size; off += 777_777) yield pattern.subarray(off, Math.min(size, off + 777_777));
        })(),
      );
      await t.app.blobs.put('big/blob.bin', source);
      assert.deepEqual(await t.app.blobs.stat('big/blob.bin'), { size });
      const back = await text(await t.app.blobs.get('big/blob.bin'));
      assert.ok(back.equals(pattern));
      const small = Readable.from([Buffer.from('small stream')]);
      await t.app.blobs.put('big/small.bin', small);
      const raw = await t.s3!.client.send(new GetObjectCommand({ Bucket: 'strata-blobs', Key: 'test/big/small.bin' }));
      assert.equal(await raw.Body!.transformToString(), 'small stream');
    });

    it('runs the from-file flow (CSV and Parquet) with uploads stored in S3', async () => {
      const g = (
        await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 's3-flow' } })
      ).json();
      const pq = Buffer.from(
        parquetWriteBuffer({
          columnData: [
            { name: 'q', data: ['a', 'b'], type: 'STRING' },
            { name: 'n', data: [1n, 2n], type: 'INT64' },
          ],
        }),
      );
      const ids: number[] = [];
      for (const [name, content] of [
        ['one.csv', Buffer.from('q,n\nx,1\ny,2\nz,3\n')],
        ['two.parquet', pq],
      ] as const) {
        const res = await t.request({
          method: 'POST',
          url: '/api/public/v2/dataset-versions/from-file',
          body: { dataset_group_id: g.dataset_group.id, file_name: name, file_content_base64: b64(content) },
        });
        assert.equal(res.statusCode, 201, res.body);
        ids.push(res.json().dataset_id);
      }
      const done = await Promise.all(
        ids.map((id) =>
          waitFor(async () => {
            const d = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${id}` })).json().dataset;
            return d.status === 'ready' || d.status === 'failed' ? d : undefined;
          }),
        ),
      );
      assert.deepEqual(
        done.map((d) => [d.status, d.row_count]),
        [
          ['ready', 3],
          ['ready', 2],
        ],
      );
      const rows = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${ids[1]}/rows` })).json();
      assert.deepEqual(rows.columns, ['q', 'n']);
      assert.deepEqual(
        rows.rows.map((r: Array<{ value: unknown }>) => r.map((c) => c.value)),
        [
          ['a', 1],
          ['b', 2],
        ],
      );
      // The import job removes each upload blob once the version is published.
      const left = await t.s3!.client.send(
        new ListObjectsV2Command({ Bucket: 'strata-blobs', Prefix: 'test/uploads/' }),
      );
      assert.equal(left.KeyCount ?? 0, 0);
    });
  });
}
