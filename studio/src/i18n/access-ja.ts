// 権限に応じたスタジオ（issue 16 項目 6）の日本語：「アクセス権がありません」のページと、
// 種類（type）で名前を付けるサーバーの問題。ja.ts に展開します。
export const accessJa = {
  'access.title': 'アクセス権がありません',
  'access.page': 'このページは管理者向けです。必要な場合は管理者に依頼してください。',
  'access.object': '「{object}」へのアクセス権がありません。必要な場合は管理者に依頼してください。',
  'access.record': 'このレコードへのアクセス権がありません。必要な場合は管理者に依頼してください。',
  'access.create': '「{object}」のレコードを作成する権限がありません。必要な場合は管理者に依頼してください。',
  'access.checking': 'アクセス権を確認しています…',
  'problem.notFoundRecord': 'このレコードは存在しないか、削除されています。',
  'problem.unknown': 'サーバーが要求を受け付けませんでした（{status}）。',
  'problem.withField': '{message}（{field}）',
  'problem.network': 'サーバーに接続できませんでした。',
  'check.server': 'この値は受け付けられませんでした。',
};
