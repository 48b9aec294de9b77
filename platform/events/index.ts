export { readAudit, writeAudit, type AuditEntry, type AuditQuery } from './audit.ts';
export { onOutboxCommit, publishEvent, readRecordEventsOf, type OutboxCursor, type OutboxEvent } from './outbox.ts';
