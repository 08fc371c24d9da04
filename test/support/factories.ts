// Test data through the public API of a test app: dataset groups, versions from files or rows, request logs, Nebius
// multipart uploads and prompt templates. One helper per thing, so a change of the API is one edit here (not one per test file).
import assert from 'node:assert/strict';
import { DatasetRepository } from '../../src/datasets/dataset.repository.js';
import type { NewLogBundle } from '../../src/request-logs/request-log.repository.js';
import { v1, waitSettled } from './nebius.js';
import { b64, TEST_API_KEY, waitFor, type TestApp } from './test-app.js';

const V2 = '/api/public/v2';

export interface CreatedGroup {
  dataset_group: { id: number; name: string };
  /** The empty draft a new group starts with. */
  dataset: { id: number; version_number: number };
}

/** POST /dataset-groups (201 asserted). */
export async function createGroup(t: TestApp, name: string): Promise<CreatedGroup> {
  const res = await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<CreatedGroup>();
}

/** A CSV text of `rows` lines `i,"<tag> row i, with a comma"` under the header `id,text`. */
export function csvRows(rows: number, tag: string): string {
  const lines = ['id,text'];
  for (let i = 0; i < rows; i++) lines.push(`${i},"${tag} row ${i}, with a comma"`);
  return lines.join('\n');
}

export type VersionSource =
  | { csv: string; fileName?: string }
  | { rows: object[]; fileName?: string }
  | { content: string | Buffer; fileName: string };

/** The from-file body: CSV text, rows (sent as a JSONL file) or any file's bytes. */
export function fromFileBody(groupId: number, source: VersionSource) {
  const [fileName, content] =
    'csv' in source
      ? [source.fileName ?? 'x.csv', source.csv]
      : 'rows' in source
        ? [source.fileName ?? 'rows.jsonl', source.rows.map((r) => JSON.stringify(r)).join('\n')]
        : [source.fileName, source.content];
  return { dataset_group_id: groupId, file_name: fileName, file_content_base64: b64(content) };
}

