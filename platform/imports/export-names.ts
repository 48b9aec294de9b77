// Names an export writes for ids (issue 16): a relation as its target's display value, looked
// up with the reader's own permissions (a target they may not read keeps its id, so no name
// leaks), and a user as their name from the people directory. A name is written only when an
// import of the file would read it back as the same id (reference-names.ts); otherwise the id.
import { readDirectory } from '../auth/index.ts';
import { displayFieldNames, displayText, type FieldModel, type ObjectModel } from '../model/index.ts';
import { ProblemError } from '../problems/index.ts';
import type { Actor } from '../records/index.ts';
import { findRecordsByName, usersByName, type NameDeps, type NameMatches } from './reference-names.ts';

export type NameLanguage = 'en' | 'ja';

/** id → the name to write, per field (relations) or for all user fields. */
export type PageNames = (f: FieldModel, id: string) => string;

/** Display values of the targets the reader may read, checked to read back as their own ids. */
async function targetNames(deps: NameDeps, target: ObjectModel, ids: string[], actor: Actor, lang: NameLanguage) {
  const named = new Map<string, string>();
  const fields = [...new Set([...displayFieldNames(target.spec), target.spec.display_field ?? 'name'])].filter((n) => target.fields.has(n));
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const page = await deps.records
      .list(target.name, { filter: JSON.stringify({ id: { in: chunk } }), fields: fields.join(','), limit: '500' }, actor)
      // An object the reader may not read at all: every id stays an id.
      .catch((e: unknown) => {
        if (e instanceof ProblemError && e.status < 500) return { data: [] as Record<string, unknown>[] };
        throw e;
      });
    for (const row of page.data as Record<string, unknown>[]) {
      const text = displayText(target.spec, row)?.[lang];
      if (text) named.set(String(row.id), text);
    }
  }
  const back = await findRecordsByName(deps, target, [...named.values()], actor, deps.db);
  for (const [id, text] of named) if (back.get(text) !== id) named.delete(id);
  return named;
}

/** Makes the namer of one export: relation targets are looked up per page, the directory once. */
export function exportNamer(deps: NameDeps, fields: FieldModel[], actor: Actor, lang: NameLanguage) {
  const relations = fields.filter((f) => f.spec.type === 'relation' && f.spec.target);
  const hasUsers = fields.some((f) => f.spec.type === 'user');
  let people: Promise<{ byId: Map<string, string>; byName: NameMatches }> | undefined;
  const directory = () =>
    (people ??= readDirectory(deps.db).then((all) => ({ byId: new Map(all.map((p) => [p.id, p.name])), byName: usersByName(all) })));

  return async (rows: Record<string, unknown>[]): Promise<PageNames> => {
    const byTarget = new Map<string, Set<string>>();
    for (const f of relations)
      for (const r of rows)
        if (typeof r[f.name] === 'string') {
          const ids = byTarget.get(f.spec.target!) ?? new Set<string>();
          ids.add(r[f.name] as string);
          byTarget.set(f.spec.target!, ids);
        }
    const names = new Map<string, Map<string, string>>();
    for (const [target, ids] of byTarget) names.set(target, await targetNames(deps, deps.registry.get(target), [...ids], actor, lang));
    const dir = hasUsers ? await directory() : undefined;
    return (f, id) => {
      if (f.spec.type === 'user') {
        const name = dir?.byId.get(id);
        return name !== undefined && dir?.byName.get(name) === id ? name : id;
      }
      return names.get(f.spec.target!)?.get(id) ?? id;
    };
  };
}
