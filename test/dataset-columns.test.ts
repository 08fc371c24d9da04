// A dataset build's pass two decodes only the JSON columns its column plan reads (jsonColumnsFor): for every include
// field, variables and transposed metadata, the cells from such a partly decoded log equal those of the whole log;
// the repository's findByIds leaves the other JSON columns out, on every dialect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RequestLogJsonColumn, RequestLogRow } from '../src/db/schema.js';
import { cellsFor, INCLUDE_FIELDS, jsonColumnsFor, planColumns } from '../src/request-logs/dataset-columns.js';
import { RequestLogRepository } from '../src/request-logs/request-log.repository.js';
import { DIALECTS } from './support/dialects.js';
import { logRequest } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const JSON_COLUMNS: RequestLogJsonColumn[] = [
  'input',
  'output',
  'parameters',
  'prompt_input_variables',
  'tags',
  'metadata',
  'scores',
];

/** The log as findByIds(…, columns) returns it: the other JSON columns left out. */
function onlyDecoded(log: RequestLogRow, columns: RequestLogJsonColumn[]) {
  const partial: Record<string, unknown> = { ...log };
  for (const c of JSON_COLUMNS) if (!columns.includes(c)) delete partial[c];
  return partial as Parameters<typeof cellsFor>[1];
}

const log: RequestLogRow = {
  id: 7,
  workspace_id: 1,
  provider: 'openai',
  model: 'gpt-4o',
  input: { type: 'chat', messages: [{ role: 'user', content: 'q' }] },
  output: { type: 'chat', messages: [{ role: 'assistant', content: 'a' }] },
  input_text: 'q',
  output_text: 'a',
  parameters: { temperature: 0.5 },
  request_start_time: 1_700_000_000_000,
  request_end_time: 1_700_000_001_000,
  latency_ms: 1000,
  input_tokens: 3,
  output_tokens: 4,
  price: 0.25,
  status: 'SUCCESS',
  error_type: null,
  error_message: null,
  function_name: 'openai.chat.completions.create',
  api_type: 'chat',
  prompt_input_variables: { question: 'q', topic: 't' },
  tags: ['a', 'b'],
  metadata: { app: 'x', env: 'prod' },
  scores: { default: 80 },
  score: 80,
  starred: 1,
  prompt_name: null,
  prompt_id: null,
  prompt_version_number: null,
  group_id: null,
} as unknown as RequestLogRow;

describe('jsonColumnsFor', () => {
  it('names every JSON column the plan reads: cells of the partly decoded log equal the whole log’s', () => {
    for (const field of Object.keys(INCLUDE_FIELDS)) {
      for (const transposeMetadata of [false, true]) {
        const plan = planColumns([log], { includeFields: [field], transposeMetadata });
        const cells = cellsFor(plan, onlyDecoded(log, jsonColumnsFor(plan)));
        assert.deepEqual(cells, cellsFor(plan, log), `include field ${field}`);
      }
    }
  });

  it('asks for nothing beyond what the plan reads', () => {
    const plain = planColumns([log], {
      variablesToParse: [],
      includeFields: ['id', 'status'],
      transposeMetadata: false,
    });
    assert.deepEqual(jsonColumnsFor(plain), []);
    const full = planColumns([log], { includeFields: ['output_blueprint', 'tags'], transposeMetadata: true });
    assert.deepEqual(jsonColumnsFor(full).sort(), ['metadata', 'output', 'prompt_input_variables', 'tags']);
  });
});

for (const dialect of DIALECTS) {
  describe(`RequestLogRepository.findByIds with some JSON columns decoded [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    it('decodes the columns asked for, leaves the others out, and matches findById on those it decodes', async () => {
      const id = await logRequest(t, { tags: ['x'], metadata: { app: 'y' }, prompt_input_variables: { v: 1 } });
      const repo = new RequestLogRepository(t.app.dbh.db, t.app.dbh.dialect);
      const { workspace_id: ws } = await t.app.dbh.db
        .selectFrom('request_logs')
        .select('workspace_id')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const whole = (await repo.findById(ws, id))!;
      const [some] = await repo.findByIds(ws, [id], ['metadata', 'prompt_input_variables']);
      assert.deepEqual(some, onlyDecoded(whole, ['metadata', 'prompt_input_variables']));
      assert.deepEqual(some.metadata, { app: 'y' });
      assert.equal('input' in some, false);
      const [all] = await repo.findByIds(ws, [id], JSON_COLUMNS);
      assert.deepEqual(all, whole);
    });
  });
}
