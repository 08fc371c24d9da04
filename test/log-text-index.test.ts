// Text search stays exact and complete while request logs' text index is filled after their acknowledgement
// (SQLite's LogTextIndexer; PostgreSQL's inserts maintain its GIN indexes, so the same checks hold there trivially):
// a tail of unindexed logs, a restart with index work pending, deletes and text updates on both sides of the
// watermark, and a server killed with SIGKILL while it indexes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { RequestLogRepository } from '../src/request-logs/request-log.repository.js';
import { DIALECTS } from './support/dialects.js';
import { logBundle } from './support/factories.js';
import { captureOutput, spawnStrata, stopProcess, waitForOutput } from './support/processes.js';
import { startTestApp, waitFor, type TestApp } from './support/test-app.js';

/** Words the logs' text is made of; each search below looks for one of them (or a piece of one). */
const WORDS = ['Toner', 'PRINTER', 'café', 'Straße', 'ΟΔΟΣ', 'needle'];
const inputOf = (i: number) => `ticket ${i}: the ${WORDS[i % WORDS.length]} on floor ${i % 7}`;
const outputOf = (i: number) => `answer ${i}: ${WORDS[(i * 5 + 1) % WORDS.length]} fixed`;

/** Searches and what they match, written independently of the server's folding (these words fold per code point). */
const SEARCHES: Array<{ body: unknown; match: (input: string, output: string) => boolean }> = [
  { body: { q: 'toner' }, match: (i, o) => /toner/i.test(i) || /toner/i.test(o) },
  { body: { q: 'CAFÉ' }, match: (i, o) => i.includes('café') || o.includes('café') },
  { body: { q: 'οδοσ' }, match: (i, o) => i.includes('ΟΔΟΣ') || o.includes('ΟΔΟΣ') },
  { body: { q: 'floor 3' }, match: (i) => i.includes('floor 3') },
  {
    body: { filter_group: { filters: [{ field: 'output_text', operator: 'contains', value: 'NEEDLE' }] } },
    match: (_i, o) => o.includes('needle'),
  },
  {
    body: { filter_group: { filters: [{ field: 'input_text', operator: 'ends_with', value: 'floor 5' }] } },
    match: (i) => i.endsWith('floor 5'),
  },
  {
    body: { filter_group: { filters: [{ field: 'input_text', operator: 'starts_with', value: 'TICKET 1' }] } },
    match: (i) => i.startsWith('ticket 1'),
  },
];

const bundle = (workspaceId: number, i: number) =>
  logBundle(workspaceId, {
    input_text: inputOf(i),
    output_text: outputOf(i),
    request_start_time: 1_700_000_000_000 + i,
    request_end_time: 1_700_000_000_500 + i,
  });

