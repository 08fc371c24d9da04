// Upgrading a database made by the landed release (test/fixtures/landed-release/, made by that release's own server
// through its API): today's app migrates it, serves what it held, and keeps working on it; and its schema ends up the
// same as a database migrated from empty.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { migrations } from '../src/db/migrations/index.js';
import { DIALECTS, createPostgresDatabase, type TestDialect } from './support/dialects.js';
import { createVersion, logRequest, waitDataset } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/landed-release/', import.meta.url));
const V2 = '/api/public/v2';

/** A copy of the fixture database for one app: a SQLite file, or a fresh PostgreSQL database loaded from the dump. */
async function restoreFixture(dialect: TestDialect): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-upgrade-'));
    const file = path.join(dir, 'strata.db');
    fs.copyFileSync(path.join(FIXTURES, 'strata.sqlite'), file);
    return {
      env: { DATABASE_URL: `sqlite:${file}` },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const pgDb = await createPostgresDatabase();
  // psql, not a driver: a plain pg_dump holds psql meta-commands (\restrict) and COPY ... FROM stdin blocks.
  const load = spawnSync(
    'psql',
    ['-q', '-v', 'ON_ERROR_STOP=1', '-d', pgDb.url, '-f', path.join(FIXTURES, 'strata.postgres.sql')],
    { encoding: 'utf8' },
  );
  if (load.status !== 0) {
    await pgDb.drop();
    throw new Error(`loading the PostgreSQL fixture failed: ${load.error?.message ?? load.stderr}`);
  }
  return { env: { DATABASE_URL: pgDb.url }, drop: pgDb.drop };
}

