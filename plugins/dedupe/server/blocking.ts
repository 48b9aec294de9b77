// Blocking keys: short strings stored on each record (a text[] field) so that the candidates of
// a record are found by one array-overlap look-up instead of comparing it with every record.
// Every pair that scorePair can call "possible" or better shares a key: each rule that can lift
// a pair that far emits the keys it agrees on (score.ts header), and nothing else does — a role
// mailbox, a one-letter name, an address or a relation emits none, which keeps blocks small.
//
// How the caller gets PairStats.count from a look-up: fetch the records sharing any blocking key
// with the record (capped, e.g. 200 a key), then `keyCounts(rules, [record, ...fetched])`
// counts, per kind and comparison key, the different entities holding it (Holders below) — the
// record itself included, so a pair alone on a key counts 2. When the look-up of one blocking
// key came back full (capped), pass that key in `capped`: its comparison key then counts as
// Infinity, i.e. common. The scan, which reads every record, tallies a block's holders the same way.
//
// A look-up may also drop a key held by 50 records or more instead of following it: at that
// count an agreement of every default kind weighs its floor (a company name 0.5 bit), so no pair
// needs such a key to reach "possible" (score.test.ts checks it).
import { cachedKeys, roleAddress, type KeyNormalizers } from './keys.ts';
import { isId, type Rule } from './rules.ts';
import { MIN_KEY_LENGTH } from './score.ts';

/** The longest blocking key (it is stored in a text[] field). */
export const MAX_BLOCKING_KEY = 255;

const distinct = (keys: (string | null)[]) => [...new Set(keys.filter((k): k is string => k !== null))];

/**
 * The keys a rule compares a record by: what PairStats.count(rule.kind, key) is asked about.
 * `n`: remembered normalizers (the default), or freshKeys for values never seen (keys.ts).
 */
export function comparisonKeys(rule: Rule, record: Record<string, unknown>, region = 'JP', n: KeyNormalizers = cachedKeys): string[] {
  const values = rule.fields.map((f) => record[f]);
  switch (rule.kind) {
    case 'email':
      return distinct(values.map(n.email));
    case 'phone':
      return distinct(values.map((v) => n.phone(v, region)));
    case 'domain':
      return distinct(values.map(n.host));
    // The full name without the relation (one person under two duplicate companies is one
    // block), and its reading in romaji (Taro Yamada / ヤマダタロウ). score.ts nameKeyOf.
    case 'name': {
      const key = n.fullName(values.filter((v) => !isId(v) && typeof v === 'string' && v.trim() !== ''));
      return key ? [key, ...n.readings(key)] : [];
    }
    // The name without legal form, and its reading in romaji (Hokusho Sangyo / ホクショウサンギョウ).
    case 'company_name': {
      const parts = values.map(n.company);
      if (!parts.every((p) => p !== null)) return [];
      const romaji = values.length === 1 ? n.companyRomaji(values[0]) : null;
      return distinct([parts.join('\u241f'), romaji]);
    }
    case 'exact': {
      const parts = values.map(n.exact);
      return parts.every((p) => p !== null) ? [parts.join('\u241f')] : [];
    }
    case 'address':
      return [];
  }
}

/**
 * Comparison keys already computed, by record object, for one batch or one scan page (with one
 * rule list and region): a batch asks for a record's keys up to three times (its blocking keys,
 * the key counts, its identities). An explicit Map that dies with the batch: the WeakMap it
 * replaced cost ~0.5 s of CPU per 100k new rows (an ephemeron table the collector walks).
 */
export type KeyMemo = Map<object, string[][]>;

/** How keys are computed: the normalizers (keys.ts cachedKeys, or freshKeys for values never seen) and a memo. */
export interface KeyOptions {
  n?: KeyNormalizers;
  memo?: KeyMemo;
}

/** comparisonKeys of every rule (by index) for one record. The records passed are not changed while they are matched. */
export function keysByRule(rules: Rule[], record: Record<string, unknown>, region = 'JP', how: KeyOptions = {}): string[][] {
  const known = how.memo?.get(record);
  if (known) return known;
  const keys = rules.map((rule) => comparisonKeys(rule, record, region, how.n));
  how.memo?.set(record, keys);
  return keys;
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

/** Whether a key (without a leading ~) has `min` characters, counted as code points without building them. */
function hasChars(key: string, min: number): boolean {
  let chars = 0;
  for (let i = key.startsWith('~') ? 1 : 0; i < key.length && chars < min; i++) {
    const c = key.charCodeAt(i);
    // The second half of a surrogate pair is the same character as the first.
    if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && key.charCodeAt(i - 1) >= 0xd800 && key.charCodeAt(i - 1) <= 0xdbff)) chars++;
  }
  return chars >= min;
}

/** Whether a comparison key finds candidates: role mailboxes and one-letter names weigh too little to need it. */
function blocks(rule: Rule, key: string, n: KeyNormalizers): boolean {
  if (rule.kind === 'email') return !n.roleAddress(key);
  if (rule.kind === 'name' || rule.kind === 'company_name') return hasChars(key, MIN_KEY_LENGTH);
  return true;
}

/**
 * The blocking keys of a record, each with the attribute it measures: the rule kind, or the
 * rule's name for an exact rule (what blockingKey puts before the colon).
 */
export function blockingEntries(rules: Rule[], record: Record<string, unknown>, region = 'JP', how: KeyOptions = {}): Map<string, string> {
  const keys = new Map<string, string>();
  const byRule = keysByRule(rules, record, region, how);
  const n = how.n ?? cachedKeys;
  rules.forEach((rule, i) => {
    for (const key of byRule[i]) if (blocks(rule, key, n)) keys.set(blockingKey(rule, key), attributeOf(rule));
  });
  return keys;
}

