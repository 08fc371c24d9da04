// Debian's Chromium driven by playwright-core for the web UI's end-to-end tests: launch flags, the built UI, screenshots.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const RESULTS = path.join(ROOT, 'test-results');
export const CHROMIUM = '/usr/bin/chromium';

/** `describe(..., { skip })` value: false when Chromium is installed, else why the browser tests are skipped. */
export const browserSkip: false | string = fs.existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing (apt-get install chromium)`;

/** Builds ui/dist once if it is missing (the server serves it). */
export function ensureUiBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'ui', 'dist', 'index.html'))) return;
  execSync('npm run build:ui', { cwd: ROOT, stdio: 'inherit' });
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background networking). */
export async function launchBrowser(): Promise<Browser> {
  fs.mkdirSync(RESULTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Saves a full-page screenshot as test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A page in a new browser context (1280×860 unless `options` say otherwise) that waits `timeoutMs` for each step. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
  timeoutMs = 20_000,
): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options })).newPage();
  page.setDefaultTimeout(timeoutMs);
  return page;
}

/** Signs in on the sign-in page the way a newcomer does, with an API key, and waits for the datasets page. */
export async function signInWithApiKey(page: Page, base: string, apiKey: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByRole('tab', { name: 'API key' }).click();
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Datasets' }).waitFor();
}
