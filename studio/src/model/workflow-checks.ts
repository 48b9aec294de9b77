// Live validation in the designer, before anything reaches the server: the graph (a start,
// targets that exist, reachable steps, branches that lead somewhere) and each node's config
// against its JSON Schema (required keys, types, enums, bounds). The server's validate
// answer is merged in by `serverProblems`, mapped onto the nodes its field paths name.
import { schemaProblems } from './schema-problems.ts';
import { edgesOf, reachable, TRIGGER_ID } from './workflow-graph.ts';
import {
  configSchemaOf,
  entryOf,
  handlesOf,
  triggerConfig,
  type Catalog,
  type ValidationResult,
  type WorkflowDefinition,
} from './workflow.ts';

export type Severity = 'error' | 'warning';

export interface Problem {
  /** The node it concerns (a step id or "trigger"), or null for the whole workflow. */
  node: string | null;
  /** Path inside the node's config, when it is about one setting. */
  field?: string;
  /** An i18n key (client checks) or null when `text` is the server's message. */
  code: string | null;
  params?: Record<string, string | number>;
  text?: string;
  severity: Severity;
  source: 'client' | 'server';
}

const join = (a: string, b: string) => (a ? `${a}.${b}` : b);

/** The fields of an object with their select options, for the checks of record values. */
export type FieldsOf = (object: string) => { name: string; options?: { value: string }[] }[];

/** A select field's value left empty in a record step's values: the step would write nothing sensible. */
function emptyOptionProblems(def: WorkflowDefinition, fieldsOf: FieldsOf | undefined): Problem[] {
  if (!fieldsOf) return [];
  return def.steps.flatMap((s) => {
    const values = s.config?.values;
    const object = typeof s.config?.object === 'string' ? s.config.object : def.trigger.object;
    if (!values || typeof values !== 'object' || !object) return [];
    const fields = fieldsOf(object);
    return Object.entries(values as Record<string, unknown>)
      .filter(([k, v]) => v === '' && fields.find((f) => f.name === k)?.options?.length)
      .map(([k]) => ({
        node: s.id,
        field: `values.${k}`,
        code: 'wf.problem.emptyOption',
        severity: 'error' as const,
        source: 'client' as const,
      }));
  });
}

export function clientProblems(def: WorkflowDefinition, catalog: Catalog, fieldsOf?: FieldsOf): Problem[] {
  const out: Problem[] = [];
  const ids = new Set(def.steps.map((s) => s.id));
  const add = (p: Omit<Problem, 'source'>) => out.push({ ...p, source: 'client' });

  if (!def.name?.trim()) add({ node: null, field: 'name', code: 'wf.problem.noName', severity: 'error' });
  if (!def.steps.length) add({ node: null, code: 'wf.problem.noSteps', severity: 'error' });
  else if (!ids.has(def.start)) add({ node: TRIGGER_ID, code: 'wf.problem.noStart', severity: 'error' });

  const trigger = catalog.triggers.find((t) => t.type === def.trigger.type);
  if (!trigger) add({ node: TRIGGER_ID, code: 'wf.problem.unknownType', params: { type: def.trigger.type }, severity: 'error' });
  // A catalog schema may describe the whole trigger (type and ui included) or only its settings.
  else
    for (const p of schemaProblems(
      trigger.config_schema,
      trigger.config_schema.properties?.type ? def.trigger : triggerConfig(def.trigger),
    ))
      add({ node: TRIGGER_ID, field: p.field, code: p.code, params: p.params, severity: 'error' });

  const seen = new Set<string>();
  for (const s of def.steps) {
    if (seen.has(s.id)) add({ node: s.id, code: 'wf.problem.duplicateId', params: { id: s.id }, severity: 'error' });
    seen.add(s.id);
    const entry = entryOf(catalog, s);
    if (!entry) {
      add({ node: s.id, code: 'wf.problem.unknownType', params: { type: s.type }, severity: 'error' });
      continue;
    }
    const { schema, under } = configSchemaOf(entry);
    const config = under ? ((s.config?.[under] as Record<string, unknown> | undefined) ?? {}) : (s.config ?? {});
    for (const p of schemaProblems(schema, config))
      add({ node: s.id, field: under ? join(under, p.field) : p.field, code: p.code, params: p.params, severity: 'error' });
    for (const h of handlesOf(s, entry)) {
      const target = h === 'next' ? s.next : s.branches?.[h];
      if (target && !ids.has(target)) add({ node: s.id, code: 'wf.problem.badTarget', params: { branch: h, target }, severity: 'error' });
      // A branch leading nowhere ends the run there: legal, but usually an oversight.
      if (!target && h !== 'next' && h !== 'default')
        add({ node: s.id, code: 'wf.problem.openBranch', params: { branch: h }, severity: 'warning' });
    }
  }
  const live = new Set(reachable(def));
  for (const s of def.steps)
    if (ids.has(def.start) && !live.has(s.id)) add({ node: s.id, code: 'wf.problem.unreachable', severity: 'error' });
  // Edges to steps that do not exist (from a hand-edited definition).
  for (const e of edgesOf(def))
    if (e.source === TRIGGER_ID && e.target && !ids.has(e.target) && def.steps.length)
      add({ node: TRIGGER_ID, code: 'wf.problem.badTarget', params: { branch: 'start', target: e.target }, severity: 'error' });
  return [...out, ...emptyOptionProblems(def, fieldsOf)];
}

