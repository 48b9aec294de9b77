// The plugin SDK: what a plugin's server entry exports (`export default definePlugin({...})`)
// and the context its code receives. Plugins reach data only through `ctx.records`, the same
// records service every route uses, acting as the plugin's own named system user.
import type { Context } from 'hono';
import type { Label, JsonSchema, ObjectDef } from '../model/index.ts';
import type { ListParams, Page } from '../query/index.ts';
import type { BulkResult, RecordRow } from '../records/index.ts';
import type { AppEnv } from './env.ts';
import type { ProblemError } from '../problems/index.ts';

/**
 * Records as the plugin (or, in routes, the calling user) may see and change them. A `note`
 * ({ en, ja }) on update, remove and restore says why the write happened ("merged into …"):
 * it is kept in the history row and shown in the record's timeline and the audit trail.
 */
export interface PluginRecords {
  get(object: string, id: string, opts?: { include?: string; fields?: string }): Promise<RecordRow>;
  list(object: string, params?: ListParams): Promise<Page>;
  create(object: string, values: Record<string, unknown>): Promise<RecordRow>;
  update(object: string, id: string, values: Record<string, unknown>, opts?: { ifMatch?: number; note?: Label }): Promise<RecordRow>;
  remove(object: string, id: string, opts?: { permanent?: boolean; note?: Label }): Promise<void>;
  restore(object: string, id: string, opts?: { note?: Label }): Promise<RecordRow>;
  bulk(object: string, body: { records: unknown[]; upsert_on?: string | string[]; partial?: boolean }): Promise<BulkResult>;
  /**
   * Sets the plugin's own internal fields (FieldSpec `internal: true`) on up to 1000 live
   * records in one statement, silently: no version, history row, event or hooks — for data the
   * plugin derives (keys, caches), never for user data. Answers how many records it touched.
   */
  maintain(object: string, rows: { id: string; values: Record<string, unknown> }[]): Promise<number>;
  /**
   * Sets fields the plugin added (internal or not) on up to 1000 records in one statement, each
   * only if it is still at `version` (the one the plugin read) and a value really changes: a
   * new version, a history row and a `record.updated` event per record written — workflows
   * trigger on it — but no hooks. For flags the plugin decides (an SLA clock's breach): two
   * nodes marking the same records write each once. Answers the ids written.
   */
  mark(object: string, rows: { id: string; version: number; values: Record<string, unknown> }[]): Promise<string[]>;
}

/** The object definitions (as `GET /api/meta/objects` answers them), read-only. */
export interface PluginMetadata {
  /** Every object the context's user may read, with the fields it may see. */
  objects(): ObjectDef[];
  /** One object; a 404 problem when there is none (or the user may not read it). */
  object(name: string): ObjectDef;
}

export interface PluginContext {
  plugin: string;
  settings: Record<string, unknown>;
  /** The user `records` acts as: the caller in routes, the plugin's own system user elsewhere. */
  actor: string | null;
  records: PluginRecords;
  /**
   * Records as the plugin's own system user, in routes too (where `records` is the caller):
   * for the plugin's own bookkeeping objects (a journal of what its routes did), which callers
   * need no permission on. Never a way to act for a caller beyond the caller's rights.
   */
  asPlugin: PluginRecords;
  metadata: PluginMetadata;
  /**
   * Runs fn with records bound to one transaction: everything it writes commits together or
   * not at all (a thrown error rolls it all back). Hooks and after-hooks of those writes behave
   * as for any write; inside a before-hook it is a savepoint of the hook's write. `asPlugin`
   * is the plugin's own records in the same transaction.
   */
  transaction<T>(fn: (records: PluginRecords, asPlugin: PluginRecords) => Promise<T>): Promise<T>;
  /** Structured log lines carrying the plugin's name. */
  log(msg: string, extra?: Record<string, unknown>): void;
}

