// Records sharing blocking keys with a set of records, found through the keys the plugin keeps
// on each record (the internal tags field dedupe_keys, GIN-indexed text[]): a few has_any queries
// however many records ask. A key held by very many records (a company's main line, info@, a
// common name) finds nothing useful and would flood the answer: such keys are dropped and
// reported as common, which the scorer reads as weak evidence.
import type { PluginRecords } from 'kizuna/plugin';

export const KEYS_FIELD = 'dedupe_keys';

/** A key held by at least this many records is common: it is not followed. */
export const COMMON_AT = 50;
/**
 * Keys per query (the filter language takes 1000 values a list). Not more in one query, as an
 * "or" of lists: the planner expects more matches than the page holds and walks the table in
 * id order instead of asking the index — a full scan per batch when nothing matches.
 */
const KEYS_PER_QUERY = 1000;
/**
 * Records one query may bring back before its keys are examined for common ones: one page.
 * A common key shows in its first page (50 of 500), and the next query goes without it.
 */
const PER_QUERY = 500;
const PAGE = 500;

type Row = Record<string, unknown>;

export interface KeyLookup {
  /** Every live record holding one of the keys that are not common, by id. */
  found: Map<string, Row>;
  /** Keys held by COMMON_AT records or more. */
  common: Set<string>;
}

const keysOfRow = (r: Row): string[] =>
  Array.isArray(r[KEYS_FIELD]) ? (r[KEYS_FIELD] as unknown[]).filter((k): k is string => typeof k === 'string') : [];

/** Up to `max` records holding any of `keys`, and whether there were more. */
async function fetchHolding(
  records: PluginRecords,
  object: string,
  keys: string[],
  fields: string[],
  max: number,
): Promise<{ rows: Row[]; more: boolean }> {
  const rows: Row[] = [];
  let cursor: string | undefined;
  do {
    const page = await records.list(object, {
      filter: JSON.stringify({ [KEYS_FIELD]: { has_any: keys } }),
      fields: [...new Set([...fields, KEYS_FIELD])].join(','),
      limit: String(PAGE),
      sort: 'id',
      ...(cursor && { cursor }),
    });
    rows.push(...(page.data as Row[]));
    cursor = page.page.next_cursor ?? undefined;
  } while (cursor && rows.length < max);
  return { rows, more: cursor !== undefined };
}

/**
 * Keys found common, per settings document and object: a value held by 50 records stays common
 * as records are added, so later batches of an import need not find it out again (bounded).
 */
const knownCommon = new WeakMap<object, Map<string, Set<string>>>();
const MAX_KNOWN = 10_000;

export async function lookupByKeys(
  records: PluginRecords,
  object: string,
  keys: string[],
  fields: string[],
  memo?: object,
): Promise<KeyLookup> {
  const found = new Map<string, Row>();
  const perObject = memo ? (knownCommon.get(memo) ?? new Map<string, Set<string>>()) : undefined;
  if (memo && perObject) knownCommon.set(memo, perObject);
  const known = perObject?.get(object) ?? new Set<string>();
  perObject?.set(object, known);
  const common = new Set<string>();
  const queue: string[][] = [];
  const unique: string[] = [];
  for (const k of new Set(keys)) {
    if (known.has(k)) common.add(k);
    else unique.push(k);
  }
  for (let i = 0; i < unique.length; i += KEYS_PER_QUERY) queue.push(unique.slice(i, i + KEYS_PER_QUERY));
  while (queue.length) {
    const chunk = queue.shift()!;
    const { rows, more } = await fetchHolding(records, object, chunk, fields, PER_QUERY);
    if (!more) {
      for (const r of rows) found.set(r.id as string, r);
      continue;
    }
    // Too many: the keys held by many of the records read are common; ask again without them.
    // When none stands out (many keys each held by a few), ask in halves.
    const wanted = new Set(chunk);
    const held = new Map<string, number>();
    for (const r of rows) for (const k of keysOfRow(r)) if (wanted.has(k)) held.set(k, (held.get(k) ?? 0) + 1);
    const hot = chunk.filter((k) => (held.get(k) ?? 0) >= COMMON_AT);
    for (const k of hot) {
      common.add(k);
      if (known.size < MAX_KNOWN) known.add(k);
    }
    const rest = chunk.filter((k) => !common.has(k));
    if (!rest.length) continue;
    if (hot.length) queue.unshift(rest);
    else if (rest.length > 1) queue.unshift(rest.slice(0, rest.length >> 1), rest.slice(rest.length >> 1));
    else common.add(rest[0]); // one key held by more than PER_QUERY records
  }
  return { found, common };
}
