// Smoke test of the placeholder studio: the built SPA in Debian chromium, served by the real
// platform (embedded PGlite) exactly as `npm start` serves it.
import { serve, type ServerType } from '@hono/node-server';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../platform/studio/build.ts';
import { ADMIN_TOKEN, startKizuna, type TestKizuna } from '../../platform/testing/kizuna.ts';

const root = resolve(import.meta.dirname, '../..');
const screenshots = join(root, 'docs/screenshots');
const API_KEY = ADMIN_TOKEN;

describe('studio placeholder in chromium', () => {
  let server: ServerType;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let kizuna: TestKizuna;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const dist = await ensureStudioBuilt({ root });
    kizuna = await startKizuna('pglite', { studioDir: dist });
    server = await new Promise<ServerType>((ready) => {
      const s = serve({ fetch: kizuna.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 760 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await mkdir(screenshots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await kizuna?.close();
  });

  it('shows the Kizuna name and the server status', async () => {
    await page.goto(baseUrl);
    await expect.poll(() => page.title()).toBe('Kizuna 絆');
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/絆\s*Kizuna/);
    await page.getByText('Running').waitFor();
  });

  it('asks for an API key, then lists the objects with it', async () => {
    await page.getByText('An API key is needed to list the objects.').waitFor();
    await page.getByLabel('Paste an API key to browse the metadata').fill(API_KEY);
    await page.getByRole('button', { name: 'Save' }).click();

    await page.locator('[data-testid="objects"] li').first().waitFor();
    expect(await page.locator('.object-label').allTextContents()).toEqual(['Campaign', 'Case', 'Company', 'Contact', 'Message']);
    await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });
  });

  it('switches the visible strings and object labels to Japanese and remembers it', async () => {
    const tagline = page.getByTestId('tagline');
    expect(await tagline.textContent()).toBe('A metadata-driven CRM');

    await page.getByRole('button', { name: '日本語' }).click();
    await expect.poll(() => tagline.textContent()).toBe('メタデータ駆動の CRM');
    expect(await page.locator('.object-label').allTextContents()).toEqual(['キャンペーン', 'ケース', '取引先', '取引先責任者', 'メッセージ']);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    await page.screenshot({ path: join(screenshots, 'home-ja.png'), fullPage: true });

    await page.reload();
    await expect.poll(() => page.getByTestId('tagline').textContent()).toBe('メタデータ駆動の CRM');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByTestId('tagline').textContent()).toBe('A metadata-driven CRM');
  });

  it('shows the not-found page for an unknown path', async () => {
    await page.goto(`${baseUrl}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Back to the start' }).click();
    await page.getByTestId('tagline').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
