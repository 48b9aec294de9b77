// How sure we are that two records are one: evidence weighed in the manner of Fellegi and Sunter
// (1969). Each compared attribute adds a weight in bits, log2(m/u): how much likelier its outcome
// is for a true duplicate (m) than for two records that merely look alike (u). An agreement on a
// personal email is rare between different people (+11), a different personal email mildly
// against (−2.5). The sum, starting from PRIOR (the odds that a candidate pair is a duplicate
// before any comparison), is turned into 0–1 by the logistic 1 / (1 + 2^−S).
//
// What makes it safe on Japanese B2B data (issue 14):
// - Frequency: u grows with the number of different people or companies holding a value, so an
//   agreement loses `discount` bits per doubling of PairStats.count — a main line (代表電話) held
//   by 30 contacts, a family's home phone, 佐藤健 or "James Smith" count little; role mailboxes
//   (info@, support@) count nothing. Copies of one entity are one holder (blocking.ts Holders):
//   four records of トヨタ do not make トヨタ a common name. Every weight has a floor (`common`).
// - Conflicts subtract: a different personal email or phone, a different city, a different
//   name, conflicting legal forms (株式会社さくら / 有限会社さくら).
// - Rules of one kind measure one attribute (kanji and kana of one name, phone and mobile), so
//   they are not added up: the strongest agreement counts, else the strongest conflict; an
//   agreement and a conflict within one attribute (same kanji, other reading) cancel to 0.
// - Not comparable is not a conflict: names in different scripts (Taro Yamada / 山田太郎), a
//   missing first name (中村 / 中村美咲), a missing legal form (さくら / 株式会社さくら).
//
// Calibrated on the patterns of issue 14 (score.test.ts), with PRIOR −2 (bits in brackets):
//   one person: same email and name                 1.0   likely    (−2 + 11 + 4)
//   same name at the same company, nothing else      0.89  possible  (−2 + 4 + 1): issue 14
//   same personal email, a different-looking name    0.80  possible  (−2 + 11 − 7): an assistant's
//                                                                    address, a maiden name, a typo
//   same home phone, another first name (family)    0.41  —         (−2 + 8 − 7 + 0.5)
//   same company name under any legal form          0.98  likely    (−2 + 7.5)
//   中央商事 in two cities with two phones           0.67  —         (−2 + 7.5 − 2.5 − 2)
//   株式会社さくら / 有限会社さくら                    0.26  —         (−2 + 7.5 − 7)
//   one website, names in two scripts               0.89  possible  (−2 + 5); one parent domain: 0.2
// Any pair scoring "possible" or better shares a blocking key (blocking.ts): what adds weight
// without a key (a relation, an address, a role mailbox) is capped below POSSIBLE_AT − PRIOR.
import {
  companyKey,
  companyRomaji,
  emailKey,
  exactKey,
  fullNameKey,
  hostKey,
  legalForm,
  parentDomainKey,
  phoneKey,
  placeKey,
  readings,
  roleAddress,
  script as scriptOf,
} from './keys.ts';
import { legalFormsConflict } from './normalize.ts';
import { isId, type Rule, type RuleKind } from './rules.ts';

export interface PairStats {
  /**
   * How many different entities among the records of the object hold this comparison key (≥ 1;
   * the two compared included when both are stored) for a rule kind, as blocking.ts Holders
   * estimates it (copies of one company or person count once): a shared main line or a common
   * name counts little. Keys are those of blocking.ts comparisonKeys; Infinity when a capped
   * look-up says "many".
   */
  count(kind: string, key: string): number;
  /** For relation fields (a contact's company): a comparable key of the target (e.g. the company's normalized name), so that the same person under two duplicate companies matches; null when unknown. */
  relationKey(field: string, id: string): string | null;
}

