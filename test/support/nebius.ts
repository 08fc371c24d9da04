// Helpers for Nebius-face (/v1) tests: Bearer requests and waiting for an import to settle.
import assert from 'node:assert/strict';
import { TEST_API_KEY, waitFor, type TestApp } from './test-app.js';

export function v1(t: TestApp, method: string, url: string, body?: unknown) {
  return t.request({ method, url, body, apiKey: null, headers: { authorization: `Bearer ${TEST_API_KEY}` } });
}

/** Polls GET /v1/datasets/{id} until the dataset is no longer PENDING. */
export async function waitSettled(t: TestApp, id: string) {
  return waitFor(
    async () => {
      const r = await v1(t, 'GET', `/v1/datasets/${id}`);
      assert.equal(r.statusCode, 200, r.body);
      const d = r.json();
      return d.status === 'PENDING' ? undefined : d;
    },
    30_000,
    `dataset ${id}`,
  );
}
