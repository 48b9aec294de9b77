// Starting runs: record triggers from the transactional outbox (a rolled-back write left no
// event, so it triggers nothing), read as one subscription ("workflows", events/subscriber.ts)
// like the plugins' after-hooks; and schedules, each due workflow claimed with SKIP LOCKED by
// one node per turn.
import { dbErrorOf, sql, type Database, type Executor } from '../db/index.ts';
import { createSubscriber, readRecordEventsOf, type OutboxCursor, type OutboxEvent } from '../events/index.ts';
import type { RecordService } from '../records/index.ts';
import { nextScheduled } from './definition.ts';
import { evaluateFilter } from './filter.ts';
import { insertRun, insertRuns, DEFAULT_MAX_DEPTH } from './runs.ts';
import { ProblemError } from '../problems/index.ts';
import { TRIGGER_SUBSCRIPTION, type ActiveWorkflow, type WorkflowStore } from './store.ts';
import { logEvent } from '../log/index.ts';

const BATCH = 200;

export { isWorkflowFault };

export function createTriggerDispatcher(opts: { db: Database; records: RecordService; store: WorkflowStore; maxDepth?: number }) {
  const { db } = opts;
  // A failing read (the database went away) is retried soon: runs wait on it.
  const subscriber = createSubscriber(db, { batch: BATCH, maxBackoffMs: 30_000 });
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  const actorOf = (wf: ActiveWorkflow) => ({ actor: wf.user_id, via: `workflow:${wf.id}` });

  /** Each event's run depth: one more than the run whose step wrote the change, else 0 (one query per batch). */
  async function depthsOf(events: OutboxEvent[]): Promise<Map<string, number>> {
    const runOf = (e: OutboxEvent) =>
      /^workflow:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(e.request_id ?? '')?.[1];
    const ids = [...new Set(events.map(runOf).filter((x): x is string => !!x))];
    const depth = new Map<string, number>();
    if (ids.length) {
      const rows = await db.query<{ id: string; depth: number }>(
        sql`select id::text as id, depth from kizuna_workflow_runs where id in (${sql.join(
          ids.map((i) => sql`${i}::uuid`),
          sql`, `,
        )})`,
      );
      for (const r of rows) depth.set(r.id, Number(r.depth) + 1);
    }
    return new Map(events.map((e) => [e.id, depth.get(runOf(e) ?? '') ?? 0]));
  }

  const listIn = (object: string, ids: string[], filter: unknown, wf: ActiveWorkflow, fields?: string, exec: Executor = db) =>
    opts.records.list(
      object,
      {
        filter: JSON.stringify(filter ? { and: [filter, { id: { in: ids } }] } : { id: { in: ids } }),
        limit: '500',
        ...(fields && { fields }),
      },
      actorOf(wf),
      exec,
    );

  /**
   * Starts the runs a batch of events triggers: the matching is per workflow, each condition
   * one query over the batch's records, the records one query per object, and the runs one
   * insert — not a few queries per event (the dispatcher is one node at a time).
   */
  async function startAll(
    active: ActiveWorkflow[],
    events: OutboxEvent[],
    backlog = false,
  ): Promise<{ wf: ActiveWorkflow; error: WorkflowFault }[]> {
    const pairs: { wf: ActiveWorkflow; e: OutboxEvent }[] = [];
    const failed: { wf: ActiveWorkflow; error: WorkflowFault }[] = [];
    for (const wf of active) {
      try {
        for (const e of await matching(wf, events, backlog)) pairs.push({ wf, e });
      } catch (e) {
        // The workflow's own fault (its condition names an unknown field, an operator the
        // field does not take): it alone stops; the others' runs start. Anything else (the
        // database went away) fails the batch, which is read again.
        if (!isWorkflowFault(e)) throw e;
        failed.push({ wf, error: e });
      }
    }
    if (pairs.length) await insert(pairs);
    return failed;
  }

  /** The events of a batch that start this workflow. `backlog`: events it stopped at while failing, which it takes whenever it was switched on. */
  async function matching(wf: ActiveWorkflow, events: OutboxEvent[], backlog: boolean): Promise<OutboxEvent[]> {
    const t = wf.definition.trigger;
    // A change made before the workflow was switched on does not start it (the dispatcher
    // may read that change's event only after an admin enabled the workflow).
    let mine = events.filter(
      (e) => t.type === e.topic && t.object === e.object && (backlog || !(wf.enabled_ms && e.created_ms < wf.enabled_ms)),
    );
    if (t.type === 'record.updated' && t.fields) mine = mine.filter((e) => t.fields!.some((f) => Object.hasOwn(e.changes ?? {}, f)));
    if (t.condition && t.type !== 'record.deleted' && mine.length && mentionsOld(t.condition)) {
      // Conditions on the values before the change ("old.status"): decided per event, the
      // old values being the record now with each changed field's `from`.
      const kept: OutboxEvent[] = [];
      for (const e of mine) {
        // The record and the condition's parts on it are read in one snapshot: two reads could
        // straddle a later write (old values from before it, new ones from after: a run for a
        // change that never went from old to new).
        const hit = await db
          .transaction(async (tx) => {
            await tx.query(sql`set transaction isolation level repeatable read`);
            const [now] = (await listIn(t.object!, [e.record_id], undefined, wf, undefined, tx)).data;
            if (!now) return false;
            const old: Record<string, unknown> = { ...now };
            for (const [f, c] of Object.entries(e.changes ?? {}))
              old[f] = t.type === 'record.created' ? null : ((c as { from?: unknown })?.from ?? null);
            const match = (f: Record<string, unknown>) => listIn(t.object!, [e.record_id], f, wf, 'id', tx).then((p) => p.data.length > 0);
            return evaluateFilter(withOldAsContext(t.condition), { trigger: { old } }, match);
          })
          .catch((err) => {
            if (isWorkflowFault(err)) throw err;
            return false;
          });
        if (hit) kept.push(e);
      }
      mine = kept;
    } else if (t.condition && t.type !== 'record.deleted' && mine.length) {
      const ids = [...new Set(mine.map((e) => e.record_id))];
      const hits = new Set<string>();
      for (let i = 0; i < ids.length; i += 500) {
        for (const r of (await listIn(t.object!, ids.slice(i, i + 500), t.condition, wf, 'id')).data) hits.add(r.id as string);
      }
      mine = mine.filter((e) => hits.has(e.record_id));
    }
    return mine;
  }

  async function insert(pairs: { wf: ActiveWorkflow; e: OutboxEvent }[]) {
    // The records as they are now (a deleted one is only its id), read as the workflow.
    const records = new Map<string, Record<string, unknown>>();
    const byObject = new Map<string, { wf: ActiveWorkflow; ids: Set<string> }>();
    for (const { wf, e } of pairs) {
      if (e.topic === 'record.deleted') continue;
      const o = byObject.get(e.object) ?? { wf, ids: new Set<string>() };
      o.ids.add(e.record_id);
      byObject.set(e.object, o);
    }
    for (const [object, { wf, ids }] of byObject) {
      const all = [...ids];
      for (let i = 0; i < all.length; i += 500) {
        const page = await listIn(object, all.slice(i, i + 500), undefined, wf).catch(() => ({ data: [] as Record<string, unknown>[] }));
        for (const r of page.data) records.set(`${object}:${r.id}`, r);
      }
    }
    const depths = await depthsOf(pairs.map((p) => p.e));
    await insertRuns(
      db,
      pairs.map(({ wf, e }) => ({
        wf,
        start: {
          trigger: {
            type: e.topic,
            object: e.object,
            record_id: e.record_id,
            version: e.version,
            record: records.get(`${e.object}:${e.record_id}`) ?? { id: e.record_id },
            changes: e.changes ?? {},
          },
          object: e.object,
          recordId: e.record_id,
          eventId: e.id,
          depth: depths.get(e.id) ?? 0,
        },
      })),
      maxDepth,
    );
  }

  /** Reads the outbox from the subscription's cursor; true when a full batch was read (there may be more). */
  function dispatchEvents(): Promise<boolean> {
    return subscriber.turn(TRIGGER_SUBSCRIPTION, async (t) => {
      // History gives what changed and who wrote it (a workflow's request id carries the run).
      // Only the events of objects some record-triggered workflow watches are read.
      const active = (await opts.store.active()).filter((w) => w.definition.trigger.type.startsWith('record.'));
      // A workflow fixed after failing first reads, from where it stopped, the events up to
      // this cursor; once there it reads with everyone again. Under the cursor's lease, so the
      // cursor cannot move meanwhile.
      let more = false;
      const current: ActiveWorkflow[] = [];
      for (const wf of active) {
        if (!wf.resume) current.push(wf);
        else if (await catchUp(wf, wf.resume, t.from)) current.push(wf);
        else more = true;
      }
      const objects = [...new Set(current.map((w) => w.definition.trigger.object!))];
      const { events, end } = await t.read(objects);
      if (events.length) await markFailed(await startAll(current, events), t.from);
      const moved = end.xid !== t.from.xid || end.id !== t.from.id;
      t.reached(end);
      return more || (moved && events.length === BATCH);
    });
  }

  /** One batch of a workflow's own backlog, up to the shared cursor; true once it has caught up. */
  async function catchUp(wf: ActiveWorkflow, from: OutboxCursor, upTo: OutboxCursor): Promise<boolean> {
    const { events } = await readRecordEventsOf(db, from, BATCH, [wf.definition.trigger.object!]);
    const mine = events.filter((e) => !after(e, upTo));
    const failed = await startAll([wf], mine, true);
    if (failed.length) {
      await markFailed(failed, from);
      return false;
    }
    const done = mine.length < events.length || events.length < BATCH;
    await opts.store.moveResume(wf.id, from, done ? null : mine[mine.length - 1]);
    return done;
  }

  async function markFailed(failed: { wf: ActiveWorkflow; error: WorkflowFault }[], at: OutboxCursor) {
    for (const { wf, error } of failed) {
      await opts.store.markFailing(
        wf.id,
        wf.version,
        { message: `Its trigger could not be evaluated: ${error.message}`, ...(error.errors?.length && { errors: error.errors }) },
        at,
      );
      logEvent({
        level: 'warn',
        msg: 'workflow stopped: its trigger could not be evaluated',
        workflow: wf.id,
        version: wf.version,
        error: error.message,
      });
    }
  }

  /** Starts the runs of schedules that are due and moves each to its next time. */
  async function fireSchedules(): Promise<void> {
    await db.transaction(async (tx) => {
      const due = await tx.query<{
        id: string;
        user_id: string;
        version: number;
        definition: unknown;
        next_run_at: string;
      }>(sql`select w.id::text as id,
          w.user_id::text as user_id, v.version, v.definition, w.next_run_at::text as next_run_at
        from kizuna_workflows w join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version
        where w.enabled and w.state = 'ok' and w.next_run_at <= now() order by w.next_run_at limit 20 for update of w skip locked`);
      for (const d of due) {
        const wf: ActiveWorkflow = {
          ...d,
          definition: typeof d.definition === 'string' ? JSON.parse(d.definition) : d.definition,
        } as ActiveWorkflow;
        // From now, not from the missed time: a server that was down fires once, not once per missed turn.
        const next = nextScheduled(wf.definition.trigger, new Date());
        await tx.query(
          sql`update kizuna_workflows set next_run_at = ${next?.toISOString() ?? null}::timestamptz where id = ${wf.id}::uuid`,
        );
        await insertRun(tx, wf, { trigger: { type: 'schedule', at: new Date().toISOString() } }, maxDepth);
      }
    });
  }

  return { dispatchEvents, fireSchedules };
}

