// The workflow designer's drafts (issue 16, item 12) in chromium: a blank workflow is just its
// trigger; a draft with problems is saved and publishing it is refused with a message; an
// empty select value is a problem, listed once with the server's word merged in; fixed, it
// publishes, runs on a new case, and the runs list names the case by its display template —
// in English and in Japanese.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('workflow drafts in chromium', () => {
  let failed: string | undefined;
  beforeEach(({ skip, task, onTestFailed }) => {
    if (failed) skip(`continues from "${failed}", which failed`);
    onTestFailed(() => void (failed ??= task.name));
  });
  let s: Studio;
  let page: Page;
  let errors: string[];
  let workflowId: string;

  beforeAll(async () => {
    s = await startStudio();
    ({ page, errors } = await s.newPage());
    await page.setViewportSize({ width: 1600, height: 1000 });
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  const node = (id: string) => page.locator(`.vue-flow__node[data-id="${id}"]`);
  const problems = () => page.locator('[data-testid=wf-problems] li').allTextContents();
  const workflow = async () => (await s.kizuna.call('GET', `/api/workflows/${workflowId}`)).body;
  /** Waits for the server's validate answer to the draft as it is now. */
  const validated = () => page.waitForResponse((r) => r.url().endsWith('/api/workflows/validate'));
  const toast = (text: RegExp) =>
    expect.poll(() => page.getByTestId('toast').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(text)]));

  it('starts a blank workflow with only its trigger, and names the missing steps once', async () => {
    await page.goto(`${s.baseUrl}/workflows`);
    await page.getByTestId('wf-new').click();
    expect(await page.locator('#wf-new-template option:checked').textContent()).toBe('Blank (just a trigger)');
    await page.locator('#wf-new-name').fill('Tidy new cases');
    await page.locator('#wf-new-trigger').selectOption('record.created');
    await page.locator('#wf-new-object').selectOption('case');
    const answer = validated();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('wf-designer').waitFor();
    workflowId = new URL(page.url()).pathname.split('/').pop()!;
    await answer;
    await node('trigger').waitFor();
    expect(await page.locator('.vue-flow__node').count()).toBe(1);
    expect((await workflow()).draft.steps).toEqual([]);
    // The server also says "steps" and "start": one problem, not three.
    await expect.poll(problems).toEqual([expect.stringMatching(/The workflow has no steps/)]);
  });

  it('names an empty select value as a problem of the step, each problem once', async () => {
    await page.locator('[data-palette=update_record]').focus();
    await page.keyboard.press('Enter');
    await node('update_record').waitFor();
    const panel = page.getByTestId('wf-panel');
    await panel.getByLabel('Key').selectOption('status');
    const answer = validated();
    await panel.getByRole('button', { name: '+ Add value' }).click();
    await answer;
    await expect.poll(problems).toEqual([expect.stringMatching(/update_record\s*values\.status: choose a value/)]);
    const texts = await problems();
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('saves the draft with its problem and refuses to publish it, saying why', async () => {
    await page.getByTestId('wf-save').click();
    await toast(/Draft saved with 1 problem/);
    await expect.poll(async () => (await workflow()).draft.steps[0]?.config).toEqual({ values: { status: '' } });
    await page.getByTestId('wf-publish').click();
    await toast(/Fix the 1 problem\(s\) of the draft before publishing/);
    expect((await workflow()).active_version).toBeNull();
    await shot(page, 'workflow-draft-problems');
    // The server refuses it too, naming the value.
    const refused = await s.kizuna.call('POST', `/api/workflows/${workflowId}/publish`);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'steps.0.config.values.status' })]);
  });

  it('publishes once fixed, and the runs list names the case it ran on', async () => {
    const answer = validated();
    await page.getByTestId('wf-panel').locator('.wf-value-row[data-key=status] select').selectOption('in_progress');
    await answer;
    await expect.poll(problems).toEqual([]);
    await expect.poll(() => page.getByTestId('wf-problems').textContent()).toMatch(/No problems found/);
    await page.getByTestId('wf-publish').click();
    await expect.poll(async () => (await workflow()).active_version).toBe(1);
    await page.getByTestId('wf-toggle').click();
    await expect.poll(async () => (await workflow()).enabled).toBe(true);
    const made = await s.kizuna.call('POST', '/api/records/case', { subject: 'Printer on fire' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await expect
      .poll(async () => (await s.kizuna.call('GET', `/api/workflows/${workflowId}/runs`)).body.data.length, { timeout: 20_000 })
      .toBe(1);
    await page.getByTestId('wf-tab-runs').click();
    const record = page.getByTestId('wf-run-record');
    await expect.poll(() => record.textContent()).toBe(`${made.body.number} Printer on fire`);
    expect(await record.getAttribute('href')).toBe(`/o/case/${made.body.id}`);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'workflow-runs-named');
    expect(errors).toEqual([]);
  });

  it('says the same in Japanese', async () => {
    // The studio speaks the signed-in person's language.
    await s.kizuna.call('PATCH', '/api/auth/me', { locale: 'ja' });
    const ja = await s.newPage('ja-JP');
    await signIn(ja.page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    const draft = await s.kizuna.call('POST', '/api/workflows', {
      name: '下書き',
      trigger: { type: 'record.created', object: 'case' },
      start: 'u',
      steps: [{ id: 'u', type: 'update_record', config: { values: { status: '' } } }],
    });
    expect(draft.body.problems).toEqual([expect.objectContaining({ field: 'steps.0.config.values.status' })]);
    const p = ja.page;
    await p.goto(`${s.baseUrl}/workflows/${draft.body.id}`);
    await p.getByTestId('wf-designer').waitFor();
    await expect
      .poll(() => p.locator('[data-testid=wf-problems] li').allTextContents())
      .toEqual([expect.stringMatching(/values\.status: 値を選んでください/)]);
    await p.getByTestId('wf-publish').click();
    await expect
      .poll(() => p.getByTestId('toast').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringMatching(/公開する前に下書きの問題（1 件）を直してください/)]));
    await shot(p, 'workflow-draft-problems-ja');
    await p.goto(`${s.baseUrl}/workflows/${workflowId}?tab=runs`);
    await expect.poll(() => p.getByTestId('wf-run-record').textContent()).toMatch(/Printer on fire$/);
    expect(await p.locator('.wf-runs').textContent()).toContain('ケース');
    expect(await seriousViolations(p)).toEqual([]);
    await shot(p, 'workflow-runs-named-ja');
    expect(ja.errors).toEqual([]);
    await ja.context.close();
  });
});
