// The composition root: wires the capabilities together, nothing else.
import { createApp } from './api/index.ts';
import {
  bootstrapAdmin,
  createApiKeyStore,
  createPeopleStore,
  createSessionStore,
  roleProblems,
  type BootstrapResult,
} from './auth/index.ts';
import { createDatabase, type DatabaseConfig } from './db/index.ts';
import { createRegistry, installStandardObjects } from './metadata/index.ts';
import { createRecordService } from './records/index.ts';
import { bootstrapPlatform, upgradeLayouts } from './schema/index.ts';
import { createJobQueue, ensureJobTables } from './jobs/index.ts';
import { createImportService, ensureImportTables, registerImportJob } from './imports/index.ts';
import { enqueueSearchRefresh, registerSearchRefresh } from './search/index.ts';
import { announceOutboxCommits } from './events/index.ts';
import { accessFor, scopeFilterCheck } from './query/index.ts';
import { createPluginHost } from './plugins/index.ts';
import { createWorkflowEngine, type WorkflowEngine } from './workflow/index.ts';
import { resolve } from 'node:path';

export interface KizunaConfig extends DatabaseConfig {
  bootstrapToken?: string;
  adminEmail?: string;
  adminPassword?: string;
  corsOrigins?: string[];
  secureCookies?: boolean;
  logRequests?: boolean;
  /** See RegistryOptions.bigTableBytes (tests set -1 to exercise concurrent index builds). */
  bigTableBytes?: number;
  /** Where plugins are found: <root>/plugins and <root>/package.json (default: the repository). */
  root?: string;
  /** Plugin folders to scan instead (tests). */
  pluginDirs?: string[];
  /** How long a plugin hook may run before its write fails with 503 (KIZUNA_HOOK_TIMEOUT_MS; default 10 000). */
  hookTimeoutMs?: number;
  studioDir?: string;
  bodyLimit?: number;
  /** Largest import upload in bytes (413 above). */
  importLimit?: number;
  /** Rows per import batch (one transaction each). */
  importBatchSize?: number;
  /** Job queue timing: idle poll interval and when a silent worker's job is taken over. */
  jobPollMs?: number;
  jobStaleMs?: number;
  /** Workflow engine timing: idle poll interval and the first retry delay (doubling). */
  workflowPollMs?: number;
  workflowRetryBaseMs?: number;
  /** Hosts workflow HTTP steps may call (KIZUNA_WORKFLOW_HTTP_HOSTS). */
  workflowHttpHosts?: string[];
  /** SMTP server of send_message steps (KIZUNA_SMTP_URL, e.g. smtp://user:pass@host:587) and the sender (KIZUNA_SMTP_FROM). */
  smtpUrl?: string;
  mailFrom?: string;
  /** How long a worker's claim on a run lasts without progress before another node takes it over. */
  workflowLeaseMs?: number;
  /** Called as each workflow step starts (tests and benchmarks observe the engine with it). */
  onWorkflowStep?: (runId: string, stepId: string) => void;
}

export async function createKizuna(config: KizunaConfig) {
  const db = await createDatabase(config);
  try {
    await bootstrapPlatform(db);
    // This node tells the others when its writes commit events (no NOTIFY inside writes).
    announceOutboxCommits(db);
    const registry = await createRegistry({ db, bigTableBytes: config.bigTableBytes });
    await installStandardObjects(registry);
    await upgradeLayouts(db, registry.snapshot().models.values());
    const keys = await createApiKeyStore({ db });
    const people = await createPeopleStore({
      db,
      onChange: () => keys.clearCache(),
      roleProblems: (role) => roleProblems(role, registry.snapshot().models, scopeFilterCheck(registry.snapshot().models)),
    });
    await people.roles.installStandard();
    const sessions = createSessionStore({ db });
    const bootstrap: BootstrapResult = await bootstrapAdmin(db, keys, {
      token: config.bootstrapToken,
      email: config.adminEmail,
      password: config.adminPassword,
    });
    // The workflow engine runs plugins' actions and installs the workflows they ship: bound late.
    let engine: WorkflowEngine | undefined;
    const plugins = await createPluginHost({
      db,
      registry,
      root: config.root ?? resolve(import.meta.dirname, '..'),
      dirs: config.pluginDirs,
      hookTimeoutMs: config.hookTimeoutMs,
      workflows: () => engine?.shipped,
    });
    const records = createRecordService({ db, registry, hooks: plugins.hooks });
    await ensureJobTables(db);
    await ensureImportTables(db);
    const jobs = createJobQueue({ db, pollMs: config.jobPollMs, staleMs: config.jobStaleMs });
    plugins.attach(records, jobs);
    // Imports run as the user who started them: their permissions are rebuilt when the job runs.
    registerImportJob(jobs, {
      db,
      registry,
      records,
      batchSize: config.importBatchSize,
      actorFor: async (p, requestId) => ({
        actor: p.userId,
        requestId,
        via: p.keyId ? `key:${p.keyId}` : 'import',
        access: p.isAdmin && !p.role ? undefined : accessFor(await people.callerFor(p)),
      }),
      ownerActive: (p) => keys.stillValid(p.userId, p.keyId ?? undefined),
    });
    // Search documents written under an earlier normalization are recomputed in the background.
    registerSearchRefresh(jobs, {
      db,
      documentColumn: (table) => [...registry.snapshot().models.values()].find((m) => m.table === table)?.searchFields[0]?.name,
    });
    await enqueueSearchRefresh(db, jobs);
    const imports = createImportService({ db, registry, records, jobs });
    const workflows = createWorkflowEngine({
      db,
      records,
      registry,
      watchPeople: (listener) => people.watch(listener),
      pollMs: config.workflowPollMs,
      retryBaseMs: config.workflowRetryBaseMs,
      httpHosts: config.workflowHttpHosts,
      smtpUrl: config.smtpUrl,
      mailFrom: config.mailFrom,
      leaseMs: config.workflowLeaseMs,
      onStepStart: config.onWorkflowStep,
      actions: {
        has: (name) => plugins.actions().has(name),
        run: (name, cfg, input) => plugins.runAction(name, cfg, input),
        list: () =>
          [...plugins.actions()].map(([name, a]) => ({
            name,
            plugin: a.plugin,
            title: a.title,
            description: a.description,
            config: a.config,
            output: a.output,
          })),
      },
    });
    engine = workflows;
    const app = createApp({
      db,
      registry,
      records,
      keys,
      people,
      sessions,
      plugins,
      imports,
      workflows,
      importLimit: config.importLimit,
      bodyLimit: config.bodyLimit,
      studioDir: config.studioDir,
      corsOrigins: config.corsOrigins,
      secureCookies: config.secureCookies,
      logRequests: config.logRequests,
      smtpUrl: config.smtpUrl,
      mailFrom: config.mailFrom,
    });
    jobs.start();
    workflows.start();
    return {
      app,
      jobs,
      imports,
      workflows,
      db,
      registry,
      records,
      keys,
      people,
      sessions,
      plugins,
      bootstrap,
      async close() {
        await workflows.stop().catch(() => {});
        await plugins.close().catch(() => {});
        await jobs.stop().catch(() => {});
        await keys.close().catch(() => {});
        await people.close().catch(() => {});
        await registry.close();
        await db.close();
      },
    };
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}

export type Kizuna = Awaited<ReturnType<typeof createKizuna>>;