/** POST /dataset-versions/from-file (201 asserted); returns the new version's dataset id (it imports in the background). */
export async function createVersion(t: TestApp, groupId: number, source: VersionSource): Promise<number> {
  const res = await t.request({
    method: 'POST',
    url: `${V2}/dataset-versions/from-file`,
    body: fromFileBody(groupId, source),
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ dataset_id: number }>().dataset_id;
}

/**
 * A ready version (of a new group) whose rows are exactly these stored texts (`dataset_rows.data`), written through the
 * repository: texts no upload stores as such (number literals, escapes) reach the readers unchanged.
 */
export async function createStoredVersion(t: TestApp, columns: string[], texts: string[]): Promise<number> {
  const g = await createGroup(t, `stored-${Math.random().toString(36).slice(2)}`);
  const db = t.app.dbh.db;
  const now = Date.now();
  const { id } = await db
    .insertInto('datasets')
    .values({
      group_id: g.dataset_group.id,
      workspace_id: 1,
      version_number: 1,
      column_names: JSON.stringify(columns),
      status: 'processing',
      origin: 'file',
      external_id: `stored-${g.dataset_group.id}`,
      source_dataset_id: null,
      created_at: now,
      updated_at: now,
      row_count: texts.length,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const repo = new DatasetRepository(db, t.app.dbh.dialect);
  for (let s = 0; s < texts.length; s += 5_000)
    await t.app.dbh.transaction((trx) =>
      repo.insertRows(
        trx,
        id,
        s,
        texts.slice(s, s + 5_000).map((data) => ({ data })),
      ),
    );
  await db.updateTable('datasets').set({ status: 'ready' }).where('id', '=', id).execute();
  return id;
}

/** The dataset as GET /datasets/{id} shows it: the fields tests use typed, the rest as the JSON gives them. */
export type DatasetView = {
  id: number;
  status: string;
  version_number: number;
  column_names: string[];
  row_count: number;
} & Record<string, any>;

/** GET /datasets/{id} until its status is one of `statuses`; returns the dataset as the API shows it. */
export async function waitDataset(
  t: TestApp,
  id: number,
  statuses: string[] = ['ready', 'failed'],
  timeoutMs = 30_000,
): Promise<DatasetView> {
  return waitFor(
    async () => {
      const d = (await t.request({ method: 'GET', url: `${V2}/datasets/${id}` })).json<{ dataset: DatasetView }>()
        .dataset;
      return statuses.includes(d.status) ? d : undefined;
    },
    timeoutMs,
    `dataset ${id} ${statuses.join('/')}`,
  );
}

/** createVersion, then waits for it: asserts it became ready and returns it. */
export async function createReadyVersion(t: TestApp, groupId: number, source: VersionSource): Promise<DatasetView> {
  const d = await waitDataset(t, await createVersion(t, groupId, source));
  assert.equal(d.status, 'ready', d.error);
  return d;
}

/** Rows stored for a version, counted in the database (drafts and versions alike). */
export async function rowCount(t: TestApp, datasetId: number): Promise<number> {
  const r = await t.app.dbh.db
    .selectFrom('dataset_rows')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('dataset_id', '=', datasetId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const chat = (role: 'user' | 'assistant', text: string) => ({
  type: 'chat',
  messages: [{ role, content: [{ type: 'text', text }] }],
});

/** A chat blueprint, or the text of one message (wrapped with the side's role). */
export type ChatOrText = string | Record<string, unknown>;

export type LogRequestFields = { input?: ChatOrText; output?: ChatOrText } & Record<string, unknown>;

/** A /log-request body of a chat exchange, with any field overridden. */
export function logRequestBody(opts: LogRequestFields = {}) {
  const { input = 'hello', output = 'hi there', ...fields } = opts;
  return {
    provider: 'openai',
    model: 'gpt-4o-mini',
    input: typeof input === 'string' ? chat('user', input) : input,
    output: typeof output === 'string' ? chat('assistant', output) : output,
    request_start_time: 1_700_000_000,
    request_end_time: 1_700_000_001,
    ...fields,
  };
}

/** POST /log-request of logRequestBody(opts); the answer as it is (tests of refusals assert it). */
export function sendLogRequest(t: TestApp, opts: LogRequestFields = {}) {
  return t.request({ method: 'POST', url: '/log-request', body: logRequestBody(opts) });
}

/** POST /log-request of a chat exchange (201 asserted), with any field of the body overridden; returns the log's id. */
export async function logRequest(t: TestApp, opts: LogRequestFields = {}): Promise<number> {
  const res = await sendLogRequest(t, opts);
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: number }>().id;
}

/**
 * A request log as RequestLogRepository.insertMany takes it (for tests that write logs below the HTTP path), with
 * plain defaults: any column of the log and its tags/metadata/scores overridden.
 */
export function logBundle(
  workspaceId: number,
  log: Partial<NewLogBundle['log']> = {},
  rest: Partial<Omit<NewLogBundle, 'log'>> = {},
): NewLogBundle {
  return {
    log: {
      workspace_id: workspaceId,
      provider: 'p',
      model: 'm',
      input: '{}',
      output: '{}',
      input_text: '',
      output_text: '',
      parameters: '{}',
      request_start_time: 0,
      request_end_time: 1,
      latency_ms: 1,
      input_tokens: 0,
      output_tokens: 0,
      price: 0,
      status: 'SUCCESS',
      error_type: null,
      error_message: null,
      function_name: null,
      api_type: null,
      group_id: null,
      prompt_name: null,
      prompt_id: null,
      prompt_version_number: null,
      prompt_input_variables: '{}',
      created_at: 0,
      ...log,
    },
    tags: [],
    metadata: {},
    scores: {},
    ...rest,
  };
}

/** POST /v1/datasets/uploads/{id}/parts: one part's raw bytes; the answer as it is. */
export function sendPart(t: TestApp, uploadId: string, bytes: Buffer | string) {
  return t.app.server!.inject({
    method: 'POST',
    url: `/v1/datasets/uploads/${uploadId}/parts`,
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/octet-stream' },
    payload: Buffer.from(bytes),
  });
}

/**
 * A Nebius multipart upload of `bytes` in one part: creates the upload, sends the part, completes it and waits for
 * the dataset to settle. Returns the upload's id and the dataset as GET /v1/datasets/{id} shows it.
 */
export async function uploadInOnePart(
  t: TestApp,
  upload: { name: string; folder: string; schema: unknown[]; format?: string },
  bytes: Buffer | string,
): Promise<{ uploadId: string; dataset: Record<string, any> }> {
  const up = (await v1(t, 'POST', '/v1/datasets/uploads', upload)).json<{ id: string }>();
  const part = (await sendPart(t, up.id, bytes)).json<{ id: string }>();
  const done = (await v1(t, 'POST', `/v1/datasets/uploads/${up.id}/complete`, { part_ids: [part.id] })).json<{
    upload_info: { dataset: { id: string } };
  }>();
  return { uploadId: up.id, dataset: await waitSettled(t, done.upload_info.dataset.id) };
}
