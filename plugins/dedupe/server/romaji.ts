// Readings in Latin letters, so that a name written "Taro Yamada" can be held against the
// reading ヤマダ タロウ of 山田 太郎. Both sides are brought to one loose spelling, because people
// romanize freely: Hepburn or Kunrei (shi/si, tsu/tu, fu/hu), long vowels written or not
// (Yūko, Yuuko, Yuko; Satō, Satou, Satoh, Sato), ん before b/m/p as n or m (Nanba / Namba).
const KANA: Record<string, string> = {
  ア: 'a',
  イ: 'i',
  ウ: 'u',
  エ: 'e',
  オ: 'o',
  カ: 'ka',
  キ: 'ki',
  ク: 'ku',
  ケ: 'ke',
  コ: 'ko',
  サ: 'sa',
  シ: 'shi',
  ス: 'su',
  セ: 'se',
  ソ: 'so',
  タ: 'ta',
  チ: 'chi',
  ツ: 'tsu',
  テ: 'te',
  ト: 'to',
  ナ: 'na',
  ニ: 'ni',
  ヌ: 'nu',
  ネ: 'ne',
  ノ: 'no',
  ハ: 'ha',
  ヒ: 'hi',
  フ: 'fu',
  ヘ: 'he',
  ホ: 'ho',
  マ: 'ma',
  ミ: 'mi',
  ム: 'mu',
  メ: 'me',
  モ: 'mo',
  ヤ: 'ya',
  ユ: 'yu',
  ヨ: 'yo',
  ラ: 'ra',
  リ: 'ri',
  ル: 'ru',
  レ: 're',
  ロ: 'ro',
  ワ: 'wa',
  ヰ: 'i',
  ヱ: 'e',
  ヲ: 'o',
  ン: 'n',
  ガ: 'ga',
  ギ: 'gi',
  グ: 'gu',
  ゲ: 'ge',
  ゴ: 'go',
  ザ: 'za',
  ジ: 'ji',
  ズ: 'zu',
  ゼ: 'ze',
  ゾ: 'zo',
  ダ: 'da',
  ヂ: 'ji',
  ヅ: 'zu',
  デ: 'de',
  ド: 'do',
  バ: 'ba',
  ビ: 'bi',
  ブ: 'bu',
  ベ: 'be',
  ボ: 'bo',
  パ: 'pa',
  ピ: 'pi',
  プ: 'pu',
  ペ: 'pe',
  ポ: 'po',
  ヴ: 'vu',
  ァ: 'a',
  ィ: 'i',
  ゥ: 'u',
  ェ: 'e',
  ォ: 'o',
  ャ: 'ya',
  ュ: 'yu',
  ョ: 'yo',
  ヮ: 'wa',
  ヵ: 'ka',
  ヶ: 'ke',
};

const SAME_SOUND: Record<string, string> = { ヅ: 'ズ', ヂ: 'ジ', ヲ: 'オ', ヰ: 'イ', ヱ: 'エ' };
const LONG: Record<string, string> = { a: 'ア', i: 'イ', u: 'ウ', e: 'イ', o: 'ウ' };

/**
 * A reading written one way where people write it several: the long-vowel mark as the kana it
 * stands for (サトー = サトウ, ユーコ = ユウコ, ケーコ = ケイコ) and kana of one sound as one (ヅ = ズ,
 * ヂ = ジ, ヲ = オ). Other text passes unchanged.
 */
export function foldKana(text: string): string {
  if (!/[ーヅヂヲヰヱ]/.test(text)) return text;
  let out = '';
  let vowel: string | undefined;
  for (const ch of text) {
    const c = ch === 'ー' && vowel ? LONG[vowel] : (SAME_SOUND[ch] ?? ch);
    vowel = KANA[c]?.slice(-1);
    out += c;
  }
  return out;
}

const YOON: Record<string, string> = { ャ: 'a', ュ: 'u', ョ: 'o' };
const SMALL_VOWEL: Record<string, string> = { ァ: 'a', ィ: 'i', ゥ: 'u', ェ: 'e', ォ: 'o' };

/** Hepburn for katakana (foldText has turned hiragana into it); null when the text holds anything else. */
export function kanaToRomaji(kana: string): string | null {
  const chars = [...kana];
  let out = '';
  let double = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === 'ッ') {
      double = true;
      continue;
    }
    if (ch === 'ー') continue;
    let r = KANA[ch];
    if (r === undefined) return null;
    const next = chars[i + 1];
    // キャ kya, シャ sha, チャ cha, ジャ ja; ファ fa, ティ ti, ウィ wi.
    if (next && YOON[next] && r.endsWith('i') && r.length > 1) {
      r = (/^(sh|ch|j)i$/.test(r) ? r.slice(0, -1) : `${r.slice(0, -1)}y`) + YOON[next];
      i++;
    } else if (next && SMALL_VOWEL[next] && r.length > 1) {
      r = r.slice(0, -1) + SMALL_VOWEL[next];
      i++;
    } else if (next && SMALL_VOWEL[next] && ch === 'ウ') {
      r = `w${SMALL_VOWEL[next]}`;
      i++;
    }
    if (double) r = r[0] + r;
    double = false;
    out += r;
  }
  return out || null;
}

/** One loose spelling of romanized Japanese, for comparison only. */
export function foldRomaji(latin: string): string {
  return latin
    .replace(/[^a-z]/g, '')
    .replace(/m(?=[bmp])/g, 'n')
    .replace(/si/g, 'shi')
    .replace(/ti/g, 'chi')
    .replace(/tu/g, 'tsu')
    .replace(/(?<![sc])hu/g, 'fu')
    .replace(/zi|di/g, 'ji')
    .replace(/sy/g, 'sh')
    .replace(/ty|cy/g, 'ch')
    .replace(/[zj]y/g, 'j')
    .replace(/du/g, 'zu')
    .replace(/tch/g, 'cch')
    .replace(/oh(?![aiueo])/g, 'o')
    .replace(/([aiueo])\1+/g, '$1')
    .replace(/ou/g, 'o');
}

/**
 * Keys a full-name key (normalize.ts personNameKey) gives in loose romaji, marked with a
 * leading ~: a kana name gives its reading (ヤマダタロウ → ~yamadataro), a Latin one both orders
 * of its words ("taro yamada" → ~taroyamada, ~yamadataro). A reading in one field and a Latin
 * name then share a key. Kanji give none (their reading is not known).
 */
export function romajiKeys(nameKey: string): string[] {
  if (/^[\u30a1-\u30fc]+$/.test(nameKey)) {
    const r = kanaToRomaji(nameKey);
    return r ? [`~${foldRomaji(r)}`] : [];
  }
  if (!/^[a-z ]+$/.test(nameKey)) return [];
  // Folded whole, as the reading is: ii across the two names (スズキ イチロウ) folds alike.
  const words = nameKey.split(' ');
  return [
    ...new Set(
      [words.join(''), [...words].reverse().join('')]
        .map(foldRomaji)
        .filter(Boolean)
        .map((r) => `~${r}`),
    ),
  ];
}
