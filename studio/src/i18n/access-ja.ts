// 権限に応じたスタジオ（issue 16 項目 6）の日本語：「アクセス権がありません」のページと、
// 種類（type）で名前を付けるサーバーの問題。ja.ts に展開します。
export const accessJa = {
  'access.title': 'アクセス権がありません',
  'access.object': '「{object}」へのアクセス権がありません。必要な場合は管理者に依頼してください。',
  'access.record': 'このレコードへのアクセス権がありません。必要な場合は管理者に依頼してください。',
  'access.create': '「{object}」のレコードを作成する権限がありません。必要な場合は管理者に依頼してください。',
  'access.checking': 'アクセス権を確認しています…',
  'problem.notFoundRecord': 'このレコードは存在しないか、削除されています。',
  'problem.unknown': 'サーバーが要求を受け付けませんでした（{status}）。',
  'problem.withField': '{message}（{field}）',
  'problem.network': 'サーバーに接続できませんでした。',
  'import.problem.encodingJis': 'ファイルが ISO-2022-JP（JIS）です。UTF-8 か Shift_JIS で保存し直してください。',
  'import.problem.encodingMismatch': 'ファイルが選んだ文字コードではありません。Shift_JIS（cp932）を選ぶか、自動判定にしてください。',
  'import.problem.encodingUndetected': 'ファイルの文字コードを判定できませんでした。UTF-8 で保存し直すか、文字コードを選んでください。',
  'access.notDeleted': '{count} 件は削除されませんでした：{reason}',
  'check.server': 'この値は受け付けられませんでした。',
};
