// Duplicates of many records at once — an import batch, a bulk write, one record's panel — in
// a few statements: every subject's blocking keys are looked up together (lookup.ts), the
// records found are scored against the subjects that share a key with them (score.ts), and a
// subject is also compared with the subjects before it, so a file holding one person twice is
// caught inside its own batch.
import type { PluginContext } from 'kizuna/plugin';
import { COMMON_AT, KEYS_FIELD, lookupByKeys } from './lookup.ts';
import { searchCandidates } from './search-fallback.ts';
import { keysMarker } from './stored-keys.ts';
import { normalizeCompanyName, normalizeExact } from './normalize.ts';
import { blockingKeys, keyCounts, type KeyMemo } from './blocking.ts';
import { scorePair, type PairStats } from './score.ts';
import { fieldsOfRules, type Rule } from './rules.ts';
import { objectShape, type ObjectShape } from './shape.ts';

type Row = Record<string, unknown>;

export interface Subject {
  /** Row number of a batch (0 for a single record). */
  index: number;
  /** The record's id when it exists (an update, a saved record): never its own duplicate. */
  id?: string;
  /** Every value of the record as it will be (an update's changes over the stored record). */
  values: Row;
}

export interface Match {
  /** The existing record matched, or … */
  id?: string;
  /** … the earlier row of the same batch. */
  row?: number;
  display: string;
  score: number;
  level: 'likely' | 'possible';
  /** Rules whose comparison agreed. */
  rules: string[];
  /** What was compared, with its weight in bits (the panel explains a score with it). */
  evidence?: { rule: string; outcome: string; weight: number }[];
  /** The matched record's compared fields (the panel shows them). */
  record?: Row;
}

export interface MatchOptions {
  region: string;
  threshold?: number;
  possibleAt?: number;
  /** Keep "possible" matches too (the panel); warn and block act on "likely" only. */
  possible?: boolean;
  /** How many matches per subject at most. */
  limit?: number;
  /** Add each match's evidence and record (the panel). */
  explain?: boolean;
  /** An object that lives as long as these settings (ctx.settings): keys found common are remembered on it. */
  memo?: object;
  /** The subjects' blocking keys when the caller has them already (blocking.ts blockingKeys). */
  keys?: string[][];
  /** The comparison keys the caller computed for them (blocking.ts KeyMemo). */
  keyMemo?: KeyMemo;
  /** Records being written by a transaction not committed yet (BeforeBatchEvent.earlier): compared as records found. */
  earlier?: { id: string; values: Row }[];
}

/** A record's name as people read it: contacts family name first, else the object's display field. */
export function displayOf(shape: ObjectShape, displayField: string | undefined, r: Row): string {
  if (shape.fields.has('last_name')) {
    const full = [r.last_name, r.first_name].filter((v) => typeof v === 'string' && v.trim()).join(' ');
    if (full) return full;
  }
  const v = displayField ? r[displayField] : undefined;
  return typeof v === 'string' && v.trim() ? v : String(r.id ?? '');
}

/** Fields to read of candidates: what the rules compare, and what names them. */
export function fieldsToRead(shape: ObjectShape, rules: Rule[], displayField?: string): string[] {
  const names = [...fieldsOfRules(rules), ...(displayField ? [displayField] : []), 'last_name', 'first_name'];
  return [...new Set(names.filter((f) => shape.fields.has(f)))];
}

/**
 * The comparable key of a related record (a contact's company by its name without legal form),
 * so that one person under two duplicate company records still matches.
 */
