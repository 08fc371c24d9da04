// Logs: JSON lines with a request id, and no API key, token or password on any line even at trace level.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { DIALECTS } from './support/dialects.js';
import { TEST_API_KEY } from './support/test-app.js';

for (const dialect of DIALECTS.slice(0, 1)) {
  describe(`logging [${dialect}]`, () => {
    it('never logs credentials, and tags request lines with their request id', async () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _enc, cb) {
          lines.push(...chunk.toString().split('\n').filter(Boolean));
          cb();
        },
      });
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-log-'));
      const app = await createApp(loadConfig({ STRATA_DATA_DIR: dataDir, STRATA_BOOTSTRAP_API_KEY: TEST_API_KEY }), {
        logger: createLogger('trace', sink),
      });
      try {
        await app.bootstrap();
        await app.auth.createUser('log@example.com', 'secret password 1', 'default');
        const login = await app.server!.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'log@example.com', password: 'secret password 1' },
        });
        const token = login.json().access_token as string;
        await app.server!.inject({
          method: 'GET',
          url: '/api/public/v2/datasets',
          headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-abc-123' },
        });
        await app.server!.inject({
          method: 'GET',
          url: '/api/public/v2/datasets',
          headers: { 'x-api-key': TEST_API_KEY },
        });
        await app.server!.inject({
          method: 'GET',
          url: '/api/public/v2/datasets',
          headers: { 'x-api-key': 'sk_strata_wrong_key_value' },
        });
        const all = lines.join('\n');
        assert.ok(lines.length > 3, 'requests were logged');
        for (const line of lines) JSON.parse(line); // every line is JSON
        for (const secret of [TEST_API_KEY, token, 'secret password 1', 'sk_strata_wrong_key_value']) {
          assert.ok(!all.includes(secret), `a log line contains ${secret.slice(0, 12)}…`);
        }
        const tagged = lines.map((l) => JSON.parse(l)).filter((l) => l.reqId === 'req-abc-123');
        assert.ok(tagged.length >= 2, 'incoming and completed lines carry the request id');
      } finally {
        await app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
