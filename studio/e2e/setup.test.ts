// First start in chromium: no admin password exists yet, so the studio shows its setup page
// (never a sign-in page saying "wrong password"); the person pastes the one-time token printed
// by the server, chooses the password, is signed in, and the setup page is gone.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { shot, signIn, startStudio, type Studio } from './harness.ts';

const PASSWORD = 'chosen-admin-password';

describe('first admin setup in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];
  let token: string;

  beforeAll(async () => {
    s = await startStudio({ newDatabase: true });
    token = s.kizuna.bootstrap.setupToken!;
    expect(token).toBeTruthy();
    ({ page, errors } = await s.newPage());
  });
  afterAll(() => s?.close());

  it('shows the setup page instead of sign-in while no admin password exists', async () => {
    await page.goto(`${s.baseUrl}/o/contact`);
    await page.getByRole('heading', { name: 'Set up Kizuna' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/setup');
    await expect.poll(() => page.getByTestId('setup-email').textContent()).toBe('You will sign in as admin@localhost.');
    await page.goto(`${s.baseUrl}/sign-in`);
    await page.getByRole('heading', { name: 'Set up Kizuna' }).waitFor();
    expect(await page.getByText('The email or password is wrong.').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'setup');
  });

  it('shows the page in Japanese', async () => {
    const ja = await s.newPage('ja-JP');
    await ja.page.goto(`${s.baseUrl}/`);
    await ja.page.getByRole('heading', { name: 'Kizuna の初期設定' }).waitFor();
    await ja.page.getByLabel('セットアップトークン').waitFor();
    await ja.context.close();
  });

  it('refuses a short password, two different ones, and a wrong token, staying on the page', async () => {
    await page.getByLabel('Setup token').fill(token);
    await page.getByLabel('Admin password').fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('alert').getByText('The password needs at least 10 characters.').waitFor();
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(`${PASSWORD}!`);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('alert').getByText('The two passwords differ.').waitFor();
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByLabel('Setup token').fill(`${token}x`);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('alert').getByText('This is not the setup token. Copy it again from the terminal.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/setup');
  });

  it('sets the password with the printed token and signs the admin in', async () => {
    await page.getByLabel('Setup token').fill(`  ${token}\n`.trim());
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Welcome, Administrator' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('has no setup page afterwards: signed in it leads home, signed out to sign-in, where the new password works', async () => {
    await page.goto(`${s.baseUrl}/setup`);
    await page.getByRole('heading', { name: 'Welcome, Administrator' }).waitFor();
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Kizuna' }).waitFor();
    await page.goto(`${s.baseUrl}/setup`);
    await page.getByRole('heading', { name: 'Sign in to Kizuna' }).waitFor();
    await signIn(page, s.baseUrl, 'admin@localhost', PASSWORD);
    await page.getByRole('heading', { name: 'Welcome, Administrator' }).waitFor();
  });

  it('raised no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
