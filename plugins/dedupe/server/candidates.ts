// Duplicate candidates of one record (saved or about to be created): a few narrow searches per
// rule find possible matches, then every rule is checked on the normalized values.
import type { PluginContext } from 'kizuna/plugin';
import { searchTerm, variantSpellings } from './normalize.ts';
import { combinedScore, keysOf, type Rule } from './rules.ts';
import { ruleScore } from './score.ts';
import { objectShape, type ObjectShape } from './shape.ts';

export interface Candidate {
  id: string;
  score: number;
  rules: string[];
  record: Record<string, unknown>;
}

/** How many records one search may bring back; more means the rule is too loose to be useful. */
const PER_SEARCH = 200;

type Filter = Record<string, unknown>;
interface Search { filter: Filter; q?: string }

const FULL_WIDTH_DIGITS = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

/** Narrow searches that find every record that could share a key with `record` under `rule`. */
function searchesFor(rule: Rule, record: Record<string, unknown>, shape: ObjectShape, region: string): Search[] {
  const fields = rule.fields.filter((f) => shape.fields.has(f));
  if (fields.length !== rule.fields.length && rule.kind !== 'email' && rule.kind !== 'phone' && rule.kind !== 'domain') return [];
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
      return [{ filter: { or: tails.flatMap((t) => fields.flatMap((f) => [{ [f]: { contains: t } }, { [f]: { contains: FULL_WIDTH_DIGITS(t) } }])) } }];
    }
    default: {
      const refs = fields.filter((f) => shape.references.has(f));
      if (refs.length) return [{ filter: { and: refs.map((f) => ({ [f]: { eq: record[f] } })) } }];
      const text = fields.find((f) => !shape.references.has(f))!;
      const term = searchTerm(record[text], rule.kind === 'company_name');
      if (!term) return [];
      // `q` folds width and kana as the rule does; old kanji need their own spelling.
      if (shape.searchable.has(text)) return variantSpellings(term).map((q) => ({ filter: {}, q }));
      return variantSpellings(term).map((s) => ({ filter: { [text]: { icontains: s } } }));
    }
  }
}

/** The rules a candidate matches `record` under, and the combined score. */
export function matchRules(rules: Rule[], record: Record<string, unknown>, other: Record<string, unknown>, region: string): string[] {
  return rules.filter((r) => {
    const mine = new Set(keysOf(r, record, region));
    return mine.size > 0 && keysOf(r, other, region).some((k) => mine.has(k));
  }).map((r) => r.name);
}

export async function findCandidates(
  ctx: Pick<PluginContext, 'records' | 'metadata'>,
  object: string,
  record: Record<string, unknown>,
  rules: Rule[],
  region: string,
): Promise<{ candidates: Candidate[]; capped: boolean }> {
  const shape = objectShape(ctx.metadata.object(object));
  const usable = rules.filter((r) => r.fields.some((f) => shape.fields.has(f)));
  const fields = [...new Set(usable.flatMap((r) => r.fields).filter((f) => shape.fields.has(f)))];
  const found = new Map<string, Record<string, unknown>>();
  let capped = false;
  for (const rule of usable) {
    for (const s of searchesFor(rule, record, shape, region)) {
      const conds: Filter[] = [s.filter];
      if (typeof record.id === 'string') conds.push({ id: { neq: record.id } });
      const page = await ctx.records.list(object, {
        filter: JSON.stringify({ and: conds.filter((c) => Object.keys(c).length) }),
        ...(s.q && { q: s.q }),
        fields: fields.join(','),
        limit: String(PER_SEARCH),
      });
      capped ||= page.page.has_more;
      for (const r of page.data as Record<string, unknown>[]) found.set(r.id as string, r);
    }
  }
  const byName = new Map(usable.map((r) => [r.name, r]));
  const candidates: Candidate[] = [];
  for (const [id, other] of found) {
    const matched = matchRules(usable, record, other, region);
    if (matched.length) candidates.push({ id, rules: matched, score: combinedScore(matched.map((n) => ruleScore(byName.get(n)!))), record: other });
  }
  candidates.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return { candidates, capped };
}
