// What each step type does: one table entry per type (like the field-type table). A
// transactional step writes only through the records service in the transaction that also
// records the step, so a committed step is never repeated; the others (HTTP, plugin actions)
// run before that commit and are at-least-once.
import { sql, type Executor } from '../db/index.ts';
import type { Actor, RecordService } from '../records/index.ts';
import { ProblemError } from '../problems/index.ts';
import type { Step, StepType } from './definition.ts';

/** Plugin-contributed actions, passed in by the composition root (workflow never imports plugins). */
export interface WorkflowActions {
  has(name: string): boolean;
  run(name: string, config: Record<string, unknown>, input: Record<string, unknown>): Promise<unknown>;
}

export interface StepContext {
  exec: Executor;
  records: RecordService;
  actor: Actor;
  /** The trigger record, when the run has one. */
  object?: string;
  recordId?: string;
  actions?: WorkflowActions;
  httpHosts: string[];
}

export interface StepResult {
  output?: unknown;
  /** A branch name chosen by a condition or branch step. */
  branch?: string;
  /** Milliseconds to wait before the next step. */
  waitMs?: number;
}

type Config = Record<string, any>;

interface StepKind {
  transactional: boolean;
  run(config: Config, ctx: StepContext): Promise<StepResult>;
}

/** A step that cannot succeed however often it is retried. */
export class PermanentStepError extends Error {}

function target(config: Config, ctx: StepContext): { object: string; id: string } {
  const object = (config.object as string | undefined) ?? ctx.object;
  const id = (config.record_id as string | undefined) ?? (config.object && config.object !== ctx.object ? undefined : ctx.recordId);
  if (!object || !id) throw new PermanentStepError('The step names no record and the run has no trigger record');
  return { object, id: String(id) };
}

/** Whether the record matches a records filter: the filter runs in SQL with the record's id. */
async function matches(ctx: StepContext, object: string, id: string, filter: unknown): Promise<boolean> {
  const page = await ctx.records.list(object, { filter: JSON.stringify({ and: [filter, { id: { eq: id } }] }), limit: '1', fields: 'id' }, ctx.actor, ctx.exec);
  return page.data.length > 0;
}

export const stepKinds: Record<StepType, StepKind> = {
  condition: {
    transactional: true,
    async run(config, ctx) {
      const { object, id } = target({}, ctx);
      const result = await matches(ctx, object, id, config.filter);
      return { output: { result }, branch: String(result) };
    },
  },
  branch: {
    transactional: true,
    async run(config, ctx) {
      const { object, id } = target({}, ctx);
      for (const c of config.cases as { name: string; filter: unknown }[]) {
        if (await matches(ctx, object, id, c.filter)) return { output: { case: c.name }, branch: c.name };
      }
      return { output: { case: 'default' }, branch: 'default' };
    },
  },
  update_record: {
    transactional: true,
    async run(config, ctx) {
      const { object, id } = target(config, ctx);
      return { output: { record: await ctx.records.update(object, id, config.values, ctx.actor, {}, ctx.exec) } };
    },
  },
  create_record: {
    transactional: true,
    async run(config, ctx) {
      return { output: { record: await ctx.records.create(config.object, config.values, ctx.actor, ctx.exec) } };
    },
  },
  find_records: {
    transactional: true,
    async run(config, ctx) {
      const page = await ctx.records.list(config.object, { filter: config.filter ? JSON.stringify(config.filter) : undefined, sort: config.sort, limit: String(config.limit ?? 50) }, ctx.actor, ctx.exec);
      return { output: { records: page.data, count: page.data.length } };
    },
  },
  assign: {
    transactional: true,
    async run(config, ctx) {
      const { object, id } = target(config, ctx);
      const team = String(config.team);
      const members = await ctx.exec.query<{ team_id: string; user_id: string }>(sql`select t.id::text as team_id, m.user_id::text as user_id
        from kizuna_teams t join kizuna_team_members m on m.team_id = t.id join kizuna_users u on u.id = m.user_id
        where (lower(t.name) = lower(${team}) or t.id::text = ${team}) and u.active order by m.user_id`);
      if (!members.length) throw new PermanentStepError(`The team "${team}" has no active members to assign`);
      // One counter per team, shared by every workflow: the team's turn order is global.
      const [c] = await ctx.exec.query<{ n: string }>(sql`insert into kizuna_workflow_counters (key, n) values (${`assign:${members[0].team_id}`}, 1)
        on conflict (key) do update set n = kizuna_workflow_counters.n + 1 returning n::text as n`);
      const user = members[(Number(c.n) - 1) % members.length].user_id;
      const field = (config.field as string | undefined) ?? 'assignee';
      const record = await ctx.records.update(object, id, { [field]: user }, ctx.actor, {}, ctx.exec);
      return { output: { user_id: user, record } };
    },
  },
  wait: {
    transactional: true,
    async run(config) {
      const ms = (config.seconds ?? 0) * 1000 + (config.minutes ?? 0) * 60_000 + (config.hours ?? 0) * 3_600_000 + (config.days ?? 0) * 86_400_000;
      return { output: { until: new Date(Date.now() + ms).toISOString() }, waitMs: ms };
    },
  },
  http: {
    transactional: false,
    async run(config, ctx) {
      let url: URL;
      try {
        url = new URL(String(config.url));
      } catch {
        throw new PermanentStepError(`"${config.url}" is not a URL`);
      }
      if (!['http:', 'https:'].includes(url.protocol) || !ctx.httpHosts.includes(url.hostname.toLowerCase())) {
        throw new PermanentStepError(`The host ${url.hostname} is not in KIZUNA_WORKFLOW_HTTP_HOSTS`);
      }
      const method = (config.method as string | undefined) ?? (config.body === undefined ? 'GET' : 'POST');
      const body = config.body === undefined ? undefined : typeof config.body === 'string' ? config.body : JSON.stringify(config.body);
      const headers: Record<string, string> = { ...(body !== undefined && typeof config.body !== 'string' && { 'content-type': 'application/json' }), ...(config.headers ?? {}) };
      const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(config.timeout_ms ?? 10_000) });
      const text = (await res.text()).slice(0, 100_000);
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      if (!res.ok) throw new Error(`HTTP ${res.status} from ${url.host}`);
      return { output: { status: res.status, body: parsed } };
    },
  },
  action: {
    transactional: false,
    async run(config, ctx) {
      const name = String(config.action);
      if (!ctx.actions?.has(name)) throw new PermanentStepError(`No enabled plugin offers the action "${name}"`);
      return { output: { result: (await ctx.actions.run(name, config.config ?? {}, config.input ?? {})) ?? null } };
    },
  },
};

/** Client errors (a 4xx problem other than a conflict) and PermanentStepError are not retried. */
export function isPermanent(e: unknown): boolean {
  if (e instanceof PermanentStepError) return true;
  return e instanceof ProblemError && e.status >= 400 && e.status < 500 && ![409, 412, 429].includes(e.status);
}

/** The next step id after a step's result, or undefined at the end of the path. */
export function nextOf(step: Step, result: StepResult): string | undefined {
  if (step.type === 'condition' || step.type === 'branch') {
    return step.branches?.[result.branch!];
  }
  return step.next;
}
