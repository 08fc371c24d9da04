// DialectCapabilities.bulkInsert through DatasetRepository.insertRows on every dialect (PostgreSQL: one jsonb parameter):
// every text comes back byte for byte, the rows belong to the caller's transaction (a rollback leaves none, a
// failing batch leaves none), a duplicate key is a unique violation, and the connection serves the next
// transaction afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DatasetRepository } from '../src/datasets/dataset.repository.js';
import { DIALECTS } from './support/dialects.js';
import { createGroup } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Texts that are markers or escapes in one format or another (COPY, CSV, JSON). */
const AWKWARD = [
  'tab\there',
  'line\nbreak',
  'cr\rreturn',
  'back\\slash',
  '\\N',
  '\\.',
  '\\',
  '',
  'é ü 日本 😀',
  '"quoted", comma',
  '\t\n\r\\ all',
];

for (const dialect of DIALECTS) {
  describe(`bulk insert of dataset rows [${dialect}]`, () => {
    let t: TestApp;
    let repo: DatasetRepository;
    before(async () => {
      t = await startTestApp(dialect, { STRATA_ROLES: 'api' });
      repo = new DatasetRepository(t.app.dbh.db, t.app.dbh.dialect);
    });
    after(async () => t?.close());

    const draft = async (name: string) => {
      const g = await createGroup(t, `${name}-${Math.random().toString(36).slice(2)}`);
      const now = Date.now();
      const { id } = await t.app.dbh.db
        .insertInto('datasets')
        .values({
          group_id: g.dataset_group.id,
          workspace_id: 1,
          version_number: -1,
          column_names: JSON.stringify(['a']),
          status: 'processing',
          origin: 'file',
          external_id: `bulk-${g.dataset_group.id}-${name}`,
          source_dataset_id: null,
          created_at: now,
          updated_at: now,
          row_count: 0,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return id;
    };
    const stored = (id: number) =>
      t.app.dbh.db
        .selectFrom('dataset_rows')
        .select(['row_index', 'row_uid', 'data', 'content_hash'])
        .where('dataset_id', '=', id)
        .orderBy('row_index')
        .execute();

    it('stores every text exactly, nulls as nulls, in one transaction with the statements around it', async () => {
      const id = await draft('exact');
      const rows = AWKWARD.map((s, i) => ({
        data: JSON.stringify([s]),
        row_uid: i % 2 === 0 ? s : null,
        content_hash: i % 3 === 0 ? s : undefined,
      }));
      // A raw text in `data` too (draft edits store what they are given): the column is text, not JSON.
      rows.push({ data: AWKWARD.join(''), row_uid: null, content_hash: 'h' });
      const seen = await t.app.dbh.transaction(async (trx) => {
        await repo.insertRows(trx, id, 5, rows.slice(0, 4));
        await repo.insertRows(trx, id, 9, rows.slice(4));
        return repo.nextRowIndex(trx, id);
      });
      assert.equal(seen, 5 + rows.length);
      const back = await stored(id);
      assert.equal(back.length, rows.length);
      back.forEach((r, i) => {
        assert.equal(Number(r.row_index), 5 + i);
        assert.equal(r.data, rows[i].data);
        assert.equal(r.row_uid, rows[i].row_uid);
        if (rows[i].content_hash !== undefined) assert.equal(r.content_hash, rows[i].content_hash);
        else assert.match(String(r.content_hash), /^[0-9a-f]+$/);
      });
    });

    it('leaves no row behind when the transaction fails after the insert, or the insert itself fails', async () => {
      const id = await draft('rollback');
      const rows = Array.from({ length: 3000 }, (_, i) => ({ data: JSON.stringify([`r${i}`, 'x\ty']) }));
      await assert.rejects(
        t.app.dbh.transaction(async (trx) => {
          await repo.insertRows(trx, id, 0, rows);
          assert.equal(await repo.nextRowIndex(trx, id), rows.length);
          throw new Error('job failed after its batch');
        }),
        /job failed after its batch/,
      );
      assert.equal((await stored(id)).length, 0);

      await t.app.dbh.transaction((trx) => repo.insertRows(trx, id, 0, rows.slice(0, 10)));
      // A batch overlapping stored indexes fails whole: a unique violation, and none of its other rows stays.
      const err = await t.app.dbh
        .transaction((trx) =>
          repo.insertRows(trx, id, 10, rows.slice(0, 2000)).then(() => repo.insertRows(trx, id, 5, rows.slice(0, 10))),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err, 'the overlapping batch must fail');
      assert.ok(t.app.dbh.dialect.isUniqueViolation(err), `unique violation expected, got ${String(err)}`);
      assert.equal((await stored(id)).length, 10);

      // The connections are fine afterwards: the next transactions write and read as usual.
      for (let k = 0; k < 3; k++) {
        await t.app.dbh.transaction((trx) => repo.insertRows(trx, id, 10 + k, rows.slice(k, k + 1)));
      }
      assert.equal((await stored(id)).length, 13);
    });
  });
}
