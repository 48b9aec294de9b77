// The metadata registry: definitions stored in the database, compiled once per version,
// cached per process and invalidated across processes by NOTIFY. Every change goes through
// change(): one transaction, under the schema advisory lock, with its migration plan.
import { sql } from 'drizzle-orm';
import { dbErrorOf, type Database, type Executor, type Transaction } from '../db/index.ts';
import { publishEvent, writeAudit } from '../events/index.ts';
import { checkSpecs, compileModels, normalizeSpec, type ObjectModel, type ObjectSpec } from '../model/index.ts';
import { notFound, validation, type FieldProblem } from '../problems/index.ts';
import { applyPlan, buildDeferred, describePlan, METADATA_LOCK, planMigration, type Step, type StepView } from '../schema/index.ts';
import { logEvent } from '../log/index.ts';

export interface MetadataSnapshot {
  version: number;
  models: Map<string, ObjectModel>;
}

export interface ChangeResult<T> {
  plan: StepView[];
  dryRun: boolean;
  value: T;
  snapshot: MetadataSnapshot;
}

/** Mutates the desired specs in place; may throw a problem. Returns what the caller wants back. */
export type Mutator<T> = (specs: Map<string, ObjectSpec>, current: MetadataSnapshot) => T;

export interface ChangeOptions {
  dryRun?: boolean;
  /** Keep tables/columns of removed definitions (see PlanOptions.keepStorage). */
  keepStorage?: boolean;
  /**
   * More work in the same transaction, after the DDL and before commit, seeing the new
   * definitions (a plugin's install hook): if it throws, nothing of the change is kept.
   */
  within?: (tx: Transaction, snapshot: MetadataSnapshot) => Promise<void>;
  /** Who asked, for the audit trail. */
  actor?: string | null;
  requestId?: string;
  via?: string;
}

export interface Registry {
  snapshot(): MetadataSnapshot;
  get(name: string): ObjectModel;
  find(name: string): ObjectModel | undefined;
  change<T>(mutate: Mutator<T>, opts?: ChangeOptions): Promise<ChangeResult<T>>;
  /** Re-reads the database if its version moved (used by the notify listener and tests). */
  refresh(): Promise<void>;
  /** Resolves when the index builds deferred by earlier changes have finished. */
  idle(): Promise<void>;
  onChange(listener: (snapshot: MetadataSnapshot) => void): () => void;
  close(): Promise<void>;
}

const CHANNEL = 'kizuna_meta';

class DryRunDone extends Error {}

async function readSpecs(db: Executor) {
  const rows = await db.query<{ name: string; spec: ObjectSpec | string; version: number }>(
    sql`select name, spec, version from kizuna_objects order by name`,
  );
  const [state] = await db.query<{ version: number }>(sql`select version from kizuna_meta_state`);
  const specs = new Map<string, ObjectSpec>();
  const versions = new Map<string, number>();
  for (const r of rows) {
    specs.set(r.name, typeof r.spec === 'string' ? JSON.parse(r.spec) : r.spec);
    versions.set(r.name, Number(r.version));
  }
  return { specs, versions, version: Number(state?.version ?? 0) };
}

export interface RegistryOptions {
  db: Database;
  /** Tables larger than this (bytes) get their new indexes built concurrently after commit. */
  bigTableBytes?: number;
}

export const BIG_TABLE_BYTES = 8 * 1024 * 1024;

