// Chromium end-to-end test of the column statistics panel above the grid, on every dialect: figures, histograms with
// accessible labels, column paging, a draft's figures after an edit, dark mode and a phone-sized window.
// Screenshots go to test-results/ui-stats-<dialect>-*.png.
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
import { b64, TEST_API_KEY, startTestApp, waitFor, type TestApp } from './support/test-app.js';

const V2 = '/api/public/v2';

/** 100 rows: score 0..99 (10 bins of 10), city with a known top value, ok true for multiples of 4, note mostly empty. */
function csv(): string {
  const lines = ['score,city,ok,note'];
  for (let i = 0; i < 100; i++)
    lines.push(`${i},${i % 2 ? 'Lyon' : i % 5 ? 'Oslo' : 'Kyoto'},${i % 4 === 0},${i < 10 ? 'n' + i : ''}`);
  return `${lines.join('\n')}\n`;
}

async function waitReady(t: TestApp, id: number) {
  await waitFor(
    async () => (await t.request({ method: 'GET', url: `${V2}/datasets/${id}` })).json().dataset.status === 'ready',
    30_000,
    `dataset ${id} ready`,
  );
}

for (const dialect of DIALECTS) {
  describe(`column statistics panel [${dialect}]`, { skip: browserSkip }, () => {
    let t: TestApp;
    let base: string;
    let browser: Browser;
    let page: Page;
    let versionId = 0;
    let draftId = 0;
    const shot = (name: string, p: Page = page) => screenshot(p, `ui-stats-${dialect}-${name}`);

    before(async () => {
      ensureUiBuilt();
      t = await startTestApp(dialect);
      base = await t.listen();
      const g = (await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'stats-ui' } })).json();
      const up = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/from-file`,
        body: { dataset_group_id: g.dataset_group.id, file_name: 'cities.csv', file_content_base64: b64(csv()) },
      });
      assert.equal(up.statusCode, 201, up.body);
      versionId = up.json().dataset_id;
      await waitReady(t, versionId);
      // A second group's draft, 30 columns wide (the panel pages columns by 20).
      const g2 = (
        await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name: 'stats-ui-draft' } })
      ).json();
      draftId = g2.dataset.id;
      const row = (v: number) => Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`c${i}`, v * (i + 1)]));
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: `${V2}/datasets/${draftId}/rows`,
            body: { rows: [row(1), row(2), row(3)] },
          })
        ).statusCode,
        201,
      );
      browser = await launchBrowser();
      page = await openPage(browser, { viewport: { width: 1440, height: 900 } });
      // Signed in the way a newcomer is: with the API key the start banner prints.
      await signInWithApiKey(page, base, TEST_API_KEY);
    });
    after(async () => {
      await browser?.close();
      await t?.close();
    });

    it('shows each column’s figures and histograms above the grid', async () => {
      await page.goto(`${base}/datasets/versions/${versionId}`);
      const panel = page.getByRole('region', { name: 'Column statistics' });
      await panel.getByTestId('col-stats-score').waitFor();
      await panel.getByTestId('stats-summary').getByText('All 100 rows').waitFor();
      // Above the grid.
      const panelBox = await panel.boundingBox();
      const gridBox = await page.getByRole('grid').first().boundingBox();
      assert.ok(panelBox && gridBox && panelBox.y + panelBox.height <= gridBox.y + 1, 'the panel sits above the grid');

      const score = panel.getByTestId('col-stats-score');
      assert.equal(await score.locator('.col-stats-type').textContent(), 'number');
      assert.equal(await score.getByTestId('min').textContent(), '0');
      assert.equal(await score.getByTestId('max').textContent(), '99');
      assert.equal(await score.getByTestId('mean').textContent(), '49.5');
      assert.equal(await score.getByTestId('distinct').textContent(), '100');
      assert.equal(await score.getByTestId('null-share').textContent(), '0% empty');
      const hist = score.getByRole('img', { name: /^Values of score:/ });
      assert.equal(await hist.locator('.col-stats-bar').count(), 10);
      const label = (await hist.getAttribute('aria-label')) ?? '';
      assert.match(label, /^Values of score: 0–9.9: 10; 9.9–19.8: 10; /);
      assert.match(label, /89.1–99: 10$/);
      const heights = await hist
        .locator('.col-stats-bar')
        .evaluateAll((bars) => bars.map((b) => (b as HTMLElement).style.height));
      assert.deepEqual(heights, Array(10).fill('100%'));

      const city = panel.getByTestId('col-stats-city');
      assert.equal(await city.locator('.col-stats-type').textContent(), 'string');
      assert.equal(await city.getByTestId('distinct').textContent(), '3');
      assert.equal(await city.getByTestId('length').textContent(), '4–5');
      const top = city.getByRole('list', { name: 'Most frequent values of city' });
      assert.deepEqual(await top.locator('li').allTextContents(), ['Lyon50', 'Oslo40', 'Kyoto10']);
      assert.equal(await city.getByRole('img', { name: 'Lengths of city: 4: 90; 5: 10' }).count(), 1);

      // CSV cells are text: "true"/"false" read as booleans, "0".."99" as numbers; empty cells count as the null share.
      const ok = panel.getByTestId('col-stats-ok');
      assert.equal(await ok.locator('.col-stats-type').textContent(), 'boolean');
      assert.equal(await ok.getByRole('img', { name: 'ok: true 25, false 75' }).count(), 1);
      assert.equal(await ok.getByTestId('histogram').count(), 0, 'no length histogram for true/false text');
      const note = panel.getByTestId('col-stats-note');
      assert.equal(await note.getByTestId('null-share').textContent(), '90% empty');
      await shot('version');

      // Collapsing is remembered.
      await panel.getByRole('button', { name: 'Hide column statistics' }).click();
      assert.equal(await panel.getByTestId('col-stats-score').count(), 0);
      await page.reload();
      await page.getByRole('button', { name: 'Show column statistics' }).click();
      await panel.getByTestId('col-stats-score').waitFor();
    });

    it('pages a wide draft’s columns and shows its figures after an edit', async () => {
      await page.goto(`${base}/datasets/versions/${draftId}`);
      const panel = page.getByRole('region', { name: 'Column statistics' });
      await panel.getByTestId('col-stats-c0').waitFor();
      assert.equal(await panel.locator('.col-stats-card').count(), 20);
      await panel.getByText('1–20 of 30').waitFor();
      await panel.getByRole('button', { name: 'Columns →' }).click();
      await panel.getByTestId('col-stats-c29').waitFor();
      assert.equal(await panel.locator('.col-stats-card').count(), 10);
      assert.equal(await panel.getByTestId('col-stats-c29').getByTestId('max').textContent(), '90');
      assert.deepEqual(
        await panel.getByTestId('col-stats-c29').getByRole('img').getAttribute('aria-label'),
        'Values of c29: 30–36: 1; 36–42: 0; 42–48: 0; 48–54: 0; 54–60: 0; 60–66: 1; 66–72: 0; 72–78: 0; 78–84: 0; 84–90: 1',
      );
      // An edit through the API, then Refresh: a draft is recomputed on each request.
      const rowIds = (await t.request({ method: 'GET', url: `${V2}/datasets/${draftId}/rows` })).json()
        .row_ids as number[];
      assert.equal(
        (
          await t.request({
            method: 'PATCH',
            url: `${V2}/datasets/${draftId}/rows/${rowIds[0]}`,
            body: { values: { c29: 1000 } },
          })
        ).statusCode,
        200,
      );
      await panel.getByRole('button', { name: 'Refresh' }).click();
      await waitFor(
        async () => (await panel.getByTestId('col-stats-c29').getByTestId('max').textContent()) === '1,000',
        10_000,
        'the new max',
      );
      await shot('draft');
    });

    it('follows dark mode and fits a phone screen', async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
      const p = await context.newPage();
      p.setDefaultTimeout(20_000);
      try {
        await p.goto(`${base}/`);
        await p.getByLabel('API key').fill(TEST_API_KEY);
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.getByRole('heading', { name: 'Datasets' }).waitFor();
        await p.goto(`${base}/datasets/versions/${versionId}`);
        const card = p.getByTestId('col-stats-score');
        await card.waitFor();
        const colours = await card.evaluate((el) => {
          const s = getComputedStyle(el);
          const bar = getComputedStyle(el.querySelector('.col-stats-bar')!);
          return { bg: s.backgroundColor, text: s.color, bar: bar.backgroundColor };
        });
        // The theme's dark panel (#1b2129) and text (#e3e8ee), and its dark accent (#7aa2ff) for bars.
        assert.deepEqual(colours, { bg: 'rgb(27, 33, 41)', text: 'rgb(227, 232, 238)', bar: 'rgb(122, 162, 255)' });
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `page overflows by ${overflow}px`);
        await shot('dark-phone', p);
      } finally {
        await context.close();
      }
    });
  });
}
