// What each step type does: one table entry per type (like the field-type table). A
// transactional step writes only through the records service in the transaction that also
// records the step, so a committed step is never repeated; the others (HTTP, plugin actions)
// run before that commit and are at-least-once. send_message is transactional for its message
// record and hands its email to the engine, which sends it once per committed step.
import { sql, type Executor } from '../db/index.ts';
import type { Actor, RecordService } from '../records/index.ts';
import { ProblemError } from '../problems/index.ts';
import type { Step, StepType } from './definition.ts';
import { evaluateFilter, FilterError, needsRecord } from './filter.ts';
import type { Mail } from './mail.ts';

/** Plugin-contributed actions, passed in by the composition root (workflow never imports plugins). */
export interface WorkflowActions {
  has(name: string): boolean;
  run(name: string, config: Record<string, unknown>, input: Record<string, unknown>): Promise<unknown>;
  /** The enabled actions with what the designer shows (catalog) and validates. */
  list?(): ActionInfo[];
}

export interface ActionInfo {
  name: string;
  plugin: string;
  title: { en: string; ja: string };
  description?: { en: string; ja: string };
  config?: Record<string, unknown>;
  output?: Record<string, unknown>;
}

interface LoopState {
  items: unknown[];
  index: number;
}

/** A run's context: what templates and conditions read, plus the engine's own `$` keys. */
export interface RunContext {
  trigger: Record<string, any>;
  input: Record<string, unknown>;
  vars: Record<string, unknown>;
  steps: Record<string, unknown>;
  /** The innermost loop's current item: {{loop.item}}, {{loop.index}}. */
  loop?: { item: unknown; index: number; count: number };
  /** Steps committed so far: the key of a step's external effect (email) within the run. */
  $seq?: number;
  /** Loops being iterated, innermost last; the end of a body path returns to the top one. */
  $stack?: string[];
  $loops?: Record<string, LoopState>;
  /** Deadlines of waits on a condition, by step id. */
  $waits?: Record<string, string>;
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
  context: RunContext;
  step: Step;
  runId: string;
  /** Sender address of emails; mail is not sent when no SMTP server is configured. */
  mailFrom: string;
  canMail: boolean;
  /** Which records count as open for least-loaded assignment, per object. */
  openFilter(object: string): Record<string, unknown>;
  /** A test run: side effects outside the database are not performed. */
  dryRun?: boolean;
}

export interface StepResult {
  output?: unknown;
  /** A branch name chosen by a condition, branch or loop step. */
  branch?: string;
  /** Milliseconds to wait before the next step (or before this one again). */
  waitMs?: number;
  /** Run this step again after waitMs (a wait on a condition not met yet). */
  again?: boolean;
  /** An email to send once this step's message record is committed. */
  mail?: Mail;
  /** Not performed (a dry run's side effect). */
  skipped?: boolean;
}

type Config = Record<string, any>;

interface StepKind {
  transactional: boolean;
  /** Acts outside the database: a dry run reports it skipped instead of running it. */
  external?: boolean;
  run(config: Config, ctx: StepContext): Promise<StepResult>;
}

/** A step that cannot succeed however often it is retried. */
export class PermanentStepError extends Error {}

/** A failed step with what it got back (an HTTP status and body), kept as the step's output. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly output: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Characters of a failed HTTP answer's body kept with the step. */
export const FAILED_BODY_CHARS = 2000;

function target(config: Config, ctx: StepContext): { object: string; id: string } {
  const object = (config.object as string | undefined) ?? ctx.object;
  const id = (config.record_id as string | undefined) ?? (config.object && config.object !== ctx.object ? undefined : ctx.recordId);
  if (!object || !id) throw new PermanentStepError('The step names no record and the run has no trigger record');
  return { object, id: String(id) };
}

/** Decides a filter over the run's context and (for field keys) the record, in SQL by its id. */
async function decide(ctx: StepContext, config: Config, filter: unknown): Promise<boolean> {
  const where = needsRecord(filter) ? target(config, ctx) : undefined;
  try {
    return await evaluateFilter(filter, ctx.context, async (f) => {
      const page = await ctx.records.list(
        where!.object,
        { filter: JSON.stringify({ and: [f, { id: { eq: where!.id } }] }), limit: '1', fields: 'id' },
        ctx.actor,
        ctx.exec,
      );
      return page.data.length > 0;
    });
  } catch (e) {
    if (e instanceof FilterError) throw new PermanentStepError(e.message);
    throw e;
  }
}

const durationMs = (c: Config) =>
  (c.seconds ?? 0) * 1000 + (c.minutes ?? 0) * 60_000 + (c.hours ?? 0) * 3_600_000 + (c.days ?? 0) * 86_400_000;
