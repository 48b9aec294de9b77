// 全体検索・最近のアイテム・ホーム画面の日本語 (issue 16, items 10–11)。ja.ts に展開します。
import type { searchEn } from './search-en.ts';

export const searchJa: Record<keyof typeof searchEn, string> = {
  'search.label': 'レコードを検索',
  'search.placeholder': '検索…（{shortcut}）',
  'search.results': '検索結果',
  'search.recent': '最近のアイテム',
  'search.noRecent': '開いたレコードがここに表示されます。',
  'search.searching': '検索しています…',
  'search.none': '「{q}」に一致するものはありません。',
  'search.failed': '検索できませんでした。もう一度お試しください。',
  'search.incomplete': '時間がかかったため表示していないオブジェクトがあります: {objects}',
  'search.more': '「{q}」に一致する{object}をすべて表示',
  'search.noName': '（名前なし）',
  'search.hint': '↑↓ で移動、Enter で開く、Esc で閉じる',
  'home.assigned': '自分の担当',
  'home.assignedNone': '担当している未完了のレコードはありません。',
  'home.assignedMore': '{total} 件中 {shown} 件を表示',
  'home.recent': '最近表示したレコード',
  'home.recentNone': '開いたレコードがここに表示されます。',
};
