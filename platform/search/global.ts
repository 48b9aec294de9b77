// GET /api/search: one query over every object the caller may read, each object searched with
// the records list's `q` (Japanese, kana and width folded) under the caller's read scope and
// field permissions, ranked, a few hits per object, within a time budget.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import { displayText, type Label } from '../model/index.ts';
import { ProblemError } from '../problems/index.ts';
import { searchObject, type SearchRank } from '../query/index.ts';
import type { Actor } from '../records/index.ts';
import { readableObjects, type ReadableObject } from './objects.ts';

export interface SearchRecord {
  id: string;
  /** The record's name by its object's display template; null when its name fields are empty or hidden. */
  name: Label | null;
  match: 'exact' | 'prefix' | 'contains';
}

export interface SearchGroup {
  object: string;
  records: SearchRecord[];
  has_more: boolean;
}

export interface SearchResult {
  q: string;
  groups: SearchGroup[];
  /** Objects not searched, or not answered, within the time budget: their hits are missing. */
  incomplete: string[];
}

export interface SearchDeps {
  db: Database;
  registry: Pick<Registry, 'snapshot'>;
  /** How long one search may take in all (default 3 s); what is not done by then is left out. */
  budgetMs?: number;
}

const MATCH: Record<SearchRank, SearchRecord['match']> = { 0: 'exact', 1: 'prefix', 2: 'contains' };
const TIMED_OUT = Symbol('timed out');
/** PostgreSQL's query_canceled: the statement_timeout of one object's query ran out. */
const CANCELED = '57014';

const isCanceled = (e: unknown) => {
  for (let x: unknown = e; x && typeof x === 'object'; x = (x as { cause?: unknown }).cause)
    if ((x as { code?: unknown }).code === CANCELED) return true;
  return false;
};

/** One object's hits, or TIMED_OUT; a problem of the caller's access to it (a broken role scope) leaves it out. */
async function searchOne(deps: SearchDeps, o: ReadableObject, q: string, limit: number, actor: Actor, deadline: number) {
  const left = deadline - Date.now();
  if (left <= 0) return TIMED_OUT;
  const ctx = { models: deps.registry.snapshot().models, access: actor.access };
  // The statement stops on the server when the budget is spent (PostgreSQL), and the answer
  // stops waiting for it in any case (PGlite has no statement timeout).
  const run = deps.db
    .transaction(async (tx) => {
      await tx.query(sql`select set_config('statement_timeout', ${String(Math.ceil(left))}, true)`);
      return searchObject(tx, o.model, q, limit, ctx, o.nameFields);
    })
    .catch((e: unknown) => {
      if (isCanceled(e)) return TIMED_OUT;
      if (e instanceof ProblemError && e.status < 500) return undefined;
      throw e;
    });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), left)));
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function searchAll(deps: SearchDeps, actor: Actor, q: string, limit: number): Promise<SearchResult> {
  const deadline = Date.now() + (deps.budgetMs ?? 3000);
  const objects = readableObjects(deps.registry.snapshot(), actor.access).filter((o) => o.fields.some((f) => f.spec.searchable));
  const answers = await Promise.all(objects.map((o) => searchOne(deps, o, q, limit, actor, deadline)));
  const groups: (SearchGroup & { best: number; order: number })[] = [];
  const incomplete: string[] = [];
  answers.forEach((a, i) => {
    const o = objects[i];
    if (a === TIMED_OUT) incomplete.push(o.model.name);
    if (!a || a === TIMED_OUT || !a.hits.length) return;
    const records = a.hits.map(({ row, rank }) => ({ id: String(row.id), name: displayText(o.model.spec, row), match: MATCH[rank] }));
    groups.push({ object: o.model.name, records, has_more: a.hasMore, best: a.hits[0].rank, order: i });
  });
  // The group holding the best hit first; objects in their usual order otherwise.
  groups.sort((a, b) => a.best - b.best || a.order - b.order);
  return { q, groups: groups.map(({ best: _b, order: _o, ...g }) => g), incomplete };
}
