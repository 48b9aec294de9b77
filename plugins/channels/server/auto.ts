// Is an inbound message from a machine rather than a person? Such mail never gets an
// automatic reply (two auto-responders answering each other is a mail loop), and bounces,
// out-of-office notes and bulk mail do not open cases. Sources: RFC 3834 (Auto-Submitted,
// and "do not respond to" list, bulk and null-sender mail), RFC 3464/6522 (delivery status
// reports), RFC 8098 (read receipts), RFC 2369/2919 (List-* headers), and the de-facto headers
// Microsoft Exchange (X-Auto-Response-Suppress) and other responders (X-Autoreply,
// X-Autorespond) set on their own replies.
import type { InboundMail } from './parse.ts';

export type AutoKind = 'human' | 'loop' | 'bounce' | 'receipt' | 'auto_reply' | 'bulk' | 'list';

export interface AutoClassification {
  kind: AutoKind;
  /** Which header or part decided, e.g. `auto-submitted: auto-replied` (null for human mail). */
  reason: string | null;
  /** May this message open a new case? (A reply to an existing case is threading's business.) */
  createCase: boolean;
  /** May we send it an automatic reply? Only human mail may ever get one. */
  autoReply: boolean;
}

export interface AutoOptions {
  /** Our own addresses (the mailboxes): mail from them is our own mail coming back. */
  ownAddresses?: string[];
  /** The domain in the Message-IDs we generate (`<…@this>`): such an id coming in is a loop. */
  ownMessageIdDomain?: string;
  /** The header we put on every message we send (default x-kizuna-loop). */
  loopHeader?: string;
}

const DEFAULT_LOOP_HEADER = 'x-kizuna-loop';

// Subjects auto-responders and MTAs use when they set no header. English and Japanese
// (Outlook, Gmail, Exchange, Postfix, Exim, qmail, sendmail, Japanese mailers).
// A subject only counts with its delimiter ("Automatic reply:", 【自動返信】), so that a
// customer writing "Auto reply not working" still opens a case.
const AUTO_REPLY_SUBJECT =
  /^\s*[【\[(（]?\s*(automatic\s+reply|auto[- ]?reply|auto[- ]?response|autoantwort|out\s+of\s+(the\s+)?office(\s+auto\s?reply)?|abwesenheitsnotiz|自動(応答|返信)(メール)?|不在(通知|のお知らせ))\s*[:：】\])）]/i;
const BOUNCE_SUBJECT =
  /^\s*(undeliver(able|ed)|delivery (status notification|failure|has failed|notification: delivery has failed)|mail delivery (failed|failure|subsystem)|returned mail|failure notice|non[- ]?delivery|配信(不能|エラー|失敗)|送信(不能|エラー))/i;
const MAILER_DAEMON = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)$/i;

/** Classify a parsed message; pure (no I/O), so it can run before anything is stored. */
export function classifyAuto(mail: InboundMail, options: AutoOptions = {}): AutoClassification {
  const header = (name: string) => mail.headers.filter((h) => h.name === name).map((h) => h.value);
  const first = (name: string) => header(name)[0]?.trim() ?? '';
  const machine = (kind: AutoKind, reason: string): AutoClassification => ({
    kind,
    reason,
    createCase: kind === 'list',
    autoReply: false,
  });

  // Our own mail coming back (a forward rule pointing at us, or a customer's responder
  // answering our auto-reply with it quoted): checked first, it is the costliest mistake.
  const loopHeader = (options.loopHeader ?? DEFAULT_LOOP_HEADER).toLowerCase();
  if (header(loopHeader).length) return machine('loop', `${loopHeader} header`);
  const own = new Set((options.ownAddresses ?? []).map((a) => a.toLowerCase()));
  if (mail.from && own.has(mail.from.address.toLowerCase())) return machine('loop', `from our own address ${mail.from.address}`);
  const idDomain = options.ownMessageIdDomain?.toLowerCase();
  if (idDomain && mail.messageId?.toLowerCase().endsWith(`@${idDomain}`)) return machine('loop', 'our own message-id');

  // Delivery status notifications: the report's MIME type is what RFC 3464 guarantees; the
  // sender and subject catch the MTAs that send a plain-text bounce.
  // Only this message's own parts: a customer forwarding a bounce they got is a person asking.
  const types = mail.parts.filter((p) => !p.inMessage).map((p) => p.contentType);
  if (types.includes('message/delivery-status') || types.includes('message/global-delivery-status'))
    return machine('bounce', 'message/delivery-status part');
  if (/^multipart\/report\b/i.test(first('content-type')) && /report-type\s*=\s*"?(global-)?delivery-status/i.test(first('content-type')))
    return machine('bounce', 'multipart/report; report-type=delivery-status');
  const returnPath = header('return-path');
  const local = mail.from?.address.split('@')[0] ?? '';
  if (MAILER_DAEMON.test(local)) return machine('bounce', `from ${mail.from?.address}`);
  if (returnPath.some((v) => /^<\s*>$/.test(v.trim())) && BOUNCE_SUBJECT.test(mail.subject))
    return machine('bounce', 'null return-path and a bounce subject');
  if (types.includes('message/disposition-notification')) return machine('receipt', 'message/disposition-notification part');

  // RFC 3834: any Auto-Submitted value other than "no" (auto-replied, auto-generated, auto-notified).
  const autoSubmitted = first('auto-submitted').toLowerCase().split(';')[0].trim();
  if (autoSubmitted && autoSubmitted !== 'no') return machine('auto_reply', `auto-submitted: ${autoSubmitted}`);
  const suppress = first('x-auto-response-suppress').toLowerCase();
  if (/\b(all|oof|autoreply)\b/.test(suppress)) return machine('auto_reply', `x-auto-response-suppress: ${suppress}`);
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autogenerated'])
    if (header(name).length) return machine('auto_reply', `${name} header`);
  if (AUTO_REPLY_SUBJECT.test(mail.subject)) return machine('auto_reply', 'auto-reply subject');

  const precedence = first('precedence').toLowerCase();
  if (precedence === 'bulk' || precedence === 'junk') return machine('bulk', `precedence: ${precedence}`);
  // Mailing-list mail: a list may carry a real question, so it may open a case, but RFC 3834
  // forbids answering it automatically (the answer would go to the whole list).
  if (precedence === 'list') return machine('list', 'precedence: list');
  if (header('list-id').length) return machine('list', 'list-id header');
  if (header('list-unsubscribe').length) return machine('list', 'list-unsubscribe header');
  // RFC 3834 2: no automatic answer to a message without a return path.
  if (returnPath.some((v) => /^<\s*>$/.test(v.trim())))
    return { kind: 'human', reason: 'null return-path', createCase: true, autoReply: false };

  return { kind: 'human', reason: null, createCase: true, autoReply: true };
}
