// End-to-end tests of the web UI in Debian's Chromium (playwright-core) against the real server, on every dialect.
// Screenshots of each page go to test-results/ui-<dialect>-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, ensureUiBuilt, launchBrowser, screenshot } from './support/browser.js';
import { DIALECTS } from './support/dialects.js';
import { TEST_API_KEY, startTestApp, waitFor, type TestApp } from './support/test-app.js';

const EMAIL = 'ui-tester@example.com';
const PASSWORD = 'correct horse battery staple';
const ROWS = 1000;

/** A CSV with a long-text column and a JSON column; `edit` lets version 2 change, drop and add rows. */
function csv(
  edit: (i: number) => { name: string; skip?: boolean } = (i) => ({ name: `row-${i}` }),
  extra: number[] = [],
): string {
  const lines = ['id,name,question,meta'];
  const line = (i: number, name: string) => {
    const question =
      `Question ${i}: ${'how do I get a refund for an order that arrived damaged? '.repeat(i % 3 === 0 ? 3 : 1)}`.trim();
    const meta = JSON.stringify({ n: i, tags: ['support', i % 2 ? 'odd' : 'even'] }).replace(/"/g, '""');
    return `${i},${name},"${question}","${meta}"`;
  };
  for (let i = 1; i <= ROWS; i++) {
    const e = edit(i);
    if (!e.skip) lines.push(line(i, e.name));
  }
  for (const i of extra) lines.push(line(i, `row-${i}`));
  return `${lines.join('\n')}\n`;
}

async function routeExists(t: TestApp, method: string, url: string, body?: unknown): Promise<boolean> {
  const res = await t.request({ method, url, body });
  return !(res.statusCode === 404 && /^no route for /.test(String(res.json().error ?? res.json().detail ?? '')));
}

for (const dialect of DIALECTS) {
  describe(`web UI end to end [${dialect}]`, { skip: browserSkip }, () => {
    let t: TestApp;
    let base: string;
    let browser: Browser;
    let page: Page;
    let groupId = 0;
    const shot = (name: string, p: Page = page) => screenshot(p, `ui-${dialect}-${name}`);

    before(async () => {
      ensureUiBuilt();
      // Webhook endpoints on loopback are allowed for the webhooks page test (the SSRF guard refuses them otherwise).
      t = await startTestApp(dialect, { STRATA_OUTBOUND_ALLOWLIST: '127.0.0.1' });
      base = await t.listen();
      await t.app.auth.createUser(EMAIL, PASSWORD, 'default');
      browser = await launchBrowser();
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      page = await context.newPage();
      page.setDefaultTimeout(20_000);
    });
    after(async () => {
      await browser?.close();
      await t?.close();
    });

    it('refuses a wrong password, then signs in', async () => {
      await page.goto(`${base}/`);
      await page.getByRole('tab', { name: 'Email and password' }).click();
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText('Wrong email or password.').waitFor();
      await page.getByLabel('Password').fill(PASSWORD);
      await shot('sign-in');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Datasets' }).waitFor();
      await page.getByText('No datasets yet.').waitFor();
      assert.equal(await page.locator('.workspace-switcher select option').first().textContent(), 'default');
      assert.match(await page.evaluate(() => localStorage.getItem('strata.token') ?? ''), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it('creates a dataset group', async () => {
      await page.getByLabel('New dataset group').fill('support/refund-questions');
      await page.getByRole('button', { name: 'Create group' }).click();
      await page.getByRole('heading', { name: 'support/refund-questions' }).waitFor();
      groupId = Number(/\/datasets\/groups\/(\d+)$/.exec(page.url())?.[1]);
      assert.ok(groupId > 0, page.url());
      await page.getByText('No versions yet.').waitFor();
      const res = await t.request({ method: 'GET', url: `/api/public/v2/dataset-groups/${groupId}` });
      assert.equal(res.json().dataset_group.name, 'support/refund-questions');
    });

    it('uploads a CSV, asks for an API key (from-file takes API keys only), and watches it become ready', async () => {
      await page
        .getByTestId('file-input')
        .setInputFiles({ name: 'questions.csv', mimeType: 'text/csv', buffer: Buffer.from(csv()) });
      await page.getByText('questions.csv').waitFor();
      const uploads: string[] = [];
      const onRequest = (r: { url(): string; method(): string }) => {
        if (r.url().endsWith('/dataset-versions/from-file')) uploads.push(r.method());
      };
      page.on('request', onRequest);
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.getByRole('dialog', { name: 'This action needs an API key' }).waitFor();
      // Asked before the file is read or sent, so it travels once.
      assert.deepEqual(uploads, []);
      await shot('upload-needs-key');
      await page.getByRole('button', { name: 'Create a key for this session' }).click();
      await page.getByText(`v1 is ready with ${ROWS.toLocaleString('en-US')} rows.`).waitFor({ timeout: 60_000 });
      const row = page.locator('tr[data-version="1"]');
      await row.getByText('ready').waitFor();
      assert.equal((await row.locator('td.num').textContent())?.trim(), '1,000');
      assert.equal(await row.getByRole('button', { name: /^(CSV|JSONL|JSON|PARQUET)$/ }).count(), 4);
      await shot('group');
      page.off('request', onRequest);
      assert.deepEqual(uploads, ['POST']);
      const keys = await t.request({ method: 'GET', url: '/api/public/v2/api-keys' });
      assert.ok(keys.json().api_keys.some((k: { name: string }) => k.name.startsWith('web UI session')));
    });

    it('lists the group in its folder with status and row count', async () => {
      await page.getByRole('link', { name: 'Datasets', exact: true }).first().click();
      await page.getByRole('heading', { name: 'support', exact: true }).waitFor();
      const row = page.locator('tr', { has: page.getByRole('link', { name: 'refund-questions' }) });
      await row.getByText('ready').waitFor();
      assert.equal((await row.locator('td.num').textContent())?.trim(), '1,000');
      await page.getByLabel('Search dataset groups').fill('nothing-matches-this');
      await page.getByText('No dataset group matches “nothing-matches-this”.').waitFor();
      await page.getByLabel('Search dataset groups').fill('refund');
      await row.waitFor();
      await shot('datasets');
    });

    it('pages through the rows with keyset paging, searches, resizes a column and expands a JSON cell', async () => {
      await page.getByRole('link', { name: 'refund-questions' }).click();
      await page.locator('tr[data-version="1"]').getByRole('link', { name: 'Rows' }).click();
      const grid = page.getByTestId('rows-grid');
      const rowRequests: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/rows?')) rowRequests.push(r.url());
      });
      await page.getByTestId('grid-status').getByText('1,000 rows').waitFor();
      await page.locator('[role="row"][aria-rowindex="1"]').getByText('row-1').waitFor();
      await shot('rows');
      // Scroll down step by step: each next page is fetched with the next_cursor of the one before (keyset paging).
      await waitFor(
        async () => {
          await grid.evaluate((el) => el.scrollBy({ top: 1500 }));
          return (await page.locator('[role="row"][aria-rowindex="1000"]').getByText('row-1000').count()) > 0;
        },
        30_000,
        'row 1000 after scrolling',
      );
      assert.ok(
        rowRequests.filter((u) => u.includes('cursor=')).length >= 5,
        `keyset requests: ${rowRequests.join(' ')}`,
      );
      // Jump to a row: the grid scrolls there and loads that page.
      await page.getByLabel('Jump to row').fill('500');
      await page.getByRole('button', { name: 'Go' }).click();
      await page.locator('[role="row"][aria-rowindex="500"]').getByText('row-500').waitFor();

      // Keyboard: Ctrl+Home goes back to the first cell, arrows move to "question", Enter expands the cell.
      await grid.focus();
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Row 1, question' });
      await dialog.getByText('Question 1: how do I get a refund').waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // Resize the "name" column by dragging its edge.
      const head = page.locator('.grid-head', { hasText: 'name' });
      const before = (await head.boundingBox())!.width;
      const handle = (await page.getByTestId('resize-name').boundingBox())!;
      await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
      await page.mouse.down();
      await page.mouse.move(handle.x + 120, handle.y + handle.height / 2, { steps: 5 });
      await page.mouse.up();
      const afterWidth = (await head.boundingBox())!.width;
      assert.ok(afterWidth > before + 80, `column grew from ${before} to ${afterWidth}`);

      // Search: only matching rows.
      await page.getByLabel('Search rows').fill('row-777');
      await page.getByTestId('grid-status').getByText('1 row matches').waitFor();
      await page.locator('[role="row"][aria-rowindex="1"]').getByText('row-777').waitFor();

      // Expand the JSON cell: pretty-printed.
      await page.locator('[role="row"][aria-rowindex="1"] [role="gridcell"]').nth(3).hover();
      await page.getByRole('button', { name: 'Expand row 1 meta' }).click();
      const json = page.getByRole('dialog', { name: 'Row 1, meta' });
      const text = await json.locator('pre').textContent();
      assert.equal(text, JSON.stringify({ n: 777, tags: ['support', 'odd'] }, null, 2));
      await shot('rows-cell-expanded');
      await json.getByRole('button', { name: 'Close' }).click();
    });

    it('uploads a second version by drag and drop', async () => {
      await page.goto(`${base}/datasets/groups/${groupId}`);
      // Version 2: row 5 renamed, row 6 removed, row 1001 added.
      const content = csv(
        (i) => (i === 5 ? { name: 'row-5-renamed' } : i === 6 ? { name: '', skip: true } : { name: `row-${i}` }),
        [1001],
      );
      const dataTransfer = await page.evaluateHandle((text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'questions-v2.csv', { type: 'text/csv' }));
        return dt;
      }, content);
      await page.getByTestId('dropzone').dispatchEvent('dragover', { dataTransfer });
      await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
      await page.getByText('questions-v2.csv').waitFor();
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.getByText('v2 is ready with 1,000 rows.').waitFor({ timeout: 60_000 });
      await page.locator('tr[data-version="2"]').getByText('ready').waitFor();
    });

    it('shows reading and upload progress for a large file', async () => {
      // In a group of its own, so the versions of the main group stay v1 and v2.
      const other = (
        await t.request({ method: 'POST', url: '/api/public/v2/dataset-groups', body: { name: 'large-upload' } })
      ).json().dataset_group.id as number;
      await page.goto(`${base}/datasets/groups/${other}`);
      await page.getByRole('heading', { name: 'large-upload' }).waitFor();
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { progressSeen: string[] }).progressSeen = seen;
        new MutationObserver(() => {
          for (const bar of document.querySelectorAll('[role="progressbar"]'))
            seen.push(`${bar.getAttribute('aria-label')} ${bar.getAttribute('aria-valuenow')}`);
        }).observe(document.body, {
          subtree: true,
          childList: true,
          attributes: true,
          attributeFilter: ['aria-valuenow'],
        });
      });
      // About 12 MB of JSON Lines.
      const lines: string[] = [];
      for (let i = 0; i < 60_000; i++) lines.push(JSON.stringify({ id: i, text: `line ${i} ${'x'.repeat(160)}` }));
      await page
        .getByTestId('file-input')
        .setInputFiles({ name: 'large.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(lines.join('\n')) });
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.getByText('v1 is ready with 60,000 rows.').waitFor({ timeout: 120_000 });
      const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
      assert.ok(
        seen.some((s) => s.startsWith('Reading file')),
        seen.join(', '),
      );
      assert.ok(
        seen.some((s) => s.startsWith('Uploading')),
        seen.join(', '),
      );
      await page.goto(`${base}/datasets/groups/${groupId}`);
      await page.getByRole('heading', { name: 'support/refund-questions' }).waitFor();
    });

    it('shows why a broken file was refused, with its line number', async () => {
      await page
        .getByTestId('file-input')
        .setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n3,4,5\n') });
      await page.getByText('broken.csv').waitFor();
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Upload failed' });
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', /line 3/);
      await shot('upload-error');
      // Nothing was published: the group still has two versions.
      const versions = (await t.request({ method: 'GET', url: `/api/public/v2/dataset-groups/${groupId}` })).json()
        .datasets as Array<{ version_number: number; status: string }>;
      assert.equal(versions.filter((d) => d.version_number > 0).length, 2);
    });

    it('exports a version with the session credentials (or says export is not available)', async () => {
      const list = (await t.request({ method: 'GET', url: `/api/public/v2/dataset-groups/${groupId}` })).json()
        .datasets as Array<{ id: number; version_number: number }>;
      const v1 = list.find((d) => d.version_number === 1)!;
      const row = page.locator('tr[data-version="1"]');
      if (await routeExists(t, 'GET', `/api/public/v2/datasets/${v1.id}/export?format=csv`)) {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          row.getByRole('button', { name: 'CSV', exact: true }).click(),
        ]);
        const file = await download.path();
        const text = fs.readFileSync(file, 'utf8');
        assert.equal(text.split(/\r?\n/)[0], 'id,name,question,meta');
        assert.equal(text.trim().split(/\r?\n/).length, ROWS + 1);
        assert.match(download.suggestedFilename(), /\.csv$/);
      } else {
        await row.getByRole('button', { name: 'CSV', exact: true }).click();
        await page.getByRole('status').getByText('Export is not available on this server yet.').waitFor();
      }
    });

    it('compares two versions', async () => {
      const list = (await t.request({ method: 'GET', url: `/api/public/v2/dataset-groups/${groupId}` })).json()
        .datasets as Array<{ id: number; version_number: number }>;
      const v1 = list.find((d) => d.version_number === 1)!;
      const v2 = list.find((d) => d.version_number === 2)!;
      await page.goto(`${base}/datasets/groups/${groupId}/compare`);
      assert.ok(
        await routeExists(t, 'GET', `/api/public/v2/datasets/${v2.id}/diff?against=${v1.id}`),
        'the diff API is served',
      );
      // Two independent uploads share no row identity, so rows are matched by content: the renamed row 5 reads as
      // one row removed and one added (with row 6 removed and row 1001 added).
      await page.getByTestId('diff-summary').waitFor();
      const summary = await page.getByTestId('diff-summary').textContent();
      assert.match(summary ?? '', /\+2 rows added/);
      assert.match(summary ?? '', /−2 removed/);
      assert.match(summary ?? '', /~0 changed/);
      await page.locator('tr.diff-added', { hasText: 'row-5-renamed' }).waitFor();
      await page.locator('tr.diff-removed', { hasText: 'row-6' }).first().waitFor();

      // A version derived from v1 through a draft keeps row identity: an edited cell is a changed row, highlighted.
      // The group's empty draft (made with the group) must go first: a group has one draft at a time.
      for (const d of list.filter((x) => x.version_number === -1)) {
        const del = await t.request({ method: 'DELETE', url: `/api/public/v2/datasets/${d.id}` });
        assert.equal(del.statusCode, 200, del.body);
      }
      const draft = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/create-draft',
        body: { dataset_group_id: groupId, source_dataset_id: v1.id },
      });
      assert.ok([201, 202].includes(draft.statusCode), draft.body);
      const draftId = draft.json().draft_dataset_id as number;
      await waitFor(
        async () =>
          (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${draftId}` })).json().dataset.status !==
          'processing',
        30_000,
        'draft copy',
      );
      const edit = await t.request({
        method: 'PATCH',
        url: `/api/public/v2/datasets/${draftId}/rows/4`,
        body: { values: { name: 'row-5-edited' } },
      });
      assert.equal(edit.statusCode, 200, edit.body);
      const save = await t.request({
        method: 'POST',
        url: '/api/public/v2/dataset-versions/save-draft',
        body: { dataset_group_id: groupId },
      });
      assert.equal(save.statusCode, 202, save.body);
      const v3 = await waitFor(
        async () => {
          const d = (await t.request({ method: 'GET', url: `/api/public/v2/datasets/${draftId}` })).json().dataset;
          return d.status === 'ready' && d.version_number > 0 ? d : undefined;
        },
        30_000,
        'saved draft',
      );
      await page.goto(`${base}/datasets/groups/${groupId}/compare?a=${v1.id}&b=${v3.id}`);
      await page.getByTestId('diff-summary').waitFor();
      const derived = await page.getByTestId('diff-summary').textContent();
      assert.match(derived ?? '', /\+0 rows added/);
      assert.match(derived ?? '', /−0 removed/);
      assert.match(derived ?? '', /~1 changed/);
      const changed = page.getByTestId('changed-cell');
      assert.equal(await changed.count(), 1);
      assert.equal(await changed.locator('del').textContent(), 'row-5');
      assert.equal(await changed.locator('ins').textContent(), 'row-5-edited');
      await shot('compare');
    });

    it('builds a version from request logs with a live count', async () => {
      await page.goto(`${base}/datasets/groups/${groupId}/build`);
      await page.getByRole('heading', { name: 'Build a version from request logs' }).waitFor();
      const previewExists = await routeExists(t, 'POST', '/api/public/v2/dataset-versions/from-filter-params/preview', {
        dataset_group_id: groupId,
      });
      const createExists = await routeExists(t, 'POST', '/api/public/v2/dataset-versions/from-filter-params', {
        dataset_group_id: 999_999,
      });
      assert.ok(previewExists && createExists, 'the from-filter-params APIs are served');
      const now = Date.now() / 1000;
      for (let i = 0; i < 3; i++) {
        const res = await t.request({
          method: 'POST',
          url: '/log-request',
          body: {
            provider: 'openai',
            model: 'gpt-4o-mini',
            input: { type: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: `hello ${i}` }] }] },
            output: {
              type: 'chat',
              messages: [{ role: 'assistant', content: [{ type: 'text', text: `answer ${i}` }] }],
            },
            request_start_time: now - 10 + i,
            request_end_time: now - 9 + i,
            tags: i < 2 ? ['e2e'] : ['other'],
            metadata: { app: 'ui-test' },
          },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const before = (await t.request({ method: 'GET', url: `/api/public/v2/dataset-groups/${groupId}` })).json()
        .datasets as Array<{ version_number: number }>;
      const nextVersion = Math.max(...before.map((d) => d.version_number)) + 1;
      await page.getByLabel('Tags (any of)').fill('e2e');
      await waitFor(
        async () => (await page.getByTestId('preview-count').textContent())?.trim() === '2',
        20_000,
        'live count of 2',
      );
      await shot('build');
      await page.getByRole('button', { name: 'Create version' }).click();
      await page.getByRole('heading', { name: 'support/refund-questions' }).waitFor();
      const row = page.locator(`tr[data-version="${nextVersion}"]`);
      await row.getByText('ready').waitFor({ timeout: 60_000 });
      assert.equal((await row.locator('td.num').textContent())?.trim(), '2');
      assert.equal((await row.locator('td').nth(2).textContent())?.trim(), 'filter');
    });

    it('shows request logs with filters and a detail view', async () => {
      await page.getByRole('link', { name: 'Request logs', exact: true }).click();
      assert.ok(
        await routeExists(t, 'POST', '/api/public/v2/requests/search', { page: 1, per_page: 1 }),
        'the request-log search API is served',
      );
      // The build test logged three requests (two tagged e2e) when the route exists.
      const rows = page.locator('table.clickable tbody tr');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 3);
      await page.getByLabel('Tag', { exact: true }).fill('e2e');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await waitFor(async () => (await rows.count()) === 2, 20_000, 'two e2e logs');
      await shot('request-logs');
      await rows.first().press('Enter');
      await page.getByRole('heading', { name: /^Request \d+$/ }).waitFor();
      await page.locator('.message', { hasText: 'hello 1' }).waitFor();
      await page.locator('.message', { hasText: 'answer 1' }).waitFor();
      await page.locator('.kv', { hasText: 'ui-test' }).waitFor();
      await shot('request-detail');
    });

    it('creates an API key (shown once), which works, then revokes it', async () => {
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByLabel('New API key name').fill('e2e key');
      await page.getByRole('button', { name: 'Create API key' }).click();
      const secret = ((await page.getByTestId('one-time-secret').textContent()) ?? '').trim();
      assert.ok(secret.length > 20, secret);
      const me = await t.request({ method: 'GET', url: '/api/auth/me', apiKey: secret });
      assert.equal(me.statusCode, 200);
      const row = page.locator('tr', { hasText: 'e2e key' });
      await row.getByText('active').waitFor();
      await shot('settings-api-keys');
      await page.getByRole('button', { name: 'Done' }).click();
      assert.equal(await page.getByTestId('one-time-secret').count(), 0);
      page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: 'Revoke e2e key' }).click();
      await row.getByText('revoked').waitFor();
      assert.equal((await t.request({ method: 'GET', url: '/api/auth/me', apiKey: secret })).statusCode, 401);
    });

    it('manages webhook endpoints (or says the API is not available) and lists users', async () => {
      await page.getByRole('link', { name: 'Webhooks' }).click();
      if (await routeExists(t, 'GET', '/api/public/v2/webhooks')) {
        await page.getByText('No webhook endpoints.').waitFor();
        await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/strata-hook');
        await page.getByLabel('Description').fill('e2e receiver');
        await page.getByLabel('dataset_version_created_by_file', { exact: true }).check();
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        const secret = ((await page.getByTestId('one-time-secret').textContent()) ?? '').trim();
        assert.ok(secret.length >= 16, secret);
        const hook = page.locator('section.webhook', { hasText: 'http://127.0.0.1:9/strata-hook' });
        await hook.getByText('enabled').waitFor();
        await hook.getByText('dataset_version_created_by_file').waitFor();
        await hook.getByRole('button', { name: 'Disable' }).click();
        await hook.getByText('disabled', { exact: true }).waitFor();
        const listed = (await t.request({ method: 'GET', url: '/api/public/v2/webhooks' })).json().webhooks as Array<{
          url: string;
          enabled: boolean;
        }>;
        assert.deepEqual(
          listed.map((w) => [w.url, w.enabled]),
          [['http://127.0.0.1:9/strata-hook', false]],
        );
        await hook.getByRole('button', { name: 'Deliveries' }).click();
        await hook.getByText('No deliveries yet.').waitFor();
        await shot('settings-webhooks');
        page.once('dialog', (d) => void d.accept());
        await hook.getByRole('button', { name: 'Delete' }).click();
        await page.getByText('No webhook endpoints.').waitFor();
      } else {
        await page.getByText('Not available on this server.').waitFor();
        await shot('settings-webhooks');
      }
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('cell', { name: EMAIL }).waitFor();
      await shot('settings-users');
    });

    it('works in a narrow window', async () => {
      await page.setViewportSize({ width: 420, height: 860 });
      await page.goto(`${base}/datasets/groups/${groupId}`);
      await page.getByRole('heading', { name: 'support/refund-questions' }).waitFor();
      await shot('group-narrow');
      // Nothing overflows the page sideways except inside scrollable tables.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page overflows by ${overflow}px`);
      await page.goto(`${base}/datasets`);
      await page.getByRole('heading', { name: 'Datasets' }).waitFor();
      await shot('datasets-narrow');
      await page.setViewportSize({ width: 1280, height: 860 });
    });

    it('signs out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.equal(await page.evaluate(() => localStorage.getItem('strata.token')), null);
      // The key the upload step created for this session ends with it.
      await waitFor(
        async () => {
          const keys = (await t.request({ method: 'GET', url: '/api/public/v2/api-keys' })).json().api_keys as Array<{
            name: string;
            revoked: boolean;
          }>;
          const minted = keys.filter((k) => k.name.startsWith('web UI session'));
          return minted.length > 0 && minted.every((k) => k.revoked);
        },
        10_000,
        'the session key to be revoked at sign-out',
      );
    });

    it('signs in with the API key npm start prints, and uploads with it in one request', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const p = await context.newPage();
      p.setDefaultTimeout(20_000);
      const uploads: string[] = [];
      p.on('request', (r) => {
        if (r.url().endsWith('/dataset-versions/from-file')) uploads.push(r.method());
      });
      try {
        await p.goto(`${base}/`);
        // The API key is the first way offered: a newcomer has the key from the terminal, not an account.
        await p.getByLabel('API key').fill('sk_strata_not_a_real_key');
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.getByRole('alert').getByText('That API key is not valid (or it was revoked).').waitFor();
        await p.getByLabel('API key').fill(TEST_API_KEY);
        await shot('sign-in-api-key', p);
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.getByRole('heading', { name: 'Datasets' }).waitFor();
        await p.getByLabel('New dataset group').fill('signed-in-with-a-key');
        await p.getByRole('button', { name: 'Create group' }).click();
        await p.getByRole('heading', { name: 'signed-in-with-a-key' }).waitFor();
        await p
          .getByTestId('file-input')
          .setInputFiles({ name: 'k.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n') });
        await p.getByRole('button', { name: 'Upload', exact: true }).click();
        await p.getByText('v1 is ready with 1 rows.').waitFor({ timeout: 60_000 });
        assert.equal(await p.getByRole('dialog', { name: 'This action needs an API key' }).count(), 0);
        assert.deepEqual(uploads, ['POST']);
        // A revoked key ends the session with a message instead of failing every call.
        const keys = await t.request({ method: 'POST', url: '/api/public/v2/api-keys', body: { name: 'to revoke' } });
        const { key, api_key } = keys.json<{ key: string; api_key: { id: number } }>();
        await p.getByRole('button', { name: 'Sign out' }).click();
        await p.getByLabel('API key').fill(key);
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.getByRole('button', { name: 'Sign out' }).waitFor();
        await t.request({ method: 'DELETE', url: `/api/public/v2/api-keys/${api_key.id}` });
        await p.reload();
        await p.getByText('The API key was refused (revoked or not valid). Sign in again.').waitFor();
      } finally {
        await context.close();
      }
    });
  });
}
