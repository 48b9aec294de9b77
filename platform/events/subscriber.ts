// Readers of the transactional outbox — each plugin's after-hooks, the workflow triggers — are
// named subscriptions: a cursor row in kizuna_subscriptions, which this module alone writes.
// A turn takes the cursor's lease (db/lease.ts: two nodes never read for one subscription at
// once), lets the reader read in order up to the safe horizon (outbox.ts) and moves the cursor
// as far as the reader got. A reader that throws leaves the cursor after its last handled event
// and backs off (1 s, doubling, capped), so one failing reader neither spins nor holds back the
// others; an admin can end the backoff or move the cursor past the event it fails on.
import { backoffMs, leaseExpired, leaseOf, leaseOwner, leaseReleased, sql, type Database, type Executor } from '../db/index.ts';
import type { SQL } from 'drizzle-orm';
import { readRecordEventsOf, type OutboxCursor, type OutboxEvent } from './outbox.ts';

/** What a reader is given for one turn. */
export interface SubscriptionTurn {
  /** Where the subscription's cursor was when the turn began. */
  from: OutboxCursor;
  /** The next page of record events after where the reader has got to (only these objects' when given). */
  read(objects?: string[]): Promise<{ events: OutboxEvent[]; end: OutboxCursor }>;
  /** The reader has handled everything up to `at`: that is where the cursor goes. */
  reached(at: OutboxCursor): void;
}

export interface SubscriptionState extends OutboxCursor {
  failures: number;
  /** When the next turn may run (backing off after failures). */
  retry_at: string | null;
  last_error: string | null;
}

export interface SubscriberOptions {
  /** How long a turn holds the cursor before another node may take it (default 30 s). */
  leaseMs?: number;
  /** Events a read answers at most (default 200). */
  batch?: number;
  /** The longest wait after failures (default 5 min). */
  maxBackoffMs?: number;
}

export function createSubscriber(db: Database, o: SubscriberOptions = {}) {
  const owner = leaseOwner();
  const lease = leaseOf(owner);
  const leaseMs = o.leaseMs ?? 30_000;
  const batch = o.batch ?? 200;
  const maxBackoffMs = o.maxBackoffMs ?? 300_000;

  /**
   * One turn of the named subscription. Answers true when the reader asks for another at once
   * (it read a full page), false when it is done, another node holds the cursor or it is
   * backing off. A reader's error is rethrown once the cursor and the backoff are saved.
   */
  async function turn(name: string, reader: (t: SubscriptionTurn) => Promise<boolean>): Promise<boolean> {
    const [cursor] = await db.query<{
      xid: string;
      id: string;
      failures: number;
    }>(sql`update kizuna_subscriptions set ${lease.take(leaseMs)}
      where name = ${name} and ${lease.available} and (retry_at is null or retry_at <= now())
      returning last_xid::text as xid, last_event_id::text as id, failures`);
    if (!cursor) return false;
    let at: OutboxCursor = { xid: cursor.xid, id: cursor.id };
    const save = (state: SQL) =>
      db.query(sql`update kizuna_subscriptions set last_xid = ${at.xid}::xid8, last_event_id = ${at.id}::bigint, ${state}, ${leaseReleased}
        where name = ${name} and ${lease.held}`);
    let more: boolean;
    try {
      more = await reader({
        from: at,
        read: (objects) => readRecordEventsOf(db, at, batch, objects),
        reached: (c) => (at = { xid: c.xid, id: c.id }),
      });
    } catch (e) {
      const wait = backoffMs(Number(cursor.failures) + 1, 1000, maxBackoffMs);
      const message = String((e as Error)?.message ?? e).slice(0, 1000);
      await save(sql`failures = failures + 1, retry_at = now() + ${wait}::int * interval '1 millisecond', last_error = ${message}`).catch(
        () => {},
      );
      throw e;
    }
    await save(sql`failures = 0, retry_at = null, last_error = null`);
    return more;
  }

  return { owner, turn };
}

export type Subscriber = ReturnType<typeof createSubscriber>;

/** Creates a subscription whose first event is the next one committed (nothing when it exists). */
export async function subscribe(exec: Executor, name: string): Promise<void> {
  await exec.query(sql`insert into kizuna_subscriptions (name, last_xid, last_event_id)
    values (${name}, pg_current_xact_id(), coalesce((select max(id) from kizuna_events), 0)) on conflict (name) do nothing`);
}

export async function unsubscribe(exec: Executor, name: string): Promise<void> {
  await exec.query(sql`delete from kizuna_subscriptions where name = ${name}`);
}

export async function subscriptionState(exec: Executor, name: string): Promise<SubscriptionState | undefined> {
  const [row] = await exec.query<SubscriptionState & Record<string, unknown>>(sql`select last_xid::text as xid, last_event_id::text as id,
      failures, retry_at::text as retry_at, last_error
    from kizuna_subscriptions where name = ${name}`);
  return row && { ...row, failures: Number(row.failures) };
}

/** Ends a backoff: the next turn runs at once. False when there is no such subscription. */
export async function endBackoff(exec: Executor, name: string): Promise<boolean> {
  return (await exec.query(sql`update kizuna_subscriptions set retry_at = null where name = ${name} returning 1 as ok`)).length > 0;
}

/**
 * Moves a failing subscription's cursor from `from` to `to` (past the event its reader fails
 * on), only while it is still at `from` and no turn holds it. False otherwise.
 */
export async function moveSubscription(exec: Executor, name: string, from: OutboxCursor, to: OutboxCursor): Promise<boolean> {
  const moved = await exec.query(sql`update kizuna_subscriptions set last_xid = ${to.xid}::xid8, last_event_id = ${to.id}::bigint,
      failures = 0, retry_at = null, last_error = null
    where name = ${name} and last_xid = ${from.xid}::xid8 and last_event_id = ${from.id}::bigint and ${leaseExpired}
    returning 1 as ok`);
  return moved.length > 0;
}

/** A subscription's cursor as a row source `(last_xid, last_event_id)` for a statement of its reader's. */
export const subscriptionCursorSql = (name: string): SQL =>
  sql`(select last_xid, last_event_id from kizuna_subscriptions where name = ${name})`;