const DEFAULT_WAIT_TIMEOUT_MS = 7 * 86_400_000;
export const DEFAULT_MAX_ITERATIONS = 100;

const list = (v: unknown): string[] =>
  (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim()).filter(Boolean);

async function teamMembers(exec: Executor, team: string) {
  return exec.query<{
    team_id: string;
    user_id: string;
    email: string;
  }>(sql`select t.id::text as team_id, m.user_id::text as user_id, u.email
    from kizuna_teams t join kizuna_team_members m on m.team_id = t.id join kizuna_users u on u.id = m.user_id
    where (lower(t.name) = lower(${team}) or t.id::text = ${team}) and u.active order by m.user_id`);
}

export const stepKinds: Record<StepType, StepKind> = {
  condition: {
    transactional: true,
    async run(config, ctx) {
      const result = await decide(ctx, config, config.filter);
      return { output: { result }, branch: String(result) };
    },
  },
  branch: {
    transactional: true,
    async run(config, ctx) {
      for (const c of config.cases as { name: string; filter: unknown }[]) {
        if (await decide(ctx, config, c.filter)) return { output: { case: c.name }, branch: c.name };
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
      const page = await ctx.records.list(
        config.object,
        { filter: config.filter ? JSON.stringify(config.filter) : undefined, sort: config.sort, limit: String(config.limit ?? 50) },
        ctx.actor,
        ctx.exec,
      );
      return { output: { records: page.data, count: page.data.length } };
    },
  },
  loop: {
    transactional: true,
    async run(config, ctx) {
      const id = ctx.step.id;
      const stack = (ctx.context.$stack ??= []);
      const loops = (ctx.context.$loops ??= {});
      let state = loops[id];
      if (stack[stack.length - 1] !== id || !state) {
        let items: unknown = config.items;
        if (typeof items === 'string') {
          try {
            items = JSON.parse(items);
          } catch {
            /* reported below */
          }
        }
        if (!Array.isArray(items))
          throw new PermanentStepError(`Loop "${id}": items is not a list (it is ${items === null ? 'empty' : typeof items})`);
        const max = Number(config.max_iterations ?? DEFAULT_MAX_ITERATIONS);
        if (items.length > max) {
          throw new PermanentStepError(
            `Loop bounded: "${id}" has ${items.length} items, more than its max_iterations of ${max}; no item was processed`,
          );
        }
        state = loops[id] = { items, index: 0 };
        stack.push(id);
      } else {
        state.index++;
      }
      const count = state.items.length;
      if (state.index < count) {
        ctx.context.loop = { item: state.items[state.index], index: state.index, count };
        return { output: { index: state.index, item: state.items[state.index], count }, branch: 'body' };
      }
      stack.pop();
      delete loops[id];
      const outer = stack.length ? loops[stack[stack.length - 1]] : undefined;
      if (outer) ctx.context.loop = { item: outer.items[outer.index], index: outer.index, count: outer.items.length };
      else delete ctx.context.loop;
      return { output: { count, done: true } };
    },
  },
  assign: {
    transactional: true,
    async run(config, ctx) {
      const { object, id } = target(config, ctx);
      const team = String(config.team);
      const field = (config.field as string | undefined) ?? 'assignee';
      const members = await teamMembers(ctx.exec, team);
      if (!members.length) throw new PermanentStepError(`The team "${team}" has no active members to assign`);
      let user: string;
      if (config.strategy === 'least_loaded') {
        // One assignment per team at a time: the next one counts this one's record.
        await ctx.exec.query(sql`select pg_advisory_xact_lock(hashtext(${`kizuna:assign:${members[0].team_id}`}))`);
        const open = config.open_filter ?? ctx.openFilter(object);
        let best: { user: string; n: number } | undefined;
        for (const m of members) {
          const filter = JSON.stringify({ and: [open, { [field]: { eq: m.user_id } }, { id: { neq: id } }] });
          const page = await ctx.records.list(object, { filter, limit: '1', fields: 'id', count: 'true' }, ctx.actor, ctx.exec);
          const n = page.page.total ?? 0;
          if (!best || n < best.n) best = { user: m.user_id, n };
        }
        user = best!.user;
      } else {
        // One counter per team, shared by every workflow: the team's turn order is global.
        const [c] = await ctx.exec.query<{
          n: string;
        }>(sql`insert into kizuna_workflow_counters (key, n) values (${`assign:${members[0].team_id}`}, 1)
          on conflict (key) do update set n = kizuna_workflow_counters.n + 1 returning n::text as n`);
        user = members[(Number(c.n) - 1) % members.length].user_id;
      }
      const record = await ctx.records.update(object, id, { [field]: user }, ctx.actor, {}, ctx.exec);
      return { output: { user_id: user, record } };
    },
  },
  send_message: {
    transactional: true,
    external: true,
    async run(config, ctx) {
      const emails = new Set(list(config.to));
      const users = list(config.to_users);
      if (users.length) {
        const rows = await ctx.exec.query<{ email: string }>(
          sql`select email from kizuna_users where id::text in ${sql`(${sql.join(
            users.map((u) => sql`${u}`),
            sql`, `,
          )})`} and active`,
        );
        for (const r of rows) emails.add(r.email);
      }
      if (config.to_team) for (const m of await teamMembers(ctx.exec, String(config.to_team))) emails.add(m.email);
      const to = [...emails];
      if (!to.length) throw new PermanentStepError('The message has no recipient (to, to_users and to_team name nobody with an email)');
      const from = String(config.from || ctx.mailFrom);
      const record = await ctx.records.create(
        'message',
        {
          subject: config.subject,
          body: config.body ?? '',
          channel: 'email',
          direction: 'outbound',
          from_address: from,
          to_address: to.join(', ').slice(0, 1000),
          occurred_at: new Date().toISOString(),
          ...(config.related ?? {}),
        },
        ctx.actor,
        ctx.exec,
      );
      const output = { record, recipients: to, sent: false };
      if (ctx.dryRun) return { output, skipped: true };
      if (!ctx.canMail)
        return { output: { ...output, reason: 'No SMTP server is configured (KIZUNA_SMTP_URL); the message record was written' } };
      const seq = ctx.context.$seq ?? 0;
      return {
        output,
        mail: {
          to,
          from,
          subject: String(config.subject),
          text: String(config.body ?? ''),
          messageId: `<${ctx.runId}.${seq}@workflows.kizuna.invalid>`,
        },
      };
    },
  },
  wait: {
    transactional: true,
    async run(config, ctx) {
      if ('until' in config) {
        const raw = config.until;
        const at = typeof raw === 'string' && raw ? new Date(raw) : undefined;
        if (!at || Number.isNaN(at.getTime())) throw new PermanentStepError(`wait.until is not a date: ${JSON.stringify(raw ?? null)}`);
        return { output: { until: at.toISOString() }, waitMs: Math.max(0, at.getTime() - Date.now()) };
      }
      if ('condition' in config) {
        const waits = (ctx.context.$waits ??= {});
        const key = ctx.step.id;
        const deadline =
          waits[key] ?? new Date(Date.now() + (config.timeout ? durationMs(config.timeout) : DEFAULT_WAIT_TIMEOUT_MS)).toISOString();
        const met = await decide(ctx, config, config.condition);
        const left = new Date(deadline).getTime() - Date.now();
        if (met || left <= 0) {
          delete waits[key];
          return { output: { met, until: deadline } };
        }
        waits[key] = deadline;
        return { again: true, waitMs: Math.min(left, (config.every_seconds ?? 60) * 1000), output: { met: false, until: deadline } };
      }
      const ms = durationMs(config);
      return { output: { until: new Date(Date.now() + ms).toISOString() }, waitMs: ms };
    },
  },
  http: {
    transactional: false,
    external: true,
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
      const headers: Record<string, string> = {
        ...(body !== undefined && typeof config.body !== 'string' && { 'content-type': 'application/json' }),
        ...(config.headers ?? {}),
      };
      const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(config.timeout_ms ?? 10_000) });
      const text = (await res.text()).slice(0, 100_000);
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      if (!res.ok) {
        // The answer is kept with the failed step (truncated): what the service said is what
        // an admin needs to decide whether to retry.
        const truncated = text.length > FAILED_BODY_CHARS;
        throw new StepFailure(`HTTP ${res.status} from ${url.host}`, {
          status: res.status,
          body: truncated ? text.slice(0, FAILED_BODY_CHARS) : parsed,
          ...(truncated && { truncated: true }),
        });
      }
      return { output: { status: res.status, body: parsed } };
    },
  },
  action: {
    transactional: false,
    external: true,
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

/**
 * The next step id after a step's result, or undefined at the end of the run. The end of a
 * path inside a loop's body goes back to that loop for its next item.
 */
export function nextOf(step: Step, result: StepResult, context: RunContext): string | undefined {
  if (result.again) return step.id;
  let next: string | undefined;
  if (step.type === 'condition' || step.type === 'branch') next = step.branches?.[result.branch!];
  else if (step.type === 'loop' && result.branch === 'body') next = step.branches?.body;
  else next = step.next;
  if (next === undefined && context.$stack?.length) return context.$stack[context.$stack.length - 1];
  return next;
}
