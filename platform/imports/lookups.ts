// Relation cells hold the target's display value (a company's name): look them up through
// the records service (so the caller's read scope applies), a batch at a time, optionally
// creating the missing targets in the batch's transaction.
import type { Executor } from '../db/index.ts';
import type { ObjectModel } from '../model/index.ts';
import type { Actor, RecordService } from '../records/index.ts';
import type { Registry } from '../metadata/index.ts';
import type { ConvertedRow } from './mapping.ts';

export type LookupCache = Map<string, string>;
const AMBIGUOUS = '';
const CACHE_MAX = 100_000;

/** Fills relation ids into each row's input; answers the rows whose lookup failed, with why. */
export async function resolveLookups(
  deps: { records: RecordService; registry: Registry },
  model: ObjectModel,
  rows: { index: number; converted: ConvertedRow }[],
  actor: Actor,
  opts: { createMissing: string[]; cache: LookupCache; dryRun: boolean },
  exec?: Executor,
): Promise<Map<number, string>> {
  const failures = new Map<number, string>();
  const fields = new Set(rows.flatMap((r) => Object.keys(r.converted.lookups)));
  for (const name of fields) {
    const f = model.fields.get(name)!;
    const target = deps.registry.get(f.spec.target!);
    const display = target.spec.display_field ?? 'name';
    const cacheKey = (v: string) => `${name}\u0000${v}`;
    const wanted = [
      ...new Set(rows.map((r) => r.converted.lookups[name]).filter((v): v is string => v !== undefined && !opts.cache.has(cacheKey(v)))),
    ];
    for (let i = 0; i < wanted.length; i += 500) {
      const part = wanted.slice(i, i + 500);
      const page = await deps.records.list(
        target.name,
        { filter: JSON.stringify({ [display]: { in: part } }), fields: display, limit: '500' },
        actor,
        exec,
      );
      for (const r of page.data as Record<string, unknown>[]) {
        const k = cacheKey(String(r[display]));
        // Two records with the name: the cell cannot say which one (AMBIGUOUS, never a guess).
        const seen = opts.cache.get(k);
        opts.cache.set(k, seen === undefined || seen === String(r.id) ? String(r.id) : AMBIGUOUS);
      }
    }
    const create = opts.createMissing.includes(name);
    for (const r of rows) {
      const v = r.converted.lookups[name];
      if (v === undefined) continue;
      let id = opts.cache.get(cacheKey(v));
      if (id === AMBIGUOUS) {
        failures.set(r.index, `${name}: several ${target.name} records are named "${v}"; give the id instead`);
        continue;
      }
      if (!id && create && !opts.dryRun) {
        const made = await deps.records.create(target.name, { [display]: v }, actor, exec);
        id = String(made.id);
        opts.cache.set(cacheKey(v), id);
      }
      if (id) r.converted.input[name] = id;
      else if (!create) failures.set(r.index, `${name}: no ${target.name} named "${v}"`);
    }
    if (opts.cache.size > CACHE_MAX) opts.cache.clear();
  }
  return failures;
}
