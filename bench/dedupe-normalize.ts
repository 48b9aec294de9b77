// `npx tsx bench/dedupe-normalize.ts`: the cost of the dedupe plugin's normalization on 100,000
// real Japanese names (IPADIC's organizations and surname + given name pairs, test/fixtures), and
// of its variant-kanji step done by OpenCC's converter instead of the per-character map built from
// the same dictionary (plugins/dedupe/server/kanji.ts), and of scoring pairs. Prints figures only.
import { readFileSync } from 'node:fs';
import * as OpenCC from 'opencc-js';
import { blockingKeys } from '../plugins/dedupe/server/blocking.ts';
import { unifyKanji } from '../plugins/dedupe/server/kanji.ts';
import { foldText, legalFormOf, normalizeCompanyName, personNameKey } from '../plugins/dedupe/server/normalize.ts';
import { DEFAULT_RULES } from '../plugins/dedupe/server/rules.ts';
import { NO_STATS, scorePair } from '../plugins/dedupe/server/score.ts';

const N = 100_000;
const ipadic = (path: string) =>
  new TextDecoder('euc-jp')
    .decode(readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url)))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(','));
const orgs = [...new Set(ipadic('ja-companies/ipadic-Noun.org.euc-jp.csv').map((c) => c[0]))];
const people = ipadic('ja-names/ipadic-Noun.name.euc-jp.csv');
const last = people.filter((c) => c[7] === '姓').map((c) => c[0]);
const first = people.filter((c) => c[7] === '名').map((c) => c[0]);
const forms = ['株式会社', '', '(株)', '有限会社', '一般社団法人 ', '医療法人社団 '];
// Distinct strings (a suffix past the first round), so that no cache of a later version helps.
const companies = Array.from({ length: N }, (_, i) => `${forms[i % forms.length]}${orgs[i % orgs.length]}${i >= orgs.length ? i : ''}`);
const persons = Array.from({ length: N }, (_, i) => [
  last[(i * 7) % last.length],
  `${first[(i * 13) % first.length]}${i >= first.length ? i : ''}`,
]);

function time(label: string, run: () => number) {
  run(); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    run();
    runs.push(performance.now() - t);
  }
  const best = Math.min(...runs);
  console.log(`${label.padEnd(58)} ${best.toFixed(0).padStart(6)} ms / 100k  (${((best * 1000) / N).toFixed(2)} µs each)`);
}

const converter = OpenCC.Converter({ from: 't', to: 'jp' });
const base = (s: string) => s.normalize('NFKC').toLowerCase();
time('NFKC + lower case only', () => companies.reduce((n, s) => n + base(s).length, 0));
time('  + variant kanji by OpenCC.Converter(t → jp)', () => companies.reduce((n, s) => n + converter(base(s)).length, 0));
time('  + variant kanji by the per-character map (kanji.ts)', () => companies.reduce((n, s) => n + unifyKanji(base(s)).length, 0));
time('foldText (NFKC, kana, variants)', () => companies.reduce((n, s) => n + foldText(s).length, 0));
time('normalizeCompanyName', () => companies.reduce((n, s) => n + (normalizeCompanyName(s)?.length ?? 0), 0));
time('legalFormOf', () => companies.reduce((n, s) => n + (legalFormOf(s) ? 1 : 0), 0));
time('personNameKey (last, first)', () => persons.reduce((n, p) => n + (personNameKey(p)?.length ?? 0), 0));
// They should differ only where kanji.ts's short list of name variants applies.
const listed = /[髙﨑嵜碕邉冨嶋嶌舘𠮷醗醱ヶヵ]/u;
let differ = 0;
let unlisted = 0;
for (const s of companies) {
  if (converter(base(s)) === unifyKanji(base(s))) continue;
  differ++;
  if (!listed.test(s)) unlisted++;
}
console.log(`converter and map differ on ${differ} of ${N} names, ${unlisted} of them without a variant of the short list`);

const records = companies.slice(0, 2000).map((name, i) => ({
  name,
  phone: `03-${String(1000 + (i % 9000)).padStart(4, '0')}-${String(i).padStart(4, '0')}`,
  city: i % 2 ? '千代田区' : '大阪市北区',
}));
time('blockingKeys, 2,000 companies (× 50 = 100k)', () => {
  let n = 0;
  for (let k = 0; k < 50; k++) for (const r of records) n += blockingKeys(DEFAULT_RULES.company, r).length;
  return n;
});
time('scorePair, 100k company pairs (2,000 records, 50 each)', () => {
  let n = 0;
  for (let i = 0; i < records.length; i++)
    for (let j = 1; j <= 50; j++) n += scorePair(DEFAULT_RULES.company, records[i], records[(i + j) % records.length], NO_STATS).score;
  return n;
});
