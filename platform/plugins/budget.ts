// A time budget for plugin code that runs on the platform's behalf. A before-hook runs inside
// its write's transaction, holding one of the pool's connections: one that never resolves
// would hold it for good, and a handful would exhaust the pool. So a hook out of time fails its
// write (503 naming the plugin, rolled back) and the connection goes back to the pool at once,
// while the hook's own promise may stay pending forever; what it then tries through the
// transaction fails instead of running on a connection that serves someone else.
//
// This bounds waiting, not work: plugin code is trusted and runs in the server's process, so a
// busy loop still blocks its node (README, "Plugin code is trusted").
import type { SQL } from 'drizzle-orm';
import type { Transaction } from '../db/index.ts';
import { ProblemError } from '../problems/index.ts';

export const DEFAULT_HOOK_TIMEOUT_MS = 10_000;

export const hookTimedOut = (plugin: string, what: string, ms: number) =>
  new ProblemError({
    status: 503,
    type: 'plugin-timeout',
    title: 'Plugin timed out',
    detail: `The plugin "${plugin}" did not finish ${what} within ${ms} ms; nothing was written`,
    extra: { plugin, timeout_ms: ms },
    headers: { 'retry-after': '1' },
  });

/** Resolves as `work` does, or rejects with `onLate()` after ms (the work is not stopped). */
export async function withinTime<T>(ms: number, work: Promise<T>, onLate: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onLate()), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A transaction that stops working once revoked (the hook using it ran out of time). */
export function revocable(tx: Transaction, why: () => Error): { tx: Transaction; revoke(): void } {
  let revoked = false;
  const wrap = (t: Transaction): Transaction => ({
    query: <R extends Record<string, unknown>>(q: SQL) => (revoked ? Promise.reject(why()) : t.query<R>(q)),
    savepoint: <R>(fn: (inner: Transaction) => Promise<R>) => (revoked ? Promise.reject(why()) : t.savepoint((inner) => fn(wrap(inner)))),
  });
  return { tx: wrap(tx), revoke: () => void (revoked = true) };
}

/** Runs a before-hook with the write's transaction, within the budget. */
export async function runWithinBudget<T>(
  plugin: string,
  what: string,
  ms: number,
  tx: Transaction,
  run: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const guarded = revocable(tx, () => new Error(`the plugin "${plugin}" ran out of time (${ms} ms); its transaction has ended`));
  const work = run(guarded.tx);
  try {
    return await withinTime(ms, work, () => hookTimedOut(plugin, what, ms));
  } catch (e) {
    guarded.revoke();
    // The hook may still fail later; nobody waits for it any more.
    work.catch(() => {});
    throw e;
  }
}
