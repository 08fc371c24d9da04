// Chromium end to end: the compare page by a key column — key picked from the shared columns and kept in the URL,
// progress while the counts stream in, cell-level old → new, filters and paging; the automatic mode stays.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  browserSkip,
  ensureUiBuilt,
  launchBrowser,
  openPage,
  screenshot,
  signInWithApiKey,
} from './support/browser.js';
import { DIALECTS } from './support/dialects.js';
import { TEST_API_KEY, b64, startTestApp, waitFor, type TestApp } from './support/test-app.js';

const V2 = '/api/public/v2';
const ROWS = 30_000;

async function uploadJsonl(t: TestApp, groupId: number, rows: object[]): Promise<number> {
  const content = rows.map((r) => JSON.stringify(r)).join('\n');
  const res = await t.request({
    method: 'POST',
    url: `${V2}/dataset-versions/from-file`,
    body: { dataset_group_id: groupId, file_name: 'rows.jsonl', file_content_base64: b64(content) },
  });
  assert.equal(res.statusCode, 201, res.body);
  const id = res.json().dataset_id as number;
  await waitFor(
    async () =>
      (await t.request({ method: 'GET', url: `${V2}/datasets/${id}` })).json().dataset.status === 'ready'
        ? true
        : undefined,
    60_000,
    `dataset ${id} to be ready`,
  );
  return id;
}

for (const dialect of DIALECTS) {
  describe(`compare by key column in the web UI [${dialect}]`, { skip: browserSkip }, () => {
    let t: TestApp;
    let base: string;
    let browser: Browser;
    let page: Page;
    let groupId = 0;
    let v1 = 0;
    let v2 = 0;

    before(async () => {
      ensureUiBuilt();
      t = await startTestApp(dialect);
      base = await t.listen();
      groupId = (
        await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'compare-by-key' } })
      ).json().dataset_group.id;
      // v2: rows in reverse order (row identity/content cannot pair them by position), every 100th answer edited,
      // the last 10 rows dropped, 5 rows added, column "note" renamed to "comment".
      v1 = await uploadJsonl(
        t,
        groupId,
        Array.from({ length: ROWS }, (_, i) => ({ id: `q${i}`, answer: `a${i}`, note: 'n' })),
      );
      const next = Array.from({ length: ROWS - 10 }, (_, i) => ({
        id: `q${i}`,
        answer: i % 100 === 1 ? `edited ${i}` : `a${i}`,
        comment: 'n',
      }));
      v2 = await uploadJsonl(t, groupId, [
        ...next.reverse(),
        ...Array.from({ length: 5 }, (_, i) => ({ id: `new${i}`, answer: 'x', comment: 'c' })),
      ]);
      browser = await launchBrowser();
      page = await openPage(browser, {}, 30_000);
      await signInWithApiKey(page, base, TEST_API_KEY);
    });
    after(async () => {
      await browser?.close();
      await t?.close();
    });

    it('compares by a picked key with progress, cell-level changes, filters, paging and the key in the URL', async () => {
      await page.goto(`${base}/datasets/groups/${groupId}/compare?a=${v1}&b=${v2}`);
      await page.getByTestId('diff-summary').waitFor();
      const picker = page.getByLabel('Match rows by');
      // Only the columns both versions have are offered ("note" became "comment").
      assert.deepEqual(await picker.locator('option').allTextContents(), [
        'row identity / content (automatic)',
        'key column: id',
        'key column: answer',
      ]);
      // Record every value the progress bar shows while the counts stream in.
      await page.evaluate(() => {
        const seen: number[] = [];
        (window as unknown as { progressSeen: number[] }).progressSeen = seen;
        new MutationObserver(() => {
          const bar = document.querySelector('[role=progressbar]');
          const v = bar ? Number(bar.getAttribute('aria-valuenow')) : NaN;
          if (!Number.isNaN(v) && seen[seen.length - 1] !== v) seen.push(v);
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      const progressAsked = page.waitForRequest((r) =>
        r.url().includes(`/datasets/${v2}/diff/progress?against=${v1}&key=id`),
      );
      await picker.selectOption('id');
      assert.match(page.url(), /[?&]key=id/);
      const summary = page.getByTestId('diff-summary');
      await summary.getByText('~300 changed').waitFor();
      await summary.getByText('+5 rows added').waitFor();
      await summary.getByText('−10 removed').waitFor();
      await progressAsked;
      // The stream the page read, as the server sends it: several steps, then done with every row compared.
      const streamed = await t.request({
        method: 'GET',
        url: `${V2}/datasets/${v2}/diff/progress?against=${v1}&key=id`,
      });
      const lines = streamed.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; compared: number; total: number });
      assert.ok(lines.filter((l) => l.type === 'progress').length > 3, 'the server streamed several steps');
      assert.deepEqual(lines.at(-1), { ...lines.at(-1), type: 'done', compared: ROWS * 2 - 5, total: ROWS * 2 - 5 });
      const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
      console.log('progress values seen', JSON.stringify(seen));
      assert.ok(seen.length >= 3, `the progress bar moved (${JSON.stringify(seen)})`);
      await screenshot(page, `ui-compare-${dialect}-key`);

      // Changed cells show old → new; only changed rows with the filter, 50 a page.
      await page.getByRole('button', { name: /^Changed/ }).click();
      assert.match(page.url(), /[?&]show=changed/);
      const first = page.getByTestId('changed-cell').first();
      await first.waitFor();
      // Ordered by row in the compared version (reversed): the first edit listed is q29901's.
      assert.equal(await first.locator('del').textContent(), 'a29901');
      assert.equal(await first.locator('ins').textContent(), 'edited 29901');
      assert.equal(await page.locator('tr.diff-changed').count(), 50);
      await page.getByText('Page 1 of 6').waitFor();
      await page.getByRole('button', { name: 'Next →' }).click();
      await page.getByText('Page 2 of 6').waitFor();
      await page.getByRole('button', { name: /^Removed/ }).click();
      await page.waitForFunction(
        () =>
          document.querySelectorAll('tr.diff-removed').length === 10 &&
          document.querySelectorAll('tr.diff-changed').length === 0,
      );
      await screenshot(page, `ui-compare-${dialect}-removed`);

      // A reload keeps the key and the filter; the automatic mode is one choice away.
      await page.reload();
      await page.getByTestId('diff-summary').getByText('~300 changed').waitFor();
      assert.equal(await page.getByLabel('Match rows by').inputValue(), 'id');
      assert.equal(await page.getByRole('button', { name: /^Removed/ }).getAttribute('aria-pressed'), 'true');
      await page.getByLabel('Match rows by').selectOption('');
      assert.doesNotMatch(page.url(), /key=/);
      await page.getByTestId('diff-summary').getByText('~0 changed').waitFor();
    });
  });
}
