// The {{…}} paths a step's templates may use: the trigger record's fields, the manual
// trigger's input, variables, and the outputs of the steps that can run before it (from each
// step type's output schema in the catalog).
import type { FieldSpec } from '../api/types.ts';
import { predecessors } from './workflow-graph.ts';
import { entryOf, type Catalog, type JsonSchema, type WorkflowDefinition } from './workflow.ts';

export interface TemplatePath {
  path: string;
  /** Where it comes from, for grouping in the picker. */
  group: 'trigger' | 'input' | 'vars' | 'steps';
  type?: string;
}

function propsOf(schema: JsonSchema | undefined, prefix: string, group: TemplatePath['group'], depth = 0): TemplatePath[] {
  if (!schema?.properties || depth > 2) return [];
  return Object.entries(schema.properties).flatMap(([k, s]) => [
    { path: `${prefix}.${k}`, group, type: Array.isArray(s?.type) ? s.type.join('|') : s?.type },
    ...propsOf(s, `${prefix}.${k}`, group, depth + 1),
  ]);
}

export function templatePaths(
  def: WorkflowDefinition,
  catalog: Catalog,
  stepId: string | null,
  fieldsOfObject: (object: string) => FieldSpec[],
): TemplatePath[] {
  const out: TemplatePath[] = [];
  const t = def.trigger;
  if (t.object) {
    out.push({ path: 'trigger.record_id', group: 'trigger', type: 'string' });
    for (const f of fieldsOfObject(t.object)) out.push({ path: `trigger.record.${f.name}`, group: 'trigger', type: f.type });
  }
  if (t.type === 'record.updated') out.push({ path: 'trigger.changes', group: 'trigger', type: 'object' });
  if (t.type === 'schedule') out.push({ path: 'trigger.at', group: 'trigger', type: 'string' });
  out.push(...propsOf(t.input_schema as JsonSchema | undefined, 'input', 'input'));
  for (const name of Object.keys(def.variables ?? {})) out.push({ path: `vars.${name}`, group: 'vars' });
  const before = stepId ? predecessors(def, stepId) : def.steps.map((s) => s.id);
  for (const id of before) {
    const s = def.steps.find((x) => x.id === id)!;
    const outputs = propsOf(entryOf(catalog, s)?.output_schema, `steps.${id}`, 'steps', 1);
    out.push(...(outputs.length ? outputs : [{ path: `steps.${id}`, group: 'steps' as const }]));
  }
  return out;
}
