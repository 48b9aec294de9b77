// Before-hooks: code (from plugins) that runs inside a write's transaction, may change the
// values or refuse the write with a problem. A hook that crashes rolls the write back and is
// reported with its plugin's name; it never takes the rest of the platform down.
import type { Transaction } from '../db/index.ts';
import { isProblem, ProblemError } from '../problems/index.ts';
import type { WriteContext } from './write-sql.ts';

export type HookEvent = 'create' | 'update' | 'delete';

export interface BeforeHookArgs {
  object: string;
  event: HookEvent;
  /** The record id (update, delete). */
  id?: string;
  /** The values being written (a copy the hook may change and return). */
  values: Record<string, unknown>;
  actor: WriteContext;
  /** The write's transaction: what the hook writes commits or rolls back with it. */
  tx: Transaction;
}

export interface BeforeHook {
  plugin: string;
  run(args: BeforeHookArgs): Promise<Record<string, unknown> | void>;
}

export interface RecordHooks {
  before(object: string, event: HookEvent): BeforeHook[];
  /** Called after a write committed (the outbox holds its event), to wake after-hooks early. */
  written?(): void;
}

export async function runBeforeHooks(hooks: BeforeHook[], args: BeforeHookArgs): Promise<Record<string, unknown>> {
  let values = args.values;
  for (const hook of hooks) {
    try {
      const changed = await hook.run({ ...args, values: { ...values } });
      if (changed && typeof changed === 'object') values = changed;
    } catch (e) {
      // A 4xx refuses the write; a 503 (a hook out of time, a plugin not loaded here) names
      // its plugin already and tells the client to try again.
      if (isProblem(e) && (e.status < 500 || e.status === 503)) throw e;
      console.error(JSON.stringify({ level: 'error', msg: 'plugin hook failed', plugin: hook.plugin, object: args.object, event: args.event, error: String((e as Error)?.stack ?? e) }));
      throw new ProblemError({
        status: 500,
        type: 'plugin-error',
        title: 'Plugin error',
        detail: `The plugin "${hook.plugin}" failed while handling this ${args.event} of ${args.object}; nothing was written`,
        extra: { plugin: hook.plugin },
      });
    }
  }
  return values;
}
