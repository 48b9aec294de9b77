// Numbers of an import as people read them: sizes, rates, remaining time, encodings.
export function formatBytes(n: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString(locale, { maximumFractionDigits: i ? 1 : 0 })} ${units[i]}`;
}

/** "1:05:09" / "4:09" / "0:07" — for an ETA. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** Names people know the encodings by (the server speaks iconv-lite names). */
export const ENCODING_LABELS: Record<string, string> = {
  'utf-8': 'UTF-8',
  cp932: 'Shift_JIS (CP932)',
  shift_jis: 'Shift_JIS',
  'euc-jp': 'EUC-JP',
  'utf-16le': 'UTF-16 LE',
  'utf-16be': 'UTF-16 BE',
};
export const encodingLabel = (e: string | null) => (e ? (ENCODING_LABELS[e] ?? e.toUpperCase()) : '—');

/** The delimiters POST /api/imports accepts, as the query parameter wants them. */
export const DELIMITERS: { value: string; param: string }[] = [
  { value: ',', param: ',' },
  { value: '\t', param: 'tab' },
  { value: ';', param: ';' },
  { value: '|', param: '|' },
];
