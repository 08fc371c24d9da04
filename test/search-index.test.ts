// Search at scale, on every dialect: tag/metadata filters bounded by workspace (and answered by their indexes, shown
// with EXPLAIN), indexed case-insensitive text search that folds non-ASCII letters identically on SQLite and
// PostgreSQL (checked against an independent model and across the two databases), the pg_trgm fallback, and the
// batched purge of deleted versions' rows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, migrateToLatest } from '../src/db/database.js';
import { FOLDS_TO_ASCII, foldText } from '../src/db/text-fold.js';
import type { LogFilter } from '../src/request-logs/log-filter.js';
import { RequestLogRepository } from '../src/request-logs/request-log.repository.js';
import { DIALECTS, createPostgresDatabase } from './support/dialects.js';
import { logBundle } from './support/factories.js';
import { b64, startTestApp, waitFor, type TestApp } from './support/test-app.js';

/** [input, output]: letters whose case pairs are outside ASCII, and LIKE wildcards that must match literally. */
const CORPUS: Array<[string, string]> = [
  ['CAFÉ au lait', 'served hot'],
  ['café noir', 'ÄRGER im Büro'],
  ['ÜBER alles', 'kein ärger'],
  ['ΣΟΦΙΑ ΟΔΟΣ', 'σοφια οδος'],
  ['ПРИВЕТ МИР', 'привет'],
  ['İstanbul trip', 'ISTANBUL again'],
  ['STRASSE', 'straße'],
  ['plain ascii NEEDLE text', 'nothing'],
  ['100% sure_thing', 'a_b'],
  ['Ǆungla Ǉudi', 'ǆ ǉ'],
  ['ＦＵＬＬＷＩＤＴＨ', '𐐀 deseret'],
  ['273 \u212aelvin', 'İZMIR'],
];

/** PostgreSQL's lower() under a UTF-8 libc collation, written independently of src/db/text-fold.ts: per code point. */
const pgLower = (s: string) =>
  Array.from(s, (ch) => (ch === 'İ' ? 'i' : [...ch.toLowerCase()].length === 1 ? ch.toLowerCase() : ch)).join('');

type Op = 'q' | 'contains' | 'not_contains' | 'starts_with' | 'ends_with';
const SEARCHES: Array<[Op, 'input_text' | 'output_text' | null, string]> = [
  ['q', null, 'café'],
  ['q', null, 'CAFÉ'],
  ['q', null, 'ärger'],
  ['q', null, 'ÜBER'],
  ['q', null, 'οδοσ'],
  ['q', null, 'ΟΔΟΣ'],
  ['q', null, 'привет мир'],
  ['q', null, 'istanbul'],
  ['q', null, 'ß'],
  ['q', null, 'ss'],
  ['q', null, '0% s'],
  ['q', null, '_'],
  ['q', null, 'ǆ'],
  ['q', null, 'ｆｕｌｌ'],
  ['q', null, '𐐨'],
  ['q', null, 'needle'],
  ['q', null, 'kelvin'],
  ['q', null, 'izmir'],
  ['q', null, 'İzmir'],
  ['contains', 'input_text', 'É A'],
  ['not_contains', 'input_text', 'café'],
  ['starts_with', 'input_text', 'caf'],
  ['ends_with', 'output_text', 'ÄRGER'],
  ['ends_with', 'output_text', 'ΟΔΟΣ'],
  ['contains', 'output_text', 'ÄRG'],
  ['starts_with', 'output_text', 'Ǆ'],
];

function expected(op: Op, column: 'input_text' | 'output_text' | null, text: string): number[] {
  const t = pgLower(text);
  const test = (s: string) => {
    const v = pgLower(s);
    if (op === 'starts_with') return v.startsWith(t);
    if (op === 'ends_with') return v.endsWith(t);
    return v.includes(t);
  };
  return CORPUS.map(([input, output], i) => ({
    i,
    hit: column === null ? test(input) || test(output) : test(column === 'input_text' ? input : output),
  }))
    .filter((x) => (op === 'not_contains' ? !x.hit : x.hit))
    .map((x) => x.i);
}

function searchBody(op: Op, column: string | null, text: string) {
  if (op === 'q') return { q: text, per_page: 100 };
  return { filter_group: { filters: [{ field: column, operator: op, value: text }] }, per_page: 100 };
}

