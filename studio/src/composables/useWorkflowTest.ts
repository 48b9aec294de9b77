// The workflow designer's test run: a dry run of the draft against a chosen record (and the
// manual trigger's input), its outcome per step for the canvas and the side panel.
import { computed, ref, type Ref } from 'vue';
import { ApiError } from '../api/client.ts';
import { workflowApi } from '../model/workflow-api.ts';
import type { RunStep, StepStatus, TestResult, WorkflowDefinition } from '../model/workflow.ts';
import { useI18n } from './useI18n.ts';
import { problemLine } from '../model/problem-types.ts';
import { useToast } from './useToast.ts';

export function useWorkflowTest(id: string, def: Ref<WorkflowDefinition | null>) {
  const { t } = useI18n();
  const { show } = useToast();
  const testRecord = ref<string | null>(null);
  const test = ref<TestResult | null>(null);
  const testing = ref(false);
  const testInput = ref<Record<string, unknown>>({});
  const testInputOpen = ref(false);

  const statuses = computed<Record<string, StepStatus>>(() => {
    const out: Record<string, StepStatus> = {};
    for (const s of test.value?.steps ?? []) out[s.step_id] = s.status;
    return out;
  });
  const resultsOf = (nodeId: string): RunStep[] => (test.value?.steps ?? []).filter((s) => s.step_id === nodeId);

  /** Runs the test; answers the node to select (the first that failed, else where the run ended), or undefined. */
  async function runTest(): Promise<string | undefined> {
    if (!def.value) return undefined;
    testing.value = true;
    try {
      test.value = await workflowApi.test(id, {
        ...(testRecord.value && { record_id: testRecord.value }),
        ...(def.value.trigger.input_schema ? { input: testInput.value } : {}),
        definition: def.value,
      });
      show(t('wf.testDone', { status: t(`wf.status.${test.value.status}` as never) }), test.value.status === 'failed' ? 'error' : 'info');
      const firstFailed = test.value.steps.find((s) => s.status === 'failed');
      return firstFailed?.step_id ?? test.value.path[test.value.path.length - 1];
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      show(e.status === 404 || e.status === 405 ? t('wf.testUnavailable') : problemLine(e, t), 'error');
      return undefined;
    } finally {
      testing.value = false;
    }
  }

  return { testRecord, test, testing, testInput, testInputOpen, statuses, resultsOf, runTest };
}
