// The context a plugin's code runs with: its settings, a log that names it, and records as
// its system user (or, in routes, as the calling user) — optionally inside a transaction.
import type { Executor } from '../db/index.ts';
import type { Actor, RecordService } from '../records/index.ts';
import type { PluginContext, PluginRecords } from './sdk.ts';

export function pluginRecords(records: RecordService, actor: Actor, exec?: Executor): PluginRecords {
  return {
    get: (object, id, opts) => records.get(object, id, actor, opts, exec),
    list: (object, params = {}) => records.list(object, params, actor, exec),
    create: (object, values) => records.create(object, values, actor, exec),
    update: (object, id, values, opts) => records.update(object, id, values, actor, opts, exec),
    remove: (object, id, opts) => records.remove(object, id, actor, opts, exec),
    restore: (object, id) => records.restore(object, id, actor, exec),
    bulk: (object, body) => records.bulk(object, body, actor),
  };
}

export function pluginContext(plugin: string, settings: Record<string, unknown>, records: PluginRecords): PluginContext {
  return {
    plugin,
    settings,
    records,
    log: (msg, extra = {}) => console.log(JSON.stringify({ level: 'info', plugin, msg, ...extra })),
  };
}
