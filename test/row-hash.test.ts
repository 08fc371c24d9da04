// Row content hashes: written with every row, filled on demand for rows without one (also in published versions,
// which the guard allows for that write only), and diffs giving the same answers with or without them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { rowHashOfAnyText, rowHashOfStored } from '../src/datasets/row-hash.js';
import { DIALECTS } from './support/dialects.js';
import { b64, startTestApp, waitFor, type TestApp } from './support/test-app.js';

const V2 = '/api/public/v2';

describe('row hash', () => {
  it('ignores trailing nulls and the spelling of the stored text, not the cells', () => {
    assert.equal(rowHashOfStored('["a",null,null]'), rowHashOfStored('["a"]'));
    assert.equal(rowHashOfStored('[null,null]'), rowHashOfStored('[]'));
    assert.equal(rowHashOfAnyText('["a", 1, {"x": [1, null]}]'), rowHashOfStored('["a",1,{"x":[1,null]}]'));
    assert.equal(rowHashOfAnyText('[12345678901234567890123]'), rowHashOfStored('[12345678901234567890123]'));
    assert.notEqual(rowHashOfStored('["1"]'), rowHashOfStored('[1]'));
    assert.notEqual(rowHashOfStored('[null,"a"]'), rowHashOfStored('["a"]'));
    assert.notEqual(rowHashOfStored('["a",[1,null]]'), rowHashOfStored('["a",[1]]'));
    assert.match(rowHashOfStored('["x"]'), /^[0-9a-f]{16}$/);
  });
});

