// The object designer in chromium: a custom object and fields of several types, a 422 at its
// input, drag-free reordering, and the migrator's plan before a field with data is dropped.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('object designer in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];
  const fieldNames = async () =>
    Object.keys((await s.kizuna.call('GET', '/api/meta/objects/project')).body.properties).filter(
      (n) => !['id', 'created_at', 'updated_at', 'version', 'created_by', 'updated_by'].includes(n),
    );

  beforeAll(async () => {
    s = await startStudio();
    ({ page, errors } = await s.newPage());
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  it('creates a custom object', async () => {
    await page.locator('.sidebar').getByRole('link', { name: 'Object designer' }).click();
    await page.getByRole('button', { name: '+ New object' }).click();
    await page.locator('#no-name').fill('project');
    await page.locator('#no-label_en').fill('Project');
    await page.locator('#no-label_ja').fill('プロジェクト');
    await page.locator('#no-display').fill('title');
    await shot(page, 'designer');
    await page.getByRole('button', { name: 'Create object' }).click();
    await page.getByRole('heading', { name: /Project/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/designer/project');
    await page.locator('.sidebar [data-object=project]').waitFor();
  });

  it('shows the API 422 next to the input it concerns', async () => {
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.locator('#fe-name').fill('Bad Name');
    await page.locator('#fe-en').fill('Bad');
    await page.locator('#fe-ja').fill('不正');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    // Said by the refusal's keyword, not the server's JSON Schema words ("must match pattern …").
    await expect
      .poll(() => page.locator('#fe-name-error').textContent())
      .toBe('use lowercase letters, digits and _ , starting with a letter');
    expect(await page.locator('#fe-en').getAttribute('aria-invalid')).toBeNull();
    await shot(page, 'designer-422');
    await page.locator('.dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('adds select (with colored options), relation and currency fields', async () => {
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.locator('#fe-name').fill('stage');
    await page.locator('#fe-type').selectOption('select');
    await page.locator('#fe-en').fill('Stage');
    await page.locator('#fe-ja').fill('段階');
    for (const [value, en, ja] of [
      ['plan', 'Plan', '計画'],
      ['run', 'Run', '実行'],
    ]) {
      await page.getByRole('button', { name: '+ Add option' }).click();
      const row = page.locator('.option-row').last();
      await row.getByPlaceholder('Value').fill(value);
      await row.getByPlaceholder('Label (English)').fill(en);
      await row.getByPlaceholder('Label (Japanese)').fill(ja);
    }
    // "run" is not a finished state; a third option is: the home page leaves such records out.
    await page.getByRole('button', { name: '+ Add option' }).click();
    const done = page.locator('.option-row').last();
    await done.getByPlaceholder('Value').fill('done');
    await done.getByPlaceholder('Label (English)').fill('Done');
    await done.getByPlaceholder('Label (Japanese)').fill('完了');
    await done.getByRole('checkbox', { name: 'Closed 3' }).check();
    await shot(page, 'designer-field');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-field=stage]').waitFor();

    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.locator('#fe-name').fill('company');
    await page.locator('#fe-type').selectOption('relation');
    await page.locator('#fe-en').fill('Company');
    await page.locator('#fe-ja').fill('取引先');
    await page.locator('#fe-target').selectOption('company');
    await page.locator('#fe-inverse').fill('projects');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-field=company]').waitFor();

    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.locator('#fe-name').fill('budget');
    await page.locator('#fe-type').selectOption('currency');
    await page.locator('#fe-en').fill('Budget');
    await page.locator('#fe-ja').fill('予算');
    await page.locator('#fe-currency').fill('USD');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-field=budget]').waitFor();

    const def = (await s.kizuna.call('GET', '/api/meta/objects/project')).body;
    const options = def.properties.stage['x-kizuna'].options as { value: string; color: string; closed?: boolean }[];
    expect(options.map((o) => [o.value, !!o.color, !!o.closed])).toEqual([
      ['plan', true, false],
      ['run', true, false],
      ['done', true, true],
    ]);
    expect(def.properties.company['x-kizuna']).toMatchObject({ target: 'company', inverse: 'projects' });
    expect(def.properties.budget['x-kizuna']).toMatchObject({ currency: 'USD' });
    await shot(page, 'designer-fields');
  });

  it('reorders fields and keeps the order on the server', async () => {
    expect(await fieldNames()).toEqual(['title', 'stage', 'company', 'budget']);
    await page.getByRole('button', { name: 'Move up: Budget' }).click();
    await page.getByText('Field order saved').waitFor();
    await expect.poll(fieldNames).toEqual(['title', 'stage', 'budget', 'company']);
    await page.locator('tr[data-field=company]').dragTo(page.locator('tr[data-field=title]'));
    await expect.poll(fieldNames).toEqual(['company', 'title', 'stage', 'budget']);
  });

  it('shows the plan with the values a field drop destroys, and applies it on confirm', async () => {
    await s.kizuna.call('POST', '/api/records/project', { title: 'Alpha', stage: 'run' });
    await page.getByRole('button', { name: 'Delete field: Stage' }).click();
    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.textContent()).toMatch(/1 value will be lost/);
    await shot(page, 'designer-plan');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await fieldNames()).toContain('stage');

    await page.getByRole('button', { name: 'Delete field: Stage' }).click();
    await dialog.getByRole('button', { name: 'Apply changes' }).click();
    await expect.poll(fieldNames).toEqual(['company', 'title', 'budget']);
    await expect.poll(() => page.locator('tr[data-field=stage]').count()).toBe(0);
  });

  it('uses the new object at once: list, form and the inverse list on the company', async () => {
    const company = (await s.kizuna.call('POST', '/api/records/company', { name: '冨士工業' })).body.id;
    await page.goto(`${s.baseUrl}/o/project/new`);
    await page.locator('#f-title').fill('基幹刷新');
    await page.locator('#f-company').fill('冨士');
    await page.getByRole('option', { name: '冨士工業' }).click();
    await page.locator('#f-budget').fill('5000');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('基幹刷新');
    await page.goto(`${s.baseUrl}/o/company/${company}`);
    await expect.poll(() => page.locator('[data-related=projects] li').allTextContents()).toEqual([expect.stringContaining('基幹刷新')]);
  });

  it('adds a tags field: typed as comma-separated text, kept trimmed and once each, shown as chips', async () => {
    await page.goto(`${s.baseUrl}/designer/project`);
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.locator('#fe-name').fill('labels');
    await page.locator('#fe-type').selectOption('tags');
    expect(await page.locator('#fe-type option[value=tags]').textContent()).toBe('Tags');
    await page.locator('#fe-en').fill('Labels');
    await page.locator('#fe-ja').fill('ラベル');
    // Always GIN-indexed and never unique: the designer offers neither flag (only required, and hidden as for every field).
    expect(await page.locator('.dialog .flags label').allTextContents()).toEqual([
      expect.stringContaining('Required'),
      expect.stringContaining('Hidden from default layouts'),
    ]);
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-field=labels]').waitFor();
    expect((await s.kizuna.call('GET', '/api/meta/objects/project')).body.properties.labels['x-kizuna']).toMatchObject({ type: 'tags' });

    await page.goto(`${s.baseUrl}/o/project/new`);
    await page.locator('#f-title').fill('タグ付き');
    await page.locator('#f-labels').fill('東京, VIP ,東京、 ');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('タグ付き');
    const id = new URL(page.url()).pathname.split('/').pop();
    expect((await s.kizuna.call('GET', `/api/records/project/${id}`)).body.labels).toEqual(['東京', 'VIP']);
    await expect.poll(() => page.locator('[data-field=labels] .chip').allTextContents()).toEqual(['東京', 'VIP']);
  });

  it('raised no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
