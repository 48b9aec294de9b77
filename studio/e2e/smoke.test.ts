// Sign-in, sign-out, error pages and a permission-restricted user (a viewer) in chromium:
// the viewer sees no create button, no designer, and none of the fields its role hides.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot, signIn, startStudio, type Studio } from './harness.ts';

describe('studio sign-in and permissions in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];
  let contact: string;

  beforeAll(async () => {
    s = await startStudio();
    await s.kizuna.call('POST', '/api/users', {
      email: 'viewer@example.jp',
      name: '閲覧 花子',
      password: 'viewer-password-1',
      roles: ['viewer'],
    });
    contact = (
      await s.kizuna.call('POST', '/api/records/contact', {
        last_name: '山田',
        first_name: '太郎',
        mobile: '090-1111-2222',
        notes: '社外秘',
        email: 'yamada@example.jp',
      })
    ).body.id;
    ({ page, errors } = await s.newPage());
  });
  afterAll(() => s?.close());

  it('sends a signed-out visitor to the sign-in page and refuses a wrong password', async () => {
    await page.goto(`${s.baseUrl}/o/contact`);
    await page.getByRole('heading', { name: 'Sign in to Kizuna' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/o/contact');
    expect(await page.title()).toBe('Kizuna 絆');
    await page.locator('#email').fill('viewer@example.jp');
    await page.locator('#password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email or password is wrong.').waitFor();
    await shot(page, 'sign-in');
  });

  it('signs the viewer in, back to where they were going, showing less', async () => {
    await page.locator('#password').fill('viewer-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
    await page.locator('[data-testid=records] tbody tr[data-index]').first().waitFor();
    expect(await page.getByTestId('new-record').count()).toBe(0);
    expect(await page.locator('th[data-column=mobile]').count()).toBe(0);
    expect(await page.locator('.sidebar').textContent()).not.toContain('Object designer');
    await page.getByRole('button', { name: 'Columns' }).click();
    const choices = await page.getByTestId('column-chooser').textContent();
    expect(choices).toContain('Email');
    expect(choices).not.toContain('Mobile');
    expect(choices).not.toContain('Notes');
    await page
      .locator('[data-testid=records] input[type=checkbox]')
      .count()
      .then((n) => expect(n).toBe(0));
    await shot(page, 'viewer-list');
  });

  it('shows the viewer a read-only detail page without hidden fields', async () => {
    await page.goto(`${s.baseUrl}/o/contact/${contact}`);
    await page.getByTestId('record-title').waitFor();
    expect(await page.locator('[data-field=mobile]').count()).toBe(0);
    expect(await page.locator('[data-field=notes]').count()).toBe(0);
    expect(await page.locator('[data-field=email]').textContent()).toContain('yamada@example.jp');
    expect(await page.locator('.detail-field.editable').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
  });

  it('answers the designer with the forbidden page, and unknown paths with not-found', async () => {
    await page.goto(`${s.baseUrl}/designer`);
    await page.getByText('You do not have access to this page.').waitFor();
    await page.goto(`${s.baseUrl}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Back to the start' }).click();
    await page.getByRole('heading', { name: 'Welcome, 閲覧 花子' }).waitFor();
  });

  it('keeps the session across a reload (CSRF token re-read from /api/auth/me) and signs out', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Welcome, 閲覧 花子' }).waitFor();
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Kizuna' }).waitFor();
    await page.goto(`${s.baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in to Kizuna' }).waitFor();
  });

  it('raised no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
