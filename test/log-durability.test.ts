// Durable acknowledgement of request logs: a `strata serve` process killed with SIGKILL under concurrent
// /log-request and /track-request load has stored every log it answered 201/200 for.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DIALECTS } from './support/dialects.js';
import { spawnStrata, stopProcess, waitForOutput } from './support/processes.js';
import { startTestApp, TEST_API_KEY, type TestApp } from './support/test-app.js';

const logBody = (i: number) => ({
  provider: 'openai',
  model: 'gpt-4o-mini',
  input: { type: 'chat', messages: [{ role: 'user', content: `question ${i}` }] },
  output: { type: 'chat', messages: [{ role: 'assistant', content: `answer ${i}` }] },
  request_start_time: 1_776_000_000 + i,
  request_end_time: 1_776_000_001 + i,
  tags: ['durability', `t${i % 3}`],
  metadata: { i: String(i) },
  score: 50,
});
const trackBody = (i: number) => ({
  api_key: TEST_API_KEY,
  function_name: 'openai.chat.completions.create',
  provider_type: 'openai',
  request_start_time: new Date(Date.UTC(2026, 3, 12) + i * 1000).toISOString(),
  request_end_time: new Date(Date.UTC(2026, 3, 12) + i * 1000 + 500).toISOString(),
  kwargs: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }] },
  request_response: {
    choices: [{ index: 0, message: { role: 'assistant', content: `answer ${i}` }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2 },
  },
  tags: ['durability'],
});

for (const dialect of DIALECTS) {
  describe(`request-log durability under SIGKILL [${dialect}]`, () => {
    let t: TestApp;
    after(async () => t?.close());

    it('every acknowledged log id is in the database after the server is killed mid-load', async () => {
      t = await startTestApp(dialect);
      const port = 30000 + Math.floor(Math.random() * 20000);
      const server = spawnStrata(['serve'], {
        ...t.env,
        STRATA_ROLES: 'api',
        PORT: String(port),
        HOST: '127.0.0.1',
        STRATA_LOG_LEVEL: 'info',
      });
      try {
        await waitForOutput(server, /listening|Server listening/i);
        const url = `http://127.0.0.1:${port}`;
        const acked: number[] = [];
        let refused = 0;
        let n = 0;
        let stop = false;
        // 24 clients posting as fast as they can (both routes); the kill lands while many requests are in flight.
        const client = async () => {
          while (!stop) {
            const i = n++;
            const track = i % 2 === 1;
            try {
              const r = await fetch(`${url}${track ? '/track-request' : '/log-request'}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', ...(track ? {} : { 'x-api-key': TEST_API_KEY }) },
                body: JSON.stringify(track ? trackBody(i) : logBody(i)),
              });
              const body = (await r.json()) as { request_id?: number };
              if (r.status === (track ? 200 : 201)) acked.push(body.request_id!);
              else refused++;
            } catch {
              return; // the connection died with the server: not acknowledged
            }
          }
        };
        const clients = Array.from({ length: 24 }, client);
        while (acked.length < 300) await new Promise((r) => setTimeout(r, 20));
        await stopProcess(server, 'SIGKILL');
        stop = true;
        await Promise.all(clients);
        assert.equal(refused, 0);
        assert.equal(new Set(acked).size, acked.length, 'ids are unique');
        const db = t.app.dbh.db;
        const found = new Set<number>();
        for (let k = 0; k < acked.length; k += 500) {
          const rows = await db
            .selectFrom('request_logs')
            .select('id')
            .where('id', 'in', acked.slice(k, k + 500))
            .execute();
          for (const r of rows) found.add(Number(r.id));
        }
        const lost = acked.filter((id) => !found.has(id));
        assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged logs are missing after SIGKILL`);
        // Their child rows were committed in the same transactions.
        const tags = await db
          .selectFrom('request_log_tags')
          .select('request_log_id')
          .where('request_log_id', 'in', acked.slice(0, 200))
          .where('tag', '=', 'durability')
          .execute();
        assert.equal(new Set(tags.map((r) => Number(r.request_log_id))).size, Math.min(200, acked.length));
      } finally {
        await stopProcess(server, 'SIGKILL');
      }
    });
  });
}