export type Outcome = 'agree' | 'disagree' | 'common' | 'missing';
export interface Evidence {
  rule: string;
  outcome: Outcome;
  weight: number;
}
export interface PairScore {
  score: number;
  level: 'likely' | 'possible' | null;
  evidence: Evidence[];
}
export interface ScoreOptions {
  region?: string;
  threshold?: number;
  possibleAt?: number;
}

/** Log-odds (bits) that a pair of candidates is one record before anything is compared. */
export const PRIOR = -2;
/** "likely" at or above (what warn/block and the scan act on): 4.25 bits. */
export const DEFAULT_THRESHOLD = 0.95;
/** "possible" at or above, below DEFAULT_THRESHOLD (a review list, never an action): 1.58 bits. */
export const POSSIBLE_AT = 0.75;

interface KindWeights {
  /** Bits for an agreement on a value two records alone hold. */
  agree: number;
  /** Bits (negative) for a conflict: both hold a value, and they differ. */
  disagree: number;
  /** Floor of an agreement on a common value; also a role mailbox, a one-letter name. */
  common: number;
  /** Bits an agreement loses per doubling of the records that hold the value. */
  discount: number;
  /** Bits (negative) when one company name contains the other (ソニー / ソニー生命保険). */
  near?: number;
}

export const WEIGHTS: Record<RuleKind, KindWeights> = {
  // A personal address is one person's; people keep a second one, so a conflict is mild.
  email: { agree: 11, disagree: -2.5, common: 0, discount: 3 },
  // A direct line or mobile is nearly as personal; a main line is shared (discount), people
  // have several numbers (mild conflict).
  phone: { agree: 8, disagree: -2, common: 0.5, discount: 3 },
  // Full names repeat across a customer base; another full name is strong evidence against.
  name: { agree: 4, disagree: -7, common: 0, discount: 1.5 },
  // A company name (legal form stripped) is the company's identity; 中央商事 is in many cities.
  company_name: { agree: 7.5, disagree: -5, near: -3, common: 0.5, discount: 1.5 },
  // One host is one site; another host is mild (companies keep several sites).
  domain: { agree: 5, disagree: -1, common: 0, discount: 2 },
  // Settings' own rules on other fields.
  exact: { agree: 5, disagree: -2, common: 0, discount: 1.5 },
  // Colleagues and neighbours share a city: agreement barely counts; another city does.
  address: { agree: 0.5, disagree: -2.5, common: 0, discount: 0 },
};
/** A relation (a contact's company) pointing at one target or at two with the same key. */
export const RELATION = { agree: 1, disagree: -1 };
/** A Latin name against a reading that romanizes otherwise (loose: romanization is free-hand). */
export const ROMAJI_DISAGREE = -3.5;
/** Two legal forms that cannot be one company (株式会社 / 有限会社). */
export const LEGAL_FORM_CONFLICT = -7;
/** Keys shorter (code points) than this say too little to find or match on (林, X). */
export const MIN_KEY_LENGTH = 2;
/** What an address rule may add, whatever its weight: it has no blocking key (see header). */
const ADDRESS_CAP = 0.5;

interface Comparison {
  outcome: Outcome;
  weight: number;
}
const MISSING: Comparison = { outcome: 'missing', weight: 0 };
const bits = (p: number) => Math.log2(p / (1 - p));

/** The bits an agreement under `rule` adds: its weight, else its legacy score, else its kind's. */
export function agreeWeight(rule: Rule): number {
  if (typeof rule.weight === 'number') return rule.weight;
  if (typeof rule.score === 'number') return bits(Math.min(0.999, Math.max(0.001, rule.score))) - PRIOR;
  return WEIGHTS[rule.kind].agree;
}

/** The score of a rule agreeing alone (for callers still combining rule scores). */
export const ruleScore = (rule: Rule) => rule.score ?? Math.round(1000 / (1 + 2 ** -(PRIOR + agreeWeight(rule)))) / 1000;

const length = (s: string) => [...s].length;