/** Results per search on the first dialect, compared on the next: the same answers on both databases. */
const firstResults = new Map<string, number[]>();

/** The query plan of `SELECT count(*) FROM request_logs r WHERE <filter>`, as text; PostgreSQL without sequential scans. */
async function planOf(t: TestApp, ws: number, filter: LogFilter, bareFilter = false): Promise<string> {
  const repo = new RequestLogRepository(t.app.dbh.db, t.app.dbh.dialect);
  const where = repo.filterSql(ws, filter, { bareFilter });
  if (t.dialect === 'sqlite') {
    const res = await sql<{
      detail: string;
    }>`EXPLAIN QUERY PLAN SELECT COUNT(*) FROM request_logs r WHERE ${where}`.execute(t.app.dbh.db);
    return res.rows.map((r) => r.detail).join('\n');
  }
  return t.app.dbh.db.transaction().execute(async (trx) => {
    // A small table is cheaper to scan; this asks which indexes the planner CAN answer the filter with.
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const res = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT COUNT(*) FROM request_logs r WHERE ${where}`.execute(
      trx,
    );
    return res.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

for (const dialect of DIALECTS) {
  describe(`search indexes and folding [${dialect}]`, () => {
    let t: TestApp;
    let otherKey: string;
    let ws: number;
    const ids: number[] = [];

    before(async () => {
      t = await startTestApp(dialect, { STRATA_IMPORT_BATCH_ROWS: '7', STRATA_DELETED_ROWS_GRACE_MINUTES: '0' });
      otherKey = (await t.app.auth.createApiKeyInWorkspace('other', 'k')).key;
      const log = (i: number, apiKey?: string) =>
        t.request({
          method: 'POST',
          url: '/log-request',
          apiKey,
          body: {
            provider: 'openai',
            model: 'gpt-4o',
            input: { type: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: CORPUS[i][0] }] }] },
            output: {
              type: 'chat',
              messages: [{ role: 'assistant', content: [{ type: 'text', text: CORPUS[i][1] }] }],
            },
            request_start_time: 1_700_000_000 + i,
            request_end_time: 1_700_000_001 + i,
            tags: [`t${i % 3}`, ...(i % 4 === 0 ? ['four'] : [])],
            metadata: { k: `v${i % 2}`, word: CORPUS[i][1] },
          },
        });
      for (let i = 0; i < CORPUS.length; i++) {
        const res = await log(i);
        assert.equal(res.statusCode, 201, res.body);
        ids.push(res.json().request_id ?? res.json().id);
        // The same logs in a second workspace: a filter not bounded by workspace would count them too.
        assert.equal((await log(i, otherKey)).statusCode, 201);
      }
      const row = await t.app.dbh.db
        .selectFrom('request_logs')
        .select('workspace_id')
        .where('id', '=', ids[0])
        .executeTakeFirstOrThrow();
      ws = Number(row.workspace_id);
    });
    after(async () => t.close());

    const search = async (body: unknown, apiKey?: string) => {
      const res = await t.request({ method: 'POST', url: '/api/public/v2/requests/search', body, apiKey });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ total: number; items: Array<{ id: number }> }>();
    };
    const indexesOf = (items: Array<{ id: number }>) => items.map((x) => ids.indexOf(x.id)).sort((a, b) => a - b);

    it('counts tag and metadata filters within the workspace, as an independent count does', async () => {
      const cases: Array<[unknown, (i: number) => boolean]> = [
        [{ filters: [{ field: 'tags', operator: 'contains', value: 't1' }] }, (i) => i % 3 === 1],
        [{ filters: [{ field: 'tags', operator: 'in', value: ['t0', 'four'] }] }, (i) => i % 3 === 0 || i % 4 === 0],
        [{ filters: [{ field: 'tags', operator: 'not_contains', value: 'four' }] }, (i) => i % 4 !== 0],
        [{ filters: [{ field: 'tags', operator: 'is_not_empty' }] }, () => true],
        [
          { filters: [{ field: 'metadata', operator: 'key_equals', nested_key: 'k', value: 'v1' }] },
          (i) => i % 2 === 1,
        ],
        [
          { filters: [{ field: 'metadata', operator: 'key_contains', nested_key: 'word', value: 'ÄRGER' }] },
          (i) => pgLower(CORPUS[i][1]).includes('ärger'),
        ],
        [{ filters: [{ field: 'metadata_keys', operator: 'contains', value: 'word' }] }, () => true],
        [
          {
            logic: 'AND',
            filters: [
              { field: 'tags', operator: 'contains', value: 't0' },
              { field: 'metadata', operator: 'key_not_equals', nested_key: 'k', value: 'v0' },
            ],
          },
          (i) => i % 3 === 0 && i % 2 === 1,
        ],
      ];
      for (const [filter_group, predicate] of cases) {
        const want = CORPUS.map((_, i) => i).filter(predicate);
        for (const key of [undefined, otherKey]) {
          const res = await search({ filter_group, per_page: 100 }, key);
          assert.equal(res.total, want.length, JSON.stringify(filter_group));
        }
        assert.deepEqual(
          indexesOf((await search({ filter_group, per_page: 100 })).items),
          want,
          JSON.stringify(filter_group),
        );
      }
    });

    it('answers tag and metadata filters from their workspace indexes (EXPLAIN)', async () => {
      assert.match(await planOf(t, ws, { kind: 'tag', tags: ['t1'] }), /request_log_tags_ws_tag/);
      assert.match(await planOf(t, ws, { kind: 'tag', tags: ['t1', 'four'] }), /request_log_tags_ws_tag/);
      assert.match(
        await planOf(t, ws, { kind: 'meta', key: 'k', op: 'eq', values: ['v1'] }),
        /request_log_metadata_ws_kv/,
      );
      assert.match(await planOf(t, ws, { kind: 'meta_key', keys: ['word'] }), /request_log_metadata_ws_kv/);
    });

    it('answers text search from the trigram index (EXPLAIN)', async () => {
      // On a table this small PostgreSQL prefers the workspace index whatever the filter; without that bound the plan
      // shows which index answers the text test itself (docs/scaling.md has the plan at 1M logs, where it wins).
      const bare = dialect === 'postgres';
      const plan = await planOf(t, ws, { kind: 'q', text: 'café' }, bare);
      if (dialect === 'sqlite') assert.match(plan, /request_logs_fts VIRTUAL TABLE/);
      else assert.match(plan, /request_logs_input_trgm[\s\S]*request_logs_output_trgm/);
      const contains = await planOf(t, ws, { kind: 'text', column: 'output_text', op: 'contains', value: 'ÄRG' }, bare);
      assert.match(contains, dialect === 'sqlite' ? /request_logs_fts VIRTUAL TABLE/ : /request_logs_output_trgm/);
    });

    it('folds non-ASCII letters like PostgreSQL lower() in q, contains, starts_with, ends_with (same results on both databases)', async () => {
      for (const [op, column, text] of SEARCHES) {
        const label = `${op} ${column ?? ''} ${JSON.stringify(text)}`;
        const got = indexesOf((await search(searchBody(op, column, text))).items);
        assert.deepEqual(got, expected(op, column, text), label);
        const first = firstResults.get(label);
        if (first) assert.deepEqual(got, first, `${label}: differs from ${DIALECTS[0]}`);
        else firstResults.set(label, got);
      }
      // Spot checks of the model itself, so a wrong model cannot make both sides agree on nonsense.
      assert.deepEqual(expected('q', null, 'CAFÉ'), [0, 1]);
      assert.deepEqual(expected('q', null, 'οδοσ'), [3]);
      assert.deepEqual(expected('q', null, 'ß'), [6]);
      assert.deepEqual(expected('q', null, 'kelvin'), [11]);
    });

    it('knows every non-ASCII letter that folds to ASCII (the SQLite fast path for ASCII patterns relies on it)', () => {
      const found: string[] = [];
      for (let cp = 0x80; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        // eslint-disable-next-line no-control-regex -- the ASCII range, NUL included
        if (/^[\x00-\x7f]+$/.test(foldText(String.fromCodePoint(cp)))) found.push(String.fromCodePoint(cp));
      }
      assert.deepEqual(found, [...FOLDS_TO_ASCII]);
    });

    it('keeps the text index in step with new logs', async () => {
      const res = await t.request({
        method: 'POST',
        url: '/log-request',
        body: {
          provider: 'openai',
          model: 'm',
          input: { type: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'ZWÖLF Boxkämpfer' }] }] },
          output: { type: 'chat', messages: [{ role: 'assistant', content: [{ type: 'text', text: 'ok' }] }] },
          request_start_time: 1_700_000_100,
          request_end_time: 1_700_000_101,
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const found = await search({ q: 'zwölf boxkÄmpfer', per_page: 100 });
      assert.equal(found.total, 1);
    });

    it('searches dataset rows (?q=) with the same folding', async () => {
      const g = (
        await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 'fold-rows' } })
      ).json();
      const csv = ['input,output', ...CORPUS.map(([a, b]) => `"${a}","${b}"`)].join('\n');
      const up = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/from-file',
        body: { dataset_group_id: g.dataset_group.id, file_name: 'f.csv', file_content_base64: b64(csv) },
      });
      assert.equal(up.statusCode, 201, up.body);
      const id = up.json().dataset_id;
      await waitFor(
        async () =>
          (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${id}` })).json().dataset.status === 'ready',
        30_000,
        'import',
      );
      for (const text of ['CAFÉ', 'ärger', 'ΟΔΟΣ', 'ПРИВЕТ', 'İSTANBUL', 'ß', '0% s', 'ǅ']) {
        const res = await t.request({
          method: 'GET',
          url: `/api/public/v2/datasets/${id}/rows?q=${encodeURIComponent(text)}&per_page=100`,
        });
        assert.equal(res.statusCode, 200, res.body);
        const want = expected('q', null, text);
        assert.equal(res.json().total, want.length, text);
        assert.deepEqual(
          res.json().rows.map((r: Array<{ value: string }>) => CORPUS.findIndex(([a]) => a === r[0].value)),
          want,
          text,
        );
      }
    });

    it('purges the rows of deleted versions in batches and touches nothing else', async () => {
      const mk = async (name: string, n: number) => {
        const g = (await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name } })).json();
        const csv = ['n,text', ...Array.from({ length: n }, (_, i) => `${i},${name} row ${i}`)].join('\n');
        const up = await t.request({
          method: 'POST',
          url: '/api/public/v2/dataset-versions/from-file',
          body: { dataset_group_id: g.dataset_group.id, file_name: 'p.csv', file_content_base64: b64(csv) },
        });
        const id = up.json().dataset_id as number;
        await waitFor(
          async () =>
            (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${id}` })).json().dataset.status ===
            'ready',
          30_000,
          'import',
        );
        return { group: g.dataset_group.id as number, id };
      };
      const doomed = await mk('doomed', 53);
      const kept = await mk('kept', 31);
      const doomedGroup = await mk('doomed-group', 20);
      const rowsOf = async (id: number) =>
        (
          await t.app.dbh.db
            .selectFrom('dataset_rows')
            .select(['row_index', 'data'])
            .where('dataset_id', '=', id)
            .orderBy('row_index')
            .execute()
        ).map((r) => `${r.row_index}:${r.data}`);
      const keptBefore = await rowsOf(kept.id);
      const othersBefore = (
        await t.app.dbh.db
          .selectFrom('dataset_rows')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('dataset_id', 'not in', [doomed.id, doomedGroup.id])
          .executeTakeFirstOrThrow()
      ).n;
      assert.equal(
        (await t.request({ method: 'DELETE', url: `/api/public/v2/datasets/${doomed.id}` })).statusCode,
        200,
      );
      assert.equal(
        (await t.request({ method: 'DELETE', url: `/api/public/v2/dataset-groups/${doomedGroup.group}` })).statusCode,
        200,
      );
      assert.equal((await rowsOf(doomed.id)).length, 53, 'soft delete leaves the rows to the background job');
      const job = await t.app.jobs.enqueue(t.app.dbh.db, 'maintenance.purge', {}, { maxAttempts: 1 });
      t.app.worker?.wake();
      await waitFor(
        async () =>
          (await t.app.dbh.db.selectFrom('jobs').select('status').where('id', '=', job).executeTakeFirst())?.status ===
          'done',
        20_000,
        'purge job',
      );
      assert.deepEqual(await rowsOf(doomed.id), []);
      assert.deepEqual(await rowsOf(doomedGroup.id), []);
      assert.deepEqual(await rowsOf(kept.id), keptBefore);
      const othersAfter = (
        await t.app.dbh.db
          .selectFrom('dataset_rows')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('dataset_id', 'not in', [doomed.id, doomedGroup.id])
          .executeTakeFirstOrThrow()
      ).n;
      assert.equal(Number(othersAfter), Number(othersBefore));
      // The deleted version itself stays listable as deleted, with its row count.
      const listed = (
        await t.request({
          method: 'GET',
          url: `/api/public/v2/datasets?dataset_group_id=${doomed.group}&status=deleted&per_page=100`,
        })
      ).json();
      const meta = await t.app.dbh.db
        .selectFrom('datasets')
        .select(['is_deleted', 'row_count'])
        .where('id', '=', doomed.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        { is_deleted: Number(meta.is_deleted), row_count: Number(meta.row_count) },
        { is_deleted: 1, row_count: 53 },
      );
      assert.ok(listed);
    });
  });
}

if (DIALECTS.includes('postgres')) {
  describe('PostgreSQL lower() and strata_fold agree', () => {
    it('maps every code point the same, except letters newer than the server C library knows', async () => {
      const db = await createPostgresDatabase();
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const diffs: number[] = [];
        const chunk = 50_000;
        for (let start = 1; start <= 0x10ffff; start += chunk) {
          const cps: number[] = [];
          for (let cp = start; cp < Math.min(start + chunk, 0x110000); cp++)
            if (cp < 0xd800 || cp > 0xdfff) cps.push(cp);
          const text = cps.map((cp) => String.fromCodePoint(cp)).join('');
          const lowered = [...(await client.query<{ l: string }>('SELECT lower($1) AS l', [text])).rows[0].l];
          const folded = [...foldText(text)];
          assert.equal(lowered.length, cps.length);
          assert.equal(folded.length, cps.length);
          cps.forEach((cp, i) => lowered[i] !== folded[i] && diffs.push(cp));
        }
        // Unicode 16 letters (Latin additions, Garay, Tolong Siki) that glibc 2.36 predates: documented in docs/scaling.md.
        const unicode16 = (cp: number) =>
          cp === 0x1c89 ||
          (cp >= 0xa7cb && cp <= 0xa7dc) ||
          (cp >= 0x10d50 && cp <= 0x10d65) ||
          (cp >= 0x16ea0 && cp <= 0x16eb8);
        assert.deepEqual(
          diffs.filter((cp) => !unicode16(cp)).map((cp) => cp.toString(16)),
          [],
        );
      } finally {
        await client.end();
        await db.drop();
      }
    });
  });

  describe('PostgreSQL without pg_trgm', () => {
    let url: string;
    let drop: () => Promise<void>;
    const role = `strata_nocreate_${process.pid}`;
    before(async () => {
      const db = await createPostgresDatabase();
      drop = db.drop;
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      // May use the schema but not CREATE on the database: CREATE EXTENSION (even a trusted one) is refused.
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      await admin.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${role}`);
      await admin.end();
      const u = new URL(db.url);
      u.username = role;
      url = u.toString();
    });
    after(async () => {
      await drop();
      const admin = new pg.Client({ connectionString: process.env.STRATA_TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    });

    it('migrates without the extension and still searches correctly (by scan)', async () => {
      const dbh = openDatabase({ kind: 'postgres', url });
      try {
        await migrateToLatest(dbh.db);
        const ext = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_extension WHERE extname = 'pg_trgm'`.execute(
          dbh.db,
        );
        assert.equal(Number(ext.rows[0].n), 0);
        const idx = await sql<{
          n: string;
        }>`SELECT count(*) AS n FROM pg_indexes WHERE indexname LIKE '%trgm%'`.execute(dbh.db);
        assert.equal(Number(idx.rows[0].n), 0);
        const w = await dbh.db
          .insertInto('workspaces')
          .values({ name: 'w', created_at: 0 })
          .returning('id')
          .executeTakeFirstOrThrow();
        const repo = new RequestLogRepository(dbh.db, dbh.dialect);
        await dbh.transaction((trx) =>
          repo.insertMany(
            trx,
            CORPUS.map(([input_text, output_text]) => logBundle(w.id, { input_text, output_text })),
          ),
        );
        for (const text of ['CAFÉ', 'ΟΔΟΣ', 'ß'])
          assert.equal(await repo.count(w.id, { kind: 'q', text }), expected('q', null, text).length, text);
      } finally {
        await dbh.close();
      }
    });
  });
}
