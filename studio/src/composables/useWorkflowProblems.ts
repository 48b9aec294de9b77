// The workflow designer's problems: the client checks answer at once, the server's validate a
// moment later (debounced); the server's word is shown only where ours is silent.
import { computed, onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { workflowApi } from '../model/workflow-api.ts';
import { clientProblems, mergeProblems, serverProblems, type FieldsOf, type Problem } from '../model/workflow-checks.ts';
import type { Catalog, ValidationResult, WorkflowDefinition } from '../model/workflow.ts';

export function useWorkflowProblems(opts: {
  /** The draft being edited: what the server validates. */
  def: Ref<WorkflowDefinition | null>;
  /** What the canvas shows: the draft, or a version viewed read-only. */
  shown: Ref<WorkflowDefinition | null | undefined>;
  /** True while a version is viewed: only the client checks apply to it. */
  viewing: Ref<boolean>;
  catalog: Ref<Catalog | null>;
  /** The fields of an object, for the checks of record values. */
  fieldsOf?: FieldsOf;
}) {
  const { def, shown, viewing, catalog, fieldsOf } = opts;
  /** The server's last answer (a refused save sets it too). */
  const server = ref<ValidationResult | null>(null);

  const problems = computed<Problem[]>(() => {
    if (!shown.value || !catalog.value) return [];
    const mine = clientProblems(shown.value, catalog.value, fieldsOf);
    return mergeProblems(mine, viewing.value ? [] : serverProblems(shown.value, server.value));
  });
  const errorCount = computed(() => problems.value.filter((p) => p.severity === 'error').length);

  // Server validation, debounced: the client checks answer at once, the server a moment later.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  /** Only the answer to the latest request counts (an earlier one may arrive later). */
  const validate = async (d: WorkflowDefinition) => {
    const mine = ++seq;
    const result = await workflowApi.validate(d).catch(() => null);
    if (mine === seq) server.value = result;
  };
  watch(
    def,
    (d) => {
      clearTimeout(timer);
      if (!d) return;
      timer = setTimeout(() => void validate(d), 400);
    },
    { deep: true, immediate: true },
  );
  onBeforeUnmount(() => clearTimeout(timer));

  return { server, problems, errorCount };
}