for (const dialect of DIALECTS) {
  describe(`row hashes in the database [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(() => t.close());

    const upload = async (groupId: number, csv: string) => {
      const res = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/from-file`,
        body: { dataset_group_id: groupId, file_name: 'f.csv', file_content_base64: b64(csv) },
      });
      assert.equal(res.statusCode, 201, res.body);
      const id = res.json<{ dataset_id: number }>().dataset_id;
      await waitFor(
        async () => (await t.request({ method: 'GET', url: `${V2}/datasets/${id}` })).json().dataset.status === 'ready',
        30_000,
        'ready',
      );
      return id;
    };
    const group = async (name: string) =>
      (await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name } })).json<{
        dataset_group: { id: number };
      }>().dataset_group.id;
    /** A draft copy of `source` (row identities kept), once the copy job is done. */
    const copyToDraft = async (groupId: number, source: number) => {
      const draft = (
        await t.request({
          method: 'POST',
          url: `${V2}/dataset-versions/create-draft`,
          body: { dataset_group_id: groupId, source_dataset_id: source },
        })
      ).json<{ draft_dataset_id: number }>().draft_dataset_id;
      await waitFor(
        async () =>
          (await t.request({ method: 'GET', url: `${V2}/datasets/${draft}` })).json().dataset.status === 'draft',
        30_000,
        'copy',
      );
      return draft;
    };
    const hashes = async (id: number) =>
      (
        await t.app.dbh.db
          .selectFrom('dataset_rows')
          .select(['row_index', 'content_hash'])
          .where('dataset_id', '=', id)
          .orderBy('row_index')
          .execute()
      ).map((r) => r.content_hash);
    /** Rows as written before hashes existed: the version is unpublished for a moment to clear them. */
    const forgetHashes = async (id: number) => {
      const db = t.app.dbh.db;
      const { status } = await db
        .selectFrom('datasets')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await db.updateTable('datasets').set({ status: 'draft' }).where('id', '=', id).execute();
      await db.updateTable('dataset_rows').set({ content_hash: null }).where('dataset_id', '=', id).execute();
      await db.updateTable('datasets').set({ status }).where('id', '=', id).execute();
    };
    const diff = async (id: number, against: number, extra = '') =>
      (await t.request({ method: 'GET', url: `${V2}/datasets/${id}/diff?against=${against}${extra}` })).json();

    it('imports write each row with its hash; the guard lets a published row gain a missing hash, nothing else', async () => {
      const g = await group('hash-guard');
      const id = await upload(g, 'a,b\n1,x\n2,y\n');
      const stored = await hashes(id);
      assert.deepEqual(stored, [rowHashOfStored('["1","x"]'), rowHashOfStored('["2","y"]')]);
      const db = t.app.dbh.db;
      const guard = /rows of a published dataset version cannot change/;
      // Replacing a hash, or changing data with it, stays refused.
      await assert.rejects(
        db.updateTable('dataset_rows').set({ content_hash: 'ffffffffffffffff' }).where('dataset_id', '=', id).execute(),
        guard,
      );
      await forgetHashes(id);
      await assert.rejects(
        db
          .updateTable('dataset_rows')
          .set({ data: '["9","z"]', content_hash: rowHashOfStored('["9","z"]') })
          .where('dataset_id', '=', id)
          .execute(),
        guard,
      );
      await assert.rejects(
        sql`UPDATE dataset_rows SET content_hash = 'a', row_uid = 'other' WHERE dataset_id = ${id}`.execute(db),
        guard,
      );
      // Filling exactly the missing hash is allowed.
      await db
        .updateTable('dataset_rows')
        .set({ content_hash: '0000000000000000' })
        .where('dataset_id', '=', id)
        .where('row_index', '=', 0)
        .execute();
      assert.deepEqual(await hashes(id), ['0000000000000000', null]);
    });

    it('diffs rows without hashes the same as rows with them, and fills the missing hashes', async () => {
      const g = await group('hash-fill');
      const v1 = await upload(g, 'id,q,a\n1,one,x\n2,two,y\n3,three,z\n3,three,z\n4,four,w\n');
      // A draft copy of v1, edited and saved: identity diff.
      const draft = await copyToDraft(g, v1);
      const patch = await t.request({
        method: 'PATCH',
        url: `${V2}/datasets/${draft}/rows/1`,
        body: { values: { a: 'changed' } },
      });
      assert.equal(patch.statusCode, 200, patch.body);
      await t.request({
        method: 'POST',
        url: `${V2}/datasets/${draft}/rows`,
        body: { rows: [{ id: '5', q: 'five' }] },
      });
      // An independent upload: content diff.
      const other = await upload(g, 'id,q,a\n3,three,z\n1,one,x\n2,two,CHANGED\n6,six,v\n');

      const before = {
        identity: await diff(draft, v1),
        key: await diff(draft, v1, '&key=q'),
        content: await diff(other, v1),
      };
      assert.deepEqual(before.identity.counts, { added: 1, removed: 0, changed: 1, unchanged: 4 });
      assert.deepEqual(before.identity.rows.changed[0].changed_columns, ['a']);
      assert.deepEqual(before.content.counts, { added: 2, removed: 3, changed: 0, unchanged: 2 });
      for (const id of [v1, draft, other]) await forgetHashes(id);
      assert.deepEqual(await diff(draft, v1), before.identity);
      assert.deepEqual(await diff(other, v1), before.content);
      for (const id of [v1, draft, other])
        assert.ok(
          (await hashes(id)).every((h) => h !== null),
          `hashes of ${id}`,
        );
      assert.deepEqual(await diff(draft, v1, '&key=q'), before.key);
      assert.deepEqual(
        (await hashes(v1))[2],
        rowHashOfStored('["3","three","z"]'),
        'a filled hash equals the one written on import',
      );
    });

    it('a column removed in a draft (rewritten in SQL) loses the rows’ hashes, and the diff still sees unchanged rows', async () => {
      const g = await group('hash-remove-column');
      const v1 = await upload(g, 'id,q\n1,one\n2,two\n');
      const draft = await copyToDraft(g, v1);
      await t.request({ method: 'POST', url: `${V2}/datasets/${draft}/columns`, body: { name: 'extra' } });
      await t.request({ method: 'POST', url: `${V2}/datasets/${draft}/columns/remove`, body: { name: 'extra' } });
      const d = await diff(draft, v1);
      assert.deepEqual(d.counts, { added: 0, removed: 0, changed: 0, unchanged: 2 });
      assert.deepEqual(await hashes(draft), await hashes(v1));
    });
  });
}
