// One connection factory and one query surface for both drivers. The driver difference
// (row shape, listen(), error fields) lives here and nowhere else.
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { join } from 'node:path';
import { createDataDir, isNewDataDir } from './create-data-dir.ts';
import { acquireDataDirLock, type DataDirLock } from './lock.ts';

export type DatabaseKind = 'pglite' | 'postgres';
export type Row = Record<string, unknown>;

/** Anything that runs SQL: the database itself or an open transaction. */
export interface Executor {
  query<T extends Row = Row>(q: SQL): Promise<T[]>;
}

export interface Transaction extends Executor {
  /** A nested transaction (SAVEPOINT): its failure rolls back only its own work. */
  savepoint<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

/** How busy the connections are (for health): `busy` of `size` in use, `waiting` queued for one. */
export interface PoolUsage {
  size: number;
  busy: number;
  waiting: number;
  /** For how long (ms) every connection has been in use with others waiting; 0 when not. */
  saturatedMs: number;
}

export interface Database extends Executor {
  readonly kind: DatabaseKind;
  /** Connections in use now: statements and transactions running or waiting for a connection. */
  pool(): PoolUsage;
  /** The schema all tables live in (tests isolate runs by schema on PostgreSQL). */
  readonly schema: string;
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Subscribe to NOTIFY on a channel; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Calls `fn` after each commit (of a transaction, or of a statement run alone) in which a
   * statement's text matched `pattern` — on this node, through this Database. Answers the
   * unsubscribe function.
   */
  afterCommitOf(pattern: RegExp, fn: () => void): () => void;
  close(): Promise<void>;
}

/** Who asked to hear of which commits: the statements a transaction ran are matched as they go. */
type Watcher = { pattern: RegExp; fn: () => void };
function commitWatchers() {
  const watchers: Watcher[] = [];
  return {
    add(pattern: RegExp, fn: () => void): () => void {
      const w = { pattern, fn };
      watchers.push(w);
      return () => void watchers.splice(watchers.indexOf(w) >>> 0, 1);
    },
    /** Adds to `hits` the watchers a statement concerns (cheap when nobody watches). */
    note(text: string, hits: Set<Watcher>): void {
      for (const w of watchers) if (w.pattern.test(text)) hits.add(w);
    },
    get any() {
      return watchers.length > 0;
    },
    /** Runs `work` with a fresh set of hits, and tells their watchers once it has committed. */
    async watched<T>(work: (hits: Set<Watcher>) => Promise<T>): Promise<T> {
      const hits = new Set<Watcher>();
      const out = await work(hits);
      for (const w of hits) w.fn();
      return out;
    },
  };
}

export interface DatabaseConfig {
  /** PostgreSQL URL; unset → embedded PGlite. */
  url?: string;
  /** PGlite data folder; unset with no url → in-memory. */
  dataDir?: string;
  /** PostgreSQL schema to use (created if missing); default public. */
  schema?: string;
  /** Pool size for PostgreSQL. */
  max?: number;
  /** An already open PGlite (tests clone a template). */
  pglite?: PGlite;
  /**
   * PGlite's shared_buffers (KIZUNA_PGLITE_SHARED_BUFFERS, e.g. "32MB"). Its WASM memory only
   * grows: PGlite's own 128MB default grew an idle server to ~420 MB RSS, 32MB keeps it near 300
   * (bench/RESULTS.md); pages beyond it are read from the operating system's file cache.
   */
  pgliteSharedBuffers?: string;
}

export const DEFAULT_PGLITE_SHARED_BUFFERS = '32MB';
const BUFFER_SIZE = /^[1-9]\d{0,6}(kB|MB|GB)$/;

const dialect = new PgDialect();
/** Statements worth preparing: DML. DDL and utility statements run unprepared. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/** drizzle returns `{ rows }` on PGlite and a plain array on postgres-js. */
export const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

type DrizzleLike = {
  execute(q: SQL): Promise<unknown>;
  transaction<T>(fn: (tx: DrizzleLike) => Promise<T>): Promise<T>;
};

function wrapTx(tx: DrizzleLike, watch: ReturnType<typeof commitWatchers>, hits: Set<Watcher>): Transaction {
  return {
    query: async <T>(q: SQL) => {
      if (watch.any) watch.note(dialect.sqlToQuery(q).sql, hits);
      return rowsOf<T>(await tx.execute(q));
    },
    savepoint: (fn) => tx.transaction((inner) => fn(wrapTx(inner, watch, hits))),
  };
}

export async function createDatabase(config: DatabaseConfig = {}): Promise<Database> {
  return config.url ? openPostgres(config.url, config) : openPglite(config);
}

/**
 * Counts what holds (or waits for) a connection: each top-level statement and each
 * transaction, from its start until it settles. Beyond the pool's size they are waiting.
 */
function poolCounter(size: number) {
  let open = 0;
  let fullSince: number | undefined;
  const update = () => {
    if (open > size) fullSince ??= Date.now();
    else fullSince = undefined;
  };
  return {
    usage: (): PoolUsage => ({
      size,
      busy: Math.min(open, size),
      waiting: Math.max(0, open - size),
      saturatedMs: fullSince === undefined ? 0 : Date.now() - fullSince,
    }),
    async hold<T>(work: () => Promise<T>): Promise<T> {
      open++;
      update();
      try {
        return await work();
      } finally {
        open--;
        update();
      }
    },
  };
}

async function openPostgres(url: string, config: DatabaseConfig): Promise<Database> {
  const schema = config.schema ?? 'public';
  if (schema !== 'public') {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create schema if not exists "${schema.replaceAll('"', '""')}"`);
    } finally {
      await admin.end();
    }
  }
  const client = postgres(url, {
    max: config.max ?? 10,
    onnotice: () => {},
    connection: { search_path: schema === 'public' ? 'public' : `${schema},public`, TimeZone: 'UTC' },
  });
  // drizzle builds the SQL; postgres.js runs it. drizzle's own execute() sends every statement
  // unprepared (parsed and planned on each call); DML goes through named prepared statements
  // here, which postgres.js caches per connection by text. drizzle() is still constructed
  // for its driver setup (its type parsers: timestamps as text).
  drizzlePostgres(client);
  const watch = commitWatchers();
  const run = <T>(sqlClient: postgres.Sql, q: SQL, hits: Set<Watcher>): Promise<T[]> => {
    const { sql: text, params } = dialect.sqlToQuery(q);
    if (watch.any) watch.note(text, hits);
    return sqlClient.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: PREPARABLE.test(text) }) as unknown as Promise<
      T[]
    >;
  };
  const wrapPgTx = (t: postgres.TransactionSql, hits: Set<Watcher>): Transaction => ({
    query: <T>(q: SQL) => run<T>(t as unknown as postgres.Sql, q, hits),
    savepoint: <T>(fn: (tx: Transaction) => Promise<T>) => t.savepoint((s) => fn(wrapPgTx(s, hits))) as Promise<T>,
  });

  const counter = poolCounter(config.max ?? 10);
  return {
    kind: 'postgres',
    schema,
    pool: counter.usage,
    query: <T>(q: SQL) => counter.hold(() => watch.watched((hits) => run<T>(client, q, hits))),
    transaction: <T>(fn: (tx: Transaction) => Promise<T>) =>
      counter.hold(() => watch.watched((hits) => client.begin((t) => fn(wrapPgTx(t, hits))) as Promise<T>)),
    afterCommitOf: (pattern, fn) => watch.add(pattern, fn),
    async listen(channel, onPayload) {
      const sub = await client.listen(channel, (p) => onPayload(p));
      return () => sub.unlisten();
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(config: DatabaseConfig): Promise<Database> {
  let lock: DataDirLock | undefined;
  let pg = config.pglite;
  if (!pg) {
    if (config.dataDir) lock = await acquireDataDirLock(config.dataDir);
    try {
      // PostgreSQL's own files go one level down so the lock file never sits in PGDATA.
      // Loaded only for PGlite: a server on PostgreSQL never needs the WASM build in memory.
      const { PGlite } = await import('@electric-sql/pglite');
      const pgData = config.dataDir ? join(config.dataDir, 'pg') : undefined;
      if (pgData && isNewDataDir(pgData)) await createDataDir(pgData);
      const buffers = config.pgliteSharedBuffers ?? DEFAULT_PGLITE_SHARED_BUFFERS;
      if (!BUFFER_SIZE.test(buffers)) throw new Error(`KIZUNA_PGLITE_SHARED_BUFFERS must look like 32MB (kB, MB or GB), not "${buffers}"`);
      const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${buffers}`];
      pg = new PGlite({ ...(pgData && { dataDir: pgData }), startParams });
      await pg.waitReady;
    } catch (e) {
      await lock?.release();
      throw e;
    }
  }
  const client = pg;
  await client.exec(`set timezone = 'UTC'`);
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  const db = drizzlePglite(client) as unknown as DrizzleLike;
  // One connection: a transaction holds it, and everything else waits its turn.
  const counter = poolCounter(1);
  const watch = commitWatchers();

  return {
    kind: 'pglite',
    schema: 'public',
    pool: counter.usage,
    query: <T>(q: SQL) =>
      counter.hold(() =>
        watch.watched(async (hits) => {
          if (watch.any) watch.note(dialect.sqlToQuery(q).sql, hits);
          return rowsOf<T>(await db.execute(q));
        }),
      ),
    transaction: (fn) => counter.hold(() => watch.watched((hits) => db.transaction((tx) => fn(wrapTx(tx, watch, hits))))),
    afterCommitOf: (pattern, fn) => watch.add(pattern, fn),
    async listen(channel, onPayload) {
      const unsubscribe = await client.listen(channel, onPayload);
      return async () => unsubscribe();
    },
    async close() {
      if (!client.closed) await client.close();
      await lock?.release();
    },
  };
}

/** The driver-independent fields of a database error. */
export interface DbErrorInfo {
  code?: string;
  constraint?: string;
  detail?: string;
  message: string;
}

export function dbErrorOf(e: unknown): DbErrorInfo | undefined {
  // drizzle wraps driver errors in DrizzleQueryError with the original as `cause`.
  let err = e as Record<string, unknown> | undefined;
  for (let i = 0; i < 3 && err && typeof err === 'object'; i++) {
    if (typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code)) {
      return {
        code: err.code,
        constraint: (err.constraint_name ?? err.constraint) as string | undefined,
        detail: err.detail as string | undefined,
        message: String(err.message ?? ''),
      };
    }
    err = err.cause as Record<string, unknown> | undefined;
  }
  return undefined;
}

export { sql };
