export { readAudit, writeAudit, type AuditEntry, type AuditQuery } from './audit.ts';
export { onOutboxCommit, readRecordEventsOf, type OutboxCursor, type OutboxEvent } from './outbox.ts';
