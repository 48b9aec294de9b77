// The keys that tie a reply to the case it answers: the message ids it refers to (RFC 5322
// In-Reply-To and References), a case token in the subject ([CASE-000123], which survives
// clients that drop the headers), and a per-case reply address (support+case-123@…, RFC 5233
// subaddressing, which survives clients that drop both). Pure: looking the keys up is the
// caller's job.
import type { InboundMail, MailAddress } from './parse.ts';

export interface ThreadOptions {
  /** The word in subject tokens, [CASE-000123] (default CASE; matched in any case). */
  casePrefix?: string;
  /** The tag in reply addresses, support+case-123@… (default case). */
  plusTag?: string;
  /** Our mailbox addresses; when given, only plus-addresses on one of them count. */
  mailboxes?: string[];
}

export interface ThreadKeys {
  /** Referenced message ids, most specific first: In-Reply-To, then References newest first. */
  messageIds: string[];
  /** Case numbers named by subject tokens, in order of appearance. */
  subjectCases: number[];
  /** Case numbers named by plus-addresses among the recipients. */
  addressCases: number[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Japanese input methods turn brackets and digits full-width: ［ＣＡＳＥ－０００１２３］ is the same token.
const halfWidth = (s: string) => s.normalize('NFKC');

/** Case numbers in a subject: [CASE-000123] → 123 (brackets and digits may be full-width). */
export function subjectCaseNumbers(subject: string, prefix = 'CASE'): number[] {
  const token = new RegExp(`\\[\\s*${escapeRegExp(halfWidth(prefix))}\\s*[-_#:]?\\s*(\\d{1,12})\\s*\\]`, 'giu');
  return [...halfWidth(subject).matchAll(token)].map((m) => Number(m[1]));
}

/** The case number in a plus-address (support+case-123@example.com → 123), or null. */
export function addressCaseNumber(address: string, tag = 'case', mailboxes?: string[]): number | null {
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  const m = new RegExp(`^([^+]+)\\+${escapeRegExp(tag)}[-_.]?(\\d{1,12})$`, 'i').exec(local);
  if (!m) return null;
  if (mailboxes?.length && !mailboxes.some((box) => box.toLowerCase() === `${m[1]}@${domain}`.toLowerCase())) return null;
  return Number(m[2]);
}

export function threadKeys(mail: InboundMail, options: ThreadOptions = {}): ThreadKeys {
  const messageIds = unique([...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()]);
  // The envelope recipient is where a Bcc'd or forwarded copy was really delivered.
  const envelope: MailAddress[] = mail.headers
    .filter((h) => h.name === 'delivered-to' || h.name === 'x-original-to')
    .map((h) => ({ address: h.value.replace(/^<|>$/g, '').trim(), name: '' }));
  const addressCases = unique(
    [...mail.to, ...mail.cc, ...envelope]
      .map((a) => addressCaseNumber(a.address, options.plusTag, options.mailboxes))
      .filter((n): n is number => n !== null),
  );
  return { messageIds, subjectCases: unique(subjectCaseNumbers(mail.subject, options.casePrefix)), addressCases };
}

function unique<T>(list: T[]): T[] {
  return [...new Set(list)];
}
