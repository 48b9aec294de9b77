// The calendar panel's texts (useMessages from kizuna/studio picks the studio's locale).
export const messages = {
  en: {
    title: 'Coming days',
    loading: 'Loading…',
    closed: 'Closed',
    holiday: 'Public holiday',
    exception: 'Exception',
    dueTitle: 'Due date check',
    minutes: 'Business minutes from now',
    check: 'Check',
    due: 'Due {when} ({zone})',
    earlier: 'Earlier',
    later: 'Later',
  },
  ja: {
    title: '今後の営業日',
    loading: '読み込み中…',
    closed: '休業',
    holiday: '祝日',
    exception: '例外',
    dueTitle: '期限の確認',
    minutes: '現在からの営業時間（分）',
    check: '確認',
    due: '期限：{when}（{zone}）',
    earlier: '前へ',
    later: '次へ',
  },
};

/** Weekday names, Monday first, as the API names them. */
export const weekdayNames = {
  en: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
  ja: { mon: '月', tue: '火', wed: '水', thu: '木', fri: '金', sat: '土', sun: '日' },
} as const;
