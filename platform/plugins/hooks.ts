// The record hooks of the enabled plugins, as the records service asks for them.
import type { BeforeHook, HookEvent, RecordHooks } from '../records/index.ts';
import type { ObjectHooks, PluginContext, PluginDefinition } from './sdk.ts';
import type { Executor } from '../db/index.ts';

export interface ActivePlugin {
  name: string;
  definition: PluginDefinition;
  settings: Record<string, unknown>;
  userId: string;
}

const beforeName: Record<HookEvent, keyof ObjectHooks> = { create: 'beforeCreate', update: 'beforeUpdate', delete: 'beforeDelete' };

export function createHookRegistry(opts: { active: () => ActivePlugin[]; contextFor: (p: ActivePlugin, tx?: Executor) => PluginContext; kick: () => void }): RecordHooks {
  return {
    before(object, event) {
      const hooks: BeforeHook[] = [];
      for (const p of opts.active()) {
        for (const key of [object, '*']) {
          const fn = p.definition.hooks?.[key]?.[beforeName[event]] as ((e: unknown, ctx: PluginContext) => unknown) | undefined;
          if (!fn) continue;
          hooks.push({
            plugin: p.name,
            run: async (args) =>
              (await fn({ object: args.object, id: args.id, values: args.values, actor: args.actor.actor }, opts.contextFor(p, args.tx))) as Record<string, unknown> | void,
          });
        }
      }
      return hooks;
    },
    written: opts.kick,
  };
}
