// Group commit on every dialect: concurrent submissions share transactions, and one failing item fails alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GroupCommit } from '../src/request-logs/group-commit.js';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';

for (const dialect of DIALECTS) {
  describe(`group commit [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('batches concurrent items and isolates a failing one', async () => {
      const dbh = t.app.dbh;
      let transactions = 0;
      // Workspace 1 exists; workspace 999999 violates the foreign key, inside the shared transaction.
      const commit = new GroupCommit<number, number>(async (workspaceIds) => {
        transactions++;
        return dbh.transaction(async (trx) => {
          const ids: number[] = [];
          for (const ws of workspaceIds)
            ids.push(
              (
                await trx
                  .insertInto('log_groups')
                  .values({ workspace_id: ws, created_at: Date.now() })
                  .returning('id')
                  .executeTakeFirstOrThrow()
              ).id,
            );
          return ids;
        });
      }, 64);
      const items = Array.from({ length: 40 }, (_, i) => (i === 17 ? 999_999 : 1));
      const results = await Promise.allSettled(items.map((ws) => commit.submit(ws)));
      assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
      assert.equal(results[17].status, 'rejected');
      const ids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      assert.equal(new Set(ids).size, 39);
      const stored = await dbh.db.selectFrom('log_groups').select('id').where('id', 'in', ids).execute();
      assert.equal(stored.length, 39, 'every acknowledged item is stored');
      // All 40 were submitted before the first commit, so they shared one transaction; it failed, and each was retried alone.
      assert.equal(transactions, 41);
      // Without a failure, concurrent items share a single transaction.
      transactions = 0;
      const ok = await Promise.all(Array.from({ length: 30 }, () => commit.submit(1)));
      assert.equal(new Set(ok).size, 30);
      assert.equal(transactions, 1);
    });
  });
}