/** An agreement on `key`, worth less the more records hold it (never below the kind's floor). */
function agreement(rule: Rule, key: string, stats: PairStats): Comparison {
  const w = WEIGHTS[rule.kind];
  const full = agreeWeight(rule);
  const floor = Math.min(w.common, full);
  // Two records holding a value is the pair itself; each doubling beyond costs `discount` bits.
  const n = Math.max(2, stats.count(rule.kind, key));
  const weight = Math.max(floor, full - w.discount * Math.log2(n / 2));
  return { outcome: weight <= floor && n > 2 ? 'common' : 'agree', weight };
}

/** email, phone, domain: agree on any shared key; a conflict needs one field filled on both sides with other keys. */
function compareAnyOf(
  rule: Rule,
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  stats: PairStats,
  key: (v: unknown) => string | null,
  role: (k: string) => boolean,
): Comparison {
  const ka = rule.fields.map((f) => key(a[f]));
  const kb = rule.fields.map((f) => key(b[f]));
  const mine = new Set(ka.filter((k): k is string => k !== null));
  const shared = [...new Set(kb.filter((k): k is string => k !== null && mine.has(k)))];
  const personal = shared.filter((k) => !role(k));
  if (personal.length) return personal.map((k) => agreement(rule, k, stats)).sort((x, y) => y.weight - x.weight)[0];
  if (shared.length) return { outcome: 'common', weight: WEIGHTS[rule.kind].common };
  if (rule.kind === 'domain') {
    // Group companies share a registered domain (life.sony.co.jp, www.sony.co.jp): no evidence either way.
    const parents = new Set(rule.fields.map((f) => parentDomainKey(a[f])).filter(Boolean));
    if (rule.fields.some((f) => parents.has(parentDomainKey(b[f])))) return { outcome: 'common', weight: 0 };
  }
  const conflict = rule.fields.some((_, i) => ka[i] !== null && kb[i] !== null && !role(ka[i]!) && !role(kb[i]!));
  return conflict ? { outcome: 'disagree', weight: WEIGHTS[rule.kind].disagree } : MISSING;
}

/** Latin names: one word list within the other (Smith / John Smith); others: one starts or ends the other (中村 / 中村美咲). */
function partOf(x: string, y: string): boolean {
  if (scriptOf(x) === 'latin') {
    const words = new Set(y.split(' '));
    return x.split(' ').every((w) => words.has(w));
  }
  return y.startsWith(x) || y.endsWith(x);
}

function compareNameKeys(rule: Rule, x: string, y: string, stats: PairStats): Comparison {
  if (x === y) return length(x) < MIN_KEY_LENGTH ? { outcome: 'common', weight: WEIGHTS.name.common } : agreement(rule, x, stats);
  return partOf(x, y) || partOf(y, x) ? MISSING : { outcome: 'disagree', weight: WEIGHTS.name.disagree };
}

/** A person's full-name key under a name rule: its text fields joined, ids (the relation) left out. */
export const nameKeyOf = (rule: Rule, record: Record<string, unknown>) =>
  fullNameKey(rule.fields.map((f) => record[f]).filter((v) => !isId(v)));

/**
 * The name rules together: the kanji of one record against the kanji of the other, kana against
 * kana — whichever rule they came from, so a reading typed into the name fields (ヤマダ タロウ)
 * meets the kana fields of 山田太郎 — and, when no script is shared, a Latin name against a
 * reading in romaji (Taro Yamada / ヤマダ タロウ). Each comparison is booked on the first rule
 * (in settings order) of the two keys, so that the evidence is the same both ways round.
 */
/**
 * Two records' keys under rules of one attribute, compared script by script (kanji with kanji,
 * kana with kana, …); each comparison is booked on the earlier rule of the two (index in rules).
 */