/**
 * The blocking keys of a record under its object's rules, sorted (stable to store and compare).
 * `how.n`: freshKeys for a record whose values were never seen (keys.ts).
 */
export function blockingKeys(rules: Rule[], record: Record<string, unknown>, region = 'JP', how: KeyOptions = {}): string[] {
  return [...blockingEntries(rules, record, region, how).keys()].sort();
}

/** The attribute a rule measures: rules of one kind measure one (score.ts), an exact rule its own. */
export const attributeOf = (rule: Rule) => (rule.kind === 'exact' ? rule.name : rule.kind);

/**
 * The values that tell one entity from another under each rule (by rule index): a person's or
 * company's name key (without its romaji), personal emails (a role mailbox tells nobody apart),
 * phones, hosts, exact values; none for an address (colleagues and neighbours share a city).
 */
export function identities(rules: Rule[], record: Record<string, unknown>, region = 'JP', memo?: KeyMemo): string[][] {
  const byRule = keysByRule(rules, record, region, { memo });
  return rules.map((rule, i) => {
    if (rule.kind === 'address') return [];
    // A name without its romaji (one name, however many spellings).
    if (rule.kind === 'name' || rule.kind === 'company_name') return byRule[i].slice(0, 1);
    const keys = byRule[i];
    return rule.kind === 'email' ? keys.filter((k) => !roleAddress(k)) : keys;
  });
}

/**
 * How many different entities hold one value, estimated from the other attributes of its
 * holders. "A value shared by many records counts little" means shared by many people or
 * companies: the four records of one company, or three copies of one person, are one holder.
 * Under each other rule, the holders show so many distinct values, plus one for the holders
 * that show none (unknown: each may be a copy of a known one, or one more entity); the estimate
 * is the largest of these, never more than the records — so it only ever lowers a record count,
 * where the records agree on another attribute. Holders telling nothing apart count as records.
 * A main line shared by 30 colleagues still counts 30 (30 names); five James Smiths with five
 * emails count 5, even when all five give the main line. Sets stop growing at `cap` values.
 */
export class Holders {
  private records = 0;
  /** Per rule: the values seen (created on first use), or null for a rule that tells nothing apart here. */
  private readonly seen: (Set<string | number> | undefined | null)[];
  private readonly unknown: boolean[];

  /** `attribute`: what the value measures (attributeOf); rules measuring it tell nothing apart. */
  constructor(
    rules: Rule[],
    attribute: string,
    private readonly cap = Infinity,
  ) {
    this.seen = rules.map((r) => (r.kind === 'address' || attributeOf(r) === attribute ? null : undefined));
    this.unknown = rules.map(() => false);
  }

  /** One holder, by its identities() (any value type: the scan passes hashes). */
  add(ids: (string | number)[][]): void {
    this.records++;
    this.seen.forEach((set, i) => {
      if (set === null) return;
      if (!ids[i].length) this.unknown[i] = true;
      for (const v of ids[i]) {
        set ??= this.seen[i] = new Set();
        if (set.size < this.cap) set.add(v);
      }
    });
  }

  get count(): number {
    let best = 0;
    this.seen.forEach((set, i) => {
      if (set?.size) best = Math.max(best, set.size + (this.unknown[i] ? 1 : 0));
    });
    return best ? Math.min(this.records, best) : this.records;
  }
}

/**
 * PairStats.count over a set of records: how many different entities (Holders) among them hold
 * each comparison key, per kind. `capped`: blocking keys whose look-up was cut off — their
 * comparison keys count as Infinity. `memo`: the batch's (keysByRule), else one of its own.
 */
export function keyCounts(
  rules: Rule[],
  records: Record<string, unknown>[],
  region = 'JP',
  capped: Iterable<string> = [],
  memo: KeyMemo = new Map(),
): (kind: string, key: string) => number {
  // Which records hold each comparison key (in order, each once), and what it measures. Most
  // keys of a batch are held by one record and count 1: their holders are tallied only when
  // asked about, and only when there are two or more.
  const held = new Map<string, { attribute: string; records: number[]; count?: number }>();
  const many = new Set(capped);
  const cappedKeys = new Set<string>();
  const id = (kind: string, key: string) => `${kind}\u0000${key}`;
  records.forEach((record, n) => {
    const byRule = keysByRule(rules, record, region, { memo });
    rules.forEach((rule, i) => {
      for (const key of byRule[i]) {
        const k = id(rule.kind, key);
        const h = held.get(k);
        if (!h) held.set(k, { attribute: attributeOf(rule), records: [n] });
        else if (h.records[h.records.length - 1] !== n) h.records.push(n);
        if (many.size && many.has(blockingKey(rule, key))) cappedKeys.add(k);
      }
    });
  });
  const ids = new Map<number, string[][]>();
  return (kind, key) => {
    const k = id(kind, key);
    if (cappedKeys.has(k)) return Infinity;
    const h = held.get(k);
    if (!h || h.records.length < 2) return 1;
    if (h.count === undefined) {
      const tally = new Holders(rules, h.attribute);
      for (const n of h.records) {
        let of = ids.get(n);
        if (!of) ids.set(n, (of = identities(rules, records[n], region, memo)));
        tally.add(of);
      }
      h.count = Math.max(1, tally.count);
    }
    return h.count;
  };
}
