// Smoke test of the placeholder studio: the built SPA in Debian chromium, against a stub /api.
// The stub stands in for the platform server until the lead switches this test to the real one.
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt } from '../../platform/studio/build.ts';

const root = resolve(import.meta.dirname, '../..');
const screenshots = join(root, 'docs/screenshots');
const API_KEY = 'kz_smoke_test_key';

const objects = [
  { title: 'Contact', 'x-kizuna': { name: 'contact', label: { en: 'Contact', ja: 'コンタクト' } } },
  { title: 'Company', 'x-kizuna': { name: 'company', label: { en: 'Company', ja: '会社' } } },
  { title: 'Case', 'x-kizuna': { name: 'case', label: { en: 'Case', ja: 'ケース' } } },
];

function problem(status: number, title: string, detail: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

function stubServer(dist: string, indexHtml: string) {
  const seenAuthorization: (string | undefined)[] = [];
  const app = new Hono();
  app.get('/api/health', (c) => c.json({ status: 'ok', version: 'smoke' }));
  app.get('/api/meta/objects', (c) => {
    const authorization = c.req.header('authorization');
    seenAuthorization.push(authorization);
    if (authorization !== `Bearer ${API_KEY}`) return problem(401, 'Unauthorized', 'An API key is required');
    return c.json({ data: objects });
  });
  app.all('/api/*', () => problem(404, 'Not found', 'No such route'));
  app.use('/assets/*', serveStatic({ root: dist }));
  app.get('/assets/*', (c) => c.text('Not found', 404));
  app.use('*', serveStatic({ root: dist }));
  app.get('*', (c) => c.html(indexHtml));
  return { app, seenAuthorization };
}

describe('studio placeholder in chromium', () => {
  let server: ServerType;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let seenAuthorization: (string | undefined)[];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const dist = await ensureStudioBuilt({ root });
    const stub = stubServer(dist, await readFile(join(dist, 'index.html'), 'utf8'));
    seenAuthorization = stub.seenAuthorization;
    server = await new Promise<ServerType>((ready) => {
      const s = serve({ fetch: stub.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready(s));
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
    expect(await page.locator('.object-label').allTextContents()).toEqual(['Contact', 'Company', 'Case']);
    expect(seenAuthorization.at(-1)).toBe(`Bearer ${API_KEY}`);
    await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });
  });

  it('switches the visible strings and object labels to Japanese and remembers it', async () => {
    const tagline = page.getByTestId('tagline');
    expect(await tagline.textContent()).toBe('A metadata-driven CRM');

    await page.getByRole('button', { name: '日本語' }).click();
    await expect.poll(() => tagline.textContent()).toBe('メタデータ駆動の CRM');
    expect(await page.locator('.object-label').allTextContents()).toEqual(['コンタクト', '会社', 'ケース']);
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
