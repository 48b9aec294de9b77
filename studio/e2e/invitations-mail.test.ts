// Invitations by email in chromium (issue 16, item 3): with SMTP configured the admin is told
// the link went out (it is not shown), the person receives it in their language, and the link
// from the email sets their password and signs them in.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp } from '../../platform/testing/smtp.ts';
import { ADMIN_PASSWORD, signIn, startStudio, type Studio } from './harness.ts';

describe('invitations by email in chromium', () => {
  let s: Studio;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let admin: Page;
  let errors: string[];

  beforeAll(async () => {
    smtp = await startSmtp();
    s = await startStudio({ smtpUrl: smtp.url, mailFrom: 'crm@example.jp' });
    ({ page: admin, errors } = await s.newPage());
    await signIn(admin, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('emails the invitation instead of showing it, and the emailed link works', async () => {
    await admin.goto(`${s.baseUrl}/people/users`);
    await admin.getByTestId('new-user').click();
    const dialog = admin.getByTestId('user-dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('Mail Invitee');
    await dialog.getByLabel('Email (sign-in name)').fill('invitee@example.jp');
    await dialog.getByLabel('Language').selectOption('en');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await admin.getByTestId('toast').filter({ hasText: 'The link was emailed to invitee@example.jp.' }).waitFor();
    expect(await admin.getByTestId('secret-dialog').count()).toBe(0);
    await admin.locator('[data-user="invitee@example.jp"] [data-status=invited]').waitFor();

    await expect.poll(() => smtp.messages.filter((m) => m.to.includes('invitee@example.jp')).length).toBe(1);
    const mail = smtp.messages.find((m) => m.to.includes('invitee@example.jp'))!;
    expect(mail.subject).toBe('Your invitation to Kizuna');
    const url = /(http:\/\/\S+\/set-password#[\w-]+)/.exec(mail.text)![1];
    expect(url.startsWith(s.baseUrl)).toBe(true);

    const { page } = await s.newPage();
    await page.goto(url);
    await page.getByRole('heading', { name: 'Welcome to Kizuna: choose your password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('mailed-password-1');
    await page.getByLabel('New password again').fill('mailed-password-1');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.locator('.shell').waitFor();
    await admin.reload();
    await admin.locator('[data-user="invitee@example.jp"] [data-status=active]').waitFor();
    expect(errors).toEqual([]);
  });
});
