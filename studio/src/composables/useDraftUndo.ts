// Undo for the workflow designer: snapshots of the draft. A burst of setting edits (typing) is
// one step; a change to the graph (a step added, removed, connected) is always a step of its own.
import { ref, watch, type Ref } from 'vue';
import type { WorkflowDefinition } from '../model/workflow.ts';

const shapeOf = (d: WorkflowDefinition) => JSON.stringify([d.start, d.trigger.type, d.steps.map((x) => [x.id, x.next, x.branches])]);

export function useDraftUndo(def: Ref<WorkflowDefinition | null>, readonly: Ref<boolean>) {
  const past = ref<string[]>([]);
  let lastJson = '';
  let lastShape = '';
  let lastAt = 0;
  let undoing = false;
  watch(
    def,
    (d) => {
      if (!d) return;
      const json = JSON.stringify(d);
      const shape = shapeOf(d);
      if (undoing || !lastJson) {
        undoing = false;
        [lastJson, lastShape] = [json, shape];
        return;
      }
      if (json === lastJson) return;
      const now = Date.now();
      if (shape !== lastShape || now - lastAt > 700 || !past.value.length) past.value = [...past.value.slice(-99), lastJson];
      lastAt = now;
      [lastJson, lastShape] = [json, shape];
    },
    { deep: true },
  );
  function undo(): void {
    const prev = past.value[past.value.length - 1];
    if (!prev || readonly.value) return;
    past.value = past.value.slice(0, -1);
    undoing = true;
    lastAt = 0;
    def.value = JSON.parse(prev) as WorkflowDefinition;
  }
  return { past, undo };
}