async function workspaceOf(t: TestApp): Promise<number> {
  const row = await t.app.dbh.db.selectFrom('workspaces').select('id').orderBy('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Inserts logs `from`..`to-1` straight through the repository, so no indexer hears of them: an unindexed tail. */
async function insertTail(t: TestApp, ws: number, from: number, to: number): Promise<number[]> {
  const repo = new RequestLogRepository(t.app.dbh.db, t.app.dbh.dialect);
  const ids: number[] = [];
  for (let k = from; k < to; k += 500) {
    const batch = Array.from({ length: Math.min(500, to - k) }, (_, j) => bundle(ws, k + j));
    ids.push(...(await t.app.dbh.transaction((trx) => repo.insertMany(trx, batch))));
  }
  return ids;
}

/** SQLite: up to which log id the text index is complete (PostgreSQL: every log, always). */
async function indexedThrough(t: TestApp): Promise<number> {
  if (t.dialect !== 'sqlite') return Number.MAX_SAFE_INTEGER;
  const r = await sql<{ n: number }>`SELECT indexed_through AS n FROM request_logs_fts_state`.execute(t.app.dbh.db);
  return Number(r.rows[0].n);
}

/** SQLite: the index holds exactly the logs at or below the watermark (no log missing, none extra). */
async function assertIndexConsistent(t: TestApp): Promise<void> {
  if (t.dialect !== 'sqlite') return;
  const w = await indexedThrough(t);
  const logs = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM request_logs WHERE id <= ${w}`.execute(t.app.dbh.db);
  const indexed = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM request_logs_fts`.execute(t.app.dbh.db);
  const above = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM request_logs_fts WHERE rowid > ${w}`.execute(
    t.app.dbh.db,
  );
  assert.equal(Number(indexed.rows[0].n), Number(logs.rows[0].n), 'index entries = logs at or below the watermark');
  assert.equal(Number(above.rows[0].n), 0, 'no index entry above the watermark');
}

/** Every search answers exactly the logs its model says, read from the database's current text. */
async function assertSearchesExact(t: TestApp, label: string): Promise<void> {
  const rows = await t.app.dbh.db.selectFrom('request_logs').select(['id', 'input_text', 'output_text']).execute();
  for (const s of SEARCHES) {
    const want = rows
      .filter((r) => s.match(r.input_text, r.output_text))
      .map((r) => Number(r.id))
      .sort((a, b) => a - b);
    const res = await t.request({
      method: 'POST',
      url: '/api/public/v2/requests/search',
      body: { ...(s.body as object), per_page: 100, sort_by: 'id', sort_order: 'asc' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<{ total: number; items: Array<{ id: number }> }>();
    assert.equal(body.total, want.length, `${label}: total of ${JSON.stringify(s.body)}`);
    assert.deepEqual(
      body.items.map((x) => x.id),
      want.slice(0, 100),
      `${label}: ${JSON.stringify(s.body)}`,
    );
  }
}

for (const dialect of DIALECTS) {
  describe(`request log text index filled after acknowledgement [${dialect}]`, () => {
    let t: TestApp;
    let ws: number;
    before(async () => {
      t = await startTestApp(dialect);
      ws = await workspaceOf(t);
    });
    after(async () => t?.close());

    it('search is exact with an unindexed tail, and the same once the indexer has caught up', async () => {
      const ids = await insertTail(t, ws, 0, 120);
      if (dialect === 'sqlite') assert.ok((await indexedThrough(t)) < ids[0], 'the logs are not indexed yet');
      await assertSearchesExact(t, 'unindexed tail');
      await t.app.logTextIndexer.catchUp();
      assert.ok((await indexedThrough(t)) >= ids[ids.length - 1]);
      await assertIndexConsistent(t);
      await assertSearchesExact(t, 'indexed');
      // Half indexed, half tail.
      await insertTail(t, ws, 120, 200);
      await assertSearchesExact(t, 'indexed + tail');
    });

    it('logs acknowledged over HTTP are indexed in the background', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await t.request({
          method: 'POST',
          url: '/log-request',
          body: {
            provider: 'openai',
            model: 'gpt-4o',
            input: {
              type: 'chat',
              messages: [{ role: 'user', content: [{ type: 'text', text: `via http needle ${i}` }] }],
            },
            output: { type: 'chat', messages: [{ role: 'assistant', content: [{ type: 'text', text: 'ok' }] }] },
            request_start_time: 1_700_000_000,
            request_end_time: 1_700_000_001,
          },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const max = await sql<{ n: number }>`SELECT MAX(id) AS n FROM request_logs`.execute(t.app.dbh.db);
      // Without catchUp(): the indexer's own timer after the commits (and the tail of the previous test with it).
      await waitFor(async () => (await indexedThrough(t)) >= Number(max.rows[0].n), 10_000, 'the background indexer');
      await assertIndexConsistent(t);
      const res = await t.request({
        method: 'POST',
        url: '/api/public/v2/requests/search',
        body: { q: 'via http NEEDLE' },
      });
      assert.equal(res.json<{ total: number }>().total, 5);
    });

    it('deletes and text updates keep search right on both sides of the watermark', async () => {
      await t.app.logTextIndexer.catchUp();
      const indexed = await insertTail(t, ws, 300, 330);
      await t.app.logTextIndexer.catchUp();
      const tail = await insertTail(t, ws, 330, 360);
      if (dialect === 'sqlite') {
        const w = await indexedThrough(t);
        assert.ok(indexed.every((id) => id <= w) && tail.every((id) => id > w));
      }
      const db = t.app.dbh.db;
      for (const ids of [indexed, tail]) {
        await db.deleteFrom('request_logs').where('id', 'in', ids.slice(0, 5)).execute();
        await db
          .updateTable('request_logs')
          .set({ input_text: 'rewritten TONER text', output_text: 'now with a needle' })
          .where('id', 'in', ids.slice(5, 10))
          .execute();
        await db
          .updateTable('request_logs')
          .set({ input_text: 'nothing to find here', output_text: '-' })
          .where('id', 'in', ids.slice(10, 15))
          .execute();
      }
      await assertSearchesExact(t, 'after deletes and updates');
      await t.app.logTextIndexer.catchUp();
      await assertIndexConsistent(t);
      await assertSearchesExact(t, 'after deletes and updates, indexed');
    });

    it('a restart indexes the logs a previous process left unindexed', async () => {
      const ids = await insertTail(t, ws, 400, 1400);
      const other = await createApp(loadConfig({ ...t.env, PORT: '0' }));
      try {
        await other.start();
        await waitFor(async () => (await indexedThrough(t)) >= ids[ids.length - 1], 20_000, 'indexing at start');
      } finally {
        await other.close();
      }
      await assertIndexConsistent(t);
      await assertSearchesExact(t, 'after restart');
    });

    it('a server killed with SIGKILL while indexing loses no log, and search stays exact', async () => {
      const ids = await insertTail(t, ws, 2000, 32000);
      const port = 30000 + Math.floor(Math.random() * 20000);
      const server = spawnStrata(['serve'], { ...t.env, STRATA_ROLES: 'api', PORT: String(port), HOST: '127.0.0.1' });
      const output = captureOutput(server);
      try {
        await waitForOutput(server, /serving on|listening/i);
        if (dialect === 'sqlite') {
          // Kill it between two of its index transactions' commits: some batches done, the rest pending.
          const start = await indexedThrough(t);
          await waitFor(async () => (await indexedThrough(t)) > start, 30_000, `indexing to start: ${output.text()}`);
        }
        await stopProcess(server, 'SIGKILL');
      } finally {
        await stopProcess(server, 'SIGKILL');
      }
      if (dialect === 'sqlite') assert.ok((await indexedThrough(t)) < ids[ids.length - 1], 'killed before the end');
      const n = await t.app.dbh.db
        .selectFrom('request_logs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('id', 'in', [ids[0], ids[ids.length - 1]])
        .executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 2);
      await assertIndexConsistent(t);
      await assertSearchesExact(t, 'after SIGKILL while indexing');
      await t.app.logTextIndexer.catchUp();
      await assertIndexConsistent(t);
      await assertSearchesExact(t, 'after SIGKILL, indexed');
    });
  });
}