export async function relationKeys(
  ctx: Pick<PluginContext, 'records' | 'metadata'>,
  shape: ObjectShape,
  rules: Rule[],
  rows: Row[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const def = ctx.metadata.object(shape.name);
  for (const field of new Set(rules.flatMap((r) => r.fields).filter((f) => shape.references.has(f)))) {
    const target = def.properties[field]?.['x-kizuna']?.target as string | undefined;
    if (!target) continue;
    let targetDef;
    try {
      targetDef = ctx.metadata.object(target);
    } catch {
      continue; // a target the caller may not read is compared by id only
    }
    const display = targetDef['x-kizuna'].display_field ?? 'name';
    const ids = [...new Set(rows.map((r) => r[field]).filter((v): v is string => typeof v === 'string'))];
    for (let i = 0; i < ids.length; i += 500) {
      const page = await ctx.records.list(target, {
        filter: JSON.stringify({ id: { in: ids.slice(i, i + 500) } }),
        fields: display,
        limit: '500',
      });
      for (const t of page.data as Row[]) {
        const key = target === 'company' || display === 'name' ? normalizeCompanyName(t[display]) : normalizeExact(t[display]);
        if (key) out.set(`${field}\u0000${t.id}`, key);
      }
    }
  }
  return out;
}

export async function matchSubjects(
  ctx: Pick<PluginContext, 'records' | 'metadata'>,
  object: string,
  rules: Rule[],
  subjects: Subject[],
  opts: MatchOptions,
): Promise<Match[][]> {
  const def = ctx.metadata.object(object);
  const shape = objectShape(def);
  const displayField = def['x-kizuna'].display_field;
  const fields = fieldsToRead(shape, rules, displayField);
  const ruleNames = new Set(rules.map((r) => r.name));
  const keyMemo = opts.keyMemo ?? new Map();
  const keysOf = opts.keys ?? subjects.map((s) => blockingKeys(rules, s.values, opts.region, { memo: keyMemo }));
  const { found, common } = shape.fields.has(KEYS_FIELD)
    ? await lookupByKeys(ctx.records, object, keysOf.flat(), fields, opts.memo)
    : {
        found: await searchCandidates(
          ctx.records,
          object,
          shape,
          rules,
          subjects.map((s) => ({ ...s.values, ...(s.id && { id: s.id }) })),
          fields,
          opts.region,
        ),
        common: new Set<string>(),
      };
  // A record's keys are the ones it stores when they are current (same rules and version).
  const marker = keysMarker(rules, opts.region);
  const keysOfRecord = (r: Row) => {
    const stored = r[KEYS_FIELD];
    return Array.isArray(stored) && stored[0] === marker ? (stored.slice(1) as string[]) : blockingKeys(rules, r, opts.region);
  };
  // The previous import batch's rows that share a key, which no query finds until that batch
  // commits (or finds already: the same id). The guard gave them their keys.
  if (opts.earlier?.length) {
    const wanted = new Set(keysOf.flat());
    for (const e of opts.earlier) {
      if (found.has(e.id)) continue;
      // Their stored keys as they are (the marker first matches no subject's key): a copy of
      // each, for thousands of rows a batch, showed in profiles.
      const stored = e.values[KEYS_FIELD];
      const keys = Array.isArray(stored) && stored[0] === marker ? (stored as string[]) : keysOfRecord(e.values);
      if (keys.some((k) => wanted.has(k))) found.set(e.id, { ...e.values, id: e.id });
    }
  }
  const own = new Set(subjects.map((s) => s.id).filter(Boolean));
  for (const id of own) found.delete(id!);

  // Which records and earlier rows hold each key; how many hold it is the evidence's weight.
  const holders = new Map<string, { id?: string; row?: number; r: Row }[]>();
  const hold = (key: string, h: { id?: string; row?: number; r: Row }) => {
    const list = holders.get(key);
    if (list) list.push(h);
    else holders.set(key, [h]);
  };
  for (const r of found.values()) for (const k of keysOfRecord(r)) hold(k, { id: r.id as string, r });
  subjects.forEach((s, i) => keysOf[i].forEach((k) => hold(k, { row: s.index, r: s.values })));
  // A key held by many is common however it got there (a file of one company's staff on its
  // main line, one name repeated): comparing each holder with all the others costs n² and
  // proves nothing.
  for (const [key, list] of holders) if (list.length >= COMMON_AT) common.add(key);

  const related = await relationKeys(ctx, shape, rules, [...found.values(), ...subjects.map((s) => s.values)]);
  // How many records hold each compared value: the records found (every holder of a key that
  // is not common) and the subjects; a common key's values count as many.
  const stats: PairStats = {
    count: keyCounts(rules, [...found.values(), ...subjects.map((s) => s.values)], opts.region, common, keyMemo),
    relationKey: (field, id) => related.get(`${field}\u0000${id}`) ?? null,
  };

  return subjects.map((s, i) => {
    const seen = new Set<string>();
    const out: Match[] = [];
    for (const key of keysOf[i]) {
      if (common.has(key)) continue;
      for (const h of holders.get(key) ?? []) {
        // Rows are compared with the rows before them only: the later one is the duplicate.
        if (h.row !== undefined && h.row >= s.index) continue;
        const tag = h.id ?? `row:${h.row}`;
        if (seen.has(tag)) continue;
        seen.add(tag);
        const scored = scorePair(rules, s.values, h.r, stats, {
          region: opts.region,
          threshold: opts.threshold,
          possibleAt: opts.possibleAt,
        });
        if (!scored.level || (scored.level === 'possible' && !opts.possible)) continue;
        out.push({
          ...(h.id ? { id: h.id } : { row: h.row }),
          display: displayOf(shape, displayField, h.r),
          score: scored.score,
          level: scored.level,
          rules: scored.evidence.filter((e) => e.outcome === 'agree' && e.weight > 0 && ruleNames.has(e.rule)).map((e) => e.rule),
          ...(opts.explain && { evidence: scored.evidence, record: h.r }),
        });
      }
    }
    out.sort((a, b) => b.score - a.score || String(a.id ?? a.row).localeCompare(String(b.id ?? b.row)));
    return out.slice(0, opts.limit ?? 20);
  });
}
