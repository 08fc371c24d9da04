// Optional cross-check with the real PromptLayer Python SDK (it cannot be pip-installed in CI): runs
// test/support/python_sdk_client.py against a listening Strata and a fake provider when `import promptlayer` works in
// the interpreter STRATA_TEST_PYTHON (default python3, with PYTHONPATH as given); otherwise the suite is skipped.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { StoredRequestLogRow } from '../src/db/schema.js';
import { DIALECTS } from './support/dialects.js';
import { startFakeLlm, REPLY, USAGE, type FakeLlm } from './support/fake-llm-server.js';
import { startTestApp, TEST_API_KEY, type TestApp } from './support/test-app.js';

const PYTHON = process.env.STRATA_TEST_PYTHON ?? 'python3';
const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'python_sdk_client.py');
const probe = spawnSync(PYTHON, ['-c', 'import promptlayer'], { encoding: 'utf8' });
const skip =
  probe.status === 0
    ? false
    : `the PromptLayer Python SDK is not importable with ${PYTHON} (${(probe.stderr || String(probe.error ?? '')).trim().split('\n').at(-1)}); set STRATA_TEST_PYTHON / PYTHONPATH to run this cross-check`;

interface Sent {
  path: string;
  status: number;
  body: Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe(`the real Python SDK against Strata [${dialect}]`, { skip }, () => {
    let t: TestApp;
    let llm: FakeLlm;
    let baseUrl = '';
    const row = async (id: number): Promise<StoredRequestLogRow> =>
      t.app.dbh.db.selectFrom('request_logs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    before(async () => {
      t = await startTestApp(dialect);
      llm = await startFakeLlm();
      baseUrl = await t.listen();
    });
    after(async () => {
      await t.close();
      await llm.close();
    });

    it('wrapper (plain and streamed, OpenAI chat/responses and Anthropic), log_request defaults, track.*, group.create', async () => {
      const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
        execFile(
          PYTHON,
          [CLIENT],
          {
            env: { ...process.env, PL_BASE_URL: baseUrl, PL_API_KEY: TEST_API_KEY, LLM_URL: llm.url },
            timeout: 60_000,
          },
          (err, so, se) =>
            err ? reject(new Error(`${err.message}\n${so}\n${se}`)) : resolve({ stdout: so, stderr: se }),
        ),
      );
      assert.doesNotMatch(stderr, /WARNING|Error|Traceback/, stderr);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      assert.ok(line, stdout);
      const { out, sent } = JSON.parse(line.slice('RESULT '.length)) as {
        out: Record<string, { text: string; pl_id: number } | unknown>;
        sent: Sent[];
      };
      for (const s of sent) assert.ok(s.status === 200 || s.status === 201, `${s.path} answered ${s.status}`);

      const tracked = sent.filter((s) => s.path === '/track-request');
      assert.equal(tracked.length, 5);
      assert.deepEqual(Object.keys(tracked[0].body).sort(), [
        'api_key',
        'args',
        'function_name',
        'kwargs',
        'metadata',
        'provider_type',
        'request_end_time',
        'request_response',
        'request_start_time',
        'span_id',
        'tags',
      ]);
      assert.equal(typeof tracked[0].body.request_start_time, 'number', 'unix seconds');
      const expectations: Array<[string, string, string, string]> = [
        ['chat', 'openai.OpenAI.chat.completions.create', 'openai', 'gpt-4o-mini'],
        ['chat_stream', 'openai.OpenAI.chat.completions.create', 'openai', 'gpt-4o-mini'],
        ['responses', 'openai.OpenAI.responses.create', 'openai', 'gpt-4.1'],
        ['anthropic', 'anthropic.Anthropic.messages.create', 'anthropic', 'claude-sonnet-4-5'],
        ['anthropic_stream', 'anthropic.Anthropic.messages.create', 'anthropic', 'claude-sonnet-4-5'],
      ];
      for (const [i, [key, functionName, provider, model]] of expectations.entries()) {
        const result = out[key] as { text: string; pl_id: number };
        assert.equal(result.text, REPLY, `${key}: the app got the reply`);
        assert.ok(Number.isInteger(result.pl_id), `${key}: pl_id returned (${JSON.stringify(result)})`);
        const log = await row(result.pl_id);
        assert.equal(log.function_name, functionName, key);
        assert.equal(log.provider, provider, key);
        assert.equal(log.model, model, key);
        assert.equal(log.status, 'SUCCESS', key);
        // SDK 1.5.14 limitation: for a streamed OpenAI chat its GeneratorProxy.cleaned_result() returns only the last
        // chunk (the assembling code after that `return` is unreachable), so there is no reply text to store.
        const expected = key === 'chat_stream' ? '' : REPLY;
        assert.equal(
          log.output_text,
          expected,
          `${key}: sent ${JSON.stringify(tracked[i].body.request_response).slice(0, 1500)}`,
        );
        assert.equal(log.input_tokens, key === 'chat_stream' ? 0 : USAGE.input, `${key} input tokens`);
        assert.ok(log.latency_ms >= 0);
      }
      const chat = await row((out.chat as { pl_id: number }).pl_id);
      assert.deepEqual(JSON.parse(chat.tags), ['python']);
      assert.deepEqual(JSON.parse(chat.parameters), { temperature: 0.3 });
      assert.deepEqual(JSON.parse(chat.metadata), { lang: 'python' });
      assert.equal(chat.score, 90);
      assert.equal(chat.group_id, out.group);
      assert.deepEqual(out.track, { metadata: true, score: true, group: true });

      const logged = sent.find((s) => s.path === '/log-request');
      assert.equal(logged?.body.score, 0, 'the Python SDK sends score 0 by default');
      const plain = await row((out.log_request as { id: number }).id);
      assert.equal(plain.score, null, 'and the log stays unscored');
      assert.deepEqual(JSON.parse(plain.scores), {});
      assert.equal(plain.latency_ms, 750);
    });
  });
}
