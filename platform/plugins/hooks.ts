// The record hooks of the enabled plugins, as the records service asks for them.
import type { BatchOutcome, BeforeHook, HookEvent, RecordHooks } from '../records/index.ts';
import type { BeforeEvent, ObjectHooks, PluginContext, PluginDefinition, PluginHooks } from './sdk.ts';
import type { Executor, Transaction } from '../db/index.ts';
import { ProblemError } from '../problems/index.ts';
import type { DeclaredRoute } from './routes.ts';
import { DEFAULT_HOOK_TIMEOUT_MS, runWithinBudget } from './budget.ts';

export interface ActivePlugin {
  name: string;
  definition: PluginDefinition;
  settings: Record<string, unknown>;
  userId: string;
  /** Its routes, declared and checked. */
  routes: DeclaredRoute[];
}

const resolved = new WeakMap<PluginDefinition, WeakMap<object, PluginHooks>>();

/**
 * A plugin's record hooks for its settings. A definition may give them as a function of the
 * settings; it is asked once per settings object (a settings change replaces the object), so
 * this is a lookup on every write, and the before-hooks, after-hooks and their outbox
 * subscription all see the same answer.
 */
export function hooksOf(p: { name: string; definition: PluginDefinition; settings: Record<string, unknown> }): PluginHooks {
  const hooks = p.definition.hooks;
  if (typeof hooks !== 'function') return hooks ?? {};
  let bySettings = resolved.get(p.definition);
  if (!bySettings) resolved.set(p.definition, (bySettings = new WeakMap()));
  let out = bySettings.get(p.settings);
  if (!out) {
    const answer = hooks(p.settings) ?? {};
    if (typeof answer !== 'object' || Array.isArray(answer))
      throw new Error(`the hooks function of the plugin "${p.name}" must answer an object of hooks by object name`);
    bySettings.set(p.settings, (out = answer));
  }
  return out;
}

const beforeName: Record<HookEvent, keyof ObjectHooks> = { create: 'beforeCreate', update: 'beforeUpdate', delete: 'beforeDelete' };
const batchName = { create: 'beforeCreateBatch', update: 'beforeUpdateBatch' } as const;

export interface HookRegistryOptions {
  active: () => ActivePlugin[];
  contextFor: (p: ActivePlugin, tx?: Executor) => PluginContext;
  kick: () => void;
  /** Enabled plugins not loaded on this node that own the object (their hooks would be skipped). */
  unavailable?: (object: string) => { plugin: string; reason: string }[];
  /** Asks the host to try loading plugins again. */
  retryLoad?: () => void;
  /** How long a before-hook may take (its write's transaction stays open meanwhile). */
  timeoutMs?: number;
}

export function createHookRegistry(opts: HookRegistryOptions): RecordHooks {
  return {
    before(object, event) {
      const hooks: BeforeHook[] = [];
      for (const u of opts.unavailable?.(object) ?? []) {
        hooks.push({
          plugin: u.plugin,
          run: async () => {
            opts.retryLoad?.();
            throw new ProblemError({
              status: 503,
              type: 'plugin-unavailable',
              title: 'Plugin not loaded',
              detail: `The plugin "${u.plugin}" is enabled but not loaded on this server (${u.reason}); writes to ${object} are refused here until it is`,
              extra: { plugin: u.plugin },
              headers: { 'retry-after': '5' },
            });
          },
        });
      }
      for (const p of opts.active()) {
        for (const key of [object, '*']) {
          const h = hooksOf(p)[key];
          const one = h?.[beforeName[event]] as ((e: BeforeEvent, ctx: PluginContext) => unknown) | undefined;
          const many = event === 'delete' ? undefined : h?.[batchName[event]];
          if (!one && !many) continue;
          const within = <T>(name: string, tx: Transaction, work: (tx: Transaction) => Promise<T>) =>
            runWithinBudget(p.name, `its ${name} hook on ${object}`, opts.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS, tx, work);
          hooks.push({
            plugin: p.name,
            run:
              one &&
              ((args) =>
                within(
                  beforeName[event],
                  args.tx,
                  async (tx) =>
                    (await one(
                      {
                        object: args.object,
                        id: args.id,
                        values: args.values,
                        actor: args.actor.actor,
                        override: args.actor.override === true,
                      },
                      opts.contextFor(p, tx),
                    )) as Record<string, unknown> | void,
                )),
            batch:
              many &&
              ((args) =>
                within(
                  batchName[args.event],
                  args.tx,
                  async (tx) =>
                    (await many(
                      {
                        object: args.object,
                        rows: args.rows,
                        actor: args.actor.actor,
                        override: args.actor.override === true,
                        ...(h.concurrentBatches && args.earlier && { earlier: args.earlier }),
                      },
                      opts.contextFor(p, tx),
                    )) as BatchOutcome | void,
                )),
            concurrent: !!many && h.concurrentBatches === true,
          });
        }
      }
      return hooks;
    },
    written: opts.kick,
  };
}
