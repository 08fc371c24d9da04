// End-to-end tests in Chromium of issue 12 items 7–10, 12 and 13 on every dialect: state in the URL kept on Back, a
// session shared by tabs, the phone layout at 390×844, the request-log explorer (previews, scores, stars, suggestions,
// add to dataset), the datasets list past 100 groups, chat rendering, dark mode, page titles and the favicon.
// Screenshots go to test-results/explore-<dialect>-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSkip, ensureUiBuilt, launchBrowser, screenshot, signInWithApiKey } from './support/browser.js';
import { DIALECTS } from './support/dialects.js';
import { TEST_API_KEY, b64, startTestApp, waitFor, type TestApp } from './support/test-app.js';

const LOGS = 30;
const ROWS = 400;
const BULK_GROUPS = 110;

const chat = (...messages: unknown[]) => ({ type: 'chat', messages });

for (const dialect of DIALECTS) {
  describe(`web UI explorer end to end [${dialect}]`, { skip: browserSkip }, () => {
    let t: TestApp;
    let base: string;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let chatGroupId = 0;
    let chatVersionId = 0;
    let filterGroupId = 0;
    const logIds: number[] = [];
    const shot = (name: string, p: Page = page) => screenshot(p, `explore-${dialect}-${name}`);
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await t.request({ method, url, body });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const overflow = (p: Page = page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    const signIn = (p: Page) => signInWithApiKey(p, base, TEST_API_KEY);

    before(async () => {
      ensureUiBuilt();
      t = await startTestApp(dialect);
      base = await t.listen();
      await api('POST', '/rest/prompt-templates', {
        prompt_template: { prompt_name: 'qa-answer' },
        prompt_version: { prompt_template: chat({ role: 'user', content: '{question}' }) },
      });
      for (let i = 1; i <= LOGS; i++) {
        const log = await api('POST', '/log-request', {
          provider: 'openai',
          model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
          input: chat(
            { role: 'system', content: [{ type: 'text', text: 'You answer refunds.' }] },
            { role: 'user', content: [{ type: 'text', text: `question number ${i}` }] },
          ),
          output: chat({
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: `call_${i}`,
                type: 'function',
                function: { name: 'lookup_order', arguments: JSON.stringify({ order: i }) },
              },
            ],
          }),
          request_start_time: 1_770_000_000 + i,
          request_end_time: 1_770_000_001 + i,
          tags: i <= 10 ? ['alpha'] : ['beta'],
          metadata: { env: i % 3 ? 'prod' : 'staging' },
          prompt_name: 'qa-answer',
          prompt_version_number: 1,
          prompt_input_variables: { question: `question number ${i}` },
          score: 50 + i,
        });
        logIds.push(log.request_id);
      }
      // A version with a messages column (chat cells) and enough rows to scroll.
      chatGroupId = (await api('POST', '/api/public/v2/dataset-groups', { name: 'explore/chat-cells' })).dataset_group
        .id;
      const lines = ['id,name,messages'];
      for (let i = 1; i <= ROWS; i++) {
        const messages = JSON.stringify([
          { role: 'user', content: `hello ${i}` },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: `c${i}`, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            ],
          },
        ]).replace(/"/g, '""');
        lines.push(`${i},row-${i},"${messages}"`);
      }
      chatVersionId = (
        await api('POST', '/api/public/v2/dataset-versions/from-file', {
          dataset_group_id: chatGroupId,
          file_name: 'chat.csv',
          file_content_base64: b64(`${lines.join('\n')}\n`),
        })
      ).dataset_id;
      await waitFor(
        async () => (await api('GET', `/api/public/v2/datasets/${chatVersionId}`)).dataset.status === 'ready',
        30_000,
        'chat version ready',
      );
      // A second version (a few rows changed), so the compare page has a diff to lay out on a phone.
      const v2 = lines.map((l, i) => (i > 0 && i <= 5 ? l.replace(`,row-${i},`, `,row-${i}-changed,`) : l));
      const v2Id = (
        await api('POST', '/api/public/v2/dataset-versions/from-file', {
          dataset_group_id: chatGroupId,
          file_name: 'chat-v2.csv',
          file_content_base64: b64(`${v2.join('\n')}\n`),
        })
      ).dataset_id;
      await waitFor(
        async () => (await api('GET', `/api/public/v2/datasets/${v2Id}`)).dataset.status === 'ready',
        30_000,
        'chat v2 ready',
      );
      // A version built from filter params, to show them readably.
      filterGroupId = (await api('POST', '/api/public/v2/dataset-groups', { name: 'explore/from-logs' })).dataset_group
        .id;
      const built = await api('POST', '/api/public/v2/dataset-versions/from-filter-params', {
        dataset_group_id: filterGroupId,
        tags_and: ['alpha'],
        metadata_and: [{ key: 'env', value: 'prod' }],
        prompt_templates_include: [{ name: 'qa-answer', version_numbers: [1] }],
      });
      await waitFor(
        async () => (await api('GET', `/api/public/v2/datasets/${built.dataset_id}`)).dataset.status !== 'processing',
        30_000,
        'filter version',
      );
      // More groups than one page (and more than the old 100 cap), in two folders.
      for (let i = 1; i <= BULK_GROUPS; i++)
        await api('POST', '/api/public/v2/dataset-groups', {
          name: `${i % 2 ? 'bulk-a' : 'bulk-b'}/group-${String(i).padStart(3, '0')}`,
        });

      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await signIn(page);
    });
    after(async () => {
      await browser?.close();
      await t?.close();
    });

    it('gives every page its own title, and has a favicon', async () => {
      assert.equal(await page.title(), 'Datasets · Strata');
      const icon = await page.locator('link[rel="icon"]').getAttribute('href');
      assert.match(String(icon), /^data:image\/svg\+xml,/);
      const titles: Array<[string, string]> = [
        ['/requests', 'Request logs · Strata'],
        [`/requests/${logIds[0]}`, `Request ${logIds[0]} · Strata`],
        [`/datasets/groups/${chatGroupId}`, 'explore/chat-cells · Strata'],
        [`/datasets/groups/${chatGroupId}/build`, 'Build a version from request logs · Strata'],
        [`/datasets/versions/${chatVersionId}`, 'explore/chat-cells · v1 · Strata'],
        ['/settings/api-keys', 'Settings · Strata'],
        ['/nowhere', 'Not found · Strata'],
      ];
      for (const [path, title] of titles) {
        await page.goto(`${base}${path}`);
        await waitFor(
          async () => (await page.title()) === title,
          10_000,
          `title of ${path} (is "${await page.title()}")`,
        );
      }
    });

    it('shows input/output previews and scores, and keeps filters and page in the URL on Back', async () => {
      await page.goto(`${base}/requests`);
      const rows = page.locator('table.logs-table tbody tr');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 25);
      const headers = await page.locator('table.logs-table thead th').allTextContents();
      for (const h of ['Input', 'Output', 'Scores', 'Prompt']) assert.ok(headers.includes(h), headers.join('|'));
      const newest = rows.first();
      assert.match(
        String(await newest.locator('.preview-cell').first().textContent()),
        /You answer refunds\. question number 30/,
      );
      assert.match(
        String(await newest.locator('.preview-cell').nth(1).textContent()),
        /ƒ lookup_order\(\{ "order": 30 \}\)/,
      );
      assert.match(String(await newest.locator('.scores-cell').textContent()), /default 80/);
      assert.match(String(await newest.textContent()), /qa-answer v1/);
      await shot('request-logs');

      // Page 2, then a detail, then Back: still page 2.
      await page.getByRole('button', { name: 'Next →' }).click();
      await page.getByText(`Page 2 of 2 · ${LOGS} logs`).waitFor();
      assert.match(page.url(), /[?&]page=2/);
      await rows.first().click();
      await page.getByRole('heading', { name: /^Request \d+$/ }).waitFor();
      await page.goBack();
      await page.getByText(`Page 2 of 2 · ${LOGS} logs`).waitFor();
      assert.equal(await rows.count(), LOGS - 25);

      // A filter: the URL carries it, Back from a detail restores the inputs and the result.
      await page.getByLabel('Tag', { exact: true }).fill('alpha');
      await page.getByLabel('Metadata key').fill('env');
      await page.getByLabel('Metadata value').fill('prod');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const expected = Array.from({ length: 10 }, (_, i) => i + 1).filter((i) => i % 3 !== 0).length;
      await page.getByText(`Page 1 of 1 · ${expected} logs`).waitFor();
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('tag'), 'alpha');
      assert.equal(url.searchParams.get('mkey'), 'env');
      assert.equal(url.searchParams.get('mvalue'), 'prod');
      assert.equal(url.searchParams.get('page'), null);
      await rows.first().press('Enter');
      await page.getByRole('heading', { name: /^Request \d+$/ }).waitFor();
      await page.goBack();
      await page.getByText(`Page 1 of 1 · ${expected} logs`).waitFor();
      assert.equal(await page.getByLabel('Tag', { exact: true }).inputValue(), 'alpha');
      assert.equal(await page.getByLabel('Metadata value').inputValue(), 'prod');
      // A shared link opens the same view in a fresh page.
      const p2 = await context.newPage();
      await p2.goto(url.toString());
      await p2.getByText(`Page 1 of 1 · ${expected} logs`).waitFor();
      await p2.close();
    });

    it('suggests existing filter values and says when a typed value matches no log', async () => {
      await page.goto(`${base}/requests`);
      await page.locator('table.logs-table tbody tr').first().waitFor();
      const tag = page.getByLabel('Tag', { exact: true });
      await tag.fill('alpah');
      await page.getByText('No log has “alpah”.').waitFor();
      await tag.fill('a');
      await waitFor(
        async () =>
          (
            await page.locator('#suggest-tag option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
          ).join() === 'alpha',
        10_000,
        'tag suggestions',
      );
      await tag.fill('alpha');
      await page.locator('#suggest-tag-note').waitFor({ state: 'detached' });
      await page.getByLabel('Model').fill('gpt-4');
      await waitFor(
        async () =>
          (
            await page
              .locator('#suggest-model option')
              .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
          ).join() === 'gpt-4o,gpt-4o-mini',
        10_000,
        'model suggestions',
      );
      await page.getByText('No log has exactly “gpt-4”; did you mean “gpt-4o”, “gpt-4o-mini”?').waitFor();
      await page.getByLabel('Prompt template').fill('qa-');
      await waitFor(
        async () => (await page.locator('#suggest-promptName option').count()) === 1,
        10_000,
        'template suggestions',
      );
      await page.getByLabel('Metadata key').fill('env');
      await page.getByLabel('Metadata value').fill('sta');
      await waitFor(
        async () =>
          (
            await page
              .locator('#suggest-metadataValue option')
              .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
          ).join() === 'staging',
        10_000,
        'metadata value suggestions',
      );
      await shot('request-log-suggestions');
    });

    it('stars and unstars a log from the list and the detail (checked through the API)', async () => {
      await page.goto(`${base}/requests`);
      const first = page.locator('table.logs-table tbody tr').first();
      const id = Number(await first.locator('td').first().textContent());
      const star = first.getByRole('button', { name: `Star request ${id}` });
      assert.equal(await star.getAttribute('aria-pressed'), 'false');
      await star.click();
      await waitFor(async () => (await star.getAttribute('aria-pressed')) === 'true', 10_000, 'starred');
      assert.equal((await api('GET', `/api/public/v2/requests/${id}`)).request.is_starred, true);
      // The click starred the log without opening it.
      assert.match(page.url(), /\/requests(\?|$)/);
      await page.goto(`${base}/requests/${id}`);
      const detailStar = page.getByRole('button', { name: `Star request ${id}` });
      await waitFor(
        async () => (await detailStar.getAttribute('aria-pressed')) === 'true',
        10_000,
        'starred on detail',
      );
      await detailStar.click();
      await waitFor(async () => (await detailStar.getAttribute('aria-pressed')) === 'false', 10_000, 'unstarred');
      assert.equal((await api('GET', `/api/public/v2/requests/${id}`)).request.is_starred, false);
    });

    it('shows the detail as chat with tool calls, the template version and input variables, and adds the log to a dataset', async () => {
      const id = logIds[4];
      await page.goto(`${base}/requests/${id}`);
      const input = page.getByRole('list', { name: 'Input messages' });
      await input.locator('.chat-system').getByText('You answer refunds.').waitFor();
      await input.locator('.chat-user').getByText('question number 5').waitFor();
      const output = page.getByRole('list', { name: 'Output messages' });
      await output.locator('.chat-assistant .chat-tool-name').getByText('lookup_order').waitFor();
      assert.match(String(await output.locator('.chat-tool-call pre').textContent()), /"order": 5/);
      const template = page.locator('section', { has: page.getByRole('heading', { name: 'Prompt template' }) });
      assert.match(String(await template.textContent()), /templateqa-answer.*versionv1/);
      const vars = page.locator('section', { has: page.getByRole('heading', { name: 'Input variables' }) });
      assert.match(String(await vars.textContent()), /questionquestion number 5/);
      await shot('request-detail');

      // Into a group without a draft: the UI creates the draft, then adds the log.
      const groupId = (await api('POST', '/api/public/v2/dataset-groups', { name: 'explore/collected' })).dataset_group
        .id;
      await page.getByRole('button', { name: 'Add to dataset' }).click();
      const form = page.getByRole('form', { name: 'Add to dataset' });
      await form.getByLabel('Find a group').fill('collected');
      await waitFor(
        async () => (await form.getByLabel('Dataset group').locator('option').count()) === 2,
        10_000,
        'group options',
      );
      await form.getByLabel('Dataset group').selectOption({ label: 'explore/collected' });
      await form.getByRole('button', { name: 'Add', exact: true }).click();
      await form.getByText('Added to the draft of explore/collected.').waitFor();
      await shot('request-add-to-dataset');
      // Again into the now existing draft.
      await page.goto(`${base}/requests/${logIds[5]}`);
      await page.getByRole('button', { name: 'Add to dataset' }).click();
      await form.getByLabel('Find a group').fill('collected');
      await waitFor(
        async () => (await form.getByLabel('Dataset group').locator('option').count()) === 2,
        10_000,
        'group options',
      );
      await form.getByLabel('Dataset group').selectOption({ label: 'explore/collected' });
      await form.getByRole('button', { name: 'Add', exact: true }).click();
      await form.getByText('Added to the draft of explore/collected.').waitFor();
      const group = await api('GET', `/api/public/v2/dataset-groups/${groupId}`);
      const drafts = (group.datasets as Array<{ version_number: number; status: string; id: number }>).filter(
        (d) => d.status === 'draft',
      );
      assert.equal(drafts.length, 1);
      const rows = await api('GET', `/api/public/v2/datasets/${drafts[0].id}/rows?per_page=10`);
      assert.equal(rows.total, 2);
      assert.ok((rows.columns as string[]).includes('question'), rows.columns.join());
      assert.deepEqual(
        (rows.rows as Array<Array<{ value: unknown }>>).map(
          (r) => r[(rows.columns as string[]).indexOf('question')].value,
        ),
        ['question number 5', 'question number 6'],
      );
    });

    it('keeps the rows search and scroll position in the URL and restores them on Back; renders chat cells', async () => {
      await page.goto(`${base}/datasets/versions/${chatVersionId}`);
      await page.getByTestId('grid-status').getByText(`${ROWS} rows`).waitFor();
      await page.getByLabel('Jump to row').fill('300');
      await page.getByRole('button', { name: 'Go' }).click();
      await page.locator('[role="row"][aria-rowindex="300"]').getByText('row-300').waitFor();
      await waitFor(
        async () => Number(new URL(page.url()).searchParams.get('row')) === 300,
        10_000,
        `row=300 in ${page.url()}`,
      );
      await page.getByRole('link', { name: 'explore/chat-cells' }).click();
      await page.getByRole('heading', { name: 'explore/chat-cells' }).waitFor();
      await page.goBack();
      await page.locator('[role="row"][aria-rowindex="300"]').getByText('row-300').waitFor();
      const top = await page.getByTestId('rows-grid').evaluate((el) => el.scrollTop);
      assert.ok(top > 250 * 30, `restored scrollTop ${top}`);

      await page.getByLabel('Search rows').fill('row-123');
      await page.getByTestId('grid-status').getByText('1 row matches').waitFor();
      await waitFor(async () => new URL(page.url()).searchParams.get('q') === 'row-123', 10_000, 'q in URL');
      await page.getByRole('link', { name: 'explore/chat-cells' }).click();
      await page.getByRole('heading', { name: 'explore/chat-cells' }).waitFor();
      await page.goBack();
      await page.getByTestId('grid-status').getByText('1 row matches').waitFor();
      assert.equal(await page.getByLabel('Search rows').inputValue(), 'row-123');

      // The messages cell opens as chat bubbles with the tool call.
      await page.locator('[role="row"][aria-rowindex="1"] [role="gridcell"]').nth(2).hover();
      await page.getByRole('button', { name: 'Expand row 1 messages' }).click();
      const dialog = page.getByRole('dialog', { name: 'Row 1, messages' });
      await dialog.locator('.chat-user').getByText('hello 123').waitFor();
      await dialog.locator('.chat-assistant .chat-tool-name').getByText('get_weather').waitFor();
      await shot('cell-chat');
      await dialog.getByRole('button', { name: 'Close' }).click();
    });

    it('lists more than 100 groups page by page, with aligned columns, and shows filter params readably', async () => {
      await page.goto(`${base}/datasets`);
      const total = (await api('GET', '/api/public/v2/dataset-groups?per_page=1')).total as number;
      assert.ok(total > 100 && total <= 150, `groups: ${total}`);
      await page.getByText(`${total} groups · page 1 of 3`).waitFor();
      const pager = page.getByRole('navigation', { name: 'Dataset group pages' });
      await pager.getByRole('button', { name: 'Next →' }).click();
      await page.getByText(`${total} groups · page 2 of 3`).waitFor();
      assert.equal(new URL(page.url()).searchParams.get('page'), '2');
      await pager.getByRole('button', { name: 'Next →' }).click();
      await page.getByText(`${total} groups · page 3 of 3`).waitFor();
      // The oldest groups are on the last page: every group is reachable.
      await page.getByRole('link', { name: 'chat-cells' }).waitFor();
      // Columns line up across the folders' tables.
      const xs = await page
        .locator('table.groups-table')
        .evaluateAll((tables) =>
          tables.map((tb) => [...tb.querySelectorAll('th')].map((th) => Math.round(th.getBoundingClientRect().left))),
        );
      assert.ok(xs.length >= 2, `folder tables: ${xs.length}`);
      for (const row of xs) assert.deepEqual(row, xs[0]);
      await shot('datasets-page-3');
      // Search as you type, and Back from a group keeps search and page.
      await page.getByLabel('Search dataset groups').fill('group-10');
      await page.getByText('10 groups').waitFor();
      assert.equal(new URL(page.url()).searchParams.get('page'), null);
      await page.getByRole('link', { name: 'group-101' }).click();
      await page.getByRole('heading', { name: 'bulk-a/group-101' }).waitFor();
      await page.goBack();
      await page.getByText('10 groups').waitFor();
      assert.equal(await page.getByLabel('Search dataset groups').inputValue(), 'group-10');

      await page.goto(`${base}/datasets/groups/${filterGroupId}`);
      await page.getByText('filter params').click();
      const params = page.locator('dl.filter-params');
      const text = String(await params.textContent());
      assert.match(text, /Tags \(all of\)alpha/);
      assert.match(text, /Metadata \(all of\)env = prod/);
      assert.match(text, /Prompt templatesqa-answer v1/);
      assert.doesNotMatch(text, /[[{"]/);
      await shot('group-filter-params');
    });

    it('fits a 390×844 phone on every page, with the request-log filters behind a toggle', async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const p = await phone.newPage();
      p.setDefaultTimeout(20_000);
      try {
        await p.goto(`${base}/`);
        await p.getByRole('button', { name: 'Sign in' }).waitFor();
        assert.ok((await overflow(p)) <= 1, `the sign-in page overflows by ${await overflow(p)}px`);
        await shot('phone-sign-in', p);
        await signIn(p);
        const pages: Array<[string, string, RegExp | string]> = [
          ['datasets', '/datasets', 'Datasets'],
          ['group', `/datasets/groups/${chatGroupId}`, 'explore/chat-cells'],
          ['group-filter', `/datasets/groups/${filterGroupId}`, 'explore/from-logs'],
          ['rows', `/datasets/versions/${chatVersionId}`, /explore\/chat-cells · v1/],
          ['build', `/datasets/groups/${chatGroupId}/build`, 'Build a version from request logs'],
          ['compare', `/datasets/groups/${chatGroupId}/compare`, /Compare/],
          ['requests', '/requests', 'Request logs'],
          ['request', `/requests/${logIds[0]}`, `Request ${logIds[0]}`],
          ['api-keys', '/settings/api-keys', 'Settings'],
          ['webhooks', '/settings/webhooks', 'Settings'],
          ['users', '/settings/users', 'Settings'],
        ];
        for (const [name, path, heading] of pages) {
          await p.goto(`${base}${path}`);
          await p.getByRole('heading', { name: heading, level: 1 }).waitFor();
          if (name === 'compare') await p.getByTestId('diff-summary').waitFor();
          if (name === 'build') {
            // The rows of the list editors (three inputs each) were what made this page 1,031 px wide.
            for (const legend of ['Metadata (all of)', 'Prompt templates to include', 'Scores'])
              await p.locator('fieldset', { hasText: legend }).getByRole('button', { name: 'Add' }).click();
            await p.getByLabel('Prompt templates to include 1 name').waitFor();
            await p.getByTestId('preview-count').waitFor();
          }
          if (name === 'requests') await p.locator('table.logs-table tbody tr').first().waitFor();
          if (name === 'datasets') {
            // Version and Updated fold away on a phone; the rest stays one line per group.
            const h = (await p.locator('table.groups-table tbody tr').first().boundingBox())?.height ?? 0;
            assert.ok(h > 0 && h < 60, `group row height ${h}`);
          }
          await p.waitForTimeout(200);
          const over = await overflow(p);
          await shot(`phone-${name}`, p);
          assert.ok(over <= 1, `${path} overflows a 390 px screen by ${over}px`);
        }
        // The filters are folded away until asked for, then folded again once applied.
        await p.goto(`${base}/requests`);
        const form = p.getByRole('form', { name: 'Filter request logs' });
        const toggle = p.getByRole('button', { name: /^Filters/ });
        await toggle.waitFor();
        assert.equal(await form.isVisible(), false);
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        await toggle.click();
        await form.waitFor({ state: 'visible' });
        assert.ok(((await form.boundingBox())?.height ?? 0) < 844, 'the open filter form is shorter than the screen');
        assert.ok((await overflow(p)) <= 1, `the open filters overflow by ${await overflow(p)}px`);
        await shot('phone-requests-filters-open', p);
        await p.getByLabel('Tag', { exact: true }).fill('beta');
        await p.getByRole('button', { name: 'Apply filters' }).click();
        await p.getByText(`Page 1 of 1 · ${LOGS - 10} logs`).waitFor();
        assert.equal(await form.isVisible(), false);
        await p.getByRole('button', { name: 'Filters (1 active)' }).waitFor();
        assert.ok((await overflow(p)) <= 1);
      } finally {
        await phone.close();
      }
    });

    it('follows the system dark colour scheme', async () => {
      const bg = (p: Page) => p.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      const luminance = (rgb: string) => {
        const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      await page.emulateMedia({ colorScheme: 'light' });
      await page.goto(`${base}/requests/${logIds[0]}`);
      await page.getByRole('heading', { name: `Request ${logIds[0]}` }).waitFor();
      assert.ok(luminance(await bg(page)) > 200, `light background ${await bg(page)}`);
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.ok(luminance(await bg(page)) < 40, `dark background ${await bg(page)}`);
      // Panels and text follow too: light text on a dark panel.
      const panel = await page
        .locator('section.panel')
        .first()
        .evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
      assert.ok(luminance(panel[0]) < 60 && luminance(panel[1]) > 180, `panel ${panel.join(' / ')}`);
      await shot('dark-request-detail');
      for (const [name, path] of [
        ['datasets', '/datasets'],
        ['requests', '/requests'],
        ['rows', `/datasets/versions/${chatVersionId}`],
      ]) {
        await page.goto(`${base}${path}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await page.waitForTimeout(300);
        const input = await page
          .locator('input')
          .first()
          .evaluate((el) => getComputedStyle(el).backgroundColor);
        assert.ok(luminance(input) < 60, `${path} input background ${input}`);
        await shot(`dark-${name}`);
      }
      await page.emulateMedia({ colorScheme: 'light' });
    });

    it('keeps the session in a new tab, says when it expired, and signs out every tab', async () => {
      const other = await context.newPage();
      await other.goto(`${base}/requests`);
      await other.getByRole('heading', { name: 'Request logs' }).waitFor();
      assert.equal(await other.getByRole('button', { name: 'Sign in' }).count(), 0);
      await page.goto(`${base}/datasets`);
      await page.getByRole('heading', { name: 'Datasets' }).waitFor();
      // Signing out in one tab signs out the other, which says why.
      await other.getByRole('button', { name: 'Sign out' }).click();
      await other.getByRole('button', { name: 'Sign in' }).waitFor();
      await page.getByText('You were signed out (in another tab).').waitFor();
      assert.deepEqual(
        await page.evaluate(() => [
          localStorage.getItem('strata.apiKey'),
          localStorage.getItem('strata.token'),
          sessionStorage.length,
        ]),
        [null, null, 0],
      );
      await other.close();

      // A JWT whose exp has passed: the sign-in page says the session expired (no call is made with it).
      const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const expired = `${b64url({ alg: 'HS256' })}.${b64url({ sub: '1', exp: Math.floor(Date.now() / 1000) - 60 })}.c2ln`;
      await page.evaluate((tok) => localStorage.setItem('strata.token', tok), expired);
      await page.reload();
      await page.getByText('Your session has expired. Sign in again.').waitFor();
      assert.equal(await page.evaluate(() => localStorage.getItem('strata.token')), null);
      await shot('session-expired');
    });
  });
}
