// Custom objects as first-class ones (issue 16 items 8 and 9b), in chromium: the API name is
// suggested from the label as the admin types (a placeholder for a Japanese-only label, a
// collision said before saving), plural label and description in en and ja, editable later;
// number fields get minimum, maximum and decimals, checked in the designer, by the form and by
// the server; currency fields show their currency's digits; the new object has its board.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('custom objects and number limits in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    s = await startStudio();
    ({ page, errors } = await s.newPage());
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  const value = (id: string) => page.locator(id).inputValue();

  it('suggests the API name from the label, a placeholder for a Japanese-only label, and says a taken name', async () => {
    await page.goto(`${s.baseUrl}/designer`);
    await page.getByRole('button', { name: '+ New object' }).click();
    await page.locator('#no-label_ja').fill('保守契約');
    await expect.poll(() => value('#no-name')).toBe('custom_object');
    await page.locator('#no-label_en').fill('Service Contract');
    await expect.poll(() => value('#no-name')).toBe('service_contract');
    expect(await value('#no-plural')).toBe('service_contracts');
    // A label whose name an object has: the suggestion steps past it.
    await page.locator('#no-label_en').fill('Company');
    await expect.poll(() => value('#no-name')).toBe('company_2');
    await page.locator('#no-label_en').fill('Service Contract');

    // Typed by hand: a taken name is said before saving, and nothing is sent.
    await page.locator('#no-name').fill('company');
    await expect.poll(() => page.locator('#no-name-error').textContent()).toContain('"company" already exists');
    await page.getByRole('button', { name: 'Create object' }).click();
    expect(new URL(page.url()).pathname).toBe('/designer');
    await page.locator('#no-name').fill('service_contract');
    await page.locator('#no-plural').fill('service_contracts');
    await page.locator('#no-plural_label_en').fill('Service Contracts');
    await page.locator('#no-plural_label_ja').fill('保守契約一覧');
    await page.locator('#no-description_en').fill('Paid maintenance agreements with a renewal date.');
    await page.locator('#no-description_ja').fill('更新日のある有償保守契約です。');
    await page.locator('#no-icon').selectOption('lifebuoy');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'designer-new-object');
    await page.getByRole('button', { name: 'Create object' }).click();
    await page.waitForURL(/\/designer\/service_contract$/);
    await expect.poll(() => page.getByTestId('object-description').textContent()).toContain('Paid maintenance');
    const def = (await s.kizuna.call('GET', '/api/meta/objects/service_contract')).body['x-kizuna'];
    expect(def).toMatchObject({
      plural: 'service_contracts',
      icon: 'lifebuoy',
      plural_label: { en: 'Service Contracts', ja: '保守契約一覧' },
      description: { en: 'Paid maintenance agreements with a renewal date.', ja: '更新日のある有償保守契約です。' },
    });
  });

  it('edits the labels and description afterwards', async () => {
    await page.getByRole('button', { name: 'Labels and icon' }).click();
    await page.locator('#os-description_en').fill('Paid maintenance agreements.');
    await page.getByTestId('object-settings').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('object-description').textContent()).toContain('Paid maintenance agreements.');
    expect((await s.kizuna.call('GET', '/api/meta/objects/service_contract')).body['x-kizuna'].description.en).toBe(
      'Paid maintenance agreements.',
    );
  });

  it('names records by a template of fields, and clears the plural label and description', async () => {
    await page.getByRole('button', { name: 'Labels and icon' }).click();
    await page.locator('#os-display_en').fill('{name} ({nope})');
    await page.locator('#os-display_ja').fill('{name}');
    await page.getByTestId('object-settings').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#os-display_en-error').textContent()).toBe('there is no field “nope”');
    await page.locator('#os-display_en').fill('{name} contract');
    await page.locator('#os-display_ja').fill('{name} の契約');
    await page.getByTestId('object-settings').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('object-settings').waitFor({ state: 'detached' });
    const meta = async () => (await s.kizuna.call('GET', '/api/meta/objects/service_contract')).body['x-kizuna'];
    expect((await meta()).display).toEqual({ en: '{name} contract', ja: '{name} の契約' });

    await page.getByRole('button', { name: 'Labels and icon' }).click();
    for (const id of [
      '#os-plural_label_en',
      '#os-plural_label_ja',
      '#os-description_en',
      '#os-description_ja',
      '#os-display_en',
      '#os-display_ja',
    ])
      await page.locator(id).fill('');
    await page.getByTestId('object-settings').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('object-settings').waitFor({ state: 'detached' });
    const cleared = await meta();
    expect(cleared.plural_label).toEqual(cleared.label);
    expect(cleared.description).toBeUndefined();
    expect(cleared.display).toBeUndefined();
    // Back as the tests below expect them.
    await page.getByRole('button', { name: 'Labels and icon' }).click();
    await page.locator('#os-plural_label_en').fill('Service Contracts');
    await page.locator('#os-plural_label_ja').fill('保守契約一覧');
    await page.locator('#os-description_en').fill('Paid maintenance agreements.');
    await page.locator('#os-description_ja').fill('更新日のある有償保守契約です。');
    await page.getByTestId('object-settings').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('object-settings').waitFor({ state: 'detached' });
  });

  it('sets minimum, maximum and decimals on a number field, checked before saving', async () => {
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.locator('#fe-name').fill('discount');
    await page.locator('#fe-type').selectOption('number');
    await page.locator('#fe-en').fill('Discount %');
    await page.locator('#fe-ja').fill('割引率');
    await page.locator('#fe-minimum').fill('60');
    await page.locator('#fe-maximum').fill('50');
    await page.locator('#fe-decimals').fill('1');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#fe-minimum-error').textContent()).toContain('must not be greater than the maximum');
    await shot(page, 'designer-number-limits');
    await page.locator('#fe-minimum').fill('0');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-field=discount]').waitFor();
    const field = (await s.kizuna.call('GET', '/api/meta/objects/service_contract')).body.properties.discount['x-kizuna'];
    expect(field).toMatchObject({ minimum: 0, maximum: 50, decimals: 1 });

    // A currency field says its currency's digits rule.
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.locator('#fe-type').selectOption('currency');
    await page.locator('#fe-currency').fill('USD');
    await expect.poll(() => page.getByTestId('currency-digits').textContent()).toContain('USD amounts have 2 decimal places');
    await page.locator('#fe-currency').fill('JPY');
    await expect.poll(() => page.getByTestId('currency-digits').textContent()).toContain('JPY amounts have 0 decimal places');
    await page.locator('.dialog').getByRole('button', { name: 'Cancel' }).click();

    // A select field, for the board.
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.locator('#fe-name').fill('stage');
    await page.locator('#fe-type').selectOption('select');
    await page.locator('#fe-en').fill('Stage');
    await page.locator('#fe-ja').fill('段階');
    for (const [v, en, ja] of [
      ['active', 'Active', '有効'],
      ['expired', 'Expired', '失効'],
    ]) {
      await page.getByRole('button', { name: '+ Add option' }).click();
      const row = page.locator('.option-row').last();
      await row.getByPlaceholder('Value').fill(v);
      await row.getByPlaceholder('Label (English)').fill(en);
      await row.getByPlaceholder('Label (Japanese)').fill(ja);
    }
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-field=stage]').waitFor();
  });

  it('the form and the server keep the limits, naming the field', async () => {
    await page.goto(`${s.baseUrl}/o/service_contract/new`);
    await page.locator('#f-name').fill('Acme 保守');
    await page.locator('#f-discount').fill('60');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => page.locator('#f-discount-error').textContent()).toBe('must be at most 50');
    await page.locator('#f-discount').fill('12.25');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => page.locator('#f-discount-error').textContent()).toBe('at most 1 digits after the decimal point');
    await shot(page, 'form-number-limits');
    await page.locator('#f-discount').fill('12.5');
    await page.locator('#f-stage').selectOption('active');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/\/o\/service_contract\/[0-9a-f-]{36}$/);
    const bad = await s.kizuna.call('POST', '/api/records/service_contract', { name: 'x', discount: 1.25 });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'discount', keyword: 'decimals' });
  });

  it('adds a formula field: a refusal names the token, the picker inserts field names, records show the value', async () => {
    await page.goto(`${s.baseUrl}/designer/service_contract`);
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.locator('#fe-name').fill('discount_twice');
    await page.locator('#fe-type').selectOption('formula');
    await page.locator('#fe-en').fill('Double discount');
    await page.locator('#fe-ja').fill('割引率の2倍');
    // Neither required nor unique: the platform computes it.
    expect(await page.getByRole('checkbox', { name: 'Required' }).count()).toBe(0);
    await page.locator('#fe-formula').fill('nope * 2');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#fe-formula-error').textContent()).toBe('there is no field “nope”');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'designer-formula');
    await page.locator('#fe-formula').fill('');
    expect(await page.locator('#fe-formula-error').count()).toBe(0);
    await page.locator('#fe-formula-insert').selectOption('discount');
    await page.locator('#fe-formula').press('End');
    await page.locator('#fe-formula').pressSequentially(' * 2');
    expect(await page.locator('#fe-formula').inputValue()).toBe('discount * 2');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-field=discount_twice]').waitFor();
    const field = (await s.kizuna.call('GET', '/api/meta/objects/service_contract')).body.properties.discount_twice['x-kizuna'];
    expect(field).toMatchObject({ type: 'formula', formula: 'discount * 2', result_type: 'number' });
    const list = await s.kizuna.call(
      'GET',
      `/api/records/service_contract?filter=${encodeURIComponent(JSON.stringify({ name: 'Acme 保守' }))}`,
    );
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.data[0].discount_twice).toBe(25);
    // Opened again, the editor says what the formula gives.
    await page.locator('tr[data-field=discount_twice]').getByRole('button', { name: 'Edit' }).click();
    await expect.poll(() => page.getByTestId('formula-result').textContent()).toBe('Result: Number');
    await page.locator('.dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('lists the new object under its plural label and opens its board', async () => {
    await page.goto(`${s.baseUrl}/o/service_contract`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Service Contracts');
    await page.getByTestId('board-link').click();
    await page.waitForURL(/\/o\/service_contract\/board$/);
    await expect.poll(() => page.locator('.board-column[data-column=active] [data-role=count]').textContent()).toBe('1');
    expect(errors).toEqual([]);
  });

  it('in Japanese: the labels, the suggestion for a Japanese-only label, and the limits', async () => {
    const ja = await s.newPage('ja-JP');
    await signIn(ja.page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await ja.page.locator('.locale-switch [data-locale=ja]').first().click();
    await ja.page.goto(`${s.baseUrl}/o/service_contract`);
    await expect.poll(() => ja.page.locator('h1').textContent()).toBe('保守契約一覧');
    await ja.page.goto(`${s.baseUrl}/o/service_contract/new`);
    await ja.page.locator('#f-name').fill('日本の保守');
    await ja.page.locator('#f-discount').fill('7.75');
    await ja.page.getByRole('button', { name: '作成', exact: true }).click();
    await expect.poll(() => ja.page.locator('#f-discount-error').textContent()).toBe('小数点以下は 1 桁までです');
    await ja.page.goto(`${s.baseUrl}/designer`);
    await expect.poll(() => ja.page.locator('.object-card[data-object=service_contract]').textContent()).toContain('有償保守契約');
    await ja.page.getByRole('button', { name: '+ 新しいオブジェクト' }).click();
    await ja.page.locator('#no-label_ja').fill('保守契約');
    await expect.poll(() => ja.page.locator('#no-name').inputValue()).toBe('custom_object');
    await ja.page.locator('#no-name').fill('service_contract');
    await expect.poll(() => ja.page.locator('#no-name-error').textContent()).toContain('既にあります');
    expect(await seriousViolations(ja.page)).toEqual([]);
    await shot(ja.page, 'designer-new-object-ja');
    await ja.page.getByRole('button', { name: 'キャンセル' }).click();
    // A refusal only the server knows, in Japanese: "__" is kept for derived columns.
    await ja.page.goto(`${s.baseUrl}/designer/service_contract`);
    await ja.page.getByRole('button', { name: '+ 項目を追加' }).click();
    await ja.page.locator('#fe-name').fill('renewal__date');
    await ja.page.locator('#fe-en').fill('Renewal');
    await ja.page.locator('#fe-ja').fill('更新日');
    await ja.page.locator('.dialog').getByRole('button', { name: '保存' }).click();
    await expect.poll(() => ja.page.locator('#fe-name-error').textContent()).toBe('「__」は使えません（派生列のために予約されています）');
    await shot(ja.page, 'designer-field-refusal-ja');
    await ja.page.locator('.dialog').getByRole('button', { name: 'キャンセル' }).click();
    await ja.page.goto(`${s.baseUrl}/designer`);
    await ja.page.locator('.locale-switch [data-locale=en]').first().click();
    await expect.poll(() => ja.page.locator('h1').textContent()).toBe('Object designer');
    expect(ja.errors).toEqual([]);
    await ja.context.close();
  });
});
