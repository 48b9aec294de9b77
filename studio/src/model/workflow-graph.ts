// A definition seen as a graph: its edges (trigger → start, `next`, `branches.*`), a layered
// auto-layout for steps without a stored position, and the edits the canvas makes (connect,
// disconnect, add, remove). Every edit returns a new definition; the caller keeps it.
import { clone, entryOf, handlesOf, type Catalog, type Position, type WorkflowDefinition, type WorkflowStep } from './workflow.ts';

export const TRIGGER_ID = 'trigger';
export const NODE_W = 240;
export const NODE_H = 84;
const GAP_X = 60;
const GAP_Y = 70;

export interface GraphEdge {
  id: string;
  source: string;
  /** "start" from the trigger, "next", or a branch name. */
  handle: string;
  target: string;
}

export function edgesOf(def: WorkflowDefinition): GraphEdge[] {
  const out: GraphEdge[] = [];
  if (def.start) out.push({ id: `${TRIGGER_ID}:start`, source: TRIGGER_ID, handle: 'start', target: def.start });
  for (const s of def.steps) {
    if (s.next) out.push({ id: `${s.id}:next`, source: s.id, handle: 'next', target: s.next });
    for (const [name, target] of Object.entries(s.branches ?? {})) out.push({ id: `${s.id}:${name}`, source: s.id, handle: name, target });
  }
  return out;
}

/** Step ids reachable from the start, in breadth-first order. */
export function reachable(def: WorkflowDefinition): string[] {
  const byId = new Map(def.steps.map((s) => [s.id, s]));
  const seen: string[] = [];
  const queue = byId.has(def.start) ? [def.start] : [];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.includes(id)) continue;
    seen.push(id);
    const s = byId.get(id)!;
    for (const t of [s.next, ...Object.values(s.branches ?? {})]) if (t && byId.has(t) && !seen.includes(t)) queue.push(t);
  }
  return seen;
}

/** Steps that may have run before `id` (on some path from the start to it). */
export function predecessors(def: WorkflowDefinition, id: string): string[] {
  const into = new Map<string, string[]>();
  for (const e of edgesOf(def)) if (e.source !== TRIGGER_ID) into.set(e.target, [...(into.get(e.target) ?? []), e.source]);
  const seen = new Set<string>();
  const stack = [...(into.get(id) ?? [])];
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s) || s === id) continue;
    seen.add(s);
    stack.push(...(into.get(s) ?? []));
  }
  return def.steps.map((s) => s.id).filter((s) => seen.has(s));
}

/**
 * Positions for every node: the stored `ui` where there is one, else layers by distance from
 * the trigger (branches side by side), unreachable steps in a column to the right.
 */
export function layout(def: WorkflowDefinition): Record<string, Position> {
  const pos: Record<string, Position> = {};
  const depth = new Map<string, number>([[TRIGGER_ID, 0]]);
  const order = reachable(def);
  const byId = new Map(def.steps.map((s) => [s.id, s]));
  if (def.start && byId.has(def.start)) depth.set(def.start, 1);
  for (const id of order) {
    const s = byId.get(id)!;
    for (const t of [s.next, ...Object.values(s.branches ?? {})]) {
      if (t && byId.has(t) && !depth.has(t)) depth.set(t, depth.get(id)! + 1);
    }
  }
  const layers = new Map<number, string[]>();
  for (const [id, d] of depth) layers.set(d, [...(layers.get(d) ?? []), id]);
  for (const [d, ids] of layers) {
    const width = ids.length * NODE_W + (ids.length - 1) * GAP_X;
    ids.forEach((id, i) => (pos[id] = { x: -width / 2 + i * (NODE_W + GAP_X) + NODE_W / 2 - NODE_W / 2, y: d * (NODE_H + GAP_Y) }));
  }
  const maxX = Math.max(NODE_W, ...Object.values(pos).map((p) => p.x + NODE_W));
  def.steps.filter((s) => !depth.has(s.id)).forEach((s, i) => (pos[s.id] = { x: maxX + GAP_X * 2, y: (i + 1) * (NODE_H + GAP_Y) }));
  if (def.trigger.ui) pos[TRIGGER_ID] = def.trigger.ui;
  for (const s of def.steps) if (s.ui) pos[s.id] = s.ui;
  return pos;
}

/** The same definition with every position forgotten, so `layout` places everything anew. */
export function withoutPositions(def: WorkflowDefinition): WorkflowDefinition {
  const d = clone(def);
  delete d.trigger.ui;
  for (const s of d.steps) delete s.ui;
  return d;
}

