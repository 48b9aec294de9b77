// Readers of the outbox are woken when events commit — without a NOTIFY in the writing
// transaction. PostgreSQL serializes the commits of every transaction that called pg_notify
// (they queue for one lock at commit): a trigger notifying from each write halved the commit
// rate of eight writers (issue 17). Instead the node that wrote the events hears of the commit
// from its Database (afterCommitOf), wakes its own readers at once, and tells the other nodes
// with one NOTIFY for all the commits of a short window, sent outside any transaction.
import { sql, type Database } from '../db/index.ts';

export const OUTBOX_CHANNEL = 'kizuna_events';
/** How long commits are gathered into one NOTIFY for the other nodes. */
export const ANNOUNCE_WINDOW_MS = 10;
// What every statement that writes events says (write-sql.ts's journal, publishEvent).
const WRITES_EVENTS = /insert into kizuna_events\b/i;

interface Announcer {
  local: Set<() => void>;
  pending: boolean;
}
const announcers = new WeakMap<Database, Announcer>();

/** Starts announcing this node's commits of events (once per Database; later calls are no-ops). */
export function announceOutboxCommits(db: Database): Announcer {
  const known = announcers.get(db);
  if (known) return known;
  const a: Announcer = { local: new Set(), pending: false };
  announcers.set(db, a);
  db.afterCommitOf(WRITES_EVENTS, () => {
    for (const wake of a.local) wake();
    if (a.pending) return;
    a.pending = true;
    setTimeout(() => {
      a.pending = false;
      // A lost notification only delays the other nodes until their next poll.
      db.query(sql`select pg_notify(${OUTBOX_CHANNEL}, ${db.schema})`).catch(() => {});
    }, ANNOUNCE_WINDOW_MS);
  });
  return a;
}

/**
 * Calls `wake` whenever a transaction that wrote events to this database schema commits: at
 * once for this node's writes, within the window for other nodes'. Readers still poll as a
 * safety net: a notification can be lost with its connection.
 */
export async function onOutboxCommit(db: Database, wake: () => void): Promise<() => Promise<void>> {
  const a = announceOutboxCommits(db);
  a.local.add(wake);
  try {
    const unlisten = await db.listen(OUTBOX_CHANNEL, (schema) => {
      if (schema === db.schema) wake();
    });
    return async () => {
      a.local.delete(wake);
      await unlisten();
    };
  } catch (e) {
    a.local.delete(wake);
    throw e;
  }
}
