// After-hooks: each plugin is a subscription of the transactional outbox (events/subscriber.ts,
// named "plugin:<name>"): its hooks get each event at least once and in order, one node at a
// time; a failing hook backs off and is retried from the event it failed on.
import type { Database } from '../db/index.ts';
import { createSubscriber, onOutboxCommit, type OutboxEvent } from '../events/index.ts';
import { createLoop } from '../jobs/index.ts';
import { DEFAULT_HOOK_TIMEOUT_MS, withinTime } from './budget.ts';
import { hooksOf, type ActivePlugin } from './hooks.ts';
import type { AfterEvent, ObjectHooks, PluginContext } from './sdk.ts';
import { logEvent } from '../log/index.ts';

const afterName: Record<string, keyof ObjectHooks> = {
  'record.created': 'afterCreate',
  'record.updated': 'afterUpdate',
  'record.deleted': 'afterDelete',
};

/** Whether a plugin has after-hooks at all, and on which objects (undefined: every object). */
export function afterHookObjects(hooks: Record<string, ObjectHooks>): { wanted: boolean; objects?: string[] } {
  const has = (h?: ObjectHooks) => !!(h?.afterCreate || h?.afterUpdate || h?.afterDelete);
  const wanted = Object.values(hooks).some(has);
  return { wanted, objects: hooks['*'] ? undefined : Object.keys(hooks).filter((o) => has(hooks[o])) };
}

/** The after-hook an event goes to, if any. */
export function afterHookFor(hooks: Record<string, ObjectHooks>, e: { object: string; topic: string }) {
  const name = afterName[e.topic];
  return name && ((hooks[e.object]?.[name] ?? hooks['*']?.[name]) as ((ev: AfterEvent, ctx: PluginContext) => unknown) | undefined);
}

const BATCH = 200;

/** The outbox subscription a plugin's after-hooks read. */
export const afterHookSubscription = (plugin: string) => `plugin:${plugin}`;

/** An after-hook threw (or ran out of time) on an event: its message is the hook's own. */
class AfterHookFailed extends Error {
  constructor(
    readonly event: OutboxEvent,
    readonly error: unknown,
  ) {
    super(String((error as Error)?.message ?? error));
  }
}

export function createOutboxDispatcher(opts: {
  db: Database;
  active: () => ActivePlugin[];
  contextFor: (p: ActivePlugin) => PluginContext;
  intervalMs?: number;
  timeoutMs?: number;
}) {
  const subscriber = createSubscriber(opts.db, { batch: BATCH });
  let stopped = false;

  /** Calls the hook an event goes to, within the hook time limit. */
  async function handle(p: ActivePlugin, hooks: Record<string, ObjectHooks>, e: OutboxEvent): Promise<void> {
    const fn = afterHookFor(hooks, e);
    if (!fn) return;
    try {
      // A hook that never settles would stall delivery for every plugin: out of time, it failed.
      const ms = opts.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
      const event: AfterEvent = {
        object: e.object,
        id: e.record_id,
        topic: e.topic as AfterEvent['topic'],
        version: e.version,
        actor: e.actor,
        idempotencyKey: `${p.name}:${e.id}`,
      };
      const work = Promise.resolve(fn(event, opts.contextFor(p)));
      work.catch(() => {});
      await withinTime(ms, work, () => new Error(`${afterName[e.topic]} did not finish within ${ms} ms`));
    } catch (err) {
      throw new AfterHookFailed(e, err);
    }
  }

  /** One turn of a plugin's subscription; true when it read a full page (there may be more). */
  async function deliver(p: ActivePlugin): Promise<boolean> {
    const hooks = hooksOf(p);
    const { wanted, objects } = afterHookObjects(hooks);
    if (!wanted) return false;
    return subscriber.turn(afterHookSubscription(p.name), async (t) => {
      // Only the objects it has after-hooks for ("*": all).
      const { events, end } = await t.read(objects);
      for (const e of events) {
        await handle(p, hooks, e);
        t.reached(e);
      }
      t.reached(end);
      return events.length === BATCH;
    });
  }

  const loop = createLoop(
    async () => {
      let more = false;
      for (const p of opts.active()) {
        const full = await deliver(p).catch((e) => {
          if (e instanceof AfterHookFailed) {
            logEvent({
              level: 'error',
              msg: 'plugin after-hook failed',
              plugin: p.name,
              event: e.event.id,
              topic: e.event.topic,
              error: String((e.error as Error)?.stack ?? e.error),
            });
          } else logEvent({ level: 'error', msg: 'outbox delivery failed', plugin: p.name, error: String(e) });
          return false;
        });
        more ||= full;
      }
      return more;
    },
    {
      name: 'plugin after-hook delivery',
      intervalMs: opts.intervalMs ?? 1000,
      // Woken on every commit that wrote events (any node); the timer is the safety net.
      wake: (kick) => onOutboxCommit(opts.db, kick),
      enabled: () => !stopped,
    },
  );

  return {
    start: () => loop.start(),
    /** Deliver now (after a local write) instead of at the next tick. */
    kick: () => void loop.kick(),
    /** Resolves when everything committed so far has been delivered (tests). */
    drain: () => loop.kick(),
    async stop() {
      stopped = true;
      await loop.stop();
    },
  };
}