export function moveNode(def: WorkflowDefinition, id: string, p: Position): WorkflowDefinition {
  const d = clone(def);
  const ui = { x: Math.round(p.x), y: Math.round(p.y) };
  if (id === TRIGGER_ID) d.trigger.ui = ui;
  else {
    const s = d.steps.find((x) => x.id === id);
    if (s) s.ui = ui;
  }
  return d;
}

/** Points a handle at a target step (replacing what it pointed at). */
export function connect(def: WorkflowDefinition, catalog: Catalog, source: string, handle: string, target: string): WorkflowDefinition {
  const d = clone(def);
  if (source === TRIGGER_ID) {
    d.start = target;
    return d;
  }
  const s = d.steps.find((x) => x.id === source);
  if (!s || source === target) return def;
  if (handle !== 'next' && handlesOf(s, entryOf(catalog, s)).includes(handle)) s.branches = { ...(s.branches ?? {}), [handle]: target };
  else s.next = target;
  return d;
}

export function disconnect(def: WorkflowDefinition, source: string, handle: string): WorkflowDefinition {
  const d = clone(def);
  if (source === TRIGGER_ID) {
    d.start = '';
    return d;
  }
  const s = d.steps.find((x) => x.id === source);
  if (!s) return def;
  if (handle === 'next') delete s.next;
  else if (s.branches) {
    delete s.branches[handle];
    if (!Object.keys(s.branches).length) delete s.branches;
  }
  return d;
}

/** A fresh step id from the type: update_record, update_record_2, … */
export function newStepId(def: WorkflowDefinition, type: string): string {
  const base = (
    type
      .replace(/[^a-z0-9_]/gi, '_')
      .toLowerCase()
      .replace(/^[^a-z]+/, '') || 'step'
  ).slice(0, 50);
  const ids = new Set(def.steps.map((s) => s.id));
  if (!ids.has(base)) return base;
  let n = 2;
  while (ids.has(`${base}_${n}`)) n++;
  return `${base}_${n}`;
}

/**
 * Adds a step at a position. When `after` names a node with a free outgoing handle, the new
 * step is connected there (the keyboard way to build a chain); the first step becomes the start.
 */
export function addStep(
  def: WorkflowDefinition,
  catalog: Catalog,
  step: Omit<WorkflowStep, 'id'>,
  at: Position,
  after?: string,
): { def: WorkflowDefinition; id: string } {
  let d = clone(def);
  const id = newStepId(
    d,
    step.type === 'action' && typeof step.config?.action === 'string' ? String(step.config.action).split('.').pop()! : step.type,
  );
  d.steps.push({ ...clone(step), id, ui: { x: Math.round(at.x), y: Math.round(at.y) } });
  if (!d.start || !d.steps.some((s) => s.id === d.start)) d.start = id;
  else if (after) {
    const free = freeHandle(d, catalog, after);
    if (free) d = connect(d, catalog, after, free, id);
  }
  return { def: d, id };
}

/** The first outgoing handle of a node that points nowhere yet. */
export function freeHandle(def: WorkflowDefinition, catalog: Catalog, id: string): string | undefined {
  if (id === TRIGGER_ID) return def.steps.some((s) => s.id === def.start) ? undefined : 'start';
  const s = def.steps.find((x) => x.id === id);
  if (!s) return undefined;
  return handlesOf(s, entryOf(catalog, s)).find((h) => (h === 'next' ? !s.next : !s.branches?.[h]));
}

/** Removes a step and every edge into it; a removed start passes to the step it led to. */
export function removeStep(def: WorkflowDefinition, id: string): WorkflowDefinition {
  const d = clone(def);
  const gone = d.steps.find((s) => s.id === id);
  if (!gone) return def;
  d.steps = d.steps.filter((s) => s.id !== id);
  for (const s of d.steps) {
    if (s.next === id) delete s.next;
    for (const [k, v] of Object.entries(s.branches ?? {})) if (v === id) delete s.branches![k];
    if (s.branches && !Object.keys(s.branches).length) delete s.branches;
  }
  if (d.start === id) d.start = gone.next ?? Object.values(gone.branches ?? {})[0] ?? d.steps[0]?.id ?? '';
  return d;
}

/** Renames a step id everywhere it is referenced. */
export function renameStep(def: WorkflowDefinition, from: string, to: string): WorkflowDefinition {
  if (from === to || def.steps.some((s) => s.id === to)) return def;
  const d = clone(def);
  for (const s of d.steps) {
    if (s.id === from) s.id = to;
    if (s.next === from) s.next = to;
    for (const [k, v] of Object.entries(s.branches ?? {})) if (v === from) s.branches![k] = to;
  }
  if (d.start === from) d.start = to;
  return d;
}