export interface BeforeEvent {
  object: string;
  /** The record id (update, delete). */
  id?: string;
  /** The values being written: return a changed copy to change what is stored. */
  values: Record<string, unknown>;
  /** The user who made the change. */
  actor: string | null;
  /**
   * The caller asked to override what the hooks would refuse, and may (the role's `override`
   * on the object; admins always): the plugin decides what that lets through (say, a duplicate
   * it would block, marked and recorded). The write's history row shows it was an override.
   */
  override: boolean;
}

export interface BeforeBatchEvent {
  object: string;
  /** The records being written, each with its caller's index, its id (updates) and its values. */
  rows: { index: number; id?: string; values: Record<string, unknown> }[];
  /** The user who made the change. */
  actor: string | null;
  /** As BeforeEvent.override: asked for and allowed, for every row of the batch. */
  override: boolean;
  /**
   * Only for hooks that declare `concurrentBatches`: the records an import's previous batches
   * (up to two) are writing in transactions that may not have committed yet (with the ids they
   * will have and the values their hooks let through). A query does not find them until their
   * batch commits — compare with them as with records found (one may also show up in a query:
   * it has the same id).
   */
  earlier?: { index: number; id: string; values: Record<string, unknown> }[];
}

/** Aligned with e.rows: new values for the row, a ProblemError (4xx) refusing that row only, or undefined to leave it. */
export type BatchOutcome = (Record<string, unknown> | ProblemError | undefined | void)[];

export interface AfterEvent {
  object: string;
  id: string;
  topic: 'record.created' | 'record.updated' | 'record.deleted' | 'record.restored' | 'record.erased';
  version: number;
  actor: string | null;
  /** The outbox event id: after-hooks run at least once, so use it to make them idempotent. */
  idempotencyKey: string;
}

export interface ObjectHooks {
  /** Inside the write's transaction; throw a problem (e.g. `conflict(...)`) to refuse with a 4xx. */
  beforeCreate?(e: BeforeEvent, ctx: PluginContext): Promise<Record<string, unknown> | void> | Record<string, unknown> | void;
  beforeUpdate?(e: BeforeEvent, ctx: PluginContext): Promise<Record<string, unknown> | void> | Record<string, unknown> | void;
  beforeDelete?(e: BeforeEvent, ctx: PluginContext): Promise<void> | void;
  /**
   * Before-hook over many records at once (bulk writes, import batches); also used for single
   * writes when no per-record form exists. Inside the batch's transaction; a thrown problem
   * refuses the whole batch, a problem in a row's place that row only.
   */
  beforeCreateBatch?(e: BeforeBatchEvent, ctx: PluginContext): Promise<BatchOutcome | void> | BatchOutcome | void;
  beforeUpdateBatch?(e: BeforeBatchEvent, ctx: PluginContext): Promise<BatchOutcome | void> | BatchOutcome | void;
  /**
   * The batch hooks may run for two import batches at once, in two transactions: they lock
   * nothing the other batch would wait on, and whatever they compare with what earlier batches
   * wrote they also compare with `e.earlier`. Lets a creating import keep three batches in
   * flight on PostgreSQL (~1.5× its rate); without it the object's batches are written one at a time.
   */
  concurrentBatches?: boolean;
  /** After commit, from the outbox, at least once, in order per plugin. */
  afterCreate?(e: AfterEvent, ctx: PluginContext): Promise<void> | void;
  afterUpdate?(e: AfterEvent, ctx: PluginContext): Promise<void> | void;
  afterDelete?(e: AfterEvent, ctx: PluginContext): Promise<void> | void;
}

export interface PluginAction {
  title: Label;
  /** A sentence for the workflow designer's palette. */
  description?: Label;
  /** JSON Schema of the action's configuration in a workflow step (checked when a workflow is saved). */
  config?: JsonSchema;
  /** JSON Schema of what run() answers (the step's output.result), for the designer. */
  output?: JsonSchema;
  run(config: Record<string, unknown>, input: Record<string, unknown>, ctx: PluginContext): Promise<unknown>;
}

