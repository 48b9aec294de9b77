// What adding from the designer's palette does to a draft: a trigger replaces the trigger's
// type; a step lands below the selection (or where it was dropped).
import { addStep, layout, NODE_H, TRIGGER_ID } from './workflow-graph.ts';
import type { Catalog, JsonSchema, WorkflowDefinition } from './workflow.ts';

function defaultsOf(schema: JsonSchema | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schema?.properties ?? {})
      .filter(([, s]) => s.default !== undefined)
      .map(([k, s]) => [k, s.default]),
  );
}

/** The draft with a trigger of another type: the settings the new type also has (the object, usually) are kept. */
export function withTriggerType(def: WorkflowDefinition, catalog: Catalog, type: string): WorkflowDefinition {
  const keep = Object.keys(catalog.triggers.find((x) => x.type === type)?.config_schema.properties ?? {});
  const old = def.trigger;
  return {
    ...def,
    trigger: {
      ...Object.fromEntries(Object.entries(old).filter(([k]) => k === 'ui' || (k !== 'type' && keep.includes(k)))),
      type,
    },
  };
}

/**
 * The draft with a new step of the palette entry `key`, with its config's defaults: at `at`
 * when dropped, else below `selected` (linked after it), else below the lowest node.
 */
export function withPaletteStep(
  def: WorkflowDefinition,
  catalog: Catalog,
  key: string,
  selected: string | null,
  at?: { x: number; y: number },
): { def: WorkflowDefinition; id: string } | undefined {
  const entry = catalog.steps.find((e) => (e.action ? `action:${e.action}` : e.type) === key);
  if (!entry) return undefined;
  const config = entry.action
    ? {
        action: entry.action,
        ...(entry.config_schema.properties?.action ? defaultsOf(entry.config_schema) : { config: defaultsOf(entry.config_schema) }),
      }
    : defaultsOf(entry.config_schema);
  const positions = layout(def);
  const after = at ? undefined : (selected ?? undefined);
  const anchor = after ? positions[after] : undefined;
  const lowest = Math.max(0, ...Object.values(positions).map((p) => p.y));
  const where = at ?? (anchor ? { x: anchor.x, y: anchor.y + NODE_H + 70 } : { x: positions[TRIGGER_ID]?.x ?? 0, y: lowest + NODE_H + 70 });
  return addStep(def, catalog, { type: entry.type, config }, where, after);
}
