export {
  createDatabase,
  dbErrorOf,
  rowsOf,
  sql,
  type Database,
  type DatabaseConfig,
  type DatabaseKind,
  type DbErrorInfo,
  type Executor,
  type Row,
  type Transaction,
  type PoolUsage,
} from './database.ts';
export { acquireDataDirLock } from './lock.ts';
export { uuidv7 } from './uuid.ts';
export { planPerCall } from './plan-per-call.ts';
export { databaseOf } from './scoped.ts';
export { backoffMs, leaseExpired, leaseOf, leaseOwner, leaseReleased } from './lease.ts';
