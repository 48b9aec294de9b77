// Leases: a row that one node works on at a time (a queued job, a workflow run, an outbox
// subscription's cursor) names its holder in lease_owner until lease_until. A lease is not a
// held lock: PGlite's single connection never waits on itself, nothing is held across the
// work's own transactions, and a crashed node's lease simply runs out so another node takes
// over. Every table with leases uses these two columns, and every claim, renewal, fence and
// release is written with these fragments; the backoff of work that failed is one policy.
import { randomBytes } from 'node:crypto';
import { sql } from './database.ts';

/** A lease holder's id: unique to this process and this start. */
export function leaseOwner(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The statements' parts for one holder's leases. */
export function leaseOf(owner: string) {
  return {
    /** Nobody holds it, its holder's time ran out, or it is already ours. */
    available: sql`(lease_until is null or lease_until < now() or lease_owner = ${owner})`,
    /** Takes it, or renews it, for `ms` from now (the SET part of an update). */
    take: (ms: number) => sql`lease_owner = ${owner}, lease_until = now() + ${Math.round(ms)}::int * interval '1 millisecond'`,
    /** Still ours: the fence of every write made under the lease. */
    held: sql`lease_owner = ${owner}`,
  };
}

/** Nobody holds it or its holder's time ran out (a claim by a node that never held it). */
export const leaseExpired = sql`(lease_until is null or lease_until < now())`;

/** Gives the lease back (the SET part of an update). */
export const leaseReleased = sql`lease_owner = null, lease_until = null`;

/** The wait before attempt `attempt` (1, 2, …) of work that failed: doubling from `baseMs`, at most `capMs`. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
