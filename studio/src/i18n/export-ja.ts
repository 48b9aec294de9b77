// エクスポートダイアログの選択肢（issue 16 の 7）：列、関連レコードとユーザー、選択肢の書き方。ja.ts に展開します。
import type { exportEn } from './export-en.ts';

export const exportJa: Record<keyof typeof exportEn, string> = {
  'export.columnSet': '列',
  'export.columnSet.shown': '今表示している列（{count} 列）',
  'export.columnSet.all': 'すべての項目',
  'export.columnSet.view': '保存したビューの列',
  'export.columnSet.viewPick': '保存したビュー',
  'export.relations': '関連レコードとユーザー',
  'export.relations.names': '名前（名前でインポートし直せます）',
  'export.relations.ids': 'レコード ID',
  'export.relations.hint':
    '複数のレコードやユーザーに共通する名前と、閲覧できないレコードは ID で書き出すので、ファイルはそのままインポートし直せます。',
  'export.options.hint': '選択肢は見出しの言語のラベルで、API 名のときは値で書き出します。',
};
