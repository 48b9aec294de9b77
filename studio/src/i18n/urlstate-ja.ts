// 日本語: shareable list addresses, object plural and description, kanban card fields and
// totals, number limits (issue 16, items 8-9). Spread into ja.ts.
import type { urlstateEn } from './urlstate-en.ts';

export const urlstateJa: Record<keyof typeof urlstateEn, string> = {
  'address.ignored': 'このリンクには、この一覧にない項目が含まれていたため、除いて表示しています: {items}',
  'address.dismiss': '閉じる',
  'board.card': 'カード',
  'board.cardFields': 'カードに表示する項目',
  'board.sumField': '列の合計',
  'board.countOnly': '件数のみ',
  'board.save': 'ボードを保存',
  'board.saveAs': 'ボードビューとして保存',
  'board.saved': 'ボードを保存しました',
  'designer.minimum': '最小値',
  'designer.maximum': '最大値',
  'designer.decimals': '小数点以下の桁数',
  'designer.minAboveMax': '最小値は最大値以下にしてください。',
  'designer.decimalsRange': '小数点以下の桁数は 0〜8 の整数で指定してください。',
  'designer.currencyDigits': '{code} の金額は小数点以下 {digits} 桁です（ISO 4217 の規則）。',
  'check.decimals': '小数点以下は {max} 桁までです',
  'objectTexts.pluralEn': '複数形ラベル（英語）',
  'objectTexts.pluralJa': '複数形ラベル（日本語）',
  'objectTexts.descEn': '説明（英語）',
  'objectTexts.descJa': '説明（日本語）',
  'objectTexts.settings': 'ラベルとアイコン',
  'objectTexts.badName': '英小文字で始め、英小文字・数字・_ のみ（63 文字まで）にしてください。',
  'objectTexts.nameTaken': '「{name}」という名前のオブジェクトは既にあります。',
  'objectTexts.nameHint': '英語ラベルから提案しています。レコードやリンクで使われ、後から変更できません。',
};
