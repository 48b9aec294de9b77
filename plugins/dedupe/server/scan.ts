// Scanning a whole object for groups of duplicates in bounded memory.
// 1. Blocking: records are read page by page (only the fields the rules use); each record's
//    blocking keys are counted and grouped. The key space is cut into partitions by a hash of
//    the key, one pass over the records per partition, so at most about PARTITION_SIZE keys are
//    held at a time however big the object is. A block (records sharing a key) yields candidate
//    pairs unless it is common (COMMON_AT records or more: a main line, info@, a common name),
//    and the number of different entities holding each key (blocking.ts Holders: the copies of
//    one company are one holder) is kept as the weight of its evidence. Per key of a partition
//    that is its ids and a few sets of hashes of the holders' other values, each capped at
//    COMMON_AT.
// 2. Scoring: the records of candidate pairs are read by id and each pair is scored (score.ts).
// 3. Grouping without chaining: pairs at or above the threshold, best first, form groups in
//    which every two members are themselves a likely pair (complete linkage) — five different
//    "James Smith" who each share something with the next never become one group.
import type { PluginContext, PluginRecords } from 'kizuna/plugin';
import { COMMON_AT } from './lookup.ts';
import { blockingEntries, Holders, identities, type KeyMemo } from './blocking.ts';
import { DEFAULT_THRESHOLD, scorePair, type PairStats } from './score.ts';
import { relationKeys } from './matcher.ts';
import type { Rule } from './rules.ts';
import { objectShape } from './shape.ts';

export const PARTITION_SIZE = 50_000;
const PAGE = 500;

export interface ScanPair {
  ids: [string, string];
  score: number;
  rules: string[];
}

export interface ScanGroup {
  ids: string[];
  /** The weakest pair of the group: every two members score at least this. */
  score: number;
  pairs: ScanPair[];
  /** The keys the members share (rule and normalized value), for the reviewer. */
  matches: { rule: string; key: string; ids: string[] }[];
}

export interface ScanResult {
  object: string;
  scanned: number;
  partitions: number;
  rules: string[];
  threshold: number;
  total_groups: number;
  groups: ScanGroup[];
  truncated: boolean;
}

/** 32-bit FNV-1a: a stable, cheap hash to spread keys over partitions. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

type Row = Record<string, unknown>;

async function* pages(records: PluginRecords, object: string, fields: string[], filter?: unknown) {
  let cursor: string | undefined;
  do {
    const page = await records.list(object, {
      fields: fields.join(','),
      limit: String(PAGE),
      sort: 'id',
      ...(filter !== undefined && { filter: JSON.stringify(filter) }),
      ...(cursor && { cursor }),
    });
    yield page.data as Row[];
    cursor = page.page.next_cursor ?? undefined;
  } while (cursor);
}

const pairKey = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);

/** Complete-linkage groups of the pairs at or above the threshold (each pair scored once). */
export function groupPairs(pairs: ScanPair[]): { ids: string[]; score: number; pairs: ScanPair[] }[] {
  const byPair = new Map(pairs.map((p) => [pairKey(p.ids[0], p.ids[1]), p]));
  const groupOf = new Map<string, { ids: string[]; score: number; pairs: ScanPair[] }>();
  const groups: { ids: string[]; score: number; pairs: ScanPair[] }[] = [];
  for (const p of [...pairs].sort((a, b) => b.score - a.score || pairKey(...a.ids).localeCompare(pairKey(...b.ids)))) {
    const [a, b] = p.ids;
    const ga = groupOf.get(a);
    const gb = groupOf.get(b);
    if (ga && gb) continue; // two groups never merge: that would be a chain
    if (!ga && !gb) {
      const g = { ids: [a, b], score: p.score, pairs: [p] };
      groups.push(g);
      groupOf.set(a, g).set(b, g);
      continue;
    }
    const g = (ga ?? gb)!;
    const newcomer = ga ? b : a;
    const links = g.ids.map((m) => byPair.get(pairKey(m, newcomer)));
    if (links.some((l) => !l)) continue; // not a likely pair with every member
    g.ids.push(newcomer);
    g.pairs.push(...(links as ScanPair[]));
    g.score = Math.min(g.score, ...links.map((l) => l!.score));
    groupOf.set(newcomer, g);
  }
  return groups.map((g) => ({ ...g, ids: [...g.ids].sort(), pairs: [...new Set(g.pairs)] }));
}

