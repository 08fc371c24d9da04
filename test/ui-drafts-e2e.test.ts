// End-to-end tests of draft editing and the rows grid's sort / filter / sticky row numbers / horizontal keyboard
// scrolling / screen-reader announcements / whole-row view, in Debian's Chromium against the real server, on every
// dialect. Screenshots go to test-results/ui-drafts-<dialect>-*.png.
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
const ROWS = 250;
const WIDE_COLUMNS = 30;
const WIDE_ROWS = 300;

interface Ds {
  id: number;
  version_number: number;
  status: string;
  column_names: string[];
  row_count: number;
}

async function uploadVersion(t: TestApp, name: string, csv: string): Promise<{ groupId: number; v1: Ds }> {
  const g = await t.request({ method: 'POST', url: `${V2}/dataset-groups`, body: { name } });
  assert.equal(g.statusCode, 201, g.body);
  const groupId = g.json().dataset_group.id as number;
  const up = await t.request({
    method: 'POST',
    url: `${V2}/dataset-versions/from-file`,
    body: { dataset_group_id: groupId, file_name: `${name}.csv`, file_content_base64: b64(csv) },
  });
  assert.equal(up.statusCode, 201, up.body);
  const v1 = await waitFor(
    async () => {
      const d = (await t.request({ method: 'GET', url: `${V2}/datasets/${up.json().dataset_id}` })).json()
        .dataset as Ds;
      return d.status === 'ready' ? d : undefined;
    },
    30_000,
    'v1 ready',
  );
  return { groupId, v1 };
}

async function allRows(t: TestApp, id: number): Promise<{ columns: string[]; rows: unknown[][] }> {
  const res = await t.request({ method: 'GET', url: `${V2}/datasets/${id}/export?format=json` });
  assert.equal(res.statusCode, 200, res.body);
  const objects = res.json<Array<Record<string, unknown>>>();
  const meta = (await t.request({ method: 'GET', url: `${V2}/datasets/${id}` })).json().dataset as Ds;
  return { columns: meta.column_names, rows: objects.map((o) => meta.column_names.map((c) => o[c])) };
}

