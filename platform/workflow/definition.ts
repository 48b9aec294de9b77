// Workflow definitions: the meta-schema (metadata/schema/workflow.schema.json) plus the graph
// checks a schema cannot say — next/branch targets exist, every step is reachable, and a cron
// expression parses in its time zone.
import { CronExpressionParser } from 'cron-parser';
import { createAjv, definitionProblems, loadMetaSchema } from '../model/index.ts';
import { validation, type FieldProblem } from '../problems/index.ts';

export type TriggerType = 'record.created' | 'record.updated' | 'record.deleted' | 'record.date' | 'manual' | 'schedule' | 'webhook';
export type StepType =
  | 'condition'
  | 'branch'
  | 'update_record'
  | 'create_record'
  | 'find_records'
  | 'loop'
  | 'assign'
  | 'send_message'
  | 'wait'
  | 'http'
  | 'action';

export interface Trigger {
  type: TriggerType;
  object?: string;
  fields?: string[];
  condition?: Record<string, unknown>;
  every_minutes?: number;
  cron?: string;
  timezone?: string;
  /** record.date: the date field and the offset from it ("-3d", "+2h", "0"). */
  field?: string;
  offset?: string;
  /** manual: JSON Schema of the run's input. */
  input_schema?: Record<string, unknown>;
  ui?: { x?: number; y?: number };
}

export interface Step {
  id: string;
  type: StepType;
  title?: string;
  config?: Record<string, unknown>;
  next?: string;
  branches?: Record<string, string>;
  retries?: number;
  ui?: { x?: number; y?: number };
}

export interface WorkflowDefinition {
  key?: string;
  name: string;
  description?: string;
  trigger: Trigger;
  start: string;
  steps: Step[];
  variables?: Record<string, unknown>;
}

const validate = createAjv().compile(loadMetaSchema('workflow.schema.json'));

/** A plugin's workflow action as the definition checks see it. */
export interface KnownAction {
  /** Validates the step's `config.config`; problems with fields relative to it. */
  check?(config: unknown): FieldProblem[];
}

/** Every problem with a definition, each naming the keyword at fault; [] when it is sound. */
export function definitionErrors(def: unknown, actions?: (name: string) => KnownAction | undefined): FieldProblem[] {
  if (!validate(def)) return definitionProblems(validate.errors);
  const d = def as WorkflowDefinition;
  const { ids, problems } = stepIds(d);
  d.steps.forEach((s, i) => problems.push(...stepProblems(s, `steps.${i}`, ids, actions)));
  problems.push(...unreachableProblems(d, ids), ...cycleProblems(d, ids), ...triggerProblems(d.trigger));
  return problems;
}

/** Step id → its position, with the problems of repeated ids and of a start naming no step. */
function stepIds(d: WorkflowDefinition): { ids: Map<string, number>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const ids = new Map<string, number>();
  d.steps.forEach((s, i) => {
    if (ids.has(s.id)) problems.push({ field: `steps.${i}.id`, message: `repeats the step id "${s.id}"`, keyword: 'id' });
    ids.set(s.id, i);
  });
  if (!ids.has(d.start)) problems.push({ field: 'start', message: `names no step "${d.start}"`, keyword: 'start' });
  return { ids, problems };
}

/** One step's problems: where it leads, the branches its type allows, and its config. */
function stepProblems(s: Step, at: string, ids: Map<string, number>, actions?: (name: string) => KnownAction | undefined): FieldProblem[] {
  return [
    ...targetProblems(s, at, ids),
    ...branchProblems(s, at),
    ...configProblems(s, at, actions),
    // A condition or branch decides where to go; a next beside it would be ignored.
    ...((s.type === 'condition' || s.type === 'branch') && s.next !== undefined
      ? [{ field: `${at}.next`, message: `a ${s.type} continues through its branches, not next`, keyword: 'next' }]
      : []),
  ];
}