export async function scanObject(
  ctx: Pick<PluginContext, 'records' | 'metadata'>,
  object: string,
  rules: Rule[],
  region: string,
  opts: { partitions?: number; limit?: number; threshold?: number } = {},
): Promise<ScanResult> {
  const shape = objectShape(ctx.metadata.object(object));
  const fields = [...new Set(rules.flatMap((r) => r.fields))].filter((f) => shape.fields.has(f));
  const ruleNames = new Set(rules.map((r) => r.name));
  const total =
    ((await ctx.records.list(object, { count: 'true', limit: '1', fields: fields.join(',') })).page as { total?: number }).total ?? 0;
  const partitions = opts.partitions ?? Math.max(1, Math.ceil((total * rules.length) / PARTITION_SIZE));

  // 1. Blocks: key → ids and holders, one partition of the keys at a time; only shared keys are kept.
  const holderCount = new Map<string, number>();
  const candidates = new Map<string, Set<string>>(); // pair → the keys its records share
  let scanned = 0;
  for (let part = 0; part < partitions; part++) {
    const byKey = new Map<string, { ids: string[]; holders: Holders }>();
    for await (const page of pages(ctx.records, object, fields)) {
      if (part === 0) scanned += page.length;
      // A record's comparison keys, computed once for its blocking keys and its identities.
      const memo: KeyMemo = new Map();
      for (const r of page) {
        let ids: number[][] | undefined;
        for (const [key, attribute] of blockingEntries(rules, r, region, { memo })) {
          if (partitions > 1 && fnv1a(key) % partitions !== part) continue;
          ids ??= identities(rules, r, region, memo).map((values) => values.map(fnv1a));
          let block = byKey.get(key);
          if (!block) byKey.set(key, (block = { ids: [], holders: new Holders(rules, attribute, COMMON_AT) }));
          block.ids.push(r.id as string);
          block.holders.add(ids);
        }
      }
    }
    for (const [key, { ids, holders }] of byKey) {
      if (ids.length < 2) continue;
      // A common block is counted as the look-up counts it: by its records (many).
      holderCount.set(key, ids.length >= COMMON_AT ? ids.length : holders.count);
      if (ids.length >= COMMON_AT) continue;
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++) {
          const pk = pairKey(ids[i], ids[j]);
          const keys = candidates.get(pk);
          if (keys) keys.add(key);
          else candidates.set(pk, new Set([key]));
        }
      }
    }
  }

  // 2. Score the candidate pairs, reading their records by id, a slice of pairs at a time.
  // A value's weight is the number of entities in its block: every record holding it was read (blocking.ts keys are `<kind>:<key>`).
  const stats: PairStats = { count: (kind, key) => holderCount.get(`${kind}:${key}`) ?? 1, relationKey: () => null };
  const likely: ScanPair[] = [];
  const shared = new Map<string, Set<string>>();
  const all = [...candidates.keys()];
  for (let i = 0; i < all.length; i += 250) {
    const slice = all.slice(i, i + 250);
    const ids = [...new Set(slice.flatMap((p) => p.split(' ')))];
    const rows = new Map<string, Row>();
    for await (const page of pages(ctx.records, object, fields, { id: { in: ids } })) for (const r of page) rows.set(r.id as string, r);
    const related = await relationKeys(ctx, shape, rules, [...rows.values()]);
    stats.relationKey = (field, id) => related.get(`${field}\u0000${id}`) ?? null;
    for (const pk of slice) {
      const [a, b] = pk.split(' ');
      if (!rows.has(a) || !rows.has(b)) continue; // deleted since the blocking pass
      const s = scorePair(rules, rows.get(a)!, rows.get(b)!, stats, { region, threshold: opts.threshold });
      if (s.level !== 'likely') continue;
      likely.push({
        ids: [a, b],
        score: s.score,
        rules: s.evidence.filter((e) => e.outcome === 'agree' && e.weight > 0 && ruleNames.has(e.rule)).map((e) => e.rule),
      });
      shared.set(pk, candidates.get(pk)!);
    }
  }

  // 3. Groups without chaining, each with the keys its members share.
  const groups: ScanGroup[] = groupPairs(likely)
    .map((g) => {
      const byKey = new Map<string, Set<string>>();
      for (const p of g.pairs)
        for (const key of shared.get(pairKey(...p.ids)) ?? []) {
          const ids = byKey.get(key) ?? new Set<string>();
          p.ids.forEach((id) => ids.add(id));
          byKey.set(key, ids);
        }
      const matches = [...byKey].map(([key, ids]) => {
        const cut = key.indexOf(':');
        return { rule: key.slice(0, cut), key: key.slice(cut + 1), ids: [...ids].sort() };
      });
      return { ...g, matches };
    })
    .sort((a, b) => b.score - a.score || b.ids.length - a.ids.length || a.ids[0].localeCompare(b.ids[0]));
  const limit = opts.limit ?? 100;
  return {
    object,
    scanned,
    partitions,
    rules: rules.map((r) => r.name),
    threshold: opts.threshold ?? DEFAULT_THRESHOLD,
    total_groups: groups.length,
    groups: groups.slice(0, limit),
    truncated: groups.length > limit,
  };
}
