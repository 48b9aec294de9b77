// Before-hooks: code (from plugins) that runs inside a write's transaction, may change the
// values or refuse the write with a problem. A hook that crashes rolls the write back and is
// reported with its plugin's name; it never takes the rest of the platform down.
//
// A hook has a per-record form (run), a batch form (batch: many records in one call, for bulk
// writes and import batches), or both. A single write uses run, else batch with one row; a
// batch of rows goes to batch only when every hook of the object has one (`batchable`), and
// otherwise record by record.
import { sql } from 'drizzle-orm';
import type { Transaction } from '../db/index.ts';
import type { ObjectModel } from '../model/index.ts';
import { forbidden, isProblem, ProblemError } from '../problems/index.ts';
import type { WriteContext } from './write-sql.ts';
import { logEvent } from '../log/index.ts';

export type HookEvent = 'create' | 'update' | 'delete';

export interface BeforeHookArgs {
  object: string;
  event: HookEvent;
  /** The record id (update, delete). */
  id?: string;
  /** The values being written (a copy the hook may change and return). */
  values: Record<string, unknown>;
  actor: WriteContext;
  /** The write's transaction: what the hook writes commits or rolls back with it. */
  tx: Transaction;
}

/** One row of a batch: the caller's index (echoed in outcomes), the record id of an update, the values. */
export interface BatchRow {
  index: number;
  id?: string;
  values: Record<string, unknown>;
}

export interface BeforeBatchHookArgs {
  object: string;
  event: 'create' | 'update';
  rows: BatchRow[];
  actor: WriteContext;
  /** The batch's transaction: what the hook writes commits or rolls back with it. */
  tx: Transaction;
  /** Rows an import's previous batch is writing, not committed yet (hooks with `concurrent` only). */
  earlier?: (BatchRow & { id: string })[];
}

/** Aligned with the rows: new values for the row, a problem (4xx) refusing that row only, or nothing to leave it. */
export type BatchOutcome = (Record<string, unknown> | ProblemError | undefined | void | null)[];

export interface BeforeHook {
  plugin: string;
  /** The per-record form. */
  run?(args: BeforeHookArgs): Promise<Record<string, unknown> | void>;
  /** The batch form (creates and updates only). */
  batch?(args: BeforeBatchHookArgs): Promise<BatchOutcome | void>;
  /** The batch form may run for two import batches at once, reading `earlier` (ObjectHooks.concurrentBatches). */
  concurrent?: boolean;
}

export interface RecordHooks {
  before(object: string, event: HookEvent): BeforeHook[];
  /** Called after a write committed (the outbox holds its event), to wake after-hooks early. */
  written?(): void;
}

/**
 * A write may ask to override what before-hooks would refuse (hooks see `override: true` and
 * decide what it lets through); only a role granting override on the object may ask: else a
 * 403 naming `override`, before anything is written.
 */
export function assertOverride(model: ObjectModel, actor: WriteContext): void {
  if (!actor.override || !actor.access || actor.access.perms(model).override) return;
  throw forbidden(`You may not override checks on ${model.name} records (that needs the override permission on ${model.name})`, [
    { field: 'override', message: `is not permitted on ${model.name}` },
  ]);
}

/** Whether rows can go to these hooks as one batch: every one has a batch form (true for none). */
export const batchable = (hooks: BeforeHook[]) => hooks.every((h) => h.batch);

/** A crash inside a hook: 4xx refusals and 503s (out of time, not loaded) pass; anything else is the plugin's 500. */
function pluginFailure(e: unknown, plugin: string, object: string, what: string, event: string): never {
  if (isProblem(e) && (e.status < 500 || e.status === 503)) throw e;
  logEvent({ level: 'error', msg: 'plugin hook failed', plugin, object, event, error: String((e as Error)?.stack ?? e) });
  throw new ProblemError({
    status: 500,
    type: 'plugin-error',
    title: 'Plugin error',
    detail: `The plugin "${plugin}" failed while handling ${what} of ${object}; nothing was written`,
    extra: { plugin },
  });
}

/** A batch hook's answer checked: n outcomes, each values, a 4xx problem or nothing (a 5xx problem is thrown). */
function outcomesOf(answer: unknown, n: number): (Record<string, unknown> | ProblemError | undefined)[] {
  if (answer === undefined || answer === null) return new Array(n).fill(undefined);
  if (!Array.isArray(answer) || answer.length > n)
    throw new Error(
      `a batch hook must answer a list aligned with its ${n} row(s) (got ${Array.isArray(answer) ? `${answer.length} outcomes` : typeof answer})`,
    );
  return Array.from({ length: n }, (_, i) => {
    const o: unknown = answer[i];
    if (o === undefined || o === null) return undefined;
    if (isProblem(o)) {
      if (o.status >= 500) throw o;
      return o;
    }
    if (typeof o !== 'object' || Array.isArray(o)) throw new Error(`outcome ${i} of a batch hook is neither values, a problem nor nothing`);
    return o as Record<string, unknown>;
  });
}

