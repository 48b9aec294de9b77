// The workflow the browser tests put on the timeline: it writes to every new contact, so each
// contact created after it has an automation's change and a run. Created, published and enabled
// by platform/testing's publishWorkflow (the one way tests do it).
export { publishWorkflow } from '../../platform/testing/workflows.ts';

export const WELCOME = {
  name: 'Welcome',
  trigger: { type: 'record.created', object: 'contact' },
  start: 'a',
  steps: [{ id: 'a', type: 'update_record', config: { values: { title: 'New contact' } } }],
};
