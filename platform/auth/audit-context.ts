// Who changed people, teams or roles, as their audit rows record it.
export interface AuditContext {
  actor: string | null;
  requestId?: string;
  via?: string;
}

export const auditOf = (ctx: AuditContext) => ({ actor: ctx.actor, requestId: ctx.requestId, via: ctx.via });
