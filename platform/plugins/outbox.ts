// After-hooks: each plugin reads the transactional outbox (kizuna_events) from its own
// cursor, at least once and in order. A lease on the cursor row (not a held lock, so
// PGlite's single connection never waits on itself) keeps two nodes from delivering the same
// events concurrently; a failing hook backs off and retries from the failed event.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { onOutboxCommit, readRecordEventsOf, type OutboxCursor } from '../events/index.ts';
import { DEFAULT_HOOK_TIMEOUT_MS, withinTime } from './budget.ts';
import { hooksOf, type ActivePlugin } from './hooks.ts';
import type { AfterEvent, ObjectHooks, PluginContext } from './sdk.ts';
import { logEvent } from '../log/index.ts';

const afterName: Record<string, keyof ObjectHooks> = {
  'record.created': 'afterCreate',
  'record.updated': 'afterUpdate',
  'record.deleted': 'afterDelete',
};

/** Whether a plugin has after-hooks at all, and on which objects (undefined: every object). */
export function afterHookObjects(hooks: Record<string, ObjectHooks>): { wanted: boolean; objects?: string[] } {
  const has = (h?: ObjectHooks) => !!(h?.afterCreate || h?.afterUpdate || h?.afterDelete);
  const wanted = Object.values(hooks).some(has);
  return { wanted, objects: hooks['*'] ? undefined : Object.keys(hooks).filter((o) => has(hooks[o])) };
}

/** The after-hook an event goes to, if any. */
export function afterHookFor(hooks: Record<string, ObjectHooks>, e: { object: string; topic: string }) {
  const name = afterName[e.topic];
  return name && ((hooks[e.object]?.[name] ?? hooks['*']?.[name]) as ((ev: AfterEvent, ctx: PluginContext) => unknown) | undefined);
}

const BATCH = 200;
const LEASE_SECONDS = 30;

export function createOutboxDispatcher(opts: {
  db: Database;
  active: () => ActivePlugin[];
  contextFor: (p: ActivePlugin) => PluginContext;
  intervalMs?: number;
  timeoutMs?: number;
}) {
  const owner = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function deliver(p: ActivePlugin): Promise<void> {
    const hooks = hooksOf(p);
    const { wanted, objects } = afterHookObjects(hooks);
    if (!wanted) return;
    const [cursor] = await opts.db.query<OutboxCursor & Record<string, unknown>>(sql`update kizuna_plugin_cursors
      set lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
      where plugin = ${p.name} and (lease_until is null or lease_until < now() or lease_owner = ${owner}) and (retry_at is null or retry_at <= now())
      returning last_xid::text as xid, last_event_id::text as id`);
    if (!cursor) return; // another node holds it, or it is backing off
    let last: OutboxCursor = cursor;
    try {
      // Only the objects it has after-hooks for ("*": all).
      const { events, end } = await readRecordEventsOf(opts.db, last, BATCH, objects);
      for (const e of events) {
        const fn = afterHookFor(hooks, e);
        if (fn) {
          try {
            // A hook that never settles would stall delivery for every plugin: out of time, it failed.
            const ms = opts.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
            const work = Promise.resolve(
              fn(
                {
                  object: e.object,
                  id: e.record_id,
                  topic: e.topic as AfterEvent['topic'],
                  version: e.version,
                  actor: e.actor,
                  idempotencyKey: `${p.name}:${e.id}`,
                },
                opts.contextFor(p),
              ),
            );
            work.catch(() => {});
            await withinTime(ms, work, () => new Error(`${afterName[e.topic]} did not finish within ${ms} ms`));
          } catch (err) {
            logEvent({
              level: 'error',
              msg: 'plugin after-hook failed',
              plugin: p.name,
              event: e.id,
              topic: e.topic,
              error: String((err as Error)?.stack ?? err),
            });
            await opts.db
              .query(sql`update kizuna_plugin_cursors set last_xid = ${last.xid}::xid8, last_event_id = ${last.id}::bigint, failures = failures + 1,
                retry_at = now() + make_interval(secs => least(300, power(2, failures))::int), last_error = ${String((err as Error)?.message ?? err).slice(0, 1000)},
                lease_owner = null, lease_until = null
              where plugin = ${p.name} and lease_owner = ${owner}`);
            return;
          }
        }
        last = e;
      }
      last = end;
      if (events.length === BATCH) again = true;
    } finally {
      // Still ours only when no hook failed (a failure released the lease with its backoff).
      await opts.db
        .query(
          sql`update kizuna_plugin_cursors set last_xid = ${last.xid}::xid8, last_event_id = ${last.id}::bigint, lease_owner = null, lease_until = null,
          failures = 0, retry_at = null, last_error = null
        where plugin = ${p.name} and lease_owner = ${owner}`,
        )
        .catch(() => {});
    }
  }

  const runOnce = async () => {
    do {
      again = false;
      for (const p of opts.active())
        await deliver(p).catch((e) => logEvent({ level: 'error', msg: 'outbox delivery failed', plugin: p.name, error: String(e) }));
    } while (again && !stopped);
  };

  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = runOnce().finally(() => (running = undefined));
    return running;
  };

  return {
    async start() {
      // Woken on every commit that wrote events (any node); the timer is the safety net.
      const off = await onOutboxCommit(opts.db, () => void tick());
      if (stopped) return void (await off().catch(() => {}));
      unlisten = off;
      timer = setInterval(() => void tick(), opts.intervalMs ?? 1000);
      timer.unref();
    },
    /** Deliver now (after a local write) instead of at the next tick. */
    kick: () => void tick(),
    /** Resolves when everything committed so far has been delivered (tests). */
    async drain() {
      await tick();
      await running;
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await unlisten?.().catch(() => {});
      await running;
    },
  };
}