export interface PluginJob {
  /**
   * Runs on one node of the cluster, as a job of the platform's job queue, this many seconds
   * after its last turn ended; a turn whose node crashed is run again by another node once the
   * queue's lease runs out (so a turn may run twice: make it idempotent).
   */
  everySeconds: number;
  run(ctx: PluginContext): Promise<void>;
}

export type PluginRouteEnv = AppEnv & {
  Bindings: {
    /** The plugin's context with the caller's permissions. */
    kizuna: PluginContext;
    /** The request body, parsed and checked against the route's `request` schema ({} when sent empty); undefined without one. */
    body: unknown;
  };
};

/**
 * Who may call a route: `'admin'` (the default), or callers holding a permission on an
 * object (`{ object: 'contact', permission: 'read' }`). `object` may name a path parameter
 * (`':object'`): the object the request names is the one checked.
 */
export type RouteAccess = 'admin' | { object: string; permission: 'read' | 'create' | 'update' | 'delete' };

/** One query parameter of a plugin route, as OpenAPI publishes it (the value is always a string). */
export interface RouteQueryParameter {
  description?: string;
  required?: boolean;
  /** JSON Schema of the value, for readers and generated clients (e.g. `{ type: 'string', format: 'date-time' }`). */
  schema?: JsonSchema;
}

/** A route under /api/plugins/<name>/, declared so the host can check and publish it. */
export interface PluginRoute {
  access?: RouteAccess;
  /** One line for the OpenAPI document and the plugins page. */
  summary?: string;
  /** JSON Schema of the JSON body: a body it rejects is a 422 naming the field, before the handler runs. */
  request?: JsonSchema;
  /**
   * The query parameters the route reads, by name, for the OpenAPI document and the plugins
   * page (`?from=…&minutes=…`). Published, not checked: the handler reads them with
   * `c.req.query(name)` and answers a bad one with a 422 naming it (`validation([{ field }])`).
   */
  query?: Record<string, RouteQueryParameter>;
  /** JSON Schema of a 2xx JSON answer: an answer it rejects is the plugin's 500 (the client never sees it). */
  response?: JsonSchema;
  handler(c: Context<PluginRouteEnv>): Response | Promise<Response>;
}

/** Record hooks by object name; "*" for every object. */
export type PluginHooks = Record<string, ObjectHooks>;

export interface PluginDefinition {
  /**
   * Record hooks by object name ("*": every object), or a function of the plugin's settings
   * answering them — so a plugin hooks only the objects its settings name, and the others keep
   * the set-based import and bulk path. The function runs when the plugin is loaded and again
   * when its settings change (never per write); a throw leaves the plugin unavailable on that
   * node (its objects' writes are refused, 503) until its settings are fixed.
   */
  hooks?: PluginHooks | ((settings: Record<string, unknown>) => PluginHooks);
  /**
   * Routes under /api/plugins/<name>/, keyed `"<METHOD> /path/:param"`: each says who may call
   * it (admins unless `access` says otherwise) and may give JSON Schemas of its body and answer.
   * `c.env.kizuna` is the context with the caller's permissions, `c.env.body` the checked body.
   */
  routes?: Record<string, PluginRoute>;
  /** Workflow actions contributed by the plugin. */
  actions?: Record<string, PluginAction>;
  jobs?: Record<string, PluginJob>;
  /** In the install transaction, after the plugin's metadata exists. */
  install?(ctx: PluginContext): Promise<void>;
  /** In the upgrade transaction, after the new metadata exists. */
  migrate?(ctx: PluginContext, from: string): Promise<void>;
  /** Before the plugin's metadata is removed. */
  uninstall?(ctx: PluginContext): Promise<void>;
}

/** Identity, for types: `export default definePlugin({ hooks: { contact: { beforeCreate(e) {…} } } })`. */
export const definePlugin = (definition: PluginDefinition): PluginDefinition => definition;