/** A next or branch naming no step. */
function targetProblems(s: Step, at: string, ids: Map<string, number>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (s.next !== undefined && !ids.has(s.next))
    problems.push({ field: `${at}.next`, message: `names no step "${s.next}"`, keyword: 'next' });
  for (const [name, target] of Object.entries(s.branches ?? {})) {
    if (!ids.has(target)) problems.push({ field: `${at}.branches.${name}`, message: `names no step "${target}"`, keyword: 'branches' });
  }
  return problems;
}

/** The branch names each step type allows: true/false, its cases and default, a loop's body, or none. */
function branchProblems(s: Step, at: string): FieldProblem[] {
  const branches = Object.keys(s.branches ?? {});
  const others = (allowed: (name: string) => boolean, message: string): FieldProblem[] =>
    branches.filter((name) => !allowed(name)).map((name) => ({ field: `${at}.branches.${name}`, message, keyword: 'branches' }));
  if (s.type === 'condition')
    return others((name) => name === 'true' || name === 'false', 'a condition has only "true" and "false" branches');
  if (s.type === 'branch') {
    const names = new Set(((s.config?.cases ?? []) as { name: string }[]).map((c) => c.name).concat('default'));
    return others((name) => names.has(name), 'is neither a case name nor "default"');
  }
  if (s.type === 'loop') {
    return [
      ...(s.branches?.body
        ? []
        : [{ field: `${at}.branches.body`, message: 'a loop needs the first step of its body in branches.body', keyword: 'branches' }]),
      ...others((name) => name === 'body', 'a loop has only the "body" branch (next is where it goes after the last item)'),
    ];
  }
  if (s.branches === undefined) return [];
  return [{ field: `${at}.branches`, message: `a ${s.type} step continues through next, not branches`, keyword: 'branches' }];
}

/** What the schema cannot say about a wait's, a send_message's or an action's config. */
function configProblems(s: Step, at: string, actions?: (name: string) => KnownAction | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (s.type === 'wait') {
    const c = s.config ?? {};
    const modes = [['seconds', 'minutes', 'hours', 'days'].some((k) => k in c), 'until' in c, 'condition' in c].filter(Boolean).length;
    if (modes !== 1)
      problems.push({
        field: `${at}.config`,
        message: 'must be one of: a duration (seconds, minutes, hours, days), until, or condition',
        keyword: 'wait',
      });
    for (const k of ['every_seconds', 'timeout']) {
      if (k in c && !('condition' in c))
        problems.push({ field: `${at}.config.${k}`, message: 'applies only to a wait with a condition', keyword: 'wait' });
    }
  }
  if (s.type === 'send_message' && !['to', 'to_users', 'to_team'].some((k) => s.config && k in s.config)) {
    problems.push({ field: `${at}.config.to`, message: 'names no recipient: give to, to_users or to_team', keyword: 'required' });
  }
  if (s.type === 'action' && actions) {
    const name = String(s.config?.action);
    const known = actions(name);
    if (!known)
      problems.push({ field: `${at}.config.action`, message: `no enabled plugin offers the action "${name}"`, keyword: 'action' });
    for (const p of known?.check?.(s.config?.config ?? {}) ?? []) {
      problems.push({ ...p, field: p.field === '(root)' ? `${at}.config.config` : `${at}.config.config.${p.field}` });
    }
  }
  return problems;
}

/** Steps no path from the start step reaches (none reported when the start itself is missing). */
function unreachableProblems(d: WorkflowDefinition, ids: Map<string, number>): FieldProblem[] {
  if (!ids.has(d.start)) return [];
  const seen = new Set<string>();
  const queue = [d.start];
  while (queue.length) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const s = d.steps[ids.get(id)!];
    for (const t of [s.next, ...Object.values(s.branches ?? {})]) if (t && ids.has(t)) queue.push(t);
  }
  return d.steps.flatMap((s, i) =>
    seen.has(s.id) ? [] : [{ field: `steps.${i}`, message: `step "${s.id}" is unreachable from "${d.start}"`, keyword: 'unreachable' }],
  );
}

