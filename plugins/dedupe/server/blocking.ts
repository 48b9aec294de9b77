// Blocking keys: short strings stored on each record (a text[] field) so that the candidates of
// a record are found by one array-overlap look-up instead of comparing it with every record.
// Every pair that scorePair can call "possible" or better shares a key: each rule that can lift
// a pair that far emits the keys it agrees on (score.ts header), and nothing else does — a role
// mailbox, a one-letter name, an address or a relation emits none, which keeps blocks small.
//
// How the caller gets PairStats.count from a look-up: fetch the records sharing any blocking key
// with the record (capped, e.g. 200 a key), then `keyCounts(rules, [record, ...fetched])`
// counts, per kind and comparison key, the distinct records holding it — the record itself
// included, so a pair alone on a key counts 2. When the look-up of one blocking key came back
// full (capped), pass that key in `capped`: its comparison key then counts as Infinity, i.e.
// common. The scan, which reads every record, counts a block's size the same way.
//
// A look-up may also drop a key held by 50 records or more instead of following it: at that
// count an agreement of every default kind weighs its floor (a company name 0.5 bit), so no pair
// needs such a key to reach "possible" (score.test.ts checks it).
import { companyKey, emailKey, exactKey, hostKey, phoneKey, readings, roleAddress } from './keys.ts';
import type { Rule } from './rules.ts';
import { MIN_KEY_LENGTH, nameKeyOf } from './score.ts';

/** The longest blocking key (it is stored in a text[] field). */
export const MAX_BLOCKING_KEY = 255;

const distinct = (keys: (string | null)[]) => [...new Set(keys.filter((k): k is string => k !== null))];

/** The keys a rule compares a record by: what PairStats.count(rule.kind, key) is asked about. */
export function comparisonKeys(rule: Rule, record: Record<string, unknown>, region = 'JP'): string[] {
  const values = rule.fields.map((f) => record[f]);
  switch (rule.kind) {
    case 'email': return distinct(values.map(emailKey));
    case 'phone': return distinct(values.map((v) => phoneKey(v, region)));
    case 'domain': return distinct(values.map(hostKey));
    // The full name without the relation (one person under two duplicate companies is one
    // block), and its reading in romaji (Taro Yamada / ヤマダタロウ).
    case 'name': {
      const key = nameKeyOf(rule, record);
      return key ? [key, ...readings(key)] : [];
    }
    case 'company_name': {
      const parts = values.map(companyKey);
      return parts.every((p) => p !== null) ? [parts.join('\u241f')] : [];
    }
    case 'exact': {
      const parts = values.map(exactKey);
      return parts.every((p) => p !== null) ? [parts.join('\u241f')] : [];
    }
    case 'address': return [];
  }
}

/**
 * `<kind>:<key>` — rules of one kind compare one attribute (the kanji and the kana name rules
 * meet when a reading is typed into the name fields), so they share blocks; an exact rule is its
 * own: `<rule>:<key>`. Cut to MAX_BLOCKING_KEY at a character boundary (two keys cut alike share
 * a block: more candidates, never fewer).
 */
export function blockingKey(rule: Rule, key: string): string {
  const full = `${rule.kind === 'exact' ? rule.name : rule.kind}:${key}`;
  if (full.length <= MAX_BLOCKING_KEY) return full;
  let out = '';
  for (const ch of full) {
    if (out.length + ch.length > MAX_BLOCKING_KEY) break;
    out += ch;
  }
  return out;
}

/** Whether a comparison key finds candidates: role mailboxes and one-letter names weigh too little to need it. */
function blocks(rule: Rule, key: string): boolean {
  if (rule.kind === 'email') return !roleAddress(key);
  if (rule.kind === 'name' || rule.kind === 'company_name') return [...key.replace(/^~/, '')].length >= MIN_KEY_LENGTH;
  return true;
}

/** The blocking keys of a record under its object's rules, sorted (stable to store and compare). */
export function blockingKeys(rules: Rule[], record: Record<string, unknown>, region = 'JP'): string[] {
  const keys = new Set<string>();
  for (const rule of rules) {
    for (const key of comparisonKeys(rule, record, region)) if (blocks(rule, key)) keys.add(blockingKey(rule, key));
  }
  return [...keys].sort();
}

/**
 * PairStats.count over a set of records: how many of them hold each comparison key, per kind.
 * `capped`: blocking keys whose look-up was cut off — their comparison keys count as Infinity.
 */
export function keyCounts(rules: Rule[], records: Record<string, unknown>[], region = 'JP', capped: Iterable<string> = []): (kind: string, key: string) => number {
  const counts = new Map<string, number>();
  const many = new Set(capped);
  const cappedKeys = new Set<string>();
  const id = (kind: string, key: string) => `${kind}\u0000${key}`;
  for (const record of records) {
    const seen = new Set<string>();
    for (const rule of rules) {
      for (const key of comparisonKeys(rule, record, region)) {
        seen.add(id(rule.kind, key));
        if (many.size && many.has(blockingKey(rule, key))) cappedKeys.add(id(rule.kind, key));
      }
    }
    for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return (kind, key) => (cappedKeys.has(id(kind, key)) ? Infinity : Math.max(1, counts.get(id(kind, key)) ?? 0));
}
