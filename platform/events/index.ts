export { readAudit, writeAudit, type AuditEntry, type AuditQuery } from './audit.ts';
