// The workflow designer in chromium against a real server: the issue's urgent-case example
// built on the canvas (trigger with a condition, round-robin assign, a wait, a condition,
// escalation), published and enabled; a matching case created through the API runs it, and
// the run viewer and the case show what happened. Also version history and "Run workflow"
// (for admins, and for a viewer on a record and on a list selection).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

// One scenario in steps: each test continues from the workflow (workflowId) and the page the
// ones before left, so after a failure the rest are skipped, naming it, rather than failing
// for its reason.
describe('workflow designer in chromium', () => {
  let failed: string | undefined;
  beforeEach(({ skip, task, onTestFailed }) => {
    if (failed) skip(`continues from "${failed}", which failed`);
    onTestFailed(() => void (failed ??= task.name));
  });
  let s: Studio;
  let page: Page;
  let errors: string[];
  let workflowId: string;
  const support: string[] = [];
  let lead: string;

  beforeAll(async () => {
    s = await startStudio();
    const team = async (name: string) => (await s.kizuna.call('POST', '/api/teams', { name })).body.id as string;
    const [supportTeam, leadTeam] = [await team('support'), await team('support-leads')];
    for (const [name, teams] of [
      ['aiko', [supportTeam]],
      ['ben', [supportTeam]],
      ['lena', [leadTeam]],
    ] as const) {
      const u = await s.kizuna.call('POST', '/api/users', { email: `${name}@example.jp`, name, roles: ['support_agent'], teams });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      if (name === 'lena') lead = u.body.id;
      else support.push(u.body.id);
    }
    ({ page, errors } = await s.newPage());
    // A designer wants room: palette, canvas and side panel side by side.
    await page.setViewportSize({ width: 1600, height: 1000 });
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  const noToasts = () => expect.poll(() => page.getByTestId('toast').count(), { timeout: 15_000 }).toBe(0);
  const node = (id: string) => page.locator(`.vue-flow__node[data-id="${id}"]`);
  const draft = async () => (await s.kizuna.call('GET', `/api/workflows/${workflowId}`)).body.draft;

  /** Drags from a node's outgoing handle to another node's incoming handle. */
  async function connect(from: string, handle: string, to: string): Promise<void> {
    const a = await node(from).locator(`.vue-flow__handle.source[data-handleid="${handle}"]`).boundingBox();
    const b = await node(to).locator('.vue-flow__handle.target').boundingBox();
    if (!a || !b) throw new Error(`no handles between ${from} and ${to}`);
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
    await page.mouse.up();
  }

  it('creates a workflow from the list', async () => {
    await page.locator('.sidebar').getByRole('link', { name: 'Workflows' }).click();
    await page.getByTestId('wf-new').click();
    await page.locator('#wf-new-name').fill('Urgent cases');
    await page.locator('#wf-new-trigger').selectOption('record.created');
    await page.locator('#wf-new-object').selectOption('case');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('wf-designer').waitFor();
    workflowId = new URL(page.url()).pathname.split('/').pop()!;
    await node('trigger').waitFor();
    expect((await draft()).trigger).toMatchObject({ type: 'record.created', object: 'case' });
    // A blank workflow is just its trigger; the first step comes from the palette.
    expect(await page.locator('.vue-flow__node').count()).toBe(1);
    await page.locator('[data-palette=wait]').focus();
    await page.keyboard.press('Enter');
    await node('wait').waitFor();
  });

  it('sets the trigger condition with the filter builder', async () => {
    await node('trigger').click();
    const panel = page.getByTestId('wf-panel');
    await panel.getByRole('button', { name: '+ Add condition' }).click();
    await panel.locator('[data-role=field]').selectOption('priority');
    await panel.locator('[data-role=op]').selectOption('eq');
    await panel.locator('#filter-value-0').selectOption('urgent');
    await panel.getByRole('button', { name: 'Apply' }).click();
    // The condition is in the (unsaved) definition: its JSON view shows what the builder wrote.
    await panel.getByRole('button', { name: 'JSON', exact: true }).click();
    await expect
      .poll(async () => JSON.parse(await page.locator('#wf-trigger-condition-json').inputValue()))
      .toEqual({ priority: { eq: 'urgent' } });
    await panel.getByRole('button', { name: 'Field', exact: true }).click();
    // And the builder, drawn again from the definition, shows it as one row.
    expect(await panel.locator('[data-role=field]').inputValue()).toBe('priority');
    expect(await panel.locator('[data-role=op]').inputValue()).toBe('eq');
  });

  it('drags an assign step onto the canvas and wires it between trigger and wait', async () => {
    const canvas = await page.locator('.wf-canvas').boundingBox();
    await page.locator('[data-palette=assign]').dragTo(page.locator('.wf-canvas'), { targetPosition: { x: canvas!.width - 220, y: 90 } });
    await node('assign').waitFor();
    await page.locator('#wf-cfg-assign-team').fill('support');
    await page.locator('#wf-cfg-assign-field').fill('assignee');
    await page.locator('#wf-step-title').fill('Assign to support');
    await connect('trigger', 'start', 'assign');
    await connect('assign', 'next', 'wait');
    await expect.poll(() => page.locator('.vue-flow__edge').count()).toBe(2);
  });

  it('configures the wait, then adds the condition and the escalation from the palette by keyboard', async () => {
    await node('wait').click();
    await page.locator('#wf-cfg-wait-minutes').fill('');
    await page.locator('#wf-cfg-wait-seconds').fill('1');
    await page.locator('#wf-step-title').fill('Give support time');
    // With the wait selected, Enter on a palette entry adds the step after it.
    await page.locator('[data-palette=condition]').focus();
    await page.keyboard.press('Enter');
    await node('condition').waitFor();
    await page.locator('#wf-step-id').fill('unresolved');
    await page.locator('#wf-step-id').press('Enter');
    await node('unresolved').waitFor();
    await page.locator('#wf-step-title').fill('Still not resolved?');
    const panel = page.getByTestId('wf-panel');
    await panel.getByRole('button', { name: '+ Add condition' }).click();
    await panel.locator('[data-role=field]').selectOption('status');
    await panel.locator('[data-role=op]').selectOption('nin');
    await panel.getByRole('button', { name: 'Resolved' }).click();
    await panel.getByRole('button', { name: 'Closed' }).click();
    await panel.getByRole('button', { name: 'Apply' }).click();
    // An open "true" branch is a warning on the node until the escalation is connected.
    await expect.poll(() => page.getByTestId('wf-problems').textContent()).toMatch(/"true" branch leads nowhere/);

    await page.locator('[data-palette=assign]').focus();
    await page.keyboard.press('Enter');
    await node('assign_2').waitFor();
    await page.locator('#wf-step-title').fill('Escalate to a lead');
    await page.locator('#wf-cfg-assign_2-team').fill('{{vars.lead_team}}');
    // The value picker offers the outputs of the steps before this one.
    await page.getByTestId('wf-panel').locator('[data-setting=field] .wf-pick').click();
    await expect.poll(() => page.locator('.wf-path[data-path="steps.assign.user_id"]').count()).toBe(1);
    await page.locator('.wf-paths input').press('Escape');
    await page.locator('#wf-cfg-assign_2-field').fill('assignee');
  });

  it('shows problems live: a missing variable setting and an unreachable step', async () => {
    // Without the variable the template still renders, but a stray step is unreachable.
    await page.locator('[data-palette=update_record]').dragTo(page.locator('.wf-canvas'), { targetPosition: { x: 120, y: 120 } });
    await node('update_record').waitFor();
    await expect
      .poll(() => page.locator('[data-testid=wf-problems] li[data-problem-node=update_record]').allTextContents())
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/Unreachable/),
          expect.stringMatching(/values: needs at least one value|values: is required/),
        ]),
      );
    await expect.poll(() => node('update_record').locator('.wf-node-flag.error').count()).toBe(1);
    expect(await page.getByTestId('wf-publish').getAttribute('aria-describedby')).toBe('wf-problems-heading');
    await shot(page, 'workflow-designer-problems');
    await node('update_record').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => node('update_record').count()).toBe(0);

    // Edges go by keyboard too: focus one, select it with Enter, and Delete removes that branch only.
    await connect('unresolved', 'false', 'wait');
    const edge = page.locator('.vue-flow__edge[data-id="unresolved:false"]');
    await expect.poll(() => edge.count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid=wf-problems] li[data-problem-node=unresolved]').count()).toBe(0);
    await edge.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Delete');
    await expect.poll(() => edge.count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid=wf-problems] li[data-problem-node=unresolved]').count()).toBe(1);

    // Undo brings a deleted step back, with its edges; undo again removes it.
    await node('wait').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => node('wait').count()).toBe(0);
    await page.getByTestId('wf-undo').click();
    await node('wait').waitFor();
    await expect.poll(() => page.locator('.vue-flow__edge[data-id="assign:next"]').count()).toBe(1);

    await page.locator('.vue-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.locator('#wf-variables').getByLabel('Key').fill('lead_team');
    await page.locator('#wf-variables').getByRole('button', { name: '+ Add value' }).click();
    await page.locator('#wf-variables-0').fill('support-leads');
    await expect.poll(async () => await page.locator('[data-testid=wf-problems] li.error').count()).toBe(0);
  });

  it('test-runs the unsaved draft against a chosen case: each step result on the canvas, nothing committed', async () => {
    const printer = (await s.kizuna.call('POST', '/api/records/case', { subject: 'Printer on fire', priority: 'urgent', status: 'open' }))
      .body.id;
    await page.getByRole('button', { name: 'Fit to view' }).click();
    await page.locator('#wf-test-record').fill('Printer');
    await page.getByRole('option', { name: /Printer on fire/ }).click();
    await page.getByTestId('wf-run-test').click();
    const status = (id: string) => node(id).locator('.wf-node-status').getAttribute('data-status');
    await expect.poll(() => status('assign')).toBe('succeeded');
    expect(await status('wait')).toBe('skipped');
    expect(await status('unresolved')).toBe('succeeded');
    expect(await status('assign_2')).toBe('succeeded');
    await node('assign').click();
    const out = JSON.parse((await page.getByTestId('wf-node-results').locator('[data-testid=wf-output]').textContent())!);
    expect(support).toContain(out.user_id);
    await noToasts();
    await shot(page, 'workflow-test-run');
    expect((await s.kizuna.call('GET', `/api/records/case/${printer}`)).body.assignee ?? null).toBeNull();
    expect((await s.kizuna.call('GET', `/api/workflows/${workflowId}/runs`)).body.data).toEqual([]);
    await page.getByRole('button', { name: 'Clear result' }).click();
  });

  it('saves, publishes and enables the workflow', async () => {
    await page.getByTestId('wf-save').click();
    await page.getByText('Draft saved').waitFor();
    const d = await draft();
    expect(d).toMatchObject({
      trigger: { type: 'record.created', object: 'case', condition: { priority: { eq: 'urgent' } } },
      start: 'assign',
      variables: { lead_team: 'support-leads' },
    });
    const byId = Object.fromEntries(d.steps.map((x: { id: string }) => [x.id, x]));
    expect(byId.assign).toMatchObject({ type: 'assign', config: { team: 'support', field: 'assignee' }, next: 'wait' });
    expect(byId.wait).toMatchObject({ type: 'wait', config: { seconds: 1 }, next: 'unresolved' });
    expect(byId.unresolved).toMatchObject({
      type: 'condition',
      config: { filter: { status: { nin: ['resolved', 'closed'] } } },
      branches: { true: 'assign_2' },
    });
    expect(byId.assign_2).toMatchObject({
      type: 'assign',
      title: 'Escalate to a lead',
      config: { team: '{{vars.lead_team}}', field: 'assignee' },
    });
    // Positions are kept in the definition.
    expect(byId.assign.ui).toEqual({ x: expect.any(Number), y: expect.any(Number) });
    await page.getByRole('button', { name: 'Auto layout' }).click();
    await node('assign_2').click();
    await noToasts();
    await shot(page, 'workflow-designer');

    await page.getByTestId('wf-publish').click();
    await page.getByText('Published version 1').waitFor();
    await page.getByTestId('wf-toggle').click();
    await page.getByText('Workflow enabled').waitFor();
    const w = (await s.kizuna.call('GET', `/api/workflows/${workflowId}`)).body;
    expect(w).toMatchObject({ enabled: true, active_version: 1 });
  });

  it('runs on a matching case: the run viewer shows the path and each step, the case has its assignee', async () => {
    const other = (await s.kizuna.call('POST', '/api/records/case', { subject: 'Low priority question', priority: 'low', status: 'open' }))
      .body.id;
    const urgent = (await s.kizuna.call('POST', '/api/records/case', { subject: 'Production is down', priority: 'urgent', status: 'open' }))
      .body.id;
    const runs = async () => (await s.kizuna.call('GET', `/api/workflows/${workflowId}/runs`)).body.data;
    await expect
      .poll(async () => (await runs()).map((r: { status: string }) => r.status), { timeout: 30_000, interval: 300 })
      .toEqual(['succeeded']);
    const [run] = await runs();
    expect(run.record_id).toBe(urgent);
    expect(run.record_id).not.toBe(other);

    await page.getByTestId('wf-tab-runs').click();
    await page.locator(`[data-run="${run.id}"]`).click();
    await page.getByTestId('wf-run').waitFor();
    await expect.poll(() => page.getByTestId('wf-run-status').textContent()).toBe('Succeeded');
    expect(await page.getByTestId('wf-run-path').textContent()).toBe('assign → wait → unresolved → assign_2');
    for (const id of ['assign', 'wait', 'unresolved', 'assign_2'])
      await expect.poll(() => node(id).locator('.wf-node-status').getAttribute('data-status')).toBe('succeeded');
    await page.locator('.wf-run-steps [data-step=assign]').click();
    const first = JSON.parse((await page.getByTestId('wf-node-results').locator('[data-testid=wf-output]').first().textContent())!);
    expect(support).toContain(first.user_id);
    await page.locator('.wf-run-steps [data-step=assign_2]').click();
    const input = await page.getByTestId('wf-node-results').locator('pre').first().textContent();
    expect(JSON.parse(input!)).toEqual({ team: 'support-leads', field: 'assignee' });
    await noToasts();
    await shot(page, 'workflow-run');

    const c = (await s.kizuna.call('GET', `/api/records/case/${urgent}`)).body;
    expect(c.assignee).toBe(lead);
    await page.getByTestId('wf-run-record').click();
    await expect.poll(() => page.getByTestId('record-title').textContent()).toMatch(/^CASE-\d+ Production is down$/);
    expect((await s.kizuna.call('GET', `/api/records/case/${other}`)).body.assignee ?? null).toBeNull();
  });

  it('views an old version read-only and restores it into the draft', async () => {
    await page.goto(`${s.baseUrl}/workflows/${workflowId}`);
    await page.getByTestId('wf-name').fill('Urgent cases (edited)');
    await page.getByTestId('wf-save').click();
    await page.getByText('Draft saved').waitFor();
    await page.getByTestId('wf-unpublished').waitFor();
    await page.getByTestId('wf-tab-versions').click();
    await page.locator('[data-version="1"]').getByRole('button', { name: 'View' }).click();
    await page.getByTestId('wf-readonly').waitFor();
    expect(await page.locator('.wf-name-static').textContent()).toBe('Urgent cases');
    await node('assign_2').waitFor();
    await page.getByTestId('wf-readonly').getByRole('button', { name: 'Restore into draft' }).click();
    await page.getByText('Version 1 restored into the draft').waitFor();
    expect((await draft()).name).toBe('Urgent cases');
  });

  it('runs a manual workflow from the record page with its input form; a failed run is retried from the failed step', async () => {
    // A team that exists (an unknown one is refused at save) but has no members yet.
    const nightShift = (await s.kizuna.call('POST', '/api/teams', { name: 'night-shift' })).body.id as string;
    const manual = (
      await s.kizuna.call('POST', '/api/workflows', {
        name: 'Hand over to the night shift',
        trigger: {
          type: 'manual',
          object: 'case',
          input_schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string', title: 'Reason' } } },
        },
        start: 'note',
        steps: [
          {
            id: 'note',
            type: 'update_record',
            title: 'Note the reason',
            config: { values: { resolution: 'Night shift: {{input.reason}}' } },
            next: 'night',
          },
          { id: 'night', type: 'assign', title: 'Assign to the night shift', config: { team: 'night-shift' }, retries: 0 },
        ],
      })
    ).body.id;
    expect((await s.kizuna.call('POST', `/api/workflows/${manual}/publish`)).status).toBe(200);
    expect((await s.kizuna.call('POST', `/api/workflows/${manual}/enable`)).status).toBe(200);
    const id = (await s.kizuna.call('POST', '/api/records/case', { subject: 'Server room too warm', priority: 'low', status: 'open' })).body
      .id;
    await page.goto(`${s.baseUrl}/o/case/${id}`);
    await page.getByTestId('wf-run-action').click();
    // Only manual workflows of this object are offered, not the record-created one.
    expect(await page.locator('.wf-run-menu button').allTextContents()).toEqual(['Hand over to the night shift']);
    await page.getByRole('button', { name: 'Hand over to the night shift' }).click();
    await page.locator('#wf-run-input-reason').fill('on call');
    await page.locator('.wf-run-input').getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('wf-run').waitFor();
    // The team has no members yet: the assign step fails, and the run with it.
    await expect.poll(() => page.getByTestId('wf-run-status').textContent(), { timeout: 30_000 }).toBe('Failed');
    await expect.poll(() => page.getByTestId('wf-run-error').textContent()).toMatch(/night-shift/);
    expect(await node('night').locator('.wf-node-status').getAttribute('data-status')).toBe('failed');
    expect(await page.getByTestId('wf-node-results').locator('.field-error').textContent()).toMatch(/no active members/);
    expect((await s.kizuna.call('GET', `/api/records/case/${id}`)).body.resolution).toBe('Night shift: on call');
    await noToasts();
    await shot(page, 'workflow-run-failed');

    const aiko = support[0];
    expect((await s.kizuna.call('PATCH', `/api/teams/${nightShift}`, { members: [aiko] })).status).toBe(200);
    // An earlier step selected on the canvas offers a retry from it.
    await node('note').click();
    expect(await page.getByTestId('wf-retry-from').textContent()).toContain('Retry from “note”');
    await node('night').click();
    expect(await page.getByTestId('wf-retry-from').count()).toBe(0);
    await page.getByTestId('wf-retry').click();
    await expect.poll(() => page.getByTestId('wf-run-status').textContent(), { timeout: 30_000 }).toBe('Succeeded');
    // Retried from the failed step: the note is not written twice; the failed attempt stays visible.
    expect(await page.locator('.wf-run-steps li').allTextContents()).toEqual([
      expect.stringMatching(/Succeeded\s*note/),
      expect.stringMatching(/Failed\s*night/),
      expect.stringMatching(/Succeeded\s*night/),
    ]);
    expect((await s.kizuna.call('GET', `/api/records/case/${id}`)).body.assignee).toBe(aiko);
  });

  it('lists the workflows with their trigger, state and last run, and switches them off and on', async () => {
    await page.locator('.sidebar').getByRole('link', { name: 'Workflows' }).click();
    const row = page.locator(`tr[data-workflow="${workflowId}"]`);
    await expect.poll(() => row.textContent()).toMatch(/Urgent cases.*Record created.*Case.*v1.*Succeeded/);
    const toggle = row.getByRole('switch');
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await noToasts();
    await shot(page, 'workflows');
    await toggle.click();
    await expect.poll(async () => (await s.kizuna.call('GET', `/api/workflows/${workflowId}`)).body.enabled).toBe(false);
    await toggle.click();
    await expect.poll(async () => (await s.kizuna.call('GET', `/api/workflows/${workflowId}`)).body.enabled).toBe(true);
  });

  it('shows the designer in Japanese', async () => {
    await page.locator('.locale-switch').getByRole('button', { name: '日本語' }).click();
    await page.goto(`${s.baseUrl}/workflows/${workflowId}`);
    await page.getByRole('tab', { name: 'デザイナー' }).waitFor();
    await node('unresolved').click();
    await expect.poll(() => page.getByTestId('wf-panel').textContent()).toMatch(/条件分岐/);
    await noToasts();
    await shot(page, 'workflow-designer-ja');
    await page.locator('.locale-switch').getByRole('button', { name: 'English' }).click();
  });

  it("generates a settings form for every palette entry, re-routes an edge by dragging its end, and shows the server's verdict (a bad cron)", async () => {
    const scratch = (
      await s.kizuna.call('POST', '/api/workflows', {
        name: 'Scratch',
        trigger: { type: 'manual' },
        start: 'wait',
        steps: [{ id: 'wait', type: 'wait', config: { minutes: 1 } }],
      })
    ).body.id;
    await page.goto(`${s.baseUrl}/workflows/${scratch}`);
    await node('wait').waitFor();
    // Checks only the server knows (a cron that does not parse) arrive from its validate endpoint.
    await page.locator('[data-palette="trigger:schedule"]').click();
    await expect.poll(() => page.locator('#wf-trigger-type').inputValue()).toBe('schedule');
    await page.locator('#wf-trigger-cron').fill('61 * * * *');
    await expect
      .poll(() => page.locator('[data-testid=wf-problems] li[data-problem-node=trigger]').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringMatching(/cron.*Server/)]));
    const catalog = (await s.kizuna.call('GET', '/api/workflows/catalog')).body;
    await page.locator('[data-palette=find_records]').click();
    await node('find_records').waitFor();
    // Dragging an edge's end to another step re-routes that exit.
    await page.getByRole('button', { name: 'Auto layout' }).click();
    await page.waitForTimeout(400); // the view fits itself to the new layout
    const start = page.locator('.vue-flow__edge[data-id="trigger:start"]');
    await start.hover();
    const end = await start.locator('.vue-flow__edgeupdater-target').boundingBox();
    const target = await node('find_records').locator('.vue-flow__handle.target').boundingBox();
    await page.mouse.move(end!.x + end!.width / 2, end!.y + end!.height / 2);
    await page.mouse.down();
    await page.mouse.move(target!.x + 20, target!.y - 20, { steps: 5 });
    await page.mouse.move(target!.x + target!.width / 2, target!.y + target!.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => start.getAttribute('aria-label')).toBe('Edge from trigger to find_records');
    for (const entry of catalog.steps as { type: string; action?: string; label: { en: string } }[]) {
      await page.locator('.vue-flow__pane').click({ position: { x: 10, y: 10 } });
      await page.locator(`[data-palette="${entry.action ? `action:${entry.action}` : entry.type}"]`).click();
      await expect.poll(() => page.getByTestId('wf-panel').locator('.wf-panel-head').textContent()).toContain(entry.label.en);
      expect(await page.getByTestId('wf-panel').locator('.wf-form').count()).toBeGreaterThan(0);
    }
    await noToasts();
    await shot(page, 'workflow-palette-forms');
  });

  it('creates a draft from the shipped urgent-case template', async () => {
    // By address: the designer before has unsaved edits, which a sidebar link would ask about.
    await page.goto(`${s.baseUrl}/workflows`);
    await page.getByTestId('wf-new').click();
    await page.locator('#wf-new-template').selectOption('urgent-case');
    await page.getByTestId('wf-template-description').waitFor();
    expect(await page.locator('#wf-new-name').inputValue()).toMatch(/^Urgent cases: assign round-robin/);
    expect(await page.locator('#wf-new-trigger').count()).toBe(0);
    await page.locator('#wf-new-name').fill('Urgent cases (from the template)');
    await shot(page, 'workflow-new-from-template');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('wf-designer').waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const template = (await s.kizuna.call('GET', '/api/workflows/templates')).body.data.find(
      (x: { key: string }) => x.key === 'urgent-case',
    ).definition;
    await node(template.start).waitFor();
    const made = (await s.kizuna.call('GET', `/api/workflows/${id}`)).body;
    expect(made).toMatchObject({ name: 'Urgent cases (from the template)', enabled: false, active_version: null });
    expect(made.draft.steps.map((x: { id: string }) => x.id)).toEqual(template.steps.map((x: { id: string }) => x.id));
  });

  it('lets someone who is not an admin run a manual workflow on a record and on a list selection', async () => {
    const mark = (
      await s.kizuna.call('POST', '/api/workflows', {
        name: 'Mark in progress',
        description: 'Someone is on it',
        trigger: { type: 'manual', object: 'case' },
        start: 'mark',
        steps: [{ id: 'mark', type: 'update_record', config: { values: { status: 'in_progress' } } }],
      })
    ).body.id;
    expect((await s.kizuna.call('POST', `/api/workflows/${mark}/publish`)).status).toBe(200);
    expect((await s.kizuna.call('POST', `/api/workflows/${mark}/enable`)).status).toBe(200);
    // A viewer: reads every case, changes none — the run acts as the workflow's own user.
    const vera = (await s.kizuna.call('POST', '/api/users', { email: 'vera@example.jp', name: 'vera', roles: ['viewer'] })).body.id;
    expect((await s.kizuna.call('PATCH', `/api/users/${vera}`, { password: ADMIN_PASSWORD })).status).toBe(200);
    const ids: string[] = [];
    for (const subject of ['Printer jam A', 'Printer jam B', 'Printer jam C'])
      ids.push((await s.kizuna.call('POST', '/api/records/case', { subject, status: 'open' })).body.id);
    const status = async (id: string) => (await s.kizuna.call('GET', `/api/records/case/${id}`)).body.status;

    const other = await s.newPage();
    try {
      await signIn(other.page, s.baseUrl, 'vera@example.jp', ADMIN_PASSWORD);
      const p = other.page;
      await p.goto(`${s.baseUrl}/o/case/${ids[0]}`);
      await p.getByTestId('wf-run-action').click();
      expect(await p.locator('.wf-run-menu button').allTextContents()).toEqual(['Hand over to the night shift', 'Mark in progress']);
      await p.locator('.wf-run-menu').getByRole('button', { name: 'Mark in progress' }).click();
      await p.getByTestId('toast').filter({ hasText: 'Workflow started' }).waitFor();
      await expect.poll(() => status(ids[0]), { timeout: 30_000 }).toBe('in_progress');
      // The run viewer is for admins: the person stays on the record.
      expect(new URL(p.url()).pathname).toBe(`/o/case/${ids[0]}`);

      await p.goto(`${s.baseUrl}/o/case`);
      const row = (subject: string) => p.locator('[data-testid=records] tbody tr[data-index]', { hasText: subject });
      await row('Printer jam B').getByRole('checkbox').check();
      await row('Printer jam C').getByRole('checkbox').check();
      // Viewers cannot edit or delete: the only action on the selection is the workflow.
      expect(await p.getByRole('button', { name: 'Edit selected' }).count()).toBe(0);
      await p.getByTestId('wf-run-bulk').click();
      await shot(p, 'workflow-run-selection');
      await p.locator('.wf-run-menu').getByRole('button', { name: 'Mark in progress' }).click();
      await p.getByTestId('toast').filter({ hasText: 'Workflow started on 2 records' }).waitFor();
      await expect
        .poll(async () => [await status(ids[1]), await status(ids[2])], { timeout: 30_000 })
        .toEqual(['in_progress', 'in_progress']);
      const runs = (await s.kizuna.call('GET', `/api/workflows/${mark}/runs`)).body.data as {
        record_id: string;
        trigger: { by: string };
      }[];
      expect(runs.map((r) => r.record_id).sort()).toEqual([...ids].sort());
      expect(runs.every((r) => r.trigger.by === vera)).toBe(true);
      expect(other.errors).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it('shows a workflow stopped by a metadata change in the list and in the designer, naming the path', async () => {
    const field = { name: 'wf_flag', type: 'text', label: { en: 'Flag', ja: 'フラグ' } };
    expect((await s.kizuna.call('POST', '/api/meta/objects/contact/fields', field)).status).toBe(201);
    const made = await s.kizuna.call('POST', '/api/workflows', {
      name: 'Flag new contacts',
      trigger: { type: 'record.created', object: 'contact' },
      start: 'flag',
      steps: [{ id: 'flag', type: 'update_record', config: { values: { wf_flag: 'new' } } }],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect((await s.kizuna.call('POST', `/api/workflows/${made.body.id}/publish`)).status).toBe(200);
    expect((await s.kizuna.call('POST', `/api/workflows/${made.body.id}/enable`)).status).toBe(200);
    expect((await s.kizuna.call('DELETE', '/api/meta/objects/contact/fields/wf_flag')).status).toBe(200);
    await expect
      .poll(async () => (await s.kizuna.call('GET', `/api/workflows/${made.body.id}`)).body.state, { timeout: 15_000 })
      .toBe('invalid');

    await page.goto(`${s.baseUrl}/workflows`);
    const chip = page.locator(`tr[data-workflow="${made.body.id}"] [data-testid=wf-state]`);
    await chip.waitFor();
    expect(await chip.textContent()).toContain('Invalid');
    await page.locator(`tr[data-workflow="${made.body.id}"]`).getByRole('link', { name: 'Flag new contacts' }).click();
    const notice = page.getByTestId('wf-designer').getByTestId('wf-state');
    await notice.waitFor();
    expect(await notice.getAttribute('role')).toBe('alert');
    expect(await notice.textContent()).toContain('steps.0.config.values.wf_flag');
    expect(await notice.textContent()).toContain('Publish a fixed version');
    await shot(page, 'workflow-invalid');
  });

  it('raised no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