function compareByScript(
  ka: (string | null)[],
  kb: (string | null)[],
  compare: (at: number, x: string, y: string) => Comparison,
): Map<number, Comparison> {
  const first = (keys: (string | null)[], script: string) => keys.findIndex((k) => k !== null && scriptOf(k) === script);
  const found = new Map<number, Comparison>();
  for (const script of ['kanji', 'kana', 'latin', 'other'] as const) {
    const i = first(ka, script);
    const j = first(kb, script);
    if (i < 0 || j < 0) continue;
    const at = found.has(Math.min(i, j)) ? Math.max(i, j) : Math.min(i, j);
    found.set(at, compare(at, ka[i]!, kb[j]!));
  }
  return found;
}

function compareNames(
  rules: Rule[],
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  stats: PairStats,
): { rule: string; c: Comparison }[] {
  const ka = rules.map((r) => nameKeyOf(r, a));
  const kb = rules.map((r) => nameKeyOf(r, b));
  const found = compareByScript(ka, kb, (at, x, y) => compareNameKeys(rules[at], x, y, stats));
  if (!found.size) {
    const romaji = (keys: (string | null)[]) => keys.map((k) => (k ? readings(k) : []));
    const [ra, rb] = [romaji(ka), romaji(kb)];
    const i = ra.findIndex((r) => r.length > 0);
    const j = rb.findIndex((r) => r.length > 0);
    if (i >= 0 && j >= 0 && scriptOf(ka[i]!) !== scriptOf(kb[j]!)) {
      const shared = ra[i].find((r) => rb[j].includes(r));
      const rule = rules[Math.min(i, j)];
      const short = shared !== undefined && length(shared) - 1 < MIN_KEY_LENGTH;
      found.set(
        Math.min(i, j),
        shared === undefined
          ? { outcome: 'disagree', weight: ROMAJI_DISAGREE }
          : short
            ? { outcome: 'common', weight: WEIGHTS.name.common }
            : agreement(rule, shared, stats),
      );
    }
  }
  return rules.map((rule, i) => ({ rule: rule.name, c: found.get(i) ?? MISSING }));
}

const allOf = (rule: Rule, record: Record<string, unknown>, key: (v: unknown) => string | null) => {
  const parts = rule.fields.map((f) => key(record[f]));
  return parts.every((p) => p !== null) ? parts.join('\u241f') : null;
};

/** Two company keys of one script: equal, one inside the other (ソニー / ソニー生命保険: "near"), or two names. */
function compareCompanyKeys(rule: Rule, x: string, y: string, stats: PairStats): Comparison {
  if (x === y) return length(x) < MIN_KEY_LENGTH ? { outcome: 'common', weight: WEIGHTS.company_name.common } : agreement(rule, x, stats);
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  if (length(short) >= MIN_KEY_LENGTH && long.includes(short)) return { outcome: 'disagree', weight: WEIGHTS.company_name.near! };
  return { outcome: 'disagree', weight: WEIGHTS.company_name.disagree };
}

/** A rule's reading in romaji (single-field rules: a reading of several fields joined is no name). */
const romajiOf = (rule: Rule, record: Record<string, unknown>) => (rule.fields.length === 1 ? companyRomaji(record[rule.fields[0]]) : null);

/**
 * The company-name rules together, as compareNames weighs a person's: the name and its reading
 * (name_kana) of one record against those of the other, script by script — so a name typed in
 * kana (キョウトセイキセイサクショ(株), ｶ)ｺｲｽﾞﾐｼｮｳｼﾞ) meets the other's reading, and the kanji of two
 * homophones (新光商事 / 神鋼商事, both シンコウショウジ) conflict while their readings agree (the
 * two cancel). With no script in common, a Latin name meets a reading in romaji (Hokusho Sangyo /
 * ホクショウサンギョウ); an English trade name that romanizes otherwise (Sony / ソニー) is not
 * compared. Kanji against kana with no reading to bridge them conflicts, as two names do.
 */
