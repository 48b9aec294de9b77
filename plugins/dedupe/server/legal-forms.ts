// Legal forms (法人格) of company names: found and stripped so that 株式会社トヨタ and トヨタ(株)
// give one name key, and compared so that 株式会社さくら and 有限会社さくら are told apart as two
// companies while 株式会社さくら and さくら (no form written) are not. A fixed vocabulary of the law,
// not data: forms, their abbreviations in parentheses (NFKC turns （株） and ㈱ into (株)) and the
// abbreviations banks print on transfers in kana (カ) / (カ), which 取引先名（フリガナ） often copies.
// Every entry is written folded (as foldText leaves text: NFKC, lower case, katakana).

/** Canonical legal forms. Latin ones (`corporation`, `llc`, `llp`, `lp`) translate loosely. */
export type LegalForm =
  | 'kabushiki'
  | 'yugen'
  | 'godo'
  | 'goshi'
  | 'gomei'
  | 'sogo'
  | 'shadan'
  | 'ippan_shadan'
  | 'koeki_shadan'
  | 'zaidan'
  | 'ippan_zaidan'
  | 'koeki_zaidan'
  | 'iryo'
  | 'iryo_shadan'
  | 'iryo_zaidan'
  | 'shakai_iryo'
  | 'gakko'
  | 'shukyo'
  | 'shakai_fukushi'
  | 'npo'
  | 'llp_jp'
  | 'dokuritsu_gyosei'
  | 'kokuritsu_daigaku'
  | 'kansa'
  | 'bengoshi'
  | 'zeirishi'
  | 'shiho_shoshi'
  | 'gyosei_shoshi'
  | 'sharoshi'
  | 'tokkyo'
  | 'noji_kumiai'
  | 'corporation'
  | 'llc'
  | 'llp'
  | 'lp';

// Japanese forms, found anywhere in the name (before it, after it, or before a branch name).
// `null`: stripped, but says nothing certain about the form ((合) is 合同, 合資 or 合名).
const JA: [string, LegalForm | null][] = [
  ['特定非営利活動法人', 'npo'],
  ['npo法人', 'npo'],
  ['(特非)', 'npo'],
  ['(特定非営利)', 'npo'],
  ['一般社団法人', 'ippan_shadan'],
  ['(一社)', 'ippan_shadan'],
  ['公益社団法人', 'koeki_shadan'],
  ['(公社)', 'koeki_shadan'],
  ['一般財団法人', 'ippan_zaidan'],
  ['(一財)', 'ippan_zaidan'],
  ['公益財団法人', 'koeki_zaidan'],
  ['(公財)', 'koeki_zaidan'],
  ['社団法人', 'shadan'],
  ['(社)', 'shadan'],
  ['財団法人', 'zaidan'],
  ['(財)', 'zaidan'],
  ['医療法人社団', 'iryo_shadan'],
  ['(医社)', 'iryo_shadan'],
  ['医療法人財団', 'iryo_zaidan'],
  ['(医財)', 'iryo_zaidan'],
  ['社会医療法人', 'shakai_iryo'],
  ['医療法人', 'iryo'],
  ['(医)', 'iryo'],
  ['学校法人', 'gakko'],
  ['(学)', 'gakko'],
  ['宗教法人', 'shukyo'],
  ['(宗)', 'shukyo'],
  ['社会福祉法人', 'shakai_fukushi'],
  ['(福)', 'shakai_fukushi'],
  ['有限責任事業組合', 'llp_jp'],
  ['地方独立行政法人', 'dokuritsu_gyosei'],
  ['独立行政法人', 'dokuritsu_gyosei'],
  ['(独)', 'dokuritsu_gyosei'],
  ['国立大学法人', 'kokuritsu_daigaku'],
  ['有限責任監査法人', 'kansa'],
  ['監査法人', 'kansa'],
  ['(監)', 'kansa'],
  ['弁護士法人', 'bengoshi'],
  ['税理士法人', 'zeirishi'],
  ['司法書士法人', 'shiho_shoshi'],
  ['行政書士法人', 'gyosei_shoshi'],
  ['社会保険労務士法人', 'sharoshi'],
  ['特許業務法人', 'tokkyo'],
  ['農事組合法人', 'noji_kumiai'],
  ['株式会社', 'kabushiki'],
  ['(株)', 'kabushiki'],
  ['カブシキガイシャ', 'kabushiki'],
  ['カブシキカイシャ', 'kabushiki'],
  ['有限会社', 'yugen'],
  ['(有)', 'yugen'],
  ['ユウゲンガイシャ', 'yugen'],
  ['ユウゲンカイシャ', 'yugen'],
  ['合同会社', 'godo'],
  ['(同)', 'godo'],
  ['ゴウドウガイシャ', 'godo'],
  ['ゴウドウカイシャ', 'godo'],
  ['合資会社', 'goshi'],
  ['(資)', 'goshi'],
  ['合名会社', 'gomei'],
  ['(名)', 'gomei'],
  ['相互会社', 'sogo'],
  ['(相)', 'sogo'],
  ['(合)', null],
];

