// Candidates on an object without the plugin's dedupe_keys field (a custom object named in the
// settings, or a caller who may not see the field): a few narrow searches per record and rule
// through the records API, which find every record that could share a key with it. Slower than
// the key look-up (lookup.ts) — a handful of queries a record — but exact in what it finds.
import type { PluginRecords } from 'kizuna/plugin';
import { searchTerm, variantSpellings } from './normalize.ts';
import { keysOf, type Rule } from './rules.ts';
import type { ObjectShape } from './shape.ts';

type Row = Record<string, unknown>;
type Filter = Record<string, unknown>;
interface Search {
  filter?: Filter;
  q?: string;
}

/** How many records one search may bring back; more means the values are too common to be evidence. */
const PER_SEARCH = 200;

const FULL_WIDTH_DIGITS = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

/** Narrow searches that find every record that could share a key with `record` under `rule`. */
function searchesFor(rule: Rule, record: Row, shape: ObjectShape, region: string): Search[] {
  const fields = rule.fields.filter((f) => shape.fields.has(f));
  if (!fields.length || rule.kind === 'address') return [];
  const keys = keysOf({ ...rule, fields }, record, region);
  if (!keys.length) return [];
  switch (rule.kind) {
    case 'email':
    case 'domain':
      return [{ filter: { or: keys.flatMap((k) => fields.map((f) => ({ [f]: { icontains: k } }))) } }];
    case 'phone': {
      // Stored numbers keep their writing (03-…, +81 …, full-width digits); their last four
      // digits are written together in every common format.
      const tails = [...new Set(keys.map((k) => k.slice(-4)))];
      return [
        {
          filter: {
            or: tails.flatMap((t) => fields.flatMap((f) => [{ [f]: { contains: t } }, { [f]: { contains: FULL_WIDTH_DIGITS(t) } }])),
          },
        },
      ];
    }
    default: {
      const text = fields.find((f) => !shape.references.has(f));
      if (!text) return [];
      const term = searchTerm(record[text], rule.kind === 'company_name');
      if (!term) return [];
      // `q` folds width and kana as the rule does; old kanji need their own spelling.
      if (shape.searchable.has(text)) return variantSpellings(term).map((q) => ({ q }));
      return variantSpellings(term).map((s) => ({ filter: { [text]: { icontains: s } } }));
    }
  }
}

/** The records any of the subjects' searches find (their own ids left out). */
export async function searchCandidates(
  records: PluginRecords,
  object: string,
  shape: ObjectShape,
  rules: Rule[],
  subjects: Row[],
  fields: string[],
  region: string,
): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  for (const subject of subjects) {
    for (const rule of rules) {
      for (const s of searchesFor(rule, subject, shape, region)) {
        // Never an empty "and": a search with no filter of its own is the `q` alone.
        const conds: Filter[] = [...(s.filter ? [s.filter] : []), ...(typeof subject.id === 'string' ? [{ id: { neq: subject.id } }] : [])];
        const page = await records.list(object, {
          ...(conds.length && { filter: JSON.stringify(conds.length === 1 ? conds[0] : { and: conds }) }),
          ...(s.q && { q: s.q }),
          fields: fields.join(','),
          limit: String(PER_SEARCH),
        });
        for (const r of page.data as Row[]) found.set(r.id as string, r);
      }
    }
  }
  return found;
}
