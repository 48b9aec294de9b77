// A Database view of an open transaction: code written against Database (the records
// service) runs inside the caller's transaction, its own transactions becoming savepoints.
import type { Database, Transaction } from './database.ts';

export function databaseOf(tx: Transaction, base: Database): Database {
  return {
    kind: base.kind,
    schema: base.schema,
    pool: () => base.pool(),
    query: (q) => tx.query(q),
    transaction: (fn) => tx.savepoint(fn),
    listen: () => Promise.reject(new Error('LISTEN is not available inside a transaction')),
    // The statements run in the caller's transaction, which the base watches to its commit.
    afterCommitOf: (pattern, fn) => base.afterCommitOf(pattern, fn),
    close: async () => {},
  };
}
