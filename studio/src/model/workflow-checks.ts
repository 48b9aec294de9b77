// Live validation in the designer, before anything reaches the server: the graph (a start,
// targets that exist, reachable steps, branches that lead somewhere) and each node's config
// against its JSON Schema (required keys, types, enums, bounds). The server's validate
// answer is merged in by `serverProblems`, mapped onto the nodes its field paths name.
import { edgesOf, reachable, TRIGGER_ID } from './workflow-graph.ts';
import {
  configSchemaOf,
  entryOf,
  handlesOf,
  isTemplate,
  triggerConfig,
  type Catalog,
  type JsonSchema,
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

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

function fitsType(v: unknown, type: string | string[] | undefined): boolean {
  if (!type) return true;
  const types = Array.isArray(type) ? type : [type];
  const t = typeOf(v);
  return types.some((x) => x === t || (x === 'number' && t === 'integer'));
}

/** Problems of a value against a (ref-free) JSON Schema; templates stand in for any type. */
export function schemaProblems(
  schema: JsonSchema | undefined,
  value: unknown,
  path = '',
): { field: string; code: string; params?: Record<string, string | number> }[] {
  if (!schema || typeof schema !== 'object') return [];
  const out: { field: string; code: string; params?: Record<string, string | number> }[] = [];
  if (value === undefined) return out;
  // A whole-value template is resolved at run time and may be any type.
  if (isTemplate(value) && schema.type !== 'string') return out;
  if (!fitsType(value, schema.type)) {
    out.push({ field: path, code: 'wf.problem.type', params: { expected: String(schema.type) } });
    return out;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    out.push({ field: path, code: 'wf.problem.enum', params: { values: schema.enum.join(', ') } });
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      out.push({ field: path, code: 'wf.problem.minimum', params: { n: schema.minimum } });
    if (schema.maximum !== undefined && value > schema.maximum)
      out.push({ field: path, code: 'wf.problem.maximum', params: { n: schema.maximum } });
  }
  if (typeof value === 'string' && schema.minLength && value.length < schema.minLength)
    out.push({ field: path, code: 'wf.problem.required' });
  if (Array.isArray(value)) {
    if (schema.minItems && value.length < schema.minItems)
      out.push({ field: path, code: 'wf.problem.minItems', params: { n: schema.minItems } });
    value.forEach((item, i) => out.push(...schemaProblems(schema.items, item, join(path, String(i)))));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (obj[key] === undefined || obj[key] === '') out.push({ field: join(path, key), code: 'wf.problem.required' });
    }
    if (schema.minProperties && Object.keys(obj).length < schema.minProperties) out.push({ field: path, code: 'wf.problem.minProperties' });
    for (const [key, v] of Object.entries(obj)) {
      const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub) out.push(...schemaProblems(sub, v, join(path, key)));
      else if (schema.additionalProperties === false && schema.properties)
        out.push({ field: join(path, key), code: 'wf.problem.unknownKey' });
    }
  }
  return out;
}

const join = (a: string, b: string) => (a ? `${a}.${b}` : b);

export function clientProblems(def: WorkflowDefinition, catalog: Catalog): Problem[] {
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
  return out;
}

/** The server's validation errors on the nodes their field paths name (steps.2.config.team → step 2). */
export function serverProblems(def: WorkflowDefinition, result: ValidationResult | null): Problem[] {
  if (!result) return [];
  return result.errors.map((e) => {
    const step = /^\/?steps[./](\d+)(?:[./](.*))?$/.exec(e.field);
    const trigger = /^\/?trigger(?:[./](.*))?$/.exec(e.field);
    const node = step ? (def.steps[Number(step[1])]?.id ?? null) : trigger ? TRIGGER_ID : null;
    const field = step ? step[2]?.replace(/^config[./]/, '') : trigger ? trigger[1] : e.field;
    return { node, field, code: null, text: e.message, severity: 'error' as const, source: 'server' as const };
  });
}
