// A plugin's lifecycle as an admin drives it: install, upgrade and uninstall through the
// migrator (its metadata, its state, what it ships and its own hooks in one transaction), and
// enabling and settings. Each change NOTIFYs the other nodes and syncs this one (host.ts).
import { sql } from 'drizzle-orm';
import { databaseOf, dbErrorOf, uuidv7, type Database, type Executor, type Transaction } from '../db/index.ts';
import type { MetadataSnapshot, Registry } from '../metadata/index.ts';
import { createAjv, definitionProblems, type ObjectModel, type ObjectSpec } from '../model/index.ts';
import { conflict, isProblem, notFound, ProblemError, validation } from '../problems/index.ts';
import { createRecordService } from '../records/index.ts';
import { createSystemUser, putShippedRole, roleProblems } from '../auth/index.ts';
import { subscribe, unsubscribe } from '../events/index.ts';
import { replacePluginViews } from '../views/index.ts';
import { scopeFilterCheck } from '../query/index.ts';
import { pluginContext } from './context.ts';
import type { DiscoveryResult } from './discover.ts';
import { hooksOf, type ActivePlugin } from './hooks.ts';
import { afterHookSubscription } from './outbox.ts';
import type { DefinitionLoader } from './load.ts';
import type { PluginPackage } from './manifest.ts';
import { dependencyProblems } from './order.ts';
import { applyPluginMetadata, removePluginMetadata } from './plugin-metadata.ts';
import { declaredRoutes } from './routes.ts';
import type { PluginContext } from './sdk.ts';
import { notifyChanged, type PluginState } from './states.ts';
import { logEvent } from '../log/index.ts';

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

/** Writes a plugin change's audit row in its transaction. */
export type PluginAudit = (
  tx: Executor,
  plugin: string,
  action: string,
  changes: Record<string, unknown>,
  o: PluginChangeOptions,
) => Promise<unknown>;

/** What the lifecycle borrows from the host: what it found, what it runs, and how it syncs. */
export interface LifecycleDeps {
  db: Database;
  registry: Registry;
  workflows?: () => ShippedWorkflows | undefined;
  /** Finds the plugins anew (folders and npm packages deployed meanwhile). */
  discover(): DiscoveryResult;
  /** The plugins as last found. */
  discovered(): DiscoveryResult;
  loadDefinition: DefinitionLoader;
  states(): Promise<Map<string, PluginState>>;
  active(): ActivePlugin[];
  /** Brings this node's hooks, routes and actions in line with the database. */
  sync(): Promise<void>;
  audit: PluginAudit;
}

const staticRegistry = (snapshot: MetadataSnapshot) => ({
  snapshot: () => snapshot,
  get(name: string): ObjectModel {
    const m = snapshot.models.get(name);
    if (!m) throw notFound(`No object named "${name}"`);
    return m;
  },
});

export function createPluginLifecycle(deps: LifecycleDeps) {
  const { db, registry, audit } = deps;

  function mustFind(name: string): PluginPackage {
    const discovered = deps.discovered();
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

  /** The plugin's system user: what its code does is recorded under its name. */
  async function systemUser(tx: Executor, name: string): Promise<string> {
    return createSystemUser(tx, { id: uuidv7(), email: `${name}@plugins.kizuna.invalid`, name: `Plugin: ${name}` });
  }

  /** The context a plugin's install, migrate and uninstall hooks get: the change's transaction and metadata. */
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
    if (!o.dryRun) await deps.sync();
    return result;
  }

  /** Install and upgrade start alike: the plugin as found now, with its dependencies met. */
  async function prepare(name: string, step: 'installed' | 'upgraded') {
    deps.discover();
    const pkg = mustFind(name);
    const installed = await deps.states();
    const state = installed.get(name);
    if (step === 'installed' && state)
      throw conflict(`The plugin ${name} is already installed (version ${state.version}); upgrade it instead`);
    if (step === 'upgraded' && !state) throw conflict(`The plugin ${name} is not installed`);
    const problems = dependencyProblems(pkg.manifest, installed);
    if (problems.length) throw validation(problems, `The plugin ${name} cannot be ${step}`);
    const definition = await deps.loadDefinition(pkg, pkg.manifest.version);
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
    await deps.workflows?.()?.install(tx, pkg.manifest.name, pkg.workflows);
  }

  async function install(name: string, o: PluginChangeOptions = {}) {
    const { pkg, definition } = await prepare(name, 'installed');
    const result = await lifecycleChange(
      name,
      'install',
      o,
      (specs) => applyPluginMetadata(specs, pkg),
      async (tx, snapshot) => {
        const userId = await systemUser(tx, name);
        await tx.query(
          sql`insert into kizuna_plugins (name, version, manifest, user_id) values (${name}, ${pkg.manifest.version}, ${JSON.stringify(pkg.manifest)}::jsonb, ${userId}::uuid)`,
        );
        // Its after-hooks read the outbox from here on.
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
      (specs) => applyPluginMetadata(specs, pkg),
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
    const installed = await deps.states();
    const state = installed.get(name);
    if (!state) throw notFound(`The plugin ${name} is not installed`);
    const discovered = deps.discovered();
    const dependents = [...installed.keys()].filter(
      (other) => other !== name && Object.hasOwn(discovered.plugins.get(other)?.manifest.dependencies ?? {}, name),
    );
    if (dependents.length)
      throw conflict(`The plugin ${name} is needed by ${dependents.join(', ')}; uninstall ${dependents.length > 1 ? 'them' : 'it'} first`);
    const pkg = discovered.plugins.get(name);
    const definition = pkg ? await deps.loadDefinition(pkg, state.version) : {};
    const result = await lifecycleChange(
      name,
      'uninstall',
      o,
      (specs) => removePluginMetadata(specs, name),
      async (tx, snapshot) => {
        await definition.uninstall?.(txContext(name, state.settings, state.user_id, tx, snapshot));
        await tx.query(sql`delete from kizuna_plugins where name = ${name}`);
        await unsubscribe(tx, afterHookSubscription(name));
        await replacePluginViews(tx, name, []);
        await deps.workflows?.()?.remove(tx, name);
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
    await deps.sync();
  }

  async function putSettings(name: string, settings: unknown, o: PluginChangeOptions = {}) {
    checkSettings(name, mustFind(name), settings, deps.active());
    await db.transaction(async (tx) => {
      const rows = await tx.query(
        sql`update kizuna_plugins set settings = ${JSON.stringify(settings)}::jsonb, updated_at = now() where name = ${name} returning name`,
      );
      if (!rows.length) throw notFound(`The plugin ${name} is not installed`);
      await audit(tx, name, 'settings', {}, o);
      await notifyChanged(tx);
    });
    await deps.sync();
    return settings;
  }

  return { install, upgrade, uninstall, setEnabled, putSettings };
}

/** Settings must be an object its manifest's schema accepts, and one its hooks function can take. */
function checkSettings(name: string, pkg: PluginPackage, settings: unknown, active: ActivePlugin[]): void {
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
}

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
