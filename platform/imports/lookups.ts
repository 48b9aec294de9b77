// Relation cells hold the target's name (a company's name, a contact as exports write it) and
// user cells a person's name: look them up (records through the records service, so the
// caller's read scope applies), a batch at a time, optionally creating the missing targets in
// the batch's transaction.
import type { Executor } from '../db/index.ts';
import type { ObjectModel } from '../model/index.ts';
import type { Actor } from '../records/index.ts';
import type { ConvertedRow } from './mapping.ts';
import { AMBIGUOUS, findRecordsByName, findUsersByName, type NameDeps } from './reference-names.ts';

export type LookupCache = Map<string, string>;

/** Why a row's lookup failed: `keyword` for clients to say it in their language, `message` in English. */
export interface LookupFailure {
  field: string;
  keyword: 'lookup_missing' | 'lookup_ambiguous';
  message: string;
}
const CACHE_MAX = 100_000;

/** Fills relation and user ids into each row's input; answers the rows whose lookup failed, with why. */
export async function resolveLookups(
  deps: NameDeps,
  model: ObjectModel,
  rows: { index: number; converted: ConvertedRow }[],
  actor: Actor,
  opts: { createMissing: string[]; cache: LookupCache; dryRun: boolean },
  exec: Executor = deps.db,
): Promise<Map<number, LookupFailure>> {
  const failures = new Map<number, LookupFailure>();
  const fields = new Set(rows.flatMap((r) => Object.keys(r.converted.lookups)));
  for (const name of fields) {
    const f = model.fields.get(name)!;
    const target = f.spec.type === 'relation' ? deps.registry.get(f.spec.target!) : undefined;
    const [many, one] = target ? [`${target.name} records`, target.name] : ['users', 'user'];
    const cacheKey = (v: string) => `${name}\u0000${v}`;
    const wanted = [
      ...new Set(rows.map((r) => r.converted.lookups[name]).filter((v): v is string => v !== undefined && !opts.cache.has(cacheKey(v)))),
    ];
    if (wanted.length) {
      const found = target ? await findRecordsByName(deps, target, wanted, actor, exec) : await findUsersByName(exec, wanted);
      for (const [v, id] of found) opts.cache.set(cacheKey(v), id);
    }
    const create = opts.createMissing.includes(name);
    for (const r of rows) {
      const v = r.converted.lookups[name];
      if (v === undefined) continue;
      let id = opts.cache.get(cacheKey(v));
      if (id === AMBIGUOUS) {
        failures.set(r.index, {
          field: name,
          keyword: 'lookup_ambiguous',
          message: `${name}: several ${many} are named "${v}"; give the id instead`,
        });
        continue;
      }
      if (!id && create && target && !opts.dryRun) {
        const made = await deps.records.create(target.name, { [target.spec.display_field ?? 'name']: v }, actor, exec);
        id = String(made.id);
        opts.cache.set(cacheKey(v), id);
      }
      if (id) r.converted.input[name] = id;
      else if (!create) failures.set(r.index, { field: name, keyword: 'lookup_missing', message: `${name}: no ${one} named "${v}"` });
    }
    if (opts.cache.size > CACHE_MAX) opts.cache.clear();
  }
  return failures;
}
