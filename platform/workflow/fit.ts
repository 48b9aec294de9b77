// Whether a workflow definition fits the metadata it names (issue 13): its objects, fields
// (in conditions, trigger fields, record values, searches, sorts), select values, the date
// field of a date trigger, teams, and the {{paths}} of its templates. A definition can be
// sound on its own and still name what does not exist — checked at save, publish and enable,
// and again whenever the metadata changes under a published workflow.
import { fieldOf, resolveOption, type FieldModel, type ObjectModel } from '../model/index.ts';
import { compileFilter } from '../query/index.ts';
import { ProblemError, type FieldProblem } from '../problems/index.ts';
import type { Step, WorkflowDefinition } from './definition.ts';
import { isContextPath } from './filter.ts';

export interface FitContext {
  models: Map<string, ObjectModel>;
  /** Whether a team of this name (any case) or id exists. */
  hasTeam(team: string): boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const hasTemplate = (v: unknown): boolean =>
  typeof v === 'string' ? v.includes('{{') : Array.isArray(v) ? v.some(hasTemplate) : isObj(v) ? Object.values(v).some(hasTemplate) : false;
const LOGICAL = new Set(['and', 'or', 'not']);
const OPTION_OPS = new Set(['eq', 'neq', 'in', 'nin', 'has_any', 'has_all', 'contains']);
/** Keys of the trigger a run carries besides the record (templates may name them freely). */
const TRIGGER_KEYS = new Set([
  'type',
  'object',
  'record_id',
  'version',
  'record',
  'changes',
  'at',
  'by',
  'body',
  'field',
  'offset',
  'date',
  'old',
]);
const TEMPLATE = /\{\{\s*([^{}]+?)\s*\}\}/g;

export function fitProblems(def: WorkflowDefinition, ctx: FitContext): FieldProblem[] {
  const check = fitChecks(ctx);
  const trigger = triggerFit(def.trigger, check);
  const scope = { def, ctx, trigger, steps: new Map(def.steps.map((s) => [s.id, s])) };
  def.steps.forEach((s, i) => {
    stepFit(s, `steps.${i}`, trigger, check);
    templateFit(s.config ?? {}, `steps.${i}.config`, scope, check.add);
  });
  return check.problems;
}

/** The checks of names and values against the metadata, each adding its problems to `problems`. */
function fitChecks(ctx: FitContext) {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string, keyword = 'metadata') => problems.push({ field, message, keyword });
  const model = (name: unknown, at: string): ObjectModel | undefined => {
    if (typeof name !== 'string' || hasTemplate(name)) return undefined;
    const m = ctx.models.get(name);
    if (!m) add(at, `names no object "${name}"`, 'object');
    return m;
  };
  const field = (m: ObjectModel | undefined, name: string, at: string): FieldModel | undefined => {
    if (!m) return undefined;
    const f = fieldOf(m, name);
    if (!f) add(at, `"${name}" is not a field of ${m.name}`, 'field');
    return f;
  };
  /** A literal select value that is none of the field's options. */
  const option = (f: FieldModel | undefined, value: unknown, at: string) => {
    if (!f || !f.spec.options || !['select', 'multi_select'].includes(f.spec.type)) return;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'string' || hasTemplate(v)) continue;
      const options = f.spec.options.map((o) => o.value).join(', ');
      // An empty choice is a setting left unpicked in the designer, not a way to clear the field.
      if (v === '') add(at, `needs a value: choose one of ${options}`, 'option');
      else if (!f.spec.options.some((o) => o.value === resolveOption(f.spec, v)))
        add(at, `"${v}" is not an option of ${f.name} (${options})`, 'option');
    }
  };
  /** A records filter: its record-field parts compile against the object, and literal select values are options. */
  const filter = (m: ObjectModel | undefined, f: unknown, at: string, old = false) => {
    if (!m || !isObj(f)) return;
    const part = recordPart(f, old);
    try {
      compileFilter(m, part, 't', { models: ctx.models });
    } catch (e) {
      if (!(e instanceof ProblemError)) throw e;
      for (const p of e.errors?.length ? e.errors : [{ field: '(root)', message: e.message }])
        add(p.field === '(root)' ? at : `${at}.${p.field}`, p.field === '(root)' ? p.message : `"${p.field}" ${p.message}`, 'filter');
      return;
    }
    walkLeaves(part, (key, cond) => {
      const fm = key.includes('.') ? undefined : fieldOf(m, key);
      if (!isObj(cond)) {
        option(fm, cond, `${at}.${key}`);
        return;
      }
      for (const [op, v] of Object.entries(cond)) if (OPTION_OPS.has(op)) option(fm, v, `${at}.${key}`);
    });
  };
  const values = (m: ObjectModel | undefined, v: unknown, at: string) => {
    if (!m || !isObj(v)) return;
    for (const [k, x] of Object.entries(v)) option(field(m, k, `${at}.${k}`), x, `${at}.${k}`);
  };
  const team = (v: unknown, at: string) => {
    if (typeof v === 'string' && !hasTemplate(v) && !ctx.hasTeam(v)) add(at, `names no team "${v}"`, 'team');
  };
  return { problems, add, model, field, filter, values, team };
}

type FitChecks = ReturnType<typeof fitChecks>;