function cycleProblems(d: WorkflowDefinition, ids: Map<string, number>): FieldProblem[] {
  return closedCycles(d, ids).map((cycle) => ({
    field: `steps.${ids.get(cycle[0])}`,
    message: `steps ${cycle.map((c) => `"${c}"`).join(', ')} form a cycle with no way out: a run entering it never ends`,
    keyword: 'cycle',
  }));
}

/** A trigger's cron and time zone, its input schema, and the keys that belong to other trigger types. */
function triggerProblems(trigger: Trigger): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (trigger.cron) {
    try {
      CronExpressionParser.parse(trigger.cron, { tz: trigger.timezone ?? 'UTC' });
    } catch (e) {
      problems.push({ field: 'trigger.cron', message: `is not a cron expression: ${(e as Error).message}`, keyword: 'cron' });
    }
  }
  if (trigger.input_schema) {
    try {
      createAjv().compile(trigger.input_schema);
    } catch (e) {
      problems.push({
        field: 'trigger.input_schema',
        message: `is not a usable JSON Schema: ${(e as Error).message}`,
        keyword: 'input_schema',
      });
    }
  }
  if (trigger.input_schema && trigger.type !== 'manual')
    problems.push({ field: 'trigger.input_schema', message: 'applies only to a manual trigger', keyword: 'input_schema' });
  if (trigger.type !== 'record.date') {
    for (const k of ['field', 'offset'] as const)
      if (trigger[k] !== undefined) problems.push({ field: `trigger.${k}`, message: 'applies only to a record.date trigger', keyword: k });
  }
  if (trigger.timezone && !validZone(trigger.timezone))
    problems.push({ field: 'trigger.timezone', message: 'is not an IANA time zone', keyword: 'timezone' });
  return problems;
}

/**
 * Cycles a run can enter and never leave: strongly connected groups of steps with no edge out
 * and no step that can end the run (no next, a condition or branch with an exit left unset).
 * A loop step ends after its items, so a cycle through one has a way out.
 */
function closedCycles(d: WorkflowDefinition, ids: Map<string, number>): string[][] {
  const succ = (s: Step) => [s.next, ...Object.values(s.branches ?? {})].filter((t): t is string => !!t && ids.has(t));
  const canEnd = (s: Step): boolean => {
    if (s.type === 'loop') return true;
    if (s.type === 'condition') return !s.branches?.true || !s.branches?.false;
    if (s.type === 'branch')
      return !s.branches?.default || ((s.config?.cases ?? []) as { name: string }[]).some((c) => !s.branches?.[c.name]);
    return s.next === undefined;
  };
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of succ(d.steps[ids.get(v)!])) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        group.push(w);
      } while (w !== v);
      groups.push(group);
    }
  };
  for (const id of ids.keys()) if (!idx.has(id)) visit(id);
  return groups
    .filter((g) => {
      const members = new Set(g);
      const steps = g.map((id) => d.steps[ids.get(id)!]);
      const cyclic = g.length > 1 || succ(steps[0]).includes(g[0]);
      return cyclic && !steps.some((s) => canEnd(s) || succ(s).some((t) => !members.has(t)));
    })
    .map((g) => g.reverse());
}

export function assertDefinition(def: unknown, actions?: (name: string) => KnownAction | undefined): WorkflowDefinition {
  const problems = definitionErrors(def, actions);
  if (problems.length) throw validation(problems, 'The workflow definition is not valid');
  return def as WorkflowDefinition;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The next time a schedule trigger fires after `from`, or undefined for other triggers. */
export function nextScheduled(t: Trigger, from: Date): Date | undefined {
  if (t.type !== 'schedule') return undefined;
  if (t.every_minutes) return new Date(from.getTime() + t.every_minutes * 60_000);
  return CronExpressionParser.parse(t.cron!, { tz: t.timezone ?? 'UTC', currentDate: from })
    .next()
    .toDate();
}

/** "-3d" → -259200000 ms; "0" → 0. */
export function offsetMs(offset: string | undefined): number {
  const m = /^([+-])(\d+)([mhd])$/.exec(offset ?? '0');
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * Number(m[2]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[3] as 'm' | 'h' | 'd'];
}
