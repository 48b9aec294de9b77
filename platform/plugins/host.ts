// The plugin host: discovers plugins, loads the enabled ones, and switches their hooks, routes
// and actions on and off live on every node (NOTIFY). Installing, upgrading and uninstalling
// them, enabling and settings are lifecycle.ts.
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import { conflict, notFound, validation } from '../problems/index.ts';
import type { Actor, RecordService } from '../records/index.ts';
import { writeAudit } from '../events/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import { pluginContext } from './context.ts';
import { discoverPlugins } from './discover.ts';
import { createHookRegistry, hooksOf, type ActivePlugin } from './hooks.ts';
import { dependencyProblems, orderPlugins } from './order.ts';
import { afterHookObjects, createOutboxDispatcher } from './outbox.ts';
import { afterHookState, retryNow, skipFailing } from './backlog.ts';
import { createJobScheduler } from './jobs.ts';
import { buildPluginRouter, declaredRoutes, routeCatalog, routeEnv, type RouteCall } from './routes.ts';
import type { PluginContext } from './sdk.ts';
import { createPluginLifecycle, type PluginChangeOptions, type ShippedWorkflows } from './lifecycle.ts';
import { createDefinitionLoader } from './load.ts';
import { CHANNEL, readStates } from './states.ts';
import { logEvent } from '../log/index.ts';

export interface PluginHostOptions {
  db: Database;
  registry: Registry;
  /** Repository root: plugins/ and package.json (npm plugins) are found from here. */
  root: string;
  /** Plugin folders to scan instead of <root>/plugins (tests). */
  dirs?: string[];
  outboxIntervalMs?: number;
  /** How long a plugin hook may run (before-hooks hold their write's transaction); default 10 s. */
  hookTimeoutMs?: number;
  /** Installs the workflows plugins ship (the workflow engine, bound late: it needs this host's actions). */
  workflows?: () => ShippedWorkflows | undefined;
}