/** The trigger's object, fields, condition and date field; answers the object its records are of. */
function triggerFit(t: WorkflowDefinition['trigger'], check: FitChecks): ObjectModel | undefined {
  const trigger = t.type.startsWith('record.') || t.object !== undefined ? check.model(t.object, 'trigger.object') : undefined;
  for (const [i, f] of (t.fields ?? []).entries()) check.field(trigger, f, `trigger.fields.${i}`);
  if (t.condition) check.filter(trigger, t.condition, 'trigger.condition', true);
  if (t.type === 'record.date' && trigger && t.field) {
    const f = check.field(trigger, t.field, 'trigger.field');
    if (f && !['date', 'datetime'].includes(f.spec.type))
      check.add('trigger.field', `${t.field} is a ${f.spec.type} field, not a date or datetime`, 'field');
  }
  return trigger;
}

/** A step's objects, fields, filters, values and teams as its type uses them. */
function stepFit(s: Step, at: string, trigger: ObjectModel | undefined, check: FitChecks): void {
  const c = s.config ?? {};
  /** The object a step's record is on: its config.object, else the trigger's. */
  const target = () => (s.config?.object !== undefined ? check.model(s.config.object, `${at}.config.object`) : trigger);
  switch (s.type) {
    case 'condition':
      check.filter(target(), c.filter, `${at}.config.filter`);
      break;
    case 'branch':
      for (const [j, k] of ((c.cases ?? []) as { filter: unknown }[]).entries())
        check.filter(target(), k.filter, `${at}.config.cases.${j}.filter`);
      break;
    case 'wait':
      if (c.condition) check.filter(target(), c.condition, `${at}.config.condition`);
      break;
    case 'update_record':
    case 'create_record':
      check.values(target(), c.values, `${at}.config.values`);
      break;
    case 'find_records': {
      const m = check.model(c.object, `${at}.config.object`);
      if (c.filter) check.filter(m, c.filter, `${at}.config.filter`);
      if (typeof c.sort === 'string' && !hasTemplate(c.sort))
        for (const k of c.sort.split(',')) if (k.trim()) check.field(m, k.trim().replace(/^[-+]/, ''), `${at}.config.sort`);
      break;
    }
    case 'assign': {
      const m = target();
      check.team(c.team, `${at}.config.team`);
      check.field(m, typeof c.field === 'string' ? c.field : 'assignee', `${at}.config.field`);
      break;
    }
    case 'send_message':
      check.team(c.to_team, `${at}.config.to_team`);
      break;
  }
}

/** What a template path is checked against: the definition, the metadata, the trigger's object and the steps by id. */
interface TemplateScope {
  def: WorkflowDefinition;
  ctx: FitContext;
  trigger: ObjectModel | undefined;
  steps: Map<string, Step>;
}

/** Every {{path}} in a step's settings names something a run has. */
function templateFit(v: unknown, at: string, scope: TemplateScope, add: FitChecks['add']): void {
  if (typeof v === 'string') {
    for (const [, path] of v.matchAll(TEMPLATE)) {
      const why = pathProblem(path, scope);
      if (why) add(at, `{{${path}}}: ${why}`, 'template');
    }
  } else if (Array.isArray(v)) v.forEach((x, i) => templateFit(x, `${at}.${i}`, scope, add));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) templateFit(x, `${at}.${k}`, scope, add);
}

function pathProblem(path: string, { def, ctx, trigger, steps }: TemplateScope): string | undefined {
  const [root, head, next] = path.split('.');
  if (!['trigger', 'input', 'vars', 'steps', 'loop'].includes(root)) return `"${root}" is none of trigger, input, vars, steps, loop`;
  if (root === 'steps') {
    if (!head) return 'names no step';
    if (!steps.has(head)) return `there is no step "${head}"`;
    const s = steps.get(head)!;
    const m =
      s.type === 'create_record' || s.type === 'update_record' || s.type === 'assign'
        ? s.config?.object !== undefined
          ? ctx.models.get(String(s.config.object))
          : trigger
        : undefined;
    const parts = path.split('.');
    if (m && parts[2] === 'record' && parts[3] && !fieldOf(m, parts[3])) return `${m.name} has no field "${parts[3]}"`;
  }
  if (root === 'vars' && head && !Object.hasOwn(def.variables ?? {}, head)) return `there is no variable "${head}"`;
  if (root === 'trigger' && head) {
    if (!TRIGGER_KEYS.has(head)) return `a trigger has no "${head}"`;
    if ((head === 'record' || head === 'changes' || head === 'old') && next) {
      if (!trigger) return `this ${def.trigger.type} trigger has no record`;
      if (!fieldOf(trigger, next)) return `${trigger.name} has no field "${next}"`;
    }
  }
  return undefined;
}

/** The part of a filter on record fields: context paths and leaves whose value is a template are left out; `old.f` (a trigger's values before the change) is `f`. */
function recordPart(f: Record<string, unknown>, old: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) {
    if (k === 'and' || k === 'or') {
      const parts = Array.isArray(v)
        ? v
            .filter(isObj)
            .map((x) => recordPart(x, old))
            .filter((x) => Object.keys(x).length)
        : [];
      if (parts.length) out[k] = parts;
    } else if (k === 'not') {
      const p = isObj(v) ? recordPart(v, old) : {};
      if (Object.keys(p).length) out[k] = p;
    } else if (!isContextPath(k) && !hasTemplate(v)) {
      out[old && k.startsWith('old.') ? k.slice(4) : k] = v;
    }
  }
  return out;
}

function walkLeaves(f: Record<string, unknown>, visit: (key: string, cond: unknown) => void) {
  for (const [k, v] of Object.entries(f)) {
    if (!LOGICAL.has(k)) visit(k, v);
    else for (const x of Array.isArray(v) ? v : [v]) if (isObj(x)) walkLeaves(x, visit);
  }
}