function compareCompanies(
  rules: Rule[],
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  stats: PairStats,
): { rule: string; c: Comparison }[] {
  const ka = rules.map((r) => allOf(r, a, companyKey));
  const kb = rules.map((r) => allOf(r, b, companyKey));
  const found = compareByScript(ka, kb, (at, x, y) => compareCompanyKeys(rules[at], x, y, stats));
  if (!found.size) {
    const ra = rules.map((r) => romajiOf(r, a));
    const rb = rules.map((r) => romajiOf(r, b));
    const shared = ra.findIndex((r) => r !== null && rb.includes(r));
    const i = ka.findIndex((k) => k !== null);
    const j = kb.findIndex((k) => k !== null);
    if (shared >= 0) {
      const at = Math.min(shared, rb.indexOf(ra[shared]));
      found.set(
        at,
        length(ra[shared]!) - 1 < MIN_KEY_LENGTH
          ? { outcome: 'common', weight: WEIGHTS.company_name.common }
          : agreement(rules[at], ra[shared]!, stats),
      );
    } else if (i >= 0 && j >= 0 && (scriptOf(ka[i]!) === 'latin') === (scriptOf(kb[j]!) === 'latin')) {
      // Sony / ソニー: one name in Latin letters, the other in Japanese, cannot be compared.
      found.set(Math.min(i, j), compareCompanyKeys(rules[Math.min(i, j)], ka[i]!, kb[j]!, stats));
    }
  }
  return rules.map((rule, i) => ({ rule: rule.name, c: found.get(i) ?? MISSING }));
}

function compareExact(rule: Rule, a: Record<string, unknown>, b: Record<string, unknown>, stats: PairStats): Comparison {
  const ka = allOf(rule, a, exactKey);
  const kb = allOf(rule, b, exactKey);
  if (!ka || !kb) return MISSING;
  return ka === kb ? agreement(rule, ka, stats) : { outcome: 'disagree', weight: WEIGHTS.exact.disagree };
}

/** Each field on its own: 横浜市 and 横浜市西区 fit together, 北区 and 大阪市北区 too; 大阪市 and 札幌市 do not. */
function compareAddress(rule: Rule, a: Record<string, unknown>, b: Record<string, unknown>): Comparison {
  let fits = false;
  for (const f of rule.fields) {
    const x = placeKey(a[f]);
    const y = placeKey(b[f]);
    if (!x || !y) continue;
    if (!x.startsWith(y) && !y.startsWith(x) && !x.endsWith(y) && !y.endsWith(x))
      return { outcome: 'disagree', weight: WEIGHTS.address.disagree };
    fits = true;
  }
  return fits ? { outcome: 'agree', weight: Math.min(agreeWeight(rule), ADDRESS_CAP) } : MISSING;
}

function compareRule(rule: Rule, a: Record<string, unknown>, b: Record<string, unknown>, stats: PairStats, region: string): Comparison {
  switch (rule.kind) {
    case 'email':
      return compareAnyOf(rule, a, b, stats, emailKey, roleAddress);
    case 'phone':
      return compareAnyOf(
        rule,
        a,
        b,
        stats,
        (v) => phoneKey(v, region),
        () => false,
      );
    case 'domain':
      return compareAnyOf(rule, a, b, stats, hostKey, () => false);
    case 'name':
      return MISSING; // compareNames weighs the name rules together
    case 'company_name':
      return MISSING; // compareCompanies weighs the company-name rules together
    case 'exact':
      return compareExact(rule, a, b, stats);
    case 'address':
      return compareAddress(rule, a, b);
  }
}

function compareRelation(field: string, a: Record<string, unknown>, b: Record<string, unknown>, stats: PairStats): Comparison {
  const x = a[field];
  const y = b[field];
  if (!isId(x) || !isId(y)) return MISSING;
  if (x === y) return { outcome: 'agree', weight: RELATION.agree };
  const kx = stats.relationKey(field, x);
  const ky = stats.relationKey(field, y);
  return kx !== null && kx === ky ? { outcome: 'agree', weight: RELATION.agree } : { outcome: 'disagree', weight: RELATION.disagree };
}