/** The server's validation errors on the nodes their field paths name (steps.2.config.team → step 2). */
export function serverProblems(def: WorkflowDefinition, result: ValidationResult | null): Problem[] {
  if (!result) return [];
  return result.errors.map((e) => {
    const step = /^\/?steps[./](\d+)(?:[./](.*))?$/.exec(e.field);
    const trigger = /^\/?trigger(?:[./](.*))?$/.exec(e.field);
    const node = step ? (def.steps[Number(step[1])]?.id ?? null) : trigger ? TRIGGER_ID : null;
    const at = step ? step[2]?.replace(/^config(?:[./]|$)/, '') : trigger ? trigger[1] : e.field;
    // ajv names a missing key on its parent ('must have "team"'); the client names the key itself.
    const missing =
      e.keyword === 'required' ? String(e.params?.name ?? /^must have "(.+)"$/.exec(e.message)?.[1] ?? '') || undefined : undefined;
    const field = missing ? join(at ?? '', missing) : at || undefined;
    return { node, field, code: null, text: e.message, severity: 'error' as const, source: 'server' as const };
  });
}

/** Whether a server problem says again what a client problem says (the same setting, or one inside it). */
function repeats(theirs: Problem, mine: Problem): boolean {
  if (theirs.node !== mine.node) return false;
  const a = theirs.field ?? '';
  const b = mine.field ?? '';
  return a === b || b.startsWith(`${a}.`) || (mine.code === 'wf.problem.unreachable' && !!theirs.node);
}

/**
 * Every problem once: the client's checks, then the server's where they add something. The
 * server says much of the same in its own words (a missing key on its parent, "steps" and
 * "start" of a workflow without steps), so a server problem the client already names is left out,
 * and so is a repeat of the same text.
 */
export function mergeProblems(mine: Problem[], theirs: Problem[]): Problem[] {
  const noSteps = mine.some((p) => p.code === 'wf.problem.noSteps');
  const seen = new Set<string>();
  return [
    ...mine,
    ...theirs.filter((p) => !mine.some((m) => repeats(p, m)) && !(noSteps && !p.node && ['steps', 'start'].includes(p.field ?? ''))),
  ].filter((p) => {
    const key = `${p.node}|${p.field ?? ''}|${p.code ?? p.text}|${JSON.stringify(p.params ?? {})}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
