// The context a plugin's code runs with: its settings, a log that names it, records as its
// system user (or, in routes, as the calling user) — optionally inside a transaction — and a
// read-only view of the metadata as that user sees it.
import type { Database, Executor, Transaction } from '../db/index.ts';
import type { MetadataSnapshot } from '../metadata/index.ts';
import type { Label } from '../model/index.ts';
import type { Actor, RecordService } from '../records/index.ts';
import { snapshotFor } from '../query/index.ts';
import { notFound } from '../problems/index.ts';
import type { PluginContext, PluginRecords } from './sdk.ts';
import { logEvent } from '../log/index.ts';

/** The actor with the write's note, which lands in its history row (checked: a plugin's bug is its 500). */
function noted(actor: Actor, note: Label | undefined): Actor {
  if (note === undefined) return actor;
  const ok = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 200;
  if (!note || typeof note !== 'object' || !ok(note.en) || !ok(note.ja))
    throw new TypeError("A write's note must be { en, ja }, each 1–200 characters");
  return { ...actor, note: { en: note.en, ja: note.ja } };
}

export function pluginRecords(records: RecordService, actor: Actor, exec?: Executor, plugin = ''): PluginRecords {
  return {
    get: (object, id, opts) => records.get(object, id, actor, opts, exec),
    list: (object, params = {}) => records.list(object, params, actor, exec),
    create: (object, values) => records.create(object, values, actor, exec),
    update: (object, id, values, { note, ...opts } = {}) => records.update(object, id, values, noted(actor, note), opts, exec),
    remove: (object, id, { note, ...opts } = {}) => records.remove(object, id, noted(actor, note), opts, exec),
    restore: (object, id, { note } = {}) => records.restore(object, id, noted(actor, note), exec),
    bulk: (object, body) => records.bulk(object, body, actor),
    maintain: (object, rows) => records.maintain(object, rows, plugin, exec),
    mark: (object, rows) => records.mark(object, rows, plugin, actor, exec),
  };
}

export interface ContextDeps {
  records: RecordService;
  actor: Actor;
  /** The plugin's own system user, when `actor` is someone else (a route's caller); else `actor`. */
  pluginActor?: Actor;
  /** The transaction the context's writes belong to (a hook's write, an install), if any. */
  exec?: Executor;
  db: Database;
  snapshot: () => MetadataSnapshot;
}

export function pluginContext(plugin: string, settings: Record<string, unknown>, deps: ContextDeps): PluginContext {
  const visible = () => snapshotFor(deps.snapshot(), deps.actor.access).models;
  return {
    plugin,
    settings,
    actor: deps.actor.actor,
    records: pluginRecords(deps.records, deps.actor, deps.exec, plugin),
    asPlugin: pluginRecords(deps.records, deps.pluginActor ?? deps.actor, deps.exec, plugin),
    metadata: {
      objects: () => [...visible().values()].map((m) => m.def),
      object(name) {
        const m = visible().get(name);
        if (!m) throw notFound(`No object named "${name}"`);
        return m.def;
      },
    },
    // Inside a hook's or an install's transaction this nests as a savepoint.
    transaction: (fn) => {
      const run = (tx: Transaction) =>
        fn(pluginRecords(deps.records, deps.actor, tx, plugin), pluginRecords(deps.records, deps.pluginActor ?? deps.actor, tx, plugin));
      return deps.exec && 'savepoint' in deps.exec ? (deps.exec as Transaction).savepoint(run) : deps.db.transaction(run);
    },
    log: (msg, extra = {}) => logEvent({ level: 'info', plugin, msg, ...extra }),
  };
}
