// Which record or user a name in a cell means. Imports read relation and user cells with these,
// and exports check with them that a name they write reads back as the same id (else they
// write the id): one definition of "this name means that record" for both directions.
import type { Executor } from '../db/index.ts';
import { readDirectory } from '../auth/index.ts';
import { displayFieldNames, displayText, type ObjectModel } from '../model/index.ts';
import type { Registry } from '../metadata/index.ts';
import type { Actor, RecordService } from '../records/index.ts';

/** A name several records (or users) share: the cell cannot say which one, so it is never guessed. */
export const AMBIGUOUS = '';

export interface NameDeps {
  records: RecordService;
  registry: Registry;
  db: Executor;
}

/** name → id, or AMBIGUOUS; a name nothing is called is absent. */
export type NameMatches = Map<string, string>;

const note = (out: NameMatches, name: string, id: string) => {
  const seen = out.get(name);
  out.set(name, seen === undefined || seen === id ? id : AMBIGUOUS);
};

/** The list filter's `in` takes at most 1000 values; a page at most 500 records. */
const MAX_IN = 1000;
/** A name's field values are runs of at most this many of its words. */
const MAX_WORDS = 6;

/**
 * The pieces of a name that a template's fields could hold: every run of up to MAX_WORDS
 * consecutive words, as written ("Mary Ann Smith" → "Mary", "Mary Ann", "Ann Smith", …). Words
 * are split at white space and at the characters the template puts between its fields.
 */
export function nameRuns(name: string, separators: string): string[] {
  const sep = new Set([...separators].filter((ch) => !/\s/.test(ch)));
  const spans: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= name.length; i++) {
    const boundary = i === name.length || /\s/.test(name[i]) || sep.has(name[i]);
    if (!boundary && start < 0) start = i;
    if (boundary && start >= 0) {
      spans.push([start, i]);
      start = -1;
    }
  }
  const runs = new Set<string>();
  for (let i = 0; i < spans.length; i++)
    for (let j = i; j < Math.min(spans.length, i + MAX_WORDS); j++) runs.add(name.slice(spans[i][0], spans[j][1]));
  return [...runs];
}

async function* allPages(deps: NameDeps, object: string, filter: unknown, fields: string[], actor: Actor, exec: Executor) {
  let cursor: string | undefined;
  do {
    const page = await deps.records.list(
      object,
      { filter: JSON.stringify(filter), fields: fields.join(','), limit: '500', ...(cursor && { cursor }) },
      actor,
      exec,
    );
    yield page.data as Record<string, unknown>[];
    cursor = page.page.next_cursor ?? undefined;
  } while (cursor);
}

const spaced = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Groups of names whose runs fit one `in` list each. */
function runGroups(names: string[], separators: string): { names: Set<string>; runs: string[] }[] {
  const groups: { names: Set<string>; runs: Set<string> }[] = [];
  for (const name of names) {
    const runs = nameRuns(name, separators).slice(0, MAX_IN);
    let g = groups.at(-1);
    if (!g || g.runs.size + runs.length > MAX_IN) groups.push((g = { names: new Set(), runs: new Set() }));
    g.names.add(name);
    for (const r of runs) g.runs.add(r);
  }
  return groups.map((g) => ({ names: g.names, runs: [...g.runs] }));
}

/**
 * The records of `target` the caller may read that carry each name: its display field's value
 * (a company's name, a contact's last name, as imports always took it), or its display template
 * rendered in English or Japanese ("Taro Yamada", "山田 太郎") — what exports write.
 */
export async function findRecordsByName(
  deps: NameDeps,
  target: ObjectModel,
  names: string[],
  actor: Actor,
  exec: Executor,
): Promise<NameMatches> {
  const out: NameMatches = new Map();
  const wanted = [...new Set(names)];
  const field = target.spec.display_field ?? 'name';
  if (target.fields.has(field))
    for (let i = 0; i < wanted.length; i += 500)
      for await (const rows of allPages(deps, target.name, { [field]: { in: wanted.slice(i, i + 500) } }, [field], actor, exec))
        for (const r of rows) note(out, String(r[field]), String(r.id));
  if (!target.spec.display) return out;
  const parts = displayFieldNames(target.spec);
  const separators = (target.spec.display.en + target.spec.display.ja).replace(/\{[a-z0-9_]+\}/g, '');
  for (const group of runGroups(wanted, separators)) {
    // A record is named so only if each of its template fields is empty or one of the name's runs.
    const filter = { and: parts.map((p) => ({ or: [{ [p]: { in: group.runs } }, { [p]: { is_null: true } }] })) };
    // Rendered names have single spaces: "山田　一郎" (a full-width space, as typed) is "山田 一郎".
    const bySpacing = new Map<string, string[]>();
    for (const name of group.names) bySpacing.set(spaced(name), [...(bySpacing.get(spaced(name)) ?? []), name]);
    for await (const rows of allPages(deps, target.name, filter, parts, actor, exec))
      for (const r of rows) {
        const shown = displayText(target.spec, r);
        for (const text of new Set([shown?.en, shown?.ja]))
          for (const name of (text && bySpacing.get(text)) || []) note(out, name, String(r.id));
      }
  }
  return out;
}

/** Each name of the directory → its user's id, or AMBIGUOUS when several users carry it. */
export function usersByName(people: { id: string; name: string }[]): NameMatches {
  const out: NameMatches = new Map();
  for (const p of people) note(out, p.name, p.id);
  return out;
}

/** The users (people, and the users workflows and plugins act as) each name is the name of. */
export async function findUsersByName(exec: Executor, names: string[]): Promise<NameMatches> {
  if (!names.length) return new Map();
  // The directory is read whole: a deployment's users are a few thousand at most, and a name
  // is matched as the directory spells it (the same text the export writes).
  const all = usersByName(await readDirectory(exec));
  return new Map(names.filter((n) => all.has(n)).map((n) => [n, all.get(n)!]));
}