/** One attribute measured by several rules: the strongest agreement, else the strongest conflict; both: 0. */
function settle(items: { rule: string; c: Comparison }[]): Evidence[] {
  const pro = items.filter((i) => i.c.outcome === 'agree' || i.c.outcome === 'common');
  const con = items.filter((i) => i.c.outcome === 'disagree');
  const counted =
    pro.length && con.length
      ? null
      : pro.length
        ? pro.reduce((m, i) => (i.c.weight > m.c.weight ? i : m))
        : con.length
          ? con.reduce((m, i) => (i.c.weight < m.c.weight ? i : m))
          : null;
  return items.map((i) => ({ rule: i.rule, outcome: i.c.outcome, weight: i === counted ? i.c.weight : 0 }));
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The level of a score: "likely" at or above the threshold, "possible" at or above possibleAt. */
export function levelOf(score: number, opts: ScoreOptions = {}): PairScore['level'] {
  if (score >= (opts.threshold ?? DEFAULT_THRESHOLD)) return 'likely';
  return score >= (opts.possibleAt ?? POSSIBLE_AT) ? 'possible' : null;
}

/**
 * How sure we are that `a` and `b` are one record, under `rules`, with the evidence: one entry
 * per rule (named by the rule), per relation field of the name rules (`relation:<field>`) and,
 * when both names carry one, for the legal forms (`legal_form`); `weight` is what was counted —
 * 0 for a rule outweighed within its kind — and PRIOR is not listed. Pure and symmetric:
 * scorePair(a, b) and scorePair(b, a) are equal.
 */
export function scorePair(
  rules: Rule[],
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  stats: PairStats,
  opts: ScoreOptions = {},
): PairScore {
  const region = opts.region ?? 'JP';
  const groups = new Map<string, { rule: string; c: Comparison }[]>();
  const relations = new Set<string>();
  let form: string | undefined;
  for (const rule of rules) {
    if (rule.kind === 'name') {
      groups.set('name', []);
      for (const f of rule.fields) if (isId(a[f]) || isId(b[f])) relations.add(f);
      continue;
    }
    // Rules of one kind weigh one attribute; exact rules are each their own.
    const group = rule.kind === 'exact' ? `exact:${rule.name}` : rule.kind;
    groups.set(group, [...(groups.get(group) ?? []), { rule: rule.name, c: compareRule(rule, a, b, stats, region) }]);
    if (rule.kind === 'company_name') form ??= rule.fields[0];
  }
  if (groups.has('name'))
    groups.set(
      'name',
      compareNames(
        rules.filter((r) => r.kind === 'name'),
        a,
        b,
        stats,
      ),
    );
  if (groups.has('company_name'))
    groups.set(
      'company_name',
      compareCompanies(
        rules.filter((r) => r.kind === 'company_name'),
        a,
        b,
        stats,
      ),
    );
  if (relations.size)
    groups.set(
      'relation',
      [...relations].map((f) => ({ rule: `relation:${f}`, c: compareRelation(f, a, b, stats) })),
    );
  if (form !== undefined) {
    const fa = legalForm(a[form]);
    const fb = legalForm(b[form]);
    if (fa && fb)
      groups.set('legal_form', [
        {
          rule: 'legal_form',
          c: legalFormsConflict(fa, fb) ? { outcome: 'disagree', weight: LEGAL_FORM_CONFLICT } : { outcome: 'agree', weight: 0 },
        },
      ]);
  }
  const evidence = [...groups.values()].flatMap(settle).map((e) => ({ ...e, weight: round(e.weight) }));
  const bitsTotal = PRIOR + evidence.reduce((s, e) => s + e.weight, 0);
  const score = round(1 / (1 + 2 ** -bitsTotal));
  return { score, level: levelOf(score, opts), evidence };
}

/** Stats for a pair seen alone: every key held by these two records only, relations by id. */
export const NO_STATS: PairStats = { count: () => 2, relationKey: () => null };