// Bank-transfer kana abbreviations: only where banks put them, "カ)サクラ" before the name,
// "サクラ(カ" or "サクラ)カ" after it.
const KANA: [string, LegalForm][] = [
  ['カ', 'kabushiki'],
  ['ユ', 'yugen'],
  ['ド', 'godo'],
  ['シ', 'goshi'],
  ['メ', 'gomei'],
  ['イ', 'iryo'],
  ['ガク', 'gakko'],
  ['シヤ', 'shadan'],
  ['シャ', 'shadan'],
  ['ザイ', 'zaidan'],
  ['フク', 'shakai_fukushi'],
  ['トクヒ', 'npo'],
  ['シユウ', 'shukyo'],
  ['シュウ', 'shukyo'],
];

// Latin forms: whole words at the start or end of the name, dots and commas already gone
// ("Co., Ltd." → co ltd, "K.K." → kk). A Japanese company writes its 株式会社 as Co., Ltd., Inc.,
// Corp. or K.K. and a 有限会社 as Ltd. too, so these are `corporation` and never conflict with a
// Japanese form; only the romanized Japanese ones (kk, gk, … kaisha) are exact.
const LATIN: [string[], LegalForm | null][] = [
  [['kabushiki', 'kaisha'], 'kabushiki'],
  [['kabushikikaisha'], 'kabushiki'],
  [['kk'], 'kabushiki'],
  [['godo', 'kaisha'], 'godo'],
  [['godokaisha'], 'godo'],
  [['gk'], 'godo'],
  [['yugen', 'kaisha'], 'yugen'],
  [['yugenkaisha'], 'yugen'],
  [['llc'], 'llc'],
  [['llp'], 'llp'],
  [['lp'], 'lp'],
  ...[
    'inc',
    'incorporated',
    'corp',
    'corporation',
    'co',
    'company',
    'ltd',
    'limited',
    'plc',
    'gmbh',
    'ag',
    'sa',
    'sas',
    'sarl',
    'bv',
    'nv',
    'pte',
    'pty',
    'oy',
    'ab',
    'as',
    'spa',
    'srl',
  ].map((w): [string[], LegalForm] => [[w], 'corporation']),
  [['the'], null],
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byLength = <T>(list: [string, T][]) => [...list].sort((a, b) => b[0].length - a[0].length);
const JA_FORM = new Map(JA);
const JA_RE = new RegExp(
  byLength(JA)
    .map(([s]) => escape(s))
    .join('|'),
  'g',
);
const KANA_FORM = new Map(KANA);
const KANA_ALT = byLength(KANA)
  .map(([s]) => s)
  .join('|');
const KANA_RE = new RegExp(`^\\s*(${KANA_ALT})\\)|[()](${KANA_ALT})\\s*$`, 'g');
const LATIN_FORMS = [...LATIN].sort((a, b) => b[0].length - a[0].length);

/** Forms that are one entity under another name (社団法人 became 一般 or 公益 社団法人 in 2008). */
const FAMILY: Partial<Record<LegalForm, string>> = {
  ippan_shadan: 'shadan',
  koeki_shadan: 'shadan',
  ippan_zaidan: 'zaidan',
  koeki_zaidan: 'zaidan',
  iryo_shadan: 'iryo',
  iryo_zaidan: 'iryo',
  shakai_iryo: 'iryo',
};
const LOOSE = new Set<LegalForm>(['corporation', 'llc', 'llp', 'lp']);

/** A folded name without its Japanese legal forms, and the first form found (text order). */
export function stripJapaneseForms(folded: string): { rest: string; form: LegalForm | null } {
  let form: LegalForm | null = null;
  let rest = folded.replace(JA_RE, (s) => {
    form ??= JA_FORM.get(s) ?? null;
    return ' ';
  });
  rest = rest.replace(KANA_RE, (_s, pre: string | undefined, post: string | undefined) => {
    form ??= KANA_FORM.get((pre ?? post)!) ?? null;
    return ' ';
  });
  return { rest, form };
}

/** Latin words without the legal forms at either end ("acme widgets co ltd" → acme widgets), keeping one word at least. */
export function stripLatinForms(words: string[]): { words: string[]; form: LegalForm | null } {
  let form: LegalForm | null = null;
  const out = [...words];
  const endsWith = (p: string[]) => out.length > p.length && p.every((w, i) => out[out.length - p.length + i] === w);
  const startsWith = (p: string[]) => out.length > p.length && p.every((w, i) => out[i] === w);
  for (let changed = true; changed;) {
    changed = false;
    for (const [phrase, f] of LATIN_FORMS) {
      if (endsWith(phrase)) out.splice(out.length - phrase.length, phrase.length);
      else if (startsWith(phrase)) out.splice(0, phrase.length);
      else continue;
      // An exact form wins over a loose one ("Acme K.K. Inc." is a 株式会社).
      if (f && (!form || LOOSE.has(form))) form = f;
      changed = true;
      break;
    }
  }
  return { words: out, form };
}

/** Two forms that cannot be one company: 株式会社 vs 有限会社, 合同会社 vs 株式会社, 学校法人 vs 医療法人. */
export function legalFormsConflict(a: LegalForm | null, b: LegalForm | null): boolean {
  if (!a || !b || a === b || LOOSE.has(a) || LOOSE.has(b)) return false;
  return (FAMILY[a] ?? a) !== (FAMILY[b] ?? b);
}
