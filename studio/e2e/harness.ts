// Browser-test harness: the built studio served by a real Kizuna (embedded PGlite) exactly as
// `npm start` serves it, one chromium per test file, and sign-in helpers.
import { PGlite } from '@electric-sql/pglite';
import { serve, type ServerType } from '@hono/node-server';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { answerClientErrors } from '../../platform/api/index.ts';
import { ensureStudioBuilt } from '../../platform/studio/build.ts';
import { startKizuna, type TestKizuna } from '../../platform/testing/kizuna.ts';
import type { KizunaConfig } from '../../platform/server.ts';

export const root = resolve(import.meta.dirname, '../..');
export const screenshots = join(root, 'docs/screenshots');
export const ADMIN_PASSWORD = 'admin-password-123';

export interface Studio {
  kizuna: TestKizuna;
  baseUrl: string;
  browser: Browser;
  newPage(locale?: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/**
 * `config`: more server settings (say, `pluginDirs` with test plugins). `newDatabase`: a first
 * start (the admin waits for a password; its setup token is in kizuna.bootstrap).
 */
export async function startStudio({ newDatabase, ...config }: Partial<KizunaConfig> & { newDatabase?: boolean } = {}): Promise<Studio> {
  const dist = await ensureStudioBuilt({ root });
  const kizuna = await startKizuna('pglite', { ...config, studioDir: dist, ...(newDatabase && { pglite: new PGlite() }) });
  if (!newDatabase) {
    // The PGlite template already has its admin (without a password): give it one.
    const me = await kizuna.call('GET', '/api/auth/me');
    await kizuna.call('PATCH', `/api/users/${me.body.user.id}`, { password: ADMIN_PASSWORD });
  }
  const server = await new Promise<ServerType>((ready) => {
    const s = serve({ fetch: kizuna.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready(s));
  });
  answerClientErrors(server);
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
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
  await mkdir(screenshots, { recursive: true });
  return {
    kizuna,
    baseUrl,
    browser,
    async newPage(locale = 'en-US') {
      const context = await browser.newContext({ locale, viewport: { width: 1366, height: 800 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // A script, style or request the Content-Security-Policy blocked is an error of the page too.
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
      });
      // Generous: the whole suite shares two cores with PostgreSQL and chromium.
      page.setDefaultTimeout(20_000);
      return { context, page, errors };
    },
    async close() {
      await browser.close();
      await new Promise((done) => server.close(done));
      await kizuna.close();
    },
  };
}

export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('form.sign-in button[type=submit]').click();
  await page.locator('.shell').waitFor();
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshots, `${name}.png`) });
