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
};
