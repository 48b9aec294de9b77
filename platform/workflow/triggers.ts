// Starting runs: record triggers from the transactional outbox (a rolled-back write left no
// event, so it triggers nothing), read from one cursor under a lease like the plugins'
// after-hooks; and schedules, each due workflow claimed with SKIP LOCKED by one node per turn.
import { sql, type Database } from '../db/index.ts';
import { readRecordEvents, type OutboxCursor, type OutboxEvent } from '../events/outbox.ts';
import type { RecordService } from '../records/index.ts';
import { nextScheduled } from './definition.ts';
import { insertRun, DEFAULT_MAX_DEPTH } from './runs.ts';
import type { ActiveWorkflow, WorkflowStore } from './store.ts';

const BATCH = 200;
const LEASE_SECONDS = 30;

export function createTriggerDispatcher(opts: { db: Database; records: RecordService; store: WorkflowStore; owner: string; maxDepth?: number }) {
  const { db, owner } = opts;
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  const actorOf = (wf: ActiveWorkflow) => ({ actor: wf.user_id, via: `workflow:${wf.id}` });

  /** A run's depth: one more than the run whose step wrote this change, else 0. */
  async function depthOf(e: OutboxEvent): Promise<number> {
    const m = /^workflow:([0-9a-f-]{36})$/.exec(e.request_id ?? '');
    if (!m) return 0;
    const [r] = await db.query<{ depth: number }>(sql`select depth from kizuna_workflow_runs where id = ${m[1]}::uuid`);
    return r ? Number(r.depth) + 1 : 0;
  }

  async function wants(wf: ActiveWorkflow, e: OutboxEvent): Promise<boolean> {
    const t = wf.definition.trigger;
    if (t.type !== e.topic || t.object !== e.object) return false;
    if (t.type === 'record.updated' && t.fields) {
      const changes = e.changes ?? {};
      if (!t.fields.some((f) => Object.hasOwn(changes, f))) return false;
    }
    if (t.condition && t.type !== 'record.deleted') {
      const filter = JSON.stringify({ and: [t.condition, { id: { eq: e.record_id } }] });
      const page = await opts.records.list(e.object, { filter, limit: '1', fields: 'id' }, actorOf(wf));
      if (!page.data.length) return false;
    }
    return true;
  }

  async function start(wf: ActiveWorkflow, e: OutboxEvent) {
    const record = e.topic === 'record.deleted' ? { id: e.record_id } : await opts.records.get(e.object, e.record_id, actorOf(wf)).catch(() => ({ id: e.record_id }));
    const changes = e.changes;
    await insertRun(db, wf, {
      trigger: { type: e.topic, object: e.object, record_id: e.record_id, version: e.version, record, changes: changes ?? {} },
      object: e.object, recordId: e.record_id, eventId: e.id, depth: await depthOf(e),
    }, maxDepth);
  }

  /** Reads the outbox from the cursor; true when a full batch was read (there may be more). */
  async function dispatchEvents(): Promise<boolean> {
    const [cursor] = await db.query<OutboxCursor & Record<string, unknown>>(sql`update kizuna_workflow_cursor set lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
      where lease_until is null or lease_until < now() or lease_owner = ${owner} returning last_xid::text as xid, last_event_id::text as id`);
    if (!cursor) return false;
    let last: OutboxCursor = cursor;
    try {
      // History gives what changed and who wrote it (a workflow's request id carries the run).
      const events = await readRecordEvents(db, last, BATCH);
      if (!events.length) return false;
      const active = (await opts.store.active()).filter((w) => w.definition.trigger.type.startsWith('record.'));
      for (const e of events) {
        for (const wf of active) if (await wants(wf, e)) await start(wf, e);
        last = e;
      }
      return events.length === BATCH;
    } finally {
      await db.query(sql`update kizuna_workflow_cursor set last_xid = ${last.xid}::xid8, last_event_id = ${last.id}::bigint, lease_owner = null, lease_until = null
        where lease_owner = ${owner}`).catch(() => {});
    }
  }

  /** Starts the runs of schedules that are due and moves each to its next time. */
  async function fireSchedules(): Promise<void> {
    await db.transaction(async (tx) => {
      const due = await tx.query<{ id: string; user_id: string; version: number; definition: unknown; next_run_at: string }>(sql`select w.id::text as id,
          w.user_id::text as user_id, v.version, v.definition, w.next_run_at::text as next_run_at
        from kizuna_workflows w join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version
        where w.enabled and w.next_run_at <= now() order by w.next_run_at limit 20 for update of w skip locked`);
      for (const d of due) {
        const wf: ActiveWorkflow = { ...d, definition: typeof d.definition === 'string' ? JSON.parse(d.definition) : d.definition } as ActiveWorkflow;
        // From now, not from the missed time: a server that was down fires once, not once per missed turn.
        const next = nextScheduled(wf.definition.trigger, new Date());
        await tx.query(sql`update kizuna_workflows set next_run_at = ${next?.toISOString() ?? null}::timestamptz where id = ${wf.id}::uuid`);
        await insertRun(tx, wf, { trigger: { type: 'schedule', at: new Date().toISOString() } }, maxDepth);
      }
    });
  }

  return { dispatchEvents, fireSchedules };
}
