// People and permissions in chromium (issue 16, items 1–3): an admin invites a user (the link
// shown once), the invited person chooses a password on the link's page in Japanese, a used
// and an expired link are refused clearly; teams with members; a role built in the editor
// (scopes, the filter builder, hidden fields, transfer) and previewed with "view as"; and the
// restricted user's own account (language, API keys, sessions) — which is all they see.
import { sql } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

const AGENT_PASSWORD = 'agent-password-123';

describe('people, roles and my account in chromium', () => {
  let s: Studio;
  let admin: Page;
  let errors: string[];
  let inviteUrl: string;
  const pages: { context: BrowserContext; errors: string[] }[] = [];

  const open = async (locale = 'en-US') => {
    const p = await s.newPage(locale);
    pages.push(p);
    return p.page;
  };

  beforeAll(async () => {
    s = await startStudio();
    for (const [last, first] of [
      ['山田', '太郎'],
      ['佐藤', '花子'],
    ])
      await s.kizuna.call('POST', '/api/records/contact', { last_name: last, first_name: first, notes: '社外秘' });
    ({ page: admin, errors } = await s.newPage());
    await signIn(admin, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  it('lists users and creates one with an invitation link shown once (en)', async () => {
    await admin.locator('.sidebar [data-nav=users]').click();
    await admin.getByRole('heading', { name: 'Users' }).waitFor();
    await admin.locator('[data-user="admin@localhost"]').waitFor();
    await admin.getByTestId('new-user').click();
    const dialog = admin.getByTestId('user-dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('担当 一郎');
    await dialog.getByLabel('Email (sign-in name)').fill('agent@example.jp');
    await dialog.getByLabel('Language').selectOption('ja');
    await dialog.locator('[data-role=sales_rep]').check();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'people-user-new');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secret = admin.getByTestId('secret-dialog');
    await secret.getByRole('heading', { name: 'Invitation link' }).waitFor();
    inviteUrl = await secret.getByTestId('secret').inputValue();
    expect(inviteUrl).toMatch(new RegExp(`^${s.baseUrl}/set-password#[\\w-]{40,}$`));
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'people-invite-link');
    await secret.getByRole('button', { name: 'Done' }).click();
    const row = admin.locator('[data-user="agent@example.jp"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Sales rep');
  });

  it('lets the invited person choose a password on the link’s page, in their language, once', async () => {
    const p = await open('ja-JP');
    await p.goto(inviteUrl);
    await p.getByRole('heading', { name: 'Kizuna へようこそ：パスワードを決めてください' }).waitFor();
    expect(p.url()).not.toContain('#'); // the token left the address bar
    await p.getByText('担当 一郎（agent@example.jp）').waitFor();
    expect(await seriousViolations(p)).toEqual([]);
    await shot(p, 'set-password-ja');
    await p.getByLabel('新しいパスワード', { exact: true }).fill(AGENT_PASSWORD);
    await p.getByLabel('新しいパスワード（確認）').fill(AGENT_PASSWORD);
    await p.getByRole('button', { name: 'パスワードを設定してサインイン' }).click();
    await p.locator('.shell').waitFor();
    await p.getByRole('heading', { name: /担当 一郎/ }).waitFor();

    // The same link again: refused clearly, in Japanese and in English.
    const again = await open('ja-JP');
    await again.goto(inviteUrl);
    await again.getByTestId('link-refused').getByText('このリンクは使用済みです。').waitFor();
    await shot(again, 'link-used-ja');
    const en = await open('en-US');
    await en.goto(inviteUrl);
    await en.getByTestId('link-refused').getByText('This link was already used.').waitFor();
  });

  it('refuses an expired link clearly (en and ja)', async () => {
    const u = await s.kizuna.call('POST', '/api/users', { email: 'late@example.jp', name: 'Late Comer', locale: 'en' });
    const inv = await s.kizuna.call('POST', `/api/users/${u.body.id}/invitation`, {}, { origin: s.baseUrl });
    await s.kizuna.db.query(
      sql`update kizuna_password_links set expires_at = now() - interval '1 minute' where user_id = ${u.body.id}::uuid`,
    );
    const en = await open('en-US');
    await en.goto(inv.body.url);
    await en.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await en.getByTestId('link-refused').getByText('This link has expired. Ask an administrator for a new one.').waitFor();
    expect(await seriousViolations(en)).toEqual([]);
    await shot(en, 'link-expired');
    const ja = await open('ja-JP');
    await ja.goto(inv.body.url);
    await ja.getByTestId('link-refused').getByText('このリンクは有効期限が切れています。').waitFor();
  });

  it('resets a password with a temporary password shown once, and deactivates and reactivates a user', async () => {
    await s.kizuna.call('POST', '/api/users', { email: 'temp@example.jp', name: 'Temp User', password: 'first-password-1' });
    await admin.reload();
    const row = admin.locator('[data-user="temp@example.jp"]');
    admin.once('dialog', (d) => void d.accept());
    await row.locator('[data-action=temporary]').click();
    const secret = admin.getByTestId('secret-dialog');
    await secret.getByRole('heading', { name: 'Temporary password' }).waitFor();
    const password = await secret.getByTestId('secret').inputValue();
    expect(password).toMatch(/^[a-zA-Z2-9]{16}$/);
    await secret.getByRole('button', { name: 'Done' }).click();
    const login = await s.kizuna.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'temp@example.jp', password }),
    });
    expect(login.status).toBe(200);

    admin.once('dialog', (d) => void d.accept());
    await row.locator('[data-action=deactivate]').click();
    await expect.poll(() => admin.locator('[data-user="temp@example.jp"]').count()).toBe(0);
    await admin.getByTestId('show-inactive').check();
    await row.locator('[data-action=reactivate]').click();
    await row.locator('[data-action=deactivate]').waitFor();
    // Each of those changes is in the user's history: a temporary password, a deactivation, a reactivation.
    await row.locator('[data-action=history]').click();
    const history = admin.getByTestId('user-history');
    await history.locator('tr[data-action=create]').waitFor();
    await expect.poll(() => history.locator('tr[data-action=update]').count()).toBeGreaterThanOrEqual(3);
    expect(await history.textContent()).not.toContain(password);
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'people-user-history');
    await history.getByRole('button', { name: 'Close' }).click();
    const audit = await s.kizuna.call('GET', '/api/audit?kind=auth&object=user&limit=100');
    const actions = audit.body.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['create', 'invite', 'accept-invitation', 'update']));
    expect(errors).toEqual([]);
  });

  it('makes a team with members', async () => {
    await admin.locator('.sidebar [data-nav=teams]').click();
    await admin.getByRole('heading', { name: 'Teams' }).waitFor();
    await admin.getByTestId('new-team').click();
    const dialog = admin.getByTestId('team-dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('support_tokyo');
    await dialog.getByLabel('Label (English)').fill('Support Tokyo');
    await dialog.getByLabel('Label (Japanese)').fill('東京サポート');
    await dialog.locator('[data-member="agent@example.jp"]').check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    const row = admin.locator('[data-team="support_tokyo"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('担当 一郎');
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'people-teams');
  });

  it('builds a role with scopes, a filter, a hidden field and transfer, and previews it with "view as"', async () => {
    await admin.locator('.sidebar [data-nav=roles]').click();
    await admin.getByRole('heading', { name: 'Roles', exact: true }).waitFor();
    await admin.locator('[data-role=viewer]').waitFor();
    await admin.getByTestId('new-role').click();
    await admin.getByRole('heading', { name: 'New role' }).waitFor();
    // A name the server refuses: the problem is shown, nothing is saved.
    await admin.getByLabel('API name').fill('Tokyo Agent');
    await admin.getByTestId('save-role').click();
    await admin
      .getByTestId('role-error')
      .getByText(/Some values are not valid/)
      .waitFor();
    expect(new URL(admin.url()).pathname).toBe('/people/roles/~new');
    await admin.getByLabel('API name').fill('tokyo_agent');
    await admin.getByLabel('Label (English)').fill('Tokyo agent');
    await admin.getByLabel('Label (Japanese)').fill('東京担当');
    await admin.getByTestId('add-object').selectOption('contact');
    await admin.getByRole('button', { name: 'Add', exact: true }).click();
    const grant = admin.locator('[data-grant=contact]');
    await grant.locator('[data-scope=read]').selectOption('filter');
    const filter = grant.locator('[data-filter=read]');
    await filter.getByRole('button', { name: '+ Add condition' }).click();
    await filter.locator('[data-role=field]').selectOption('last_name');
    await filter.locator('[data-role=op]').selectOption('eq');
    await filter.getByLabel('Value').fill('山田');
    await filter.getByRole('button', { name: 'Apply' }).click();
    await grant.locator('[data-scope=update]').selectOption('own');
    await grant.locator('[data-flag=transfer]').check();
    await grant.locator('summary').click();
    await grant.locator('tr[data-field=notes] select').selectOption('hidden');
    await grant.locator('tr[data-field=email] select').selectOption('read');
    await admin.getByTestId('save-role').click();
    await admin.waitForURL(/\/people\/roles\/tokyo_agent$/);
    const role = await s.kizuna.call('GET', '/api/roles/tokyo_agent');
    expect(role.body.objects.contact).toEqual({
      read: { filter: { last_name: { eq: '山田' } } },
      create: 'none',
      update: 'own',
      delete: 'none',
      transfer: true,
      fields: { notes: 'hidden', email: 'read' },
    });

    // Give the role to the agent in the user's edit dialog.
    await admin.locator('.sidebar [data-nav=users]').click();
    await admin.locator('[data-user="agent@example.jp"]').getByRole('button', { name: 'Edit 担当 一郎' }).click();
    const edit = admin.getByTestId('user-dialog');
    await edit.locator('[data-role=sales_rep]').uncheck();
    await edit.locator('[data-role=tokyo_agent]').check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await admin.locator('[data-user="agent@example.jp"]').getByText('Tokyo agent').waitFor();
    const agent = (await s.kizuna.call('GET', '/api/users')).body.data.find((u: { email: string }) => u.email === 'agent@example.jp');
    expect(agent.roles).toEqual(['tokyo_agent']);
    expect(agent.teams).toHaveLength(1);
    await admin.goto(`${s.baseUrl}/people/roles/tokyo_agent`);
    const preview = admin.getByTestId('role-view-as');
    await preview.getByTestId('view-as-user').selectOption(agent.id);
    await expect.poll(() => preview.locator('[data-testid=view-as-records] tbody tr').count()).toBe(1);
    expect(await preview.getByTestId('view-as-records').textContent()).toContain('山田');
    expect(await preview.getByTestId('view-as-records').textContent()).not.toContain('佐藤');
    expect(await preview.locator('[data-field=notes]').getAttribute('data-level')).toBe('hidden');
    expect(await preview.locator('[data-field=email]').getAttribute('data-level')).toBe('read');
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'role-editor');
    await preview.scrollIntoViewIfNeeded();
    await shot(admin, 'role-view-as');
  });

  it('shows the people pages in Japanese', async () => {
    await s.kizuna.call('PATCH', '/api/auth/me', { locale: 'ja' });
    const ja = await open('ja-JP');
    await signIn(ja, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await ja.goto(`${s.baseUrl}/people/users`);
    await ja.getByRole('heading', { name: 'ユーザー', exact: true }).waitFor();
    await ja.locator('[data-user="agent@example.jp"]').getByText('東京担当').waitFor();
    expect(await seriousViolations(ja)).toEqual([]);
    await shot(ja, 'people-users-ja');
    await ja.locator('[data-user="agent@example.jp"] [data-action=view-as]').click();
    const viewAs = ja.getByTestId('users-view-as');
    await viewAs.getByRole('heading', { name: '担当 一郎 さんとして表示' }).waitFor();
    await expect.poll(() => viewAs.locator('[data-testid=view-as-records] tbody tr').count()).toBe(1);
    await viewAs.getByTestId('view-as-object').selectOption('company');
    await viewAs.getByTestId('view-as-no-access').getByText('担当 一郎 さんはこのオブジェクトを参照できません。').waitFor();
    await ja.goto(`${s.baseUrl}/people/roles/tokyo_agent`);
    await ja.getByRole('heading', { name: 'ロール: 東京担当' }).waitFor();
    await ja.locator('[data-grant=contact]').getByText('参照: 次の条件に合うレコード').waitFor();
    expect(await seriousViolations(ja)).toEqual([]);
    await shot(ja, 'role-editor-ja');
    await s.kizuna.call('PATCH', '/api/auth/me', { locale: 'en' });
  });

  it('gives a restricted user only My account: language, API keys shown once, sessions signed out', async () => {
    const other = await open('ja-JP');
    await signIn(other, s.baseUrl, 'agent@example.jp', AGENT_PASSWORD);
    const p = await open('ja-JP');
    await signIn(p, s.baseUrl, 'agent@example.jp', AGENT_PASSWORD);
    const sidebar = await p.locator('.sidebar').textContent();
    expect(sidebar).toContain('マイアカウント');
    expect(sidebar).not.toContain('ユーザー');
    expect(sidebar).not.toContain('ロール');
    await p.goto(`${s.baseUrl}/people/users`);
    await p.getByText('このページへのアクセス権がありません。').waitFor();

    await p.locator('.sidebar [data-nav=account]').click();
    await p.getByRole('heading', { name: 'マイアカウント' }).waitFor();
    const sessions = p.getByTestId('sessions');
    await expect.poll(() => sessions.locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    await sessions.getByText('このブラウザー').waitFor();
    await p.getByLabel('名前', { exact: true }).fill('夜間バッチ');
    await p.getByTestId('create-key').click();
    const secret = p.getByTestId('secret-dialog');
    await secret.getByRole('heading', { name: '新しい API キー' }).waitFor();
    expect(await secret.getByTestId('secret').inputValue()).toMatch(/^kz_/);
    await secret.getByRole('button', { name: '完了' }).click();
    await p.locator('[data-key="夜間バッチ"]').waitFor();
    expect(await seriousViolations(p)).toEqual([]);
    await shot(p, 'account-ja');

    await p.getByTestId('sign-out-others').click();
    await expect.poll(() => sessions.locator('tbody tr').count()).toBe(1);
    await other.reload();
    await other.getByRole('heading', { name: 'Kizuna にサインイン' }).waitFor();

    p.once('dialog', (d) => void d.accept());
    await p.locator('[data-key="夜間バッチ"]').getByRole('button', { name: '取り消す' }).click();
    await p.getByText('API キーはありません。').waitFor();

    // Language: English from here on, remembered for the user.
    await p.locator('[data-language=en]').check();
    await p.getByRole('heading', { name: 'My account' }).waitFor();
    await expect
      .poll(
        async () =>
          (await s.kizuna.call('GET', '/api/users')).body.data.find((u: { email: string }) => u.email === 'agent@example.jp').locale,
      )
      .toBe('en');
    await p.getByLabel('Current password').fill('wrong-password-1');
    await p.getByLabel('New password', { exact: true }).fill('agent-password-456');
    await p.getByLabel('New password again').fill('agent-password-456');
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.getByTestId('change-password').getByText('The current password is wrong.').waitFor();
    expect(new URL(p.url()).pathname).toBe('/account'); // still signed in
    expect(await seriousViolations(p)).toEqual([]);
    await shot(p, 'account');
    await p.getByLabel('Current password').fill(AGENT_PASSWORD);
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.getByTestId('toast').filter({ hasText: 'Password changed.' }).waitFor();
    const login = await s.kizuna.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'agent@example.jp', password: 'agent-password-456' }),
    });
    expect(login.status).toBe(200);
  });

  it('raised no errors in the pages', () => {
    expect(errors).toEqual([]);
    for (const p of pages) expect(p.errors).toEqual([]);
  });
});
