// The web UI is served at / with an SPA fallback that never shadows API, docs or request-log paths.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { isReservedPath, uiRoutes } from '../src/http/ui.routes.js';
import { DIALECTS } from './support/dialects.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('isReservedPath', () => {
  it('reserves API, docs, health and request-log paths, not UI pages', () => {
    for (const p of [
      '/api',
      '/api/public/v2/datasets',
      '/v1',
      '/v1/datasets',
      '/rest/track-score',
      '/docs',
      '/docs/static/index.html',
      '/openapi.json',
      '/healthz',
      '/readyz',
      '/log-request',
      '/library-track-score',
      '/track-group',
      '/create-group',
      '/prompt-templates',
      '/prompt-templates/x',
    ]) {
      assert.equal(isReservedPath(p), true, p);
    }
    for (const p of [
      '/',
      '/datasets',
      '/datasets/groups/1',
      '/requests',
      '/requests/3',
      '/settings/api-keys',
      '/sign-in',
      '/apis',
      '/v1x',
      '/documents',
    ]) {
      assert.equal(isReservedPath(p), false, p);
    }
  });
});

describe('UI serving without a build', () => {
  it('answers every page with a page saying to run npm run build', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-ui-'));
    const app = Fastify();
    await app.register(uiRoutes, { uiDir: path.join(empty, 'dist') });
    for (const url of ['/', '/datasets/groups/3']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.match(res.body, /npm run build/);
    }
    await app.close();
    fs.rmSync(empty, { recursive: true, force: true });
  });
});

for (const dialect of DIALECTS) {
  describe(`UI serving [${dialect}]`, () => {
    let t: TestApp;
    let uiDir: string;
    before(async () => {
      t = await startTestApp(dialect);
      uiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-ui-'));
      fs.mkdirSync(path.join(uiDir, 'assets'));
      fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><div id="root"></div>');
      fs.writeFileSync(path.join(uiDir, 'assets', 'app-123.js'), 'console.log(1)');
    });
    after(async () => {
      await t.close();
      fs.rmSync(uiDir, { recursive: true, force: true });
    });

    it('serves index.html at / and for UI paths, assets by name, 404 for missing files', async () => {
      // A separate server with the same route set, pointed at the fixture build.
      const app = Fastify();
      await app.register(uiRoutes, { uiDir });
      for (const url of ['/', '/datasets', '/datasets/groups/12/compare?a=1&b=2', '/settings/webhooks']) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, url);
        assert.match(res.body, /<div id="root">/, url);
        assert.equal(res.headers['cache-control'], 'no-cache');
      }
      const asset = await app.inject({ method: 'GET', url: '/assets/app-123.js' });
      assert.equal(asset.statusCode, 200);
      assert.match(asset.headers['content-type'] as string, /javascript/);
      assert.match(asset.headers['cache-control'] as string, /immutable/);
      assert.equal((await app.inject({ method: 'GET', url: '/assets/missing-1.js' })).statusCode, 404);
      assert.equal((await app.inject({ method: 'GET', url: '/../package.json' })).statusCode, 404);
      await app.close();
    });

    it('leaves API, docs, health and request-log paths to their routes (JSON 404s, not HTML)', async () => {
      const health = await t.request({ method: 'GET', url: '/healthz', apiKey: null });
      assert.deepEqual(health.json(), { status: 'ok' });
      const spec = await t.request({ method: 'GET', url: '/openapi.json', apiKey: null });
      assert.equal(spec.statusCode, 200);
      assert.equal(typeof spec.json().openapi, 'string');
      const list = await t.request({ method: 'GET', url: '/api/public/v2/datasets' });
      assert.equal(list.statusCode, 200);
      assert.equal(list.json().success, true);
      for (const url of [
        '/api/public/v2/no-such-route',
        '/api/nothing',
        '/rest/nothing',
        '/log-request',
        '/library-track-nothing',
        '/prompt-templates/x/y',
      ]) {
        const res = await t.request({ method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.json().success, false, url);
      }
      const nebius = await t.request({ method: 'GET', url: '/v1/no-such-route' });
      assert.equal(nebius.statusCode, 404);
      assert.equal(typeof nebius.json().detail, 'string');
      const docs = await t.request({ method: 'GET', url: '/docs', apiKey: null });
      assert.notEqual(docs.statusCode, 404);
      assert.doesNotMatch(docs.body, /id="root"/);
    });

    it('serves a UI page without credentials', async () => {
      const res = await t.request({ method: 'GET', url: '/datasets', apiKey: null });
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /text\/html/);
    });
  });
}
