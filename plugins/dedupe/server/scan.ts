// Scanning a whole object for duplicate groups in bounded memory. Records are read page by
// page (only the fields the rules use); each record's rule keys are its blocking keys. The key
// space is cut into partitions by a hash of the key, one pass over the records per partition,
// so at most about PARTITION_SIZE keys are held at a time however big the object is; groups
// found in every pass are then joined (a shares an email with b, b a phone with c → a, b, c).
import type { PluginRecords } from 'kizuna/plugin';
import { combinedScore, keysOf, type Rule } from './rules.ts';
import { ruleScore } from './score.ts';

export const PARTITION_SIZE = 50_000;
const PAGE = 500;

export interface ScanGroup {
  ids: string[];
  score: number;
  matches: { rule: string; key: string; ids: string[] }[];
}

export interface ScanResult {
  object: string;
  scanned: number;
  partitions: number;
  rules: string[];
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

async function* pages(records: PluginRecords, object: string, fields: string[]) {
  let cursor: string | undefined;
  do {
    const page = await records.list(object, { fields: fields.join(','), limit: String(PAGE), sort: 'id', ...(cursor && { cursor }) });
    yield page.data as Record<string, unknown>[];
    cursor = page.page.next_cursor ?? undefined;
  } while (cursor);
}

export async function scanObject(
  records: PluginRecords,
  object: string,
  rules: Rule[],
  region: string,
  opts: { partitions?: number; limit?: number } = {},
): Promise<ScanResult> {
  const fields = [...new Set(rules.flatMap((r) => r.fields))];
  const total = ((await records.list(object, { count: 'true', limit: '1', fields: fields.join(',') })).page as { total?: number }).total ?? 0;
  const partitions = opts.partitions ?? Math.max(1, Math.ceil((total * rules.length) / PARTITION_SIZE));
  const pairs: { rule: string; key: string; ids: string[] }[] = [];
  let scanned = 0;
  for (let part = 0; part < partitions; part++) {
    const byKey = new Map<string, string[]>();
    for await (const page of pages(records, object, fields)) {
      if (part === 0) scanned += page.length;
      for (const r of page) {
        for (const rule of rules) {
          for (const key of keysOf(rule, r, region)) {
            const k = `${rule.name}\u0000${key}`;
            if (partitions > 1 && fnv1a(k) % partitions !== part) continue;
            const ids = byKey.get(k);
            if (ids) ids.push(r.id as string);
            else byKey.set(k, [r.id as string]);
          }
        }
      }
    }
    for (const [k, ids] of byKey) {
      if (ids.length < 2) continue;
      const [rule, key] = k.split('\u0000');
      pairs.push({ rule, key, ids });
    }
  }
  const groups = joinGroups(pairs, rules);
  const limit = opts.limit ?? 100;
  return { object, scanned, partitions, rules: rules.map((r) => r.name), total_groups: groups.length, groups: groups.slice(0, limit), truncated: groups.length > limit };
}

/** Union-find over the records that share a key: only duplicates are held, never the whole object. */
function joinGroups(matches: ScanGroup['matches'], rules: Rule[]): ScanGroup[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root)! !== root) root = parent.get(root)!;
    while (parent.get(x)! !== root) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  for (const m of matches) {
    for (const id of m.ids) if (!parent.has(id)) parent.set(id, id);
    for (const id of m.ids.slice(1)) parent.set(find(id), find(m.ids[0]));
  }
  const groups = new Map<string, ScanGroup>();
  for (const m of matches) {
    const root = find(m.ids[0]);
    const g = groups.get(root) ?? { ids: [], score: 0, matches: [] };
    g.matches.push(m);
    groups.set(root, g);
  }
  const scoreOf = new Map(rules.map((r) => [r.name, ruleScore(r)]));
  return [...groups.values()].map((g) => ({
    ids: [...new Set(g.matches.flatMap((m) => m.ids))].sort(),
    score: combinedScore([...new Set(g.matches.map((m) => m.rule))].map((r) => scoreOf.get(r) ?? 0)),
    matches: g.matches,
  })).sort((a, b) => b.score - a.score || b.ids.length - a.ids.length || a.ids[0].localeCompare(b.ids[0]));
}
