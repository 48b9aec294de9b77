// The plugin host: discovers plugins, keeps their state in the database, installs,
// upgrades and uninstalls them through the migrator (one transaction with their hooks), and
// switches their hooks, routes and actions on and off live on every node (NOTIFY).
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { databaseOf, dbErrorOf, uuidv7, type Database, type Executor, type Transaction } from '../db/index.ts';
import type { MetadataSnapshot, Registry } from '../metadata/index.ts';
import { createAjv, definitionProblems, type ObjectModel, type ObjectSpec } from '../model/index.ts';
import { conflict, isProblem, notFound, ProblemError, validation } from '../problems/index.ts';
import { createRecordService, type Actor, type RecordService } from '../records/index.ts';
import { createSystemUser, putShippedRole, roleProblems } from '../auth/index.ts';
import { subscribe, unsubscribe, writeAudit } from '../events/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import { replacePluginViews } from '../views/index.ts';
import { scopeFilterCheck } from '../query/index.ts';
import { pluginContext } from './context.ts';
import { discoverPlugins } from './discover.ts';
import { createHookRegistry, hooksOf, type ActivePlugin } from './hooks.ts';
import type { PluginPackage } from './manifest.ts';
import { dependencyProblems, orderPlugins } from './order.ts';
import { afterHookObjects, afterHookSubscription, createOutboxDispatcher } from './outbox.ts';
import { afterHookState, retryNow, skipFailing } from './backlog.ts';
import { createJobScheduler } from './jobs.ts';
import { buildPluginRouter, declaredRoutes, routeCatalog, routeEnv, type RouteCall } from './routes.ts';
import type { PluginContext, PluginDefinition } from './sdk.ts';
import { logEvent } from '../log/index.ts';

const CHANNEL = 'kizuna_plugins';

interface PluginState {
  name: string;
  version: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  user_id: string;
}

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

/** What the plugin host asks of the workflow engine for the workflows a plugin ships. */
export interface ShippedWorkflows {
  /** Creates or publishes anew (when changed) each definition, in the plugin's transaction; disables the plugin's others. */
  install(tx: Executor, plugin: string, definitions: Record<string, unknown>[]): Promise<void>;
  /** Disables the plugin's workflows (their runs and history stay). */
  remove(tx: Executor, plugin: string): Promise<void>;
}

export interface PluginChangeOptions {
  dryRun?: boolean;
  actor?: string | null;
  requestId?: string;
}

