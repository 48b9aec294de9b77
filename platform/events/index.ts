export { writeAudit, type AuditEntry } from './audit.ts';