export async function runBeforeHooks(hooks: BeforeHook[], args: BeforeHookArgs): Promise<Record<string, unknown>> {
  let values = args.values;
  for (const hook of hooks) {
    try {
      const copy = { ...values };
      let changed: Record<string, unknown> | void;
      if (hook.run) changed = await hook.run({ ...args, values: copy });
      else {
        // Only a batch form: one row, whose refusal is this write's problem.
        const [o] = outcomesOf(
          await hook.batch!({
            object: args.object,
            event: args.event as 'create' | 'update',
            rows: [{ index: 0, id: args.id, values: copy }],
            actor: args.actor,
            tx: args.tx,
          }),
          1,
        );
        if (o instanceof ProblemError) throw o;
        changed = o;
      }
      if (changed && typeof changed === 'object') values = changed;
    } catch (e) {
      pluginFailure(e, hook.plugin, args.object, `this ${args.event}`, args.event);
    }
  }
  return values;
}

/**
 * How a row must be checked again after its hooks: 'fields' — only the fields they set (new,
 * different, or holding an object or array, which a hook may have changed in place); 'all' —
 * the whole row, when a hook removed a field (a create's required fields are then in question).
 */
export type Recheck = (values: Record<string, unknown>, scope: 'all' | 'fields') => Record<string, unknown>;

/**
 * The fields a hook set on a row's checked values, or null when it removed one. Fields are
 * checked one by one (the object's schema has no rule across fields), so checking only these
 * is checking the row: the import with the dedupe plugin validated each whole row twice, for
 * the one field (dedupe_keys) the plugin adds (issue 14).
 */
export function fieldsSet(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> | null {
  for (const k of Object.keys(before)) if (after[k] === undefined) return null;
  const set: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    if (v === undefined) return null;
    if (v !== before[k] || (typeof v === 'object' && v !== null)) set[k] = v;
  }
  return set;
}

/**
 * Runs the batch forms of hooks (batchable ones) over rows, in order: a row one hook refuses
 * goes to no later hook; changed values are what the next hook and the write get. `recheck`
 * validates what a hook changed, as a single write does after its hooks (a problem it throws
 * refuses that row): the fields it set over the row's checked values, or the whole row when it
 * removed one. Answers, aligned with rows, each row's values or its problem.
 */
export async function runBatchHooks(
  hooks: BeforeHook[],
  args: BeforeBatchHookArgs,
  recheck: Recheck,
): Promise<(Record<string, unknown> | ProblemError)[]> {
  const out: (Record<string, unknown> | ProblemError)[] = args.rows.map((r) => r.values);
  // A batch hook's queries carry a whole batch's values (a thousand keys to look up). The
  // driver prepares statements, and after five runs PostgreSQL may plan one generically, blind
  // to those values: the dedupe key look-up then walked the table in id order instead of
  // asking its index (0.7 s a query on 12k contacts, growing with the table). Plan them for
  // their values, for the rest of this transaction (a single write's one row is no batch).
  if (hooks.length && args.rows.length > 1) await args.tx.query(sql`set local plan_cache_mode = force_custom_plan`);
  for (const hook of hooks) {
    const live = args.rows.flatMap((r, i) => (out[i] instanceof ProblemError ? [] : [i]));
    if (!live.length) break;
    try {
      const rows = live.map((i) => ({
        index: args.rows[i].index,
        id: args.rows[i].id,
        values: { ...(out[i] as Record<string, unknown>) },
      }));
      const outcomes = outcomesOf(await hook.batch!({ ...args, rows }), rows.length);
      live.forEach((i, n) => {
        if (outcomes[n] !== undefined) out[i] = outcomes[n]!;
      });
    } catch (e) {
      pluginFailure(e, hook.plugin, args.object, `a batch of ${args.rows.length} ${args.event}s`, args.event);
    }
  }
  return out.map((v, i) => {
    const before = args.rows[i].values;
    if (v instanceof ProblemError || v === before) return v;
    try {
      const set = fieldsSet(before, v);
      return set === null ? recheck(v, 'all') : { ...before, ...recheck(set, 'fields') };
    } catch (e) {
      if (isProblem(e) && e.status < 500) return e;
      throw e;
    }
  });
}
