// A reply's new text apart from the history it quotes and the signature under it, so the
// case view can show what is new (the full text is always kept and one click away).
// Conventions recognised, English and Japanese mail clients:
//   - the attribution line before a quote: "On Tue, 8 Dec 2026 at 10:00, Yamada <…> wrote:",
//     "2026年12月8日(火) 10:00 山田 <…>:", "…さんは書きました:", "… wrote:" split over two lines;
//   - Outlook's header block ("-----Original Message-----", "From:/Sent:", "差出人:/送信日時:",
//     a line of underscores), Gmail's "---------- Forwarded message ---------";
//   - a trailing block of "> " lines;
//   - the signature: the RFC 3676 delimiter "-- ", Japanese mail's 以上 closing the message,
//     and a ruled line (━━━, ───, ====, ****) opening a signature block near the end.
export interface SplitBody {
  /** The new text: what the case view shows. */
  body: string;
  /** The quoted history from its first line (attribution included), or '' when there is none. */
  quoted: string;
  /** The signature, or '' when none was recognised. */
  signature: string;
  /** The text as received. */
  full: string;
}

const ATTRIBUTION = [
  /^\s*on\b.{0,200}\bwrote\s*:\s*$/i,
  /^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,200}[:：]\s*$/,
  /^\s*\d{4}[/-]\d{1,2}[/-]\d{1,2}.{0,200}(wrote|書きました|書き込みました)\s*[:：]\s*$/i,
  /^.{1,200}(さんは書きました|さんが書きました|wrote)\s*[:：]\s*$/i,
  /^\s*(le|am|el)\b.{0,200}(a écrit|schrieb|escribió)\s*:\s*$/i,
];
const SEPARATOR = [
  /^\s*-{2,}\s*(original message|forwarded message|元のメッセージ|転送されたメッセージ|オリジナルメッセージ)\s*-{2,}\s*$/i,
  /^\s*_{10,}\s*$/,
];
// Outlook puts a header block above the quoted message: From: then Sent:/Date: within a few lines.
const OUTLOOK_FROM = /^\s*\*?(from|差出人|送信者)\s*\*?\s*[:：]/i;
const OUTLOOK_SENT = /^\s*\*?(sent|date|送信日時|日時|日付)\s*\*?\s*[:：]/i;
const QUOTED = /^\s*(>|＞)/;
const SIG_DASHES = /^-- ?$/;
const CLOSING = /^\s*以上\s*[。.]?\s*$/;
const RULE = /^\s*([━─―=＝*＊~〜_-])\1{9,}\s*$/;
// A ruled line this close to the end opens a signature block (names, company, phone, address).
const SIGNATURE_BLOCK_LINES = 12;

export function splitQuoted(text: string): SplitBody {
  const full = text;
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const quoteAt = quoteStart(lines);
  const head = lines.slice(0, quoteAt);
  const sigAt = signatureStart(head);
  const body = head.slice(0, sigAt).join('\n').trim();
  // Nothing new left (a forward with no note, or a rule misfiring): show everything.
  if (!body) return { body: full.trim(), quoted: '', signature: '', full };
  return {
    body,
    quoted: lines.slice(quoteAt).join('\n').trim(),
    signature: head.slice(sigAt).join('\n').trim(),
    full,
  };
}

/** Index of the first line of the quoted history (lines.length when there is none). */
function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (SEPARATOR.some((r) => r.test(line))) return i;
    if (ATTRIBUTION.some((r) => r.test(line))) return i;
    // "On Tue, 8 Dec 2026 at 10:00, A Very Long Name <someone@example.com>\nwrote:"
    if (/^\s*on\b/i.test(line) && /^\s*wrote\s*:\s*$/i.test(lines[i + 1] ?? '')) return i;
    if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => OUTLOOK_SENT.test(l))) return i;
  }
  // A trailing quote: from the first quoted line after which nothing but quotes and blank
  // lines follow. Answers written between quoted lines (inline replies) stay in the body.
  let start = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (QUOTED.test(lines[i])) start = i;
    else if (lines[i].trim()) break;
  }
  return start;
}

/** Index of the first line of the signature in the new text (lines.length when none). */
function signatureStart(lines: string[]): number {
  const dashes = lines.findIndex((l) => SIG_DASHES.test(l));
  if (dashes >= 0) return dashes;
  // 以上 closes the message proper: it stays in the body, what follows is the signature.
  for (let i = lines.length - 1; i >= 0; i--) if (CLOSING.test(lines[i])) return i + 1;
  for (let i = Math.max(0, lines.length - SIGNATURE_BLOCK_LINES); i < lines.length; i++) if (RULE.test(lines[i])) return i;
  return lines.length;
}
