// The studio under its Content-Security-Policy in chromium (issue 13): every page that loads
// runs with no policy violation — the list, a record, the object designer, the workflow
// designer (Vue Flow) and the API reference (Swagger UI) — and country fields show the
// country's name in the person's language, with a picker.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, signIn, startStudio, type Studio } from './harness.ts';

describe('studio under its Content-Security-Policy in chromium', () => {
  let s: Studio;
  let page: Page;
  let context: BrowserContext;
  let errors: string[];
  const violations: string[] = [];
  let contact: string;

  beforeAll(async () => {
    s = await startStudio();
    contact = (await s.kizuna.call('POST', '/api/records/contact', { last_name: '国田', first_name: '花子', country: 'Deutschland' })).body
      .id;
    ({ page, errors, context } = await s.newPage());
    // Chromium reports a blocked script, style or request both as an event and on the console.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    page.on('console', (m) => {
      if (/Content Security Policy|CSP violation/i.test(m.text())) violations.push(m.text());
    });
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  it('serves the studio with a policy that allows only its own scripts', async () => {
    const res = await page.goto(`${s.baseUrl}/o/contact`);
    const csp = (await res!.allHeaders())['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await page.locator('[data-testid=records] tbody tr[data-index]').first().waitFor();
    expect(violations).toEqual([]);
  });

  it("shows a country field as the country's name in English and Japanese, and offers a picker", async () => {
    await page.goto(`${s.baseUrl}/o/contact/${contact}`);
    await page.getByTestId('record-title').waitFor();
    await expect.poll(() => page.locator('[data-field=country]').textContent()).toContain('Germany');
    await page.goto(`${s.baseUrl}/o/contact`);
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByTestId('column-chooser').getByLabel('Country').check();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid=records] tbody').textContent()).toContain('Germany');
    await page.locator('.locale-switch').getByRole('button', { name: '日本語' }).click();
    await expect.poll(() => page.locator('[data-testid=records] tbody').textContent()).toContain('ドイツ');
    await page.locator('.locale-switch').getByRole('button', { name: 'English' }).click();
    // The create form (its client-side checks compile the schema with ajv) saves a picked country.
    await page.goto(`${s.baseUrl}/o/contact/new`);
    const picker = page.locator('#f-country');
    await picker.waitFor();
    expect(await picker.locator('option[value=JP]').textContent()).toBe('Japan (JP)');
    await page.locator('#f-last_name').fill('日本');
    await picker.selectOption('JP');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('日本');
    await expect.poll(() => page.locator('[data-field=country]').textContent()).toContain('Japan');
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('runs the object designer and the workflow designer (Vue Flow) without a violation', async () => {
    await page.goto(`${s.baseUrl}/designer/contact`);
    await page.locator('main').getByText('Country').first().waitFor();
    const wf = (
      await s.kizuna.call('POST', '/api/workflows', {
        name: 'CSP check',
        trigger: { type: 'manual' },
        start: 'wait',
        steps: [{ id: 'wait', type: 'wait', config: { minutes: 1 } }],
      })
    ).body.id;
    await page.goto(`${s.baseUrl}/workflows/${wf}`);
    await page.locator('.vue-flow__node[data-id="wait"]').waitFor();
    // Vue Flow positions nodes with inline transforms: they took effect.
    expect(await page.locator('.vue-flow__node[data-id="wait"]').getAttribute('style')).toMatch(/transform/);
    expect(violations).toEqual([]);
  });

  it('runs the API reference (Swagger UI) under the same policy', async () => {
    const res = await page.goto(`${s.baseUrl}/api/docs`);
    expect((await res!.allHeaders())['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.swagger-ui .opblock-tag').first().waitFor();
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("reports what the policy blocks (the watch above can fail): an inline style attribute and another origin's image", async () => {
    await page.evaluate(() =>
      document.body.insertAdjacentHTML('beforeend', '<div style="color: red"><img src="https://example.invalid/x.png" alt=""></div>'),
    );
    await expect.poll(() => violations.join('\n')).toMatch(/img-src/);
    expect(violations.join('\n')).toMatch(/style-src/);
  });
});
