// Test runs (POST /api/workflows/{id}/test): the definition walked step by step inside one
// transaction that is always rolled back, so record steps really run (their outputs are true)
// and nothing is committed — no records, history, events or run rows. Steps acting outside
// the database (HTTP, plugin actions, send_message's email) are reported skipped with their
// rendered input; waits are passed over.
import { uuidv7 } from '../db/index.ts';
import type { WorkflowDefinition } from './definition.ts';
import { stepContext, type EngineOptions } from './engine.ts';
import { nextOf, stepKinds, type RunContext, type StepResult } from './steps.ts';
import { render } from './template.ts';

/** More steps than this in one test run is a graph that loops without end. */
export const MAX_TEST_STEPS = 1000;

export interface TestStep {
  step_id: string;
  type: string;
  status: 'succeeded' | 'failed' | 'skipped';
  input: unknown;
  output: unknown;
  error: string | null;
}

export interface TestResult {
  status: 'succeeded' | 'failed';
  path: string[];
  steps: TestStep[];
  error?: string;
}

class Rollback extends Error {}

export async function dryRun(
  opts: EngineOptions,
  wf: { id: string; user_id: string; definition: WorkflowDefinition },
  start: { trigger: Record<string, unknown>; input?: Record<string, unknown>; object?: string; recordId?: string },
): Promise<TestResult> {
  const def = wf.definition;
  const byId = new Map(def.steps.map((s) => [s.id, s]));
  const context: RunContext = { trigger: start.trigger, input: start.input ?? {}, vars: def.variables ?? {}, steps: {} };
  const run = {
    id: uuidv7(),
    user_id: wf.user_id,
    workflow_id: wf.id,
    object: start.object ?? null,
    record_id: start.recordId ?? null,
    context,
  };
  const out: TestResult = { status: 'succeeded', path: [], steps: [] };
  try {
    await opts.db.transaction(async (tx) => {
      let current: string | undefined = def.start;
      while (current) {
        const step = byId.get(current)!;
        if (out.steps.length >= MAX_TEST_STEPS) {
          out.status = 'failed';
          out.error = `The test run stopped after ${MAX_TEST_STEPS} steps: the graph loops without end`;
          break;
        }
        const kind = stepKinds[step.type];
        let input: unknown = {};
        let result: StepResult;
        try {
          input = render(step.config ?? {}, context);
          if (step.type === 'wait') {
            result = { output: { passed_over: true }, skipped: true };
          } else if (kind.external && step.type !== 'send_message') {
            result = { output: null, skipped: true };
          } else {
            result = await kind.run(input as Record<string, unknown>, stepContext(opts, tx, run, step, true));
          }
        } catch (e) {
          const message = String((e as Error)?.message ?? e);
          const detail = (e as { errors?: unknown }).errors;
          const error = detail ? `${message} ${JSON.stringify(detail)}` : message;
          out.steps.push({ step_id: step.id, type: step.type, status: 'failed', input, output: null, error });
          out.status = 'failed';
          out.error = `Step "${step.id}" failed: ${error}`;
          break;
        }
        context.steps[step.id] = result.output ?? {};
        out.steps.push({
          step_id: step.id,
          type: step.type,
          status: result.skipped ? 'skipped' : 'succeeded',
          input,
          output: result.output ?? null,
          error: null,
        });
        out.path.push(step.id);
        current = nextOf(step, { ...result, again: false }, context);
      }
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return out;
}