export async function createPluginHost(opts: PluginHostOptions) {
  const { db, registry } = opts;
  if (opts.hookTimeoutMs !== undefined && !(Number.isFinite(opts.hookTimeoutMs) && opts.hookTimeoutMs > 0)) {
    throw new Error(`KIZUNA_HOOK_TIMEOUT_MS must be a positive number of milliseconds (got ${opts.hookTimeoutMs})`);
  }
  let records: RecordService | undefined;
  let active: ActivePlugin[] = [];
  let generation = 0;
  /** Enabled plugins this node could not load, with why. */
  let unavailable = new Map<string, string>();
  const routers = new Map<string, ReturnType<typeof buildPluginRouter>>();
  let discovered = discoverPlugins({ root: opts.root, dirs: opts.dirs });

  const systemActor = (p: { name: string; userId: string }): Actor => ({ actor: p.userId, via: `plugin:${p.name}` });
  const contextFor = (p: ActivePlugin, tx?: Executor): PluginContext =>
    pluginContext(p.name, p.settings, { records: records!, actor: systemActor(p), exec: tx, db, snapshot: () => registry.snapshot() });

  const outbox = createOutboxDispatcher({
    db,
    active: () => active,
    contextFor: (p) => contextFor(p),
    intervalMs: opts.outboxIntervalMs,
    timeoutMs: opts.hookTimeoutMs,
  });
  const hooks = createHookRegistry({
    active: () => active,
    contextFor,
    kick: () => outbox.kick(),
    // The objects an unloaded plugin brings or extends; a refused write retries the load.
    unavailable: (object) => {
      if (!unavailable.size) return [];
      const spec = registry.snapshot().models.get(object)?.spec;
      const owners = new Set([spec?.plugin, ...(spec?.fields ?? []).map((f) => f.plugin)]);
      return [...unavailable].filter(([name]) => owners.has(name)).map(([plugin, reason]) => ({ plugin, reason }));
    },
    timeoutMs: opts.hookTimeoutMs,
    retryLoad: () => void sync().catch((e) => logEvent({ level: 'error', msg: 'plugin sync failed', error: String(e) })),
  });
  let jobs: ReturnType<typeof createJobScheduler> | undefined;

  const loadDefinition = createDefinitionLoader();

  /**
   * Brings hooks, routes and actions in line with the database (on start and on NOTIFY).
   * Plugins are found anew each time: a plugin installed on another node after this one
   * started (its folder or npm package deployed meanwhile) is loaded here too. One that is
   * enabled but cannot be loaded on this node is "unavailable": writes to its objects are
   * refused here until it loads (its before-hooks would otherwise be skipped).
   */
  async function syncNow() {
    // A plugin's metadata commits with its state: have it before turning the plugin's hooks on.
    await registry.refresh();
    discovered = discoverPlugins({ root: opts.root, dirs: opts.dirs });
    const states = (await readStates(db)).filter((s) => s.enabled);
    const next: ActivePlugin[] = [];
    const missing = new Map<string, string>();
    for (const s of states) {
      const pkg = discovered.plugins.get(s.name);
      // (Files of a newer version deployed ahead of the upgrade still load: the upgrade is the admin's step.)
      if (!pkg) {
        logEvent({ level: 'error', msg: 'an enabled plugin is missing on this node', plugin: s.name });
        missing.set(s.name, 'its files are not on this node');
        continue;
      }
      let step = 'its code failed to load';
      try {
        const definition = await loadDefinition(pkg, s.version);
        // Hooks given as a function of the settings are worked out now, not by a write.
        step = 'its hooks could not be worked out from its settings';
        hooksOf({ name: s.name, definition, settings: s.settings });
        next.push({ name: s.name, definition, settings: s.settings, userId: s.user_id, routes: declaredRoutes(s.name, definition) });
      } catch (e) {
        logEvent({
          level: 'error',
          msg: 'plugin failed to load; writes to its objects are refused on this node',
          plugin: s.name,
          error: String(e),
        });
        missing.set(s.name, `${step}: ${(e as Error)?.message ?? e}`);
      }
    }
    const ordered = orderPlugins(next.map((p) => ({ ...p, manifest: discovered.plugins.get(p.name)!.manifest })));
    routers.clear();
    for (const p of ordered) if (p.routes.length) routers.set(p.name, buildRouter(p));
    active = ordered;
    unavailable = missing;
    generation++;
  }
  // Single flight, and one more pass when asked again meanwhile (a NOTIFY during a sync).
  let syncing: Promise<void> | undefined;
  let syncAgain = false;
  function sync(): Promise<void> {
    if (syncing) {
      syncAgain = true;
      return syncing;
    }
    syncing = (async () => {
      try {
        do {
          syncAgain = false;
          await syncNow();
        } while (syncAgain);
      } finally {
        syncing = undefined;
      }
    })();
    return syncing;
  }

  const buildRouter = (p: ActivePlugin) => buildPluginRouter(p.name, p.routes, () => registry.snapshot());

  const states = async () => new Map((await readStates(db)).map((s) => [s.name, s]));

  const lifecycle = createPluginLifecycle({
    db,
    registry,
    workflows: opts.workflows,
    discover: () => (discovered = discoverPlugins({ root: opts.root, dirs: opts.dirs })),
    discovered: () => discovered,
    loadDefinition,
    states,
    active: () => active,
    sync,
    audit,
  });

  async function list() {
    discovered = discoverPlugins({ root: opts.root, dirs: opts.dirs });
    const installed = await states();
    const names = [...new Set([...discovered.plugins.keys(), ...installed.keys()])].sort();
    const hookStates = await Promise.all(
      names.map((n) =>
        installed.has(n)
          ? afterHookState(
              db,
              active.find((a) => a.name === n),
            )
          : null,
      ),
    );
    return {
      data: names.map((n) => {
        const pkg = discovered.plugins.get(n);
        const s = installed.get(n);
        const i = names.indexOf(n);
        return {
          name: n,
          title: pkg?.manifest.title ?? null,
          description: pkg?.manifest.description ?? null,
          available_version: pkg?.manifest.version ?? null,
          // What PUT …/settings validates against: the studio draws its settings form from it.
          settings_schema: pkg?.manifest.settings ?? null,
          installed_version: s?.version ?? null,
          enabled: s?.enabled ?? false,
          source: pkg?.source ?? null,
          dependencies: pkg?.manifest.dependencies ?? {},
          upgrade_available: !!(s && pkg && s.version !== pkg.manifest.version),
          problems: pkg && !s ? dependencyProblems(pkg.manifest, installed) : [],
          // Declared in the plugin's code: known once it is enabled and loaded on this node.
          routes: routeCatalog(active.find((a) => a.name === n)?.routes ?? []),
          after_hooks: hookStates[i],
          unavailable: unavailable.get(n) ?? null,
        };
      }),
      broken: discovered.broken,
    };
  }

  const enabledHere = (name: string) => {
    const p = active.find((a) => a.name === name);
    if (!p) throw conflict(`The plugin ${name} is not enabled and loaded on this server`, undefined, { plugin: name });
    return p;
  };

  /** An admin's "try the failing after-hook again now". */
  async function retryAfterHooks(name: string, o: PluginChangeOptions = {}) {
    const p = enabledHere(name);
    // As skip does: nothing to retry is a conflict, never a 200 whose body is null.
    if (!afterHookObjects(hooksOf(p)).wanted) {
      throw conflict(`The plugin ${name} has no after-hooks, so they are not failing; there is nothing to retry`, undefined, {
        plugin: name,
      });
    }
    await db.transaction(async (tx) => {
      await retryNow(tx, name);
      await audit(tx, name, 'after-hooks-retry', {}, o);
    });
    await outbox.drain();
    return afterHookState(db, p);
  }

  /** An admin's "skip the event the after-hook keeps failing on" (audited with the event and the error). */
  async function skipAfterHookEvent(name: string, eventId: unknown, o: PluginChangeOptions = {}) {
    if (typeof eventId !== 'string' || !/^\d{1,19}$/.test(eventId))
      throw validation([{ field: 'event', message: 'must be the id of the failing event (a string of digits)' }]);
    const p = enabledHere(name);
    await db.transaction(async (tx) => {
      const skipped = await skipFailing(tx, p, eventId);
      await audit(tx, name, 'after-hooks-skip', skipped, o);
    });
    await outbox.drain();
    return afterHookState(db, p);
  }

  const unlisten = await db.listen(
    CHANNEL,
    () => void sync().catch((e) => logEvent({ level: 'error', msg: 'plugin sync failed', error: String(e) })),
  );
  await sync();

  return {
    hooks,
    /** The records service is built with this host's hooks, then handed back here with the job queue that runs plugins' jobs. */
    attach(service: RecordService, queue: JobQueue) {
      records = service;
      outbox.start();
      jobs = createJobScheduler({ db, queue, active: () => active, contextFor: (p) => contextFor(p) });
      jobs.start();
    },
    list,
    ...lifecycle,
    retryAfterHooks,
    skipAfterHookEvent,
    settingsOf: async (name: string) => (await states()).get(name)?.settings ?? null,
    isInstalled: async (name: string) => (await states()).has(name),
    /** Dispatches /api/plugins/<name>/… to the plugin's routes, as the calling user; its problems are thrown. */
    async route(name: string, request: Request, call: RouteCall): Promise<Response | undefined> {
      const router = routers.get(name);
      const p = active.find((a) => a.name === name);
      if (!router || !p) return undefined;
      // Its own bookkeeping is written as the plugin, under the caller's request id.
      const pluginActor = { ...systemActor(p), requestId: call.actor.requestId };
      const kizuna = pluginContext(name, p.settings, {
        records: records!,
        actor: call.actor,
        pluginActor,
        db,
        snapshot: () => registry.snapshot(),
      });
      return router.fetch(request, routeEnv(kizuna, call));
    },
    /** The routes of the enabled plugins, as declared (for the OpenAPI document). */
    routes: () => active.map((p) => ({ plugin: p.name, routes: routeCatalog(p.routes) })),
    /** Changes whenever the enabled plugins do (caches of what they publish key on it). */
    generation: () => generation,
    actions: () =>
      new Map(
        active.flatMap((p) => Object.entries(p.definition.actions ?? {}).map(([k, a]) => [`${p.name}.${k}`, { plugin: p.name, ...a }])),
      ),
    /** Runs an enabled plugin's workflow action with the plugin's own context (for the workflow engine). */
    async runAction(key: string, config: Record<string, unknown>, input: Record<string, unknown>): Promise<unknown> {
      const p = active.find((a) => key.startsWith(`${a.name}.`));
      const action = p?.definition.actions?.[key.slice(p.name.length + 1)];
      if (!p || !action) throw notFound(`No enabled plugin offers the action "${key}"`);
      return action.run(config, input, contextFor(p));
    },
    active: () => active.map((p) => p.name),
    enabled: () =>
      active.map((p) => {
        const m = discovered.plugins.get(p.name);
        return { name: p.name, version: m?.manifest.version ?? null, title: m?.manifest.title ?? null, studio: !!m?.studioEntry };
      }),
    drain: () => outbox.drain(),
    runDueJobs: async () => jobs?.runDue(),
    async close() {
      await outbox.stop();
      await jobs?.stop();
      await unlisten().catch(() => {});
    },
  };
}

export type PluginHost = Awaited<ReturnType<typeof createPluginHost>>;

const audit = (tx: Executor, plugin: string, action: string, changes: Record<string, unknown>, o: PluginChangeOptions) =>
  writeAudit(tx, {
    kind: 'metadata',
    object: `plugin:${plugin}`,
    action,
    changes,
    actor: o.actor ?? null,
    requestId: o.requestId ?? null,
    via: 'plugins',
  });