export async function createRegistry({ db, bigTableBytes = BIG_TABLE_BYTES }: RegistryOptions): Promise<Registry> {
  let current: MetadataSnapshot = { version: -1, models: new Map() };
  // Deferred index builds run one after another, after their change committed.
  let builds: Promise<void> = Promise.resolve();
  const deferBuilds = (steps: Step[], versions: Map<string, number>) => {
    const byObject = new Map<string, Step[]>();
    for (const s of steps) if (s.deferred) byObject.set(s.object, [...(byObject.get(s.object) ?? []), s]);
    if (byObject.size === 0) return;
    builds = builds.then(async () => {
      for (const [object, objectSteps] of byObject) {
        // CREATE INDEX CONCURRENTLY and a metadata change on the same table can deadlock (the
        // build waits for the change's snapshot, the change for the build's table lock); the
        // loser is retried, and a build that a later change made stale is left to that change.
        for (let attempt = 1; ; attempt++) {
          const [row] = await db.query<{ version: number }>(sql`select version from kizuna_objects where name = ${object}`);
          if (!row || Number(row.version) !== versions.get(object)) break;
          try {
            await buildDeferred(db, objectSteps);
            break;
          } catch (e) {
            if (attempt >= 5) {
              logEvent({ level: 'error', msg: 'deferred index build failed', object, error: String(e) });
              break;
            }
            await new Promise((r) => setTimeout(r, 100 * attempt));
          }
        }
      }
    });
  };
  const listeners = new Set<(s: MetadataSnapshot) => void>();

  const install = (next: MetadataSnapshot) => {
    if (next.version <= current.version) return;
    current = next;
    for (const l of listeners) l(current);
  };

  const load = async () => {
    const { specs, versions, version } = await readSpecs(db);
    install({ version, models: compileModels([...specs.values()], versions) });
  };

  // Single-flight refresh: concurrent notifications share one reload, and one arriving
  // during a reload causes exactly one more.
  let inflight: Promise<void> | undefined;
  let again = false;
  const refresh = (): Promise<void> => {
    if (inflight) {
      again = true;
      return inflight;
    }
    inflight = (async () => {
      try {
        do {
          again = false;
          const [state] = await db.query<{ version: number }>(sql`select version from kizuna_meta_state`);
          if (Number(state?.version ?? 0) !== current.version) await load();
        } while (again);
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };

  await load();
  const unlisten = await db.listen(CHANNEL, () => {
    refresh().catch((e) => logEvent({ level: 'error', msg: 'metadata refresh failed', error: String(e) }));
  });
  // A safety net for a dropped LISTEN connection: a cheap version check every few seconds.
  const poll = setInterval(() => void refresh().catch(() => {}), 5000);
  poll.unref();

  async function changeOnce<T>(mutate: Mutator<T>, opts: ChangeOptions): Promise<ChangeResult<T>> {
    let result: ChangeResult<unknown> | undefined;
    let committedSteps: { steps: Step[]; versions: Map<string, number> } | undefined;
    try {
      await db.transaction(async (tx) => {
        await tx.query(sql`select pg_advisory_xact_lock(${METADATA_LOCK}::int, hashtext(current_schema()))`);
        const stored = await readSpecs(tx);
        const before = compileModels([...stored.specs.values()], stored.versions);
        const desired = new Map([...stored.specs].map(([k, v]) => [k, structuredClone(v)]));
        const value = mutate(desired, { version: stored.version, models: before });
        for (const [name, spec] of desired) desired.set(name, normalizeSpec(spec));
        const problems: FieldProblem[] = checkSpecs([...desired.values()]);
        if (problems.length) throw validation(problems, 'The object definition is invalid');

        const changed = [...desired.keys()].filter((n) => JSON.stringify(stored.specs.get(n)) !== JSON.stringify(desired.get(n)));
        const removed = [...stored.specs.keys()].filter((n) => !desired.has(n));
        const versions = new Map(stored.versions);
        for (const n of changed) versions.set(n, (stored.versions.get(n) ?? 0) + 1);
        const after = compileModels([...desired.values()], versions);
        // Sizes of this schema's tables only (fenced like upgrade.ts's index definitions).
        const sized = await tx.query<{ name: string }>(sql`with mine as materialized (
            select c.oid, c.relname from pg_class c where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
          ) select relname as name from mine where pg_relation_size(oid) > ${bigTableBytes}::bigint`);
        const steps = planMigration(before, after, { bigTables: new Set(sized.map((r) => r.name)), keepStorage: opts.keepStorage });
        const version = stored.version + (changed.length || removed.length ? 1 : 0);
        const snapshot = { version, models: after };

        if (opts.dryRun) {
          result = { plan: await describePlan(tx, steps, true), dryRun: true, value, snapshot };
          throw new DryRunDone();
        }
        await applyPlan(tx, steps);
        for (const n of changed) {
          await tx.query(sql`insert into kizuna_objects (name, spec, version) values (${n}, ${JSON.stringify(desired.get(n))}::jsonb, ${versions.get(n)})
              on conflict (name) do update set spec = excluded.spec, version = excluded.version, updated_at = now()`);
        }
        for (const n of removed) await tx.query(sql`delete from kizuna_objects where name = ${n}`);
        if (version !== stored.version) {
          await tx.query(sql`update kizuna_meta_state set version = ${version}`);
          for (const n of [...changed, ...removed]) {
            await writeAudit(tx, {
              kind: 'metadata',
              object: n,
              action: removed.includes(n) ? 'delete' : stored.specs.has(n) ? 'update' : 'create',
              changes: { version: versions.get(n) ?? null, plan: steps.filter((s) => s.object === n).map((s) => s.description) },
              actor: opts.actor,
              requestId: opts.requestId,
              via: opts.via,
            });
          }
          await publishEvent(tx, {
            topic: 'metadata.changed',
            object: changed[0] ?? removed[0] ?? null,
            payload: { version, changed, removed, actor: opts.actor ?? null },
          });
          // Delivered on commit, to every process (this one included).
          await tx.query(sql`select pg_notify(${CHANNEL}, ${`${db.schema}:${version}`})`);
        }
        if (opts.within) await opts.within(tx, snapshot);
        result = { plan: await describePlan(tx, steps, false), dryRun: false, value, snapshot };
        committedSteps = { steps, versions };
      });
    } catch (e) {
      if (!(e instanceof DryRunDone) && !isRollback(e)) throw e;
      if (!result) throw e;
      return result as ChangeResult<never>;
    }
    install(result!.snapshot);
    if (committedSteps) deferBuilds(committedSteps.steps, committedSteps.versions);
    return result as ChangeResult<never>;
  }

  const registry: Registry = {
    snapshot: () => current,
    find: (name) => current.models.get(name),
    get(name) {
      const m = current.models.get(name);
      if (!m) throw notFound(`No object named "${name}"`);
      return m;
    },
    async change(mutate, opts = {}) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await changeOnce(mutate, opts);
        } catch (e) {
          // A deadlock with a concurrent index build, or a serialization failure: try again.
          const code = dbErrorOf(e)?.code;
          if (attempt >= 5 || (code !== '40P01' && code !== '40001')) throw e;
          await new Promise((r) => setTimeout(r, 50 * attempt));
        }
      }
    },
    refresh,
    idle: () => builds,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      clearInterval(poll);
      await builds;
      await unlisten().catch(() => {});
    },
  };
  return registry;
}

const isRollback = (e: unknown) => (e as Error)?.name === 'TransactionRollbackError';