for (const dialect of DIALECTS) {
  describe(`web UI: draft editing and the grid [${dialect}]`, { skip: browserSkip }, () => {
    let t: TestApp;
    let base: string;
    let browser: Browser;
    let page: Page;
    let groupId = 0;
    let v1: Ds;
    let draftId = 0;
    const shot = (name: string) => screenshot(page, `ui-drafts-${dialect}-${name}`);
    const grid = () => page.getByTestId('rows-grid');
    const activeCell = () => page.locator('[role="gridcell"].active');

    before(async () => {
      ensureUiBuilt();
      t = await startTestApp(dialect);
      base = await t.listen();
      const lines = ['id,name,score'];
      for (let i = 1; i <= ROWS; i++) lines.push(`${i},row-${i},${i * 10}`);
      ({ groupId, v1 } = await uploadVersion(t, 'drafts-e2e', `${lines.join('\n')}\n`));
      browser = await launchBrowser();
      page = await openPage(browser);
    });
    after(async () => {
      await browser?.close();
      await t?.close();
    });

    it('signs in with the API key', async () => {
      await signInWithApiKey(page, base, TEST_API_KEY);
    });

    it('creates a draft from v1 (replacing the blank draft the group started with) and opens its editor', async () => {
      await page.goto(`${base}/datasets/groups/${groupId}`);
      await page.getByRole('button', { name: 'New draft from v1' }).click();
      await page.getByRole('region', { name: 'Draft editing' }).waitFor();
      draftId = Number(/\/datasets\/versions\/(\d+)$/.exec(page.url())?.[1]);
      const d = (await t.request({ method: 'GET', url: `${V2}/datasets/${draftId}` })).json().dataset as Ds;
      assert.equal(d.version_number, -1);
      assert.equal(d.status, 'draft');
      assert.equal(d.row_count, ROWS);
      await page.getByTestId('grid-status').getByText(`${ROWS} rows`).waitFor();
      assert.equal(await grid().getAttribute('aria-label'), 'Rows (editable draft)');
      // The group's list shows the draft, and its page now offers to open it instead of making another.
      const list = (await t.request({ method: 'GET', url: `${V2}/dataset-groups/${groupId}` })).json().datasets as Ds[];
      assert.deepEqual(
        list.filter((x) => x.version_number < 0).map((x) => x.id),
        [draftId],
      );
    });

    it('edits cells inline: Enter edits and saves, Escape cancels, Tab saves and moves right, typing starts an edit', async () => {
      await page.locator('[role="row"][aria-rowindex="1"]').getByText('row-1', { exact: true }).waitFor();
      await grid().focus();
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      const editor = page.getByLabel('Edit row 1, name');
      await editor.waitFor();
      assert.equal(await editor.inputValue(), 'row-1');
      await editor.fill('edited-1');
      await shot('cell-editing');
      await page.keyboard.press('Enter');
      await editor.waitFor({ state: 'detached' });
      // Enter saved and moved down: the active cell is row 2, name.
      await page.getByTestId('grid-announcer').getByText('Row 2 of 250, name: row-2').waitFor();
      // Escape cancels without a request.
      await page.keyboard.press('Enter');
      await page.getByLabel('Edit row 2, name').fill('never-saved');
      await page.keyboard.press('Escape');
      await page.getByLabel('Edit row 2, name').waitFor({ state: 'detached' });
      assert.equal(
        await page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').nth(1).textContent(),
        'row-2',
      );
      // Typing on a cell starts editing with that character; Tab saves and moves right.
      await page.keyboard.type('X');
      assert.equal(await page.getByLabel('Edit row 2, name').inputValue(), 'X');
      await page.keyboard.type('-two');
      await page.keyboard.press('Tab');
      await page.getByTestId('grid-announcer').getByText('Row 2 of 250, score: 20').waitFor();
      // Double-click edits too.
      await page.locator('[role="row"][aria-rowindex="3"] [role="gridcell"]').nth(2).dblclick();
      await page.getByLabel('Edit row 3, score').fill('333');
      await page.keyboard.press('Enter');
      await page.getByLabel('Edit row 3, score').waitFor({ state: 'detached' });
      const rows = await allRows(t, draftId);
      assert.deepEqual(rows.rows.slice(0, 3), [
        ['1', 'edited-1', '10'],
        ['2', 'X-two', '20'],
        ['3', 'row-3', '333'],
      ]);
    });

    it('adds a row (editing its first cell) and deletes a selected row', async () => {
      await page.getByRole('button', { name: 'Add row' }).click();
      const editor = page.getByLabel(`Edit row ${ROWS + 1}, id`);
      await editor.waitFor();
      await editor.fill('new-id');
      await page.keyboard.press('Tab');
      await editor.waitFor({ state: 'detached' });
      await page.keyboard.press('Enter');
      await page.getByLabel(`Edit row ${ROWS + 1}, name`).fill('a new row');
      await page.keyboard.press('Enter');
      await page.getByLabel(`Edit row ${ROWS + 1}, name`).waitFor({ state: 'detached' });
      await page
        .getByTestId('grid-status')
        .getByText(`${ROWS + 1} rows`)
        .waitFor();
      let rows = await allRows(t, draftId);
      assert.equal(rows.rows.length, ROWS + 1);
      assert.deepEqual(rows.rows.at(-1), ['new-id', 'a new row', null]);

      // Select row 4 (checkbox) and row 5 (Shift+Space on the keyboard), then delete both.
      await page.getByLabel('Jump to row').fill('4');
      await page.getByRole('button', { name: 'Go' }).click();
      await page.getByRole('checkbox', { name: 'Select row 4' }).check();
      await grid().focus();
      await page.keyboard.press('ArrowDown');
      await page
        .getByTestId('grid-announcer')
        .getByText(/^Row 5 of/)
        .waitFor();
      await page.keyboard.press('Shift+Space');
      assert.equal(await page.locator('[role="row"][aria-rowindex="5"]').getAttribute('aria-selected'), 'true');
      await shot('rows-selected');
      await page.getByRole('button', { name: 'Delete 2 selected rows' }).click();
      await page.getByRole('status').getByText('2 rows deleted.').waitFor();
      await page
        .getByTestId('grid-status')
        .getByText(`${ROWS - 1} rows`)
        .waitFor();
      rows = await allRows(t, draftId);
      assert.equal(rows.rows.length, ROWS - 1);
      assert.ok(!rows.rows.some((r) => r[1] === 'row-4' || r[1] === 'row-5'));
      assert.equal(
        await page.locator('[role="row"][aria-rowindex="4"] [role="gridcell"]').nth(1).textContent(),
        'row-6',
      );
    });

    it('adds, renames (showing the API error for a taken name) and removes columns', async () => {
      await page.getByRole('button', { name: 'Add column' }).click();
      const add = page.getByRole('dialog', { name: 'Add a column' });
      await add.getByLabel('Name').fill('label');
      await add.getByLabel('Value for existing rows (optional, text)').fill('todo');
      await add.getByRole('button', { name: 'Add column' }).click();
      await add.waitFor({ state: 'detached' });
      await page.locator('.grid-head', { hasText: 'label' }).waitFor();

      await page.getByRole('button', { name: 'Rename or remove column score' }).click();
      const dialog = page.getByRole('dialog', { name: 'Column “score”' });
      await dialog.getByLabel('New name').fill('name');
      await dialog.getByRole('button', { name: 'Rename' }).click();
      await dialog.getByRole('alert').getByText('column "name" already exists').waitFor();
      await shot('column-rename-error');
      await dialog.getByLabel('New name').fill('points');
      await dialog.getByRole('button', { name: 'Rename' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.locator('.grid-head', { hasText: 'points' }).waitFor();

      await page.getByRole('button', { name: 'Rename or remove column label' }).click();
      const remove = page.getByRole('dialog', { name: 'Column “label”' });
      await remove.getByRole('button', { name: 'Remove column…' }).click();
      await remove.getByRole('button', { name: 'Remove it' }).click();
      await remove.waitFor({ state: 'detached' });
      await page.getByRole('status').getByText('Column “label” removed.').waitFor();
      const d = (await t.request({ method: 'GET', url: `${V2}/datasets/${draftId}` })).json().dataset as Ds;
      assert.deepEqual(d.column_names, ['id', 'name', 'points']);
      await shot('draft');
    });

    it('shows why a cell could not be saved, beside the cell', async () => {
      // Another tab removes the column under the editor: the PATCH is refused and the message stays with the cell.
      await grid().focus();
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      const editor = page.getByLabel('Edit row 1, points');
      await editor.fill('999');
      const removed = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${draftId}/columns/remove`,
        body: { name: 'points' },
      });
      assert.equal(removed.statusCode, 200, removed.body);
      await page.keyboard.press('Enter');
      await page
        .getByRole('alert')
        .getByText(/Not saved: unknown column\(s\) points/)
        .waitFor();
      await shot('cell-error');
      await page.keyboard.press('Escape');
      // Put the column back (its values were dropped with it) so the saved version has it again.
      const back = await t.request({
        method: 'POST',
        url: `${V2}/datasets/${draftId}/columns`,
        body: { name: 'points', default_value: '0' },
      });
      assert.equal(back.statusCode, 201, back.body);
      await page.reload();
      await page.locator('.grid-head', { hasText: 'points' }).waitFor();
    });

    it('saves the draft as v2 with progress, then links to it; v2 is read-only and holds every edit', async () => {
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { progressSeen: string[] }).progressSeen = seen;
        new MutationObserver(() => {
          const p = document.querySelector('[data-testid="draft-progress"]');
          if (p) seen.push(p.textContent ?? '');
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await page.getByRole('button', { name: 'Save as next version' }).click();
      const saved = page.getByTestId('saved-notice');
      await saved.waitFor({ timeout: 60_000 });
      const progress = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
      assert.ok(
        progress.some((x) => /Saving as the next version \(249 rows\)/.test(x)),
        progress.join(' | '),
      );
      assert.match((await saved.textContent()) ?? '', /saved as v2/);
      await saved.getByRole('link', { name: 'v2' }).waitFor();
      await shot('saved');
      const v2 = (await t.request({ method: 'GET', url: `${V2}/datasets/${draftId}` })).json().dataset as Ds;
      assert.equal(v2.version_number, 2);
      assert.equal(v2.status, 'ready');
      const { columns, rows } = await allRows(t, draftId);
      assert.deepEqual(columns, ['id', 'name', 'points']);
      assert.equal(rows.length, ROWS - 1);
      assert.deepEqual(rows[0], ['1', 'edited-1', '0']);
      assert.deepEqual(rows[1], ['2', 'X-two', '0']);
      assert.deepEqual(rows.at(-1), ['new-id', 'a new row', '0']);
      assert.ok(!rows.some((r) => r[1] === 'row-4' || r[1] === 'row-5'));
      // v1 did not change.
      const old = await allRows(t, v1.id);
      assert.deepEqual(old.columns, ['id', 'name', 'score']);
      assert.equal(old.rows.length, ROWS);
      assert.deepEqual(old.rows[0], ['1', 'row-1', '10']);
      // Read-only now: no editing controls, Enter expands instead of editing.
      assert.equal(await page.getByRole('button', { name: 'Add row' }).count(), 0);
      assert.equal(await grid().getAttribute('aria-readonly'), 'true');
      await grid().focus();
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: 'Row 1, id' }).waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'New draft from v2' }).waitFor();
    });

    it('discards another draft after confirmation (Cancel keeps it)', async () => {
      await page.goto(`${base}/datasets/groups/${groupId}`);
      await page.getByRole('button', { name: 'New empty draft' }).click();
      await page.getByText('This draft is empty.').waitFor();
      const emptyId = Number(/\/datasets\/versions\/(\d+)$/.exec(page.url())?.[1]);
      assert.ok(emptyId > draftId);
      await page.getByRole('button', { name: 'Add column' }).click();
      await page.getByRole('dialog', { name: 'Add a column' }).getByLabel('Name').fill('only');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Add row' }).click();
      await page.getByLabel('Edit row 1, only').fill('scratch');
      await page.keyboard.press('Enter');
      await page.getByLabel('Edit row 1, only').waitFor({ state: 'detached' });
      await page.getByTestId('grid-status').getByText('1 row').waitFor();

      await page.getByRole('button', { name: 'Discard draft' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Discard this draft?' });
      await shot('discard-confirm');
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'detached' });
      assert.equal((await t.request({ method: 'GET', url: `${V2}/datasets/${emptyId}` })).statusCode, 200);
      await page.getByRole('button', { name: 'Discard draft' }).click();
      await confirm.getByRole('button', { name: 'Discard draft' }).click();
      await page.getByRole('heading', { name: 'drafts-e2e' }).waitFor();
      await waitFor(
        async () => (await t.request({ method: 'GET', url: `${V2}/datasets/${emptyId}` })).statusCode === 404,
        10_000,
        'the discarded draft to be gone',
      );
      const list = (await t.request({ method: 'GET', url: `${V2}/dataset-groups/${groupId}` })).json().datasets as Ds[];
      assert.deepEqual(list.map((x) => x.version_number).sort(), [1, 2]);
    });

    it('the draft editor fits a phone screen (390×844)', async () => {
      const created = await t.request({
        method: 'POST',
        url: `${V2}/dataset-versions/create-draft`,
        body: { dataset_group_id: groupId, source_dataset_id: draftId },
      });
      assert.ok([201, 202].includes(created.statusCode), created.body);
      const id = created.json().draft_dataset_id as number;
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await page.goto(`${base}/datasets/versions/${id}`);
        await page.getByRole('region', { name: 'Draft editing' }).waitFor();
        await page.locator('[role="row"][aria-rowindex="1"]').getByText('edited-1').waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `page overflows by ${overflow}px`);
        for (const name of ['Save as next version', 'Discard draft', 'Add row', 'Add column']) {
          const b = (await page.getByRole('button', { name }).boundingBox())!;
          assert.ok(b.x >= 0 && b.x + b.width <= 391, `${name} at ${b.x}..${b.x + b.width}`);
        }
        await shot('draft-phone');
      } finally {
        await page.setViewportSize({ width: 1280, height: 860 });
        assert.equal((await t.request({ method: 'DELETE', url: `${V2}/datasets/${id}` })).statusCode, 200);
      }
    });

    it('grid: sticky row numbers, arrows scroll the active cell into view sideways, announced to screen readers', async () => {
      const header = ['n', ...Array.from({ length: WIDE_COLUMNS - 1 }, (_, i) => `c${i + 1}`)];
      const lines = [header.join(',')];
      for (let r = 1; r <= WIDE_ROWS; r++)
        lines.push([String(r), ...header.slice(1).map((c) => `${c === 'c1' ? 'x' : c}-${r}`)].join(','));
      const wide = await uploadVersion(t, 'wide-grid', `${lines.join('\n')}\n`);
      await page.goto(`${base}/datasets/versions/${wide.v1.id}`);
      await page.locator('[role="row"][aria-rowindex="1"]').getByText('c29-1').first().waitFor({ state: 'attached' });
      const g = grid();
      await g.focus();
      await page.keyboard.press('Control+Home');
      for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
      const box = (await g.boundingBox())!;
      const cell = (await activeCell().boundingBox())!;
      assert.ok((await g.evaluate((el) => el.scrollLeft)) > 0, 'the grid scrolled sideways');
      assert.ok(
        cell.x >= box.x && cell.x + cell.width <= box.x + box.width + 1,
        `active cell ${cell.x}..${cell.x + cell.width} inside ${box.x}..${box.x + box.width}`,
      );
      // The row numbers stay at the left edge, and the active cell is not under them.
      const index = (await page.locator('[role="row"][aria-rowindex="1"] [role="rowheader"]').boundingBox())!;
      assert.ok(Math.abs(index.x - box.x) <= 2, `row number at ${index.x}, grid at ${box.x}`);
      assert.ok(cell.x >= index.x + index.width - 1);
      // aria-activedescendant names the active cell; the live region says where we are.
      const activeId = await g.getAttribute('aria-activedescendant');
      assert.ok(activeId);
      assert.equal(await activeCell().getAttribute('id'), activeId);
      assert.equal(await page.getByTestId('grid-announcer').textContent(), 'Row 1 of 300, c20: c20-1');
      await shot('grid-scrolled');
      // Back to the first column: scrolled back.
      await page.keyboard.press('Home');
      await waitFor(async () => (await g.evaluate((el) => el.scrollLeft)) === 0, 5000, 'scrollLeft 0');
      // Moving down past the viewport keeps the active row below the sticky header.
      for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowDown');
      const headBox = (await page.locator('.grid-head-wrap').boundingBox())!;
      const down = (await activeCell().boundingBox())!;
      assert.ok(
        down.y >= headBox.y + headBox.height - 1 && down.y + down.height <= box.y + box.height + 1,
        `row 31 at ${down.y}`,
      );
      assert.equal(await page.getByTestId('grid-announcer').textContent(), 'Row 31 of 300, n: 31');
    });

    it('grid: sorts and filters per column on the server, and shows a whole row', async () => {
      const requests: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/rows?')) requests.push(decodeURIComponent(r.url()));
      });
      // Numeric text sorts by value: descending starts at 300.
      await page.getByRole('button', { name: 'Sort by n' }).click();
      await page.getByRole('button', { name: 'Sort by n (now ascending)' }).click();
      await page.getByTestId('grid-status').getByText('sorted by n (descending)').waitFor();
      await page
        .locator('[role="row"][aria-rowindex="1"] [role="gridcell"]')
        .first()
        .getByText('300', { exact: true })
        .waitFor();
      assert.equal(await page.locator('.grid-head', { hasText: 'n' }).first().getAttribute('aria-sort'), 'descending');
      assert.ok(
        requests.some((u) => u.includes('sort=n') && u.includes('order=desc')),
        requests.join(' '),
      );
      // Filter c1 for "x-17": x-17 and x-170..x-179, still sorted descending.
      await page.getByLabel('Filter c1', { exact: true }).fill('x-17');
      await page.getByTestId('grid-status').getByText('11 rows match').waitFor();
      assert.equal(
        await page.locator('[role="row"][aria-rowindex="1"] [role="gridcell"]').first().textContent(),
        '179',
      );
      assert.equal(
        await page.locator('[role="row"][aria-rowindex="11"] [role="gridcell"]').first().textContent(),
        '17',
      );
      assert.ok(
        requests.some((u) => u.includes('filter[c1]=x-17')),
        requests.join(' '),
      );
      await shot('grid-sorted-filtered');
      // The whole-row view: every column of the active row; Space opens it, Next row moves on, Escape closes.
      await grid().focus();
      await page.keyboard.press('Control+Home');
      await page.keyboard.press(' ');
      const dialog = page.getByRole('dialog', { name: 'Row 1' });
      await dialog.waitFor();
      assert.equal(await dialog.locator('.row-view-item').count(), WIDE_COLUMNS);
      assert.equal(await dialog.locator('.row-view-item').nth(29).locator('pre').textContent(), 'c29-179');
      await shot('row-view');
      await dialog.getByRole('button', { name: 'Next row' }).click();
      await page
        .getByRole('dialog', { name: 'Row 2' })
        .locator('.row-view-item')
        .first()
        .locator('pre')
        .getByText('178')
        .waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog', { name: 'Row 2' }).waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'rows-grid');
      await page.getByRole('button', { name: 'Clear sort and filters' }).click();
      await page.getByTestId('grid-status').getByText('300 rows').waitFor();
    });
  });
}