const staticRegistry = (snapshot: MetadataSnapshot) => ({
  snapshot: () => snapshot,
  get(name: string): ObjectModel {
    const m = snapshot.models.get(name);
    if (!m) throw notFound(`No object named "${name}"`);
    return m;
  },
});

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

  const loadedVersions = new Map<string, string>();
  async function loadDefinition(pkg: PluginPackage, version: string): Promise<PluginDefinition> {
    if (!pkg.serverEntry) return {};
    // ES modules are cached for the life of the process: after an upgrade the new version
    // is imported under a URL carrying it, so the new code runs without a restart.
    const first = loadedVersions.get(pkg.serverEntry);
    if (first === undefined) loadedVersions.set(pkg.serverEntry, version);
    const url = pathToFileURL(pkg.serverEntry).href + (first === undefined || first === version ? '' : `?v=${encodeURIComponent(version)}`);
    try {
      const mod = await import(url);
      return (mod.default ?? {}) as PluginDefinition;
    } catch (e) {
      throw new ProblemError({
        status: 422,
        type: 'plugin-invalid',
        title: 'Plugin cannot be loaded',
        detail: `The server entry of the plugin "${pkg.manifest.name}" failed to load: ${(e as Error)?.message ?? e}`,
        extra: { plugin: pkg.manifest.name },
      });
    }
  }

  async function readStates(exec: Executor = db): Promise<PluginState[]> {
    const rows = await exec.query<PluginState & Record<string, unknown>>(
      sql`select name, version, enabled, settings, user_id::text as user_id from kizuna_plugins order by name`,
    );
    return rows.map((r) => ({
      ...r,
      settings: (typeof r.settings === 'string' ? JSON.parse(r.settings) : r.settings) as Record<string, unknown>,
    }));
  }

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
    const states = (await readStates()).filter((s) => s.enabled);
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

  const states = async () => new Map((await readStates()).map((s) => [s.name, s]));

  function mustFind(name: string): PluginPackage {
    const pkg = discovered.plugins.get(name);
    if (pkg) return pkg;
    // Found but unreadable: say what is wrong with it rather than that it does not exist.
    const broken = discovered.broken.find((b) => b.name === name);
    if (broken)
      throw new ProblemError({
        status: 422,
        type: 'plugin-invalid',
        title: 'Plugin is invalid',
        detail: `The plugin "${name}" (${broken.where}) cannot be read: ${broken.error}`,
        errors: broken.errors,
        extra: { plugin: name },
      });
    throw notFound(`No plugin named "${name}" (looked in plugins/ and in npm packages)`);
  }

  /** Puts a plugin's objects and fields into the desired metadata (install and upgrade). */
  function applyMetadata(specs: Map<string, ObjectSpec>, pkg: PluginPackage) {
    const name = pkg.manifest.name;
    for (const obj of pkg.objects) {
      const existing = specs.get(obj.name);
      if (existing && existing.plugin !== name)
        throw conflict(`The plugin ${name} brings the object "${obj.name}", which already exists`, [
          { field: 'metadata.objects', message: `"${obj.name}" is taken` },
        ]);
      const kept = existing?.fields ?? [];
      for (const f of obj.fields) {
        const old = kept.find((k) => k.name === f.name);
        if (old && old.type !== f.type)
          throw conflict(`${obj.name}.${f.name} changes type (${old.type} → ${f.type}); a plugin upgrade cannot change a field's type`);
      }
      specs.set(obj.name, { ...obj, plugin: name });
    }
    for (const spec of specs.values()) {
      if (spec.plugin === name && !pkg.objects.some((o) => o.name === spec.name)) specs.delete(spec.name);
    }
    for (const spec of specs.values())
      spec.fields = spec.fields.filter((f) => f.plugin !== name || (pkg.fields[spec.name] ?? []).some((n) => n.name === f.name));
    for (const [object, fields] of Object.entries(pkg.fields)) {
      const spec = specs.get(object);
      if (!spec)
        throw validation([
          { field: `metadata.fields.${object}`, message: `the plugin ${name} adds fields to "${object}", which does not exist` },
        ]);
      for (const f of fields) {
        const i = spec.fields.findIndex((x) => x.name === f.name);
        if (i >= 0 && spec.fields[i].plugin !== name)
          throw conflict(`The plugin ${name} adds ${object}.${f.name}, which already exists`, [
            { field: `metadata.fields.${object}`, message: `"${f.name}" is taken` },
          ]);
        if (i >= 0 && spec.fields[i].type !== f.type)
          throw conflict(`${object}.${f.name} changes type; a plugin upgrade cannot change a field's type`);
        if (i >= 0) spec.fields[i] = { ...f, plugin: name };
        else spec.fields.push({ ...f, plugin: name });
      }
    }
  }

  function removeMetadata(specs: Map<string, ObjectSpec>, name: string) {
    for (const spec of [...specs.values()]) if (spec.plugin === name) specs.delete(spec.name);
    for (const spec of specs.values()) spec.fields = spec.fields.filter((f) => f.plugin !== name);
  }

  /** The plugin's system user: what its code does is recorded under its name. */
  async function systemUser(tx: Executor, name: string): Promise<string> {
    return createSystemUser(tx, { id: uuidv7(), email: `${name}@plugins.kizuna.invalid`, name: `Plugin: ${name}` });
  }

  const txContext = (
    name: string,
    settings: Record<string, unknown>,
    userId: string,
    tx: Transaction,
    snapshot: MetadataSnapshot,
  ): PluginContext => {
    const scoped = createRecordService({ db: databaseOf(tx, db), registry: staticRegistry(snapshot) });
    return pluginContext(name, settings, {
      records: scoped,
      actor: { actor: userId, via: `plugin:${name}` },
      exec: tx,
      db: databaseOf(tx, db),
      snapshot: () => snapshot,
    });
  };

  const notifyChanged = (tx: Executor) => tx.query(sql`select pg_notify(${CHANNEL}, 'changed')`);

  /** A lifecycle step: the plugin's metadata through the migrator, `within` in the same transaction. */
  async function lifecycleChange(
    name: string,
    step: 'install' | 'upgrade' | 'uninstall',
    o: PluginChangeOptions & { purge?: boolean },
    mutate: (specs: Map<string, ObjectSpec>) => void,
    within: (tx: Transaction, snapshot: MetadataSnapshot) => Promise<void>,
  ) {
    const result = await registry
      .change(mutate, {
        dryRun: o.dryRun,
        keepStorage: step === 'uninstall' && !o.purge,
        actor: o.actor,
        requestId: o.requestId,
        via: `plugin-${step}:${name}`,
        within: async (tx, snapshot) => {
          await within(tx, snapshot);
          await notifyChanged(tx);
        },
      })
      .catch((e) => {
        // Two installs of one plugin at once: both passed the "already installed" check; the
        // later one meets the first's row when it commits its own.
        if (step === 'install' && dbErrorOf(e)?.code === '23505')
          throw conflict(`The plugin ${name} was installed meanwhile (another install of it finished first)`, undefined, { plugin: name });
        return rethrowPluginError(name, step)(e);
      });
    if (!o.dryRun) await sync();
    return result;
  }

  /** Install and upgrade start alike: the plugin as found now, with its dependencies met. */
  async function prepare(name: string, step: 'installed' | 'upgraded') {
    discovered = discoverPlugins({ root: opts.root, dirs: opts.dirs });
    const pkg = mustFind(name);
    const installed = await states();
    const state = installed.get(name);
    if (step === 'installed' && state)
      throw conflict(`The plugin ${name} is already installed (version ${state.version}); upgrade it instead`);
    if (step === 'upgraded' && !state) throw conflict(`The plugin ${name} is not installed`);
    const problems = dependencyProblems(pkg.manifest, installed);
    if (problems.length) throw validation(problems, `The plugin ${name} cannot be ${step}`);
    const definition = await loadDefinition(pkg, pkg.manifest.version);
    declaredRoutes(name, definition); // a bad route declaration fails the install, naming it
    return { pkg, state, definition };
  }

  /**
   * Roles, views and workflows a plugin ships, replaced as a whole on upgrade. Roles are checked
   * against the metadata as installed with the plugin's own objects, as an admin's role is on save.
   */
  async function installShipped(tx: Executor, pkg: PluginPackage, snapshot: MetadataSnapshot) {
    const problems = pkg.roles.flatMap((role, i) =>
      roleProblems(role, snapshot.models, scopeFilterCheck(snapshot.models)).map((p) => ({
        ...p,
        field: `metadata.roles.${i}.${p.field}`,
      })),
    );
    if (problems.length) throw validation(problems, `The plugin ${pkg.manifest.name} ships a role that does not fit the metadata`);
    for (const role of pkg.roles) await putShippedRole(tx, role);
    await replacePluginViews(tx, pkg.manifest.name, pkg.views);
    await opts.workflows?.()?.install(tx, pkg.manifest.name, pkg.workflows);
  }

  async function install(name: string, o: PluginChangeOptions = {}) {
    const { pkg, definition } = await prepare(name, 'installed');
    const result = await lifecycleChange(
      name,
      'install',
      o,
      (specs) => applyMetadata(specs, pkg),
      async (tx, snapshot) => {
        const userId = await systemUser(tx, name);
        await tx.query(
          sql`insert into kizuna_plugins (name, version, manifest, user_id) values (${name}, ${pkg.manifest.version}, ${JSON.stringify(pkg.manifest)}::jsonb, ${userId}::uuid)`,
        );
        await subscribe(tx, afterHookSubscription(name));
        await installShipped(tx, pkg, snapshot);
        await definition.install?.(txContext(name, {}, userId, tx, snapshot));
        await audit(tx, name, 'install', { version: pkg.manifest.version }, o);
      },
    );
    return { plugin: name, version: pkg.manifest.version, dry_run: !!o.dryRun, plan: result.plan };
  }

  async function upgrade(name: string, o: PluginChangeOptions = {}) {
    const { pkg, state, definition } = await prepare(name, 'upgraded');
    const from = state!;
    const result = await lifecycleChange(
      name,
      'upgrade',
      o,
      (specs) => applyMetadata(specs, pkg),
      async (tx, snapshot) => {
        await tx.query(
          sql`update kizuna_plugins set version = ${pkg.manifest.version}, manifest = ${JSON.stringify(pkg.manifest)}::jsonb, updated_at = now() where name = ${name}`,
        );
        await installShipped(tx, pkg, snapshot);
        await definition.migrate?.(txContext(name, from.settings, from.user_id, tx, snapshot), from.version);
        await audit(tx, name, 'upgrade', { from: from.version, to: pkg.manifest.version }, o);
      },
    );
    return { plugin: name, from: from.version, version: pkg.manifest.version, dry_run: !!o.dryRun, plan: result.plan };
  }

  async function uninstall(name: string, o: PluginChangeOptions & { purge?: boolean } = {}) {
    const installed = await states();
    const state = installed.get(name);
    if (!state) throw notFound(`The plugin ${name} is not installed`);
    const dependents = [...installed.keys()].filter(
      (other) => other !== name && Object.hasOwn(discovered.plugins.get(other)?.manifest.dependencies ?? {}, name),
    );
    if (dependents.length)
      throw conflict(`The plugin ${name} is needed by ${dependents.join(', ')}; uninstall ${dependents.length > 1 ? 'them' : 'it'} first`);
    const pkg = discovered.plugins.get(name);
    const definition = pkg ? await loadDefinition(pkg, state.version) : {};
    const result = await lifecycleChange(
      name,
      'uninstall',
      o,
      (specs) => removeMetadata(specs, name),
      async (tx, snapshot) => {
        await definition.uninstall?.(txContext(name, state.settings, state.user_id, tx, snapshot));
        await tx.query(sql`delete from kizuna_plugins where name = ${name}`);
        await unsubscribe(tx, afterHookSubscription(name));
        await replacePluginViews(tx, name, []);
        await opts.workflows?.()?.remove(tx, name);
        await audit(tx, name, 'uninstall', { version: state.version, purge: !!o.purge }, o);
      },
    );
    return { plugin: name, dry_run: !!o.dryRun, purge: !!o.purge, plan: result.plan };
  }

  async function setEnabled(name: string, enabled: boolean, o: PluginChangeOptions = {}) {
    await db.transaction(async (tx) => {
      const rows = await tx.query(
        sql`update kizuna_plugins set enabled = ${enabled}, updated_at = now() where name = ${name} returning name`,
      );
      if (!rows.length) throw notFound(`The plugin ${name} is not installed`);
      await audit(tx, name, enabled ? 'enable' : 'disable', {}, o);
      await notifyChanged(tx);
    });
    await sync();
  }

  async function putSettings(name: string, settings: unknown, o: PluginChangeOptions = {}) {
    const pkg = mustFind(name);
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
      throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
    if (pkg.manifest.settings) {
      const validate = createAjv().compile(pkg.manifest.settings);
      if (!validate(settings)) throw validation(definitionProblems(validate.errors), `The settings of ${name} are invalid`);
    }
    // Settings its hooks function cannot take would leave the plugin unavailable: refused here.
    const definition = active.find((a) => a.name === name)?.definition;
    if (typeof definition?.hooks === 'function') {
      try {
        hooksOf({ name, definition, settings: settings as Record<string, unknown> });
      } catch (e) {
        if (isProblem(e) && e.status < 500) throw e;
        throw validation(
          [{ field: '(root)', message: `the plugin cannot work out its hooks from these settings: ${(e as Error)?.message ?? e}` }],
          `The settings of ${name} are invalid`,
        );
      }
    }
    await db.transaction(async (tx) => {
      const rows = await tx.query(
        sql`update kizuna_plugins set settings = ${JSON.stringify(settings)}::jsonb, updated_at = now() where name = ${name} returning name`,
      );
      if (!rows.length) throw notFound(`The plugin ${name} is not installed`);
      await audit(tx, name, 'settings', {}, o);
      await notifyChanged(tx);
    });
    await sync();
    return settings;
  }

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
    install,
    upgrade,
    uninstall,
    setEnabled,
    putSettings,
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

/** A plugin's own hook failing during install/upgrade/uninstall: rolled back, named, 4xx kept. */
const rethrowPluginError =
  (plugin: string, step: string) =>
  (e: unknown): never => {
    if (isProblem(e)) throw e;
    logEvent({ level: 'error', msg: `plugin ${step} failed`, plugin, error: String((e as Error)?.stack ?? e) });
    throw new ProblemError({
      status: 500,
      type: 'plugin-error',
      title: 'Plugin error',
      detail: `The ${step} of the plugin "${plugin}" failed and was rolled back: ${(e as Error)?.message ?? e}`,
      extra: { plugin },
    });
  };

function problemJson(p: ProblemError): Response {
  return new Response(JSON.stringify(p.toJSON()), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
  });
}
