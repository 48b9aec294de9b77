// A plugin's after-hook delivery as an admin sees it: ok or failing, the last error, the event
// it is stuck on and how many events wait behind it; and the admin's two ways out of a hook
// that keeps failing: retry now (instead of at the end of the backoff) or skip the event.
import type { Database, Executor } from '../db/index.ts';
import {
  countRecordEvents,
  endBackoff,
  moveSubscription,
  readRecordEventsOf,
  subscriptionState,
  type OutboxCursor,
} from '../events/index.ts';
import { conflict, notFound } from '../problems/index.ts';
import { hooksOf, type ActivePlugin } from './hooks.ts';
import { afterHookFor, afterHookObjects, afterHookSubscription } from './outbox.ts';

export interface AfterHookState {
  state: 'ok' | 'failing';
  failures: number;
  last_error: string | null;
  /** When the next attempt is due (backing off after failures). */
  retry_at: string | null;
  /** The event the hook fails on (the next one it would get), when failing. */
  failing_event: { id: string; topic: string; object: string; record_id: string } | null;
  /** Record events after the cursor on the objects the plugin has after-hooks for. */
  backlog: number;
}

const cursorOf = (db: Executor, plugin: string) => subscriptionState(db, afterHookSubscription(plugin));

/** The next event the plugin's after-hooks would be given. */
async function nextEvent(db: Executor, p: ActivePlugin, after: OutboxCursor) {
  const hooks = hooksOf(p);
  const { objects } = afterHookObjects(hooks);
  let at = after;
  for (;;) {
    const { events, end } = await readRecordEventsOf(db, at, 100, objects);
    const e = events.find((x) => afterHookFor(hooks, x));
    if (e) return e;
    if (events.length < 100) return undefined;
    at = end;
  }
}

/** Null when the plugin has no after-hooks (or is not loaded here, so which ones is unknown). */
export async function afterHookState(db: Database, p: ActivePlugin | undefined): Promise<AfterHookState | null> {
  if (!p) return null;
  const { wanted, objects } = afterHookObjects(hooksOf(p));
  if (!wanted) return null;
  const c = await cursorOf(db, p.name);
  if (!c) return null;
  const n = await countRecordEvents(db, c, objects);
  const failing = c.failures > 0;
  const e = failing ? await nextEvent(db, p, c) : undefined;
  return {
    state: failing ? 'failing' : 'ok',
    failures: c.failures,
    last_error: c.last_error,
    retry_at: c.retry_at,
    failing_event: e ? { id: e.id, topic: e.topic, object: e.object, record_id: e.record_id } : null,
    backlog: n,
  };
}

/** Ends the backoff: the next delivery turn tries the failing event again. */
export async function retryNow(db: Executor, plugin: string): Promise<void> {
  if (!(await endBackoff(db, afterHookSubscription(plugin)))) throw notFound(`The plugin ${plugin} is not installed`);
}

/**
 * Moves the plugin's cursor past the event its after-hook fails on: the hook never gets it.
 * `eventId` must be that event (what the admin saw), so a skip never drops a different one.
 */
export async function skipFailing(tx: Executor, p: ActivePlugin, eventId: string) {
  const c = await cursorOf(tx, p.name);
  if (!c || c.failures === 0)
    throw conflict(`The after-hooks of ${p.name} are not failing; there is nothing to skip`, [
      { field: 'event', message: 'is not failing' },
    ]);
  const e = await nextEvent(tx, p, c);
  if (!e || e.id !== eventId) {
    throw conflict(`The after-hooks of ${p.name} fail on event ${e?.id ?? '(none)'}, not ${eventId}`, [
      { field: 'event', message: `must be the failing event (${e?.id ?? 'none'})` },
    ]);
  }
  if (!(await moveSubscription(tx, afterHookSubscription(p.name), c, e)))
    throw conflict(`The after-hooks of ${p.name} are being delivered right now; try again`, [
      { field: 'event', message: 'is being delivered' },
    ]);
  return { event: { id: e.id, topic: e.topic, object: e.object, record_id: e.record_id }, error: c.last_error };
}
