// ワークフローデザイナーの下書きと問題、プラグイン設定（issue 16 の 12・13）の文言。ja.ts に展開します。
import type { wfplugEn } from './wfplug-en.ts';

export const wfplugJa: Record<keyof typeof wfplugEn, string> = {
  'wf.problem.emptyOption': '値を選んでください',
  'wf.publishRefused': '公開する前に下書きの問題（{n} 件）を直してください。下書きは保存されています。',
  'wf.savedWithProblems': '下書きを保存しました（問題 {n} 件）。公開する前に直してください。',
  'wf.recordGone': '参照できないレコード',
  'wf.chooseValue': '値を選んでください…',
  'plugins.settingsForm': '{plugin} の設定',
  'plugins.settingsInvalid': '設定を確認してください：{fields}',
  'plugins.settingsNone': 'このプラグインに設定はありません。',
  'plugins.settingsDefault': '既定値：{value}',
  'plugins.addValue': '値を追加',
  'schema.problem.maxLength': '{n} 文字以内にしてください',
  'schema.problem.maxItems': '{n} 件以内にしてください',
  'schema.problem.pattern': '形式が正しくありません（{pattern}）',
};