/**
 * A failure that is the workflow's own, not the database's: a client error its trigger caused,
 * or a statement PostgreSQL refused for its values or shape (SQLSTATE classes 22 data exception
 * and 42 syntax/access) — a condition the checks missed must still stop only its workflow.
 * Anything else (connection lost, serialization) fails the batch, which is read again.
 */
function isWorkflowFault(e: unknown): e is WorkflowFault {
  if (e instanceof ProblemError) return e.status >= 400 && e.status < 500;
  return /^(22|42)/.test(dbErrorOf(e)?.code ?? '');
}

/** What a workflow marked failing shows of the error that stopped it. */
type WorkflowFault = Pick<ProblemError, 'message' | 'errors'>;

/** Whether an outbox position is after another (xid, then id). */
const after = (a: OutboxCursor, b: OutboxCursor) => BigInt(a.xid) > BigInt(b.xid) || (a.xid === b.xid && BigInt(a.id) > BigInt(b.id));

/** Whether a trigger condition names a value before the change (`old.<field>`). */
function mentionsOld(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object') return false;
  if (Array.isArray(filter)) return filter.some(mentionsOld);
  return Object.entries(filter).some(([k, v]) => k.startsWith('old.') || ((k === 'and' || k === 'or' || k === 'not') && mentionsOld(v)));
}

/** `old.<field>` keys as context paths (`trigger.old.<field>`) for evaluateFilter. */
function withOldAsContext(filter: unknown): unknown {
  if (!filter || typeof filter !== 'object') return filter;
  if (Array.isArray(filter)) return filter.map(withOldAsContext);
  return Object.fromEntries(
    Object.entries(filter).map(([k, v]) =>
      k.startsWith('old.') ? [`trigger.${k}`, v] : [k, k === 'and' || k === 'or' || k === 'not' ? withOldAsContext(v) : v],
    ),
  );
}
