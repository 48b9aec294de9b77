// Variant kanji (異体字) unified to the form Japanese records write today, so that 小淺商事 and
// 小浅商事, 協和醱酵 and 協和醗酵 / 協和発酵, 渡邊 and 渡辺 give one key.
//
// The old forms (旧字体 → 新字体: 淺→浅, 澤→沢, 國→国, 醱→醗, 邊→辺, 齋→斎, … 408 of them) come from
// OpenCC's maintained t→jp dictionary (JPShinjitaiCharactersRev), the one
// `OpenCC.Converter({ from: 't', to: 'jp' })` applies. It maps one character to one character,
// so it is read once into a Map and applied with one regular expression: on 100k company names
// the same output as the converter at about half its cost (bench/dedupe-normalize.ts). Its
// normalization step (CJK compatibility ideographs) is left out because NFKC, applied first by
// foldText, does the same.
import { Locale } from 'opencc-js';

/**
 * Name variants OpenCC leaves alone, each checked against opencc-js 1.4: they are not old forms
 * of the 新字体 reform but 異体字 that family and company names keep (or a 当て字 of the 1956
 * 書きかえ), and people type the common form when they do not have the variant at hand.
 */
const NAME_VARIANTS: Record<string, string> = {
  髙: '高', // はしご高 (髙橋, 髙島屋): a variant of 高, not an old form, so not in the dictionary.
  﨑: '崎', // たつさき (山﨑): U+FA11 is a unified ideograph that NFKC keeps.
  嵜: '崎', // 宮嵜, 嵜本: another 崎 of family names.
  碕: '崎', // 川碕, 尼碕: likewise.
  邉: '辺', // 渡邉: OpenCC maps 邊→辺 but not this variant of it.
  冨: '富', // 冨田, 冨士: a variant, not an old form.
  嶋: '島', // 中嶋, 大嶋: a variant of 島.
  嶌: '島', // 嶌田: likewise.
  舘: '館', // 大舘, 舘野: a variant of 館.
  '𠮷': '吉', // つちよし (𠮷野家): outside the BMP and outside the dictionary.
  醗: '発', // 醗酵 was written 発酵 by the 1956 書きかえ: 協和醗酵 = 協和発酵 (OpenCC stops at 醱→醗).
  ヶ: 'ケ', // 茅ヶ崎 / 茅ケ崎, 霞ヶ関 / 霞ケ関: the small ケ is written either way.
  ヵ: 'カ', // likewise (三ヵ月 / 三カ月 in names of shops and offices).
};

function buildMap(): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of Locale.to.jp) {
    for (const dict of group) {
      const pairs = typeof dict === 'string' ? dict.split('|').map((p) => p.split(' ') as [string, string]) : dict;
      for (const [from, to] of pairs) if ([...from].length === 1 && [...to].length === 1) map.set(from, to);
    }
  }
  for (const [from, to] of Object.entries(NAME_VARIANTS)) map.set(from, to);
  // Chains (醱 → 醗 → 発) resolve to their end once here, not on every call.
  for (const [from, to] of map) {
    let end = to;
    for (let i = 0; i < 4 && map.has(end) && map.get(end) !== end; i++) end = map.get(end)!;
    map.set(from, end);
  }
  return map;
}

const VARIANTS = buildMap();
const VARIANT_RE = new RegExp(`[${[...VARIANTS.keys()].join('')}]`, 'gu');

/** Every variant kanji of `text` written in its common form (淺→浅, 髙→高, 醱/醗→発). */
export const unifyKanji = (text: string): string => text.replace(VARIANT_RE, (ch) => VARIANTS.get(ch)!);

let backMap: Map<string, string[]> | undefined;

/** The variants that unify to `ch` (高 → [髙]; 崎 → [﨑, 嵜, 碕]). */
export function variantsOf(ch: string): string[] {
  if (!backMap) {
    backMap = new Map();
    for (const [from, to] of VARIANTS) backMap.set(to, [...(backMap.get(to) ?? []), from]);
  }
  return backMap.get(ch) ?? [];
}