/** Tables, columns, indexes, triggers and constraints, in a form two databases can be compared by. */
async function schemaOf(db: Kysely<any>, dialect: TestDialect): Promise<unknown[]> {
  if (dialect === 'sqlite') {
    const r = await sql`SELECT type, name, tbl_name, sql FROM sqlite_master
      WHERE name NOT LIKE 'kysely_%' AND name NOT LIKE 'sqlite_%' ORDER BY type, name`.execute(db);
    return r.rows;
  }
  const queries = [
    // Column order, not attnum: a restored dump has no dropped-column gaps.
    sql`SELECT table_name, column_name, data_type, column_default, is_nullable FROM information_schema.columns
      WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    sql`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`,
    sql`SELECT event_object_table, trigger_name, action_timing, event_manipulation, action_statement
      FROM information_schema.triggers ORDER BY trigger_name, event_manipulation`,
    sql`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace ORDER BY conname`,
  ];
  const out: unknown[] = [];
  for (const q of queries) out.push(...(await q.execute(db)).rows);
  return out;
}

for (const dialect of DIALECTS) {
  describe(`upgrade from the landed release [${dialect}]`, () => {
    let t: TestApp;
    let fixture: Awaited<ReturnType<typeof restoreFixture>>;
    const get = async (url: string) => {
      const res = await t.request({ method: 'GET', url });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      return res.json();
    };
    const datasetsOf = async (group: string) => {
      const groups = (await get(`${V2}/dataset-groups?per_page=100`)).dataset_groups as Array<{
        id: number;
        name: string;
      }>;
      const g = groups.find((x) => x.name === group);
      assert.ok(g, `group ${group} is listed`);
      const list = (await get(`${V2}/datasets?dataset_group_id=${g.id}&per_page=100`)).datasets as Array<{
        id: number;
        version_number: number;
        status: string;
      }>;
      return { groupId: g.id, list };
    };
    const exported = async (id: number) =>
      (await get(`${V2}/datasets/${id}/export?format=json`)) as Array<Record<string, unknown>>;

    before(async () => {
      fixture = await restoreFixture(dialect);
      // The test app's bootstrap key joins workspace `default`, which owns everything the release made.
      t = await startTestApp(dialect, fixture.env);
    });
    after(async () => {
      await t?.close();
      await fixture?.drop();
    });

    it('records every migration under its new name, in name order', async () => {
      const rows = await (t.app.dbh.db as unknown as Kysely<any>)
        .selectFrom('kysely_migration')
        .select(['name', 'timestamp'])
        .execute();
      const byTime = [...rows].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
      assert.deepEqual(
        byTime.map((r) => r.name),
        Object.keys(migrations).sort(),
      );
    });

    it('serves the versions made from a CSV file and from rows, and the open draft', async () => {
      const support = await datasetsOf('support-evals');
      const v1 = support.list.find((d) => d.version_number === 1);
      const v2 = support.list.find((d) => d.version_number === 2);
      const draft = support.list.find((d) => d.status === 'draft');
      assert.ok(v1 && v2 && draft, JSON.stringify(support.list));
      assert.deepEqual(await exported(v1.id), [
        { id: '1', question: 'How do I reset my password?', answer: 'Use the link' },
        { id: '2', question: 'Refund, please', answer: 'Sure' },
        { id: '3', question: 'Où est ma commande ?', answer: 'En route' },
      ]);
      const v2rows = await exported(v2.id);
      assert.equal(v2rows.length, 4);
      assert.equal(v2rows[0].answer, 'Use the reset link');
      assert.equal(v2rows[3].question, 'Can I change my plan?');
      assert.equal((await exported(draft.id)).length, 3, 'the draft keeps its deleted row deleted');

      const fromRows = await datasetsOf('from-rows');
      const r1 = fromRows.list.find((d) => d.version_number === 1);
      assert.ok(r1);
      assert.deepEqual(await exported(r1.id), [
        { prompt: 'hello', n: 1, meta: { k: 'v' } },
        { prompt: 'bye', n: 2, meta: null },
      ]);
      const fromLogs = await datasetsOf('from-logs');
      assert.equal(fromLogs.list.find((d) => d.version_number === 1)?.status, 'ready');
    });

    it('serves the Nebius dataset', async () => {
      const res = await t.request({
        method: 'GET',
        url: '/v1/datasets?limit=100',
        apiKey: null,
        headers: { authorization: `Bearer ${t.env.STRATA_BOOTSTRAP_API_KEY}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      const people = (res.json().data as Array<{ name: string; status: string }>).find(
        (d) => d.name === 'nebius-people',
      );
      assert.equal(people?.status, 'READY');
      const nebius = await datasetsOf('nebius-people');
      assert.deepEqual(await exported(nebius.list[0].id), [
        { name: 'Ada', age: 36 },
        { name: 'Linus', age: 21 },
      ]);
    });

    it('finds the request logs by text (q), tags and metadata, with their scores', async () => {
      const search = async (body: unknown) => {
        const res = await t.request({ method: 'POST', url: `${V2}/requests/search`, body });
        assert.equal(res.statusCode, 200, res.body);
        return res.json().items as Array<{
          id: number;
          tags_array: string[];
          metadata_map: Record<string, string>;
          scores_map: Record<string, number>;
        }>;
      };
      const koeln = await search({ q: 'KÖLN' });
      assert.equal(koeln.length, 1, 'the folded text index of the landed release still answers');
      assert.deepEqual(koeln[0].tags_array.sort(), ['even', 'fixture']);
      const all = await search({ q: 'answer' });
      assert.equal(all.length, 3);
      const reset = await search({ q: 'password reset' });
      assert.equal(reset.length, 1);
      assert.deepEqual(reset[0].metadata_map, { customer: 'c1', channel: 'email', reviewed: 'yes' });
      assert.deepEqual(reset[0].scores_map, { default: 60, accuracy: 90 });
      const odd = await search({ filter_group: { filters: [{ field: 'tags', operator: 'in', value: ['odd'] }] } });
      assert.deepEqual(
        odd.map((l) => l.id),
        [reset[0].id],
      );
      const added = await logRequest(t, { input: 'Straße nach Köln', tags: ['after-upgrade'] });
      assert.deepEqual(
        (await search({ q: 'köln' })).map((l) => l.id).sort((a, b) => a - b),
        [koeln[0].id, added],
      );
    });

    it('serves the prompt template by release label', async () => {
      const prod = await get('/prompt-templates/greet?label=prod');
      assert.equal(prod.version, 1);
      const staging = await get('/prompt-templates/greet?label=staging');
      assert.equal(staging.version, 2);
      const labels = (await get('/prompt-templates/greet/labels')).release_labels as Array<{ release_label: string }>;
      assert.deepEqual(labels.map((l) => l.release_label).sort(), ['prod', 'staging']);
    });

    it('keeps the webhook, its delivered deliveries and the finished jobs', async () => {
      const hooks = (await get(`${V2}/webhooks`)).webhooks as Array<{ id: number; description: string }>;
      const hook = hooks.find((h) => h.description === 'fixture receiver');
      assert.ok(hook);
      const deliveries = (await get(`${V2}/webhooks/${hook.id}/deliveries?per_page=100`)).deliveries as Array<{
        status: string;
      }>;
      assert.ok(deliveries.length > 0);
      assert.ok(deliveries.every((d) => d.status === 'succeeded'));
      const jobs = (await get(`${V2}/jobs?limit=200`)).jobs as Array<{ type: string; status: string }>;
      assert.ok(jobs.some((j) => j.type === 'dataset.import_file' && j.status === 'done'));
      assert.ok(jobs.some((j) => j.type === 'dataset.build_from_filter' && j.status === 'done'));
    });

    it('publishes new versions on the old data: from a file, and by saving the open draft', async () => {
      const support = await datasetsOf('support-evals');
      const id = await createVersion(t, support.groupId, { csv: 'id,question\n9,new\n' });
      const v = await waitDataset(t, id, ['ready']);
      assert.equal(v.version_number, 3);
      assert.deepEqual(await exported(id), [{ id: '9', question: 'new' }]);
      const draft = support.list.find((d) => d.status === 'draft')!;
      const save = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/save-draft`,
        body: { dataset_group_id: support.groupId },
      });
      assert.equal(save.statusCode, 202, save.body);
      const saved = await waitDataset(t, draft.id, ['ready']);
      assert.equal(saved.version_number, 4);
      assert.equal((await exported(draft.id)).length, 3);
    });

    it('ends with the same schema as a database migrated from empty', async () => {
      const empty = await startTestApp(dialect);
      try {
        assert.deepEqual(
          await schemaOf(t.app.dbh.db as unknown as Kysely<any>, dialect),
          await schemaOf(empty.app.dbh.db as unknown as Kysely<any>, dialect),
        );
      } finally {
        await empty.close();
      }
    });
  });
}
