// Storing one inbound mail (issue 20): parse → classify → thread → write, in one transaction
// with the mailbox's checkpoint, so a crash either keeps the message and its checkpoint or
// neither. A mail already stored (same mailbox and Message-ID, or same bytes without one) is
// not stored again: that is what makes a replay after a crash or a UIDVALIDITY change safe.
import { createHash } from 'node:crypto';
import type { PluginContext, PluginRecords } from 'kizuna/plugin';
import { parseMail, type InboundMail } from './parse.ts';
import { classifyAuto } from './auto.ts';
import { scoreSpam } from './spam.ts';
import { threadKeys } from './thread.ts';

/** A mailbox as the intake reads it (the mail_channel record). */
export interface Channel {
  id: string;
  name: string;
  address?: string | null;
}

/** Where the mail was read: written as the mailbox's checkpoint with the stored records. */
export interface Position {
  uidvalidity: string;
  uid: number;
}

export type IntakeOutcome =
  | { kind: 'case'; message: string; case: string }
  | { kind: 'reply'; message: string; case: string; reopened: boolean }
  | { kind: 'flagged'; message: string; flag: 'auto' | 'spam' }
  | { kind: 'duplicate'; message: string };

// Case statuses whose `closed` option marks them done in case.json; a reply reopens them.
const DONE = new Set(['resolved', 'closed']);
const CASE_NUMBER_FORMAT = (n: number) => `CASE-${String(n).padStart(6, '0')}`;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * One message per mailbox and mail: the Message-ID, or the bytes when there is none; a
 * Message-ID longer than the key field holds is hashed (a key refused on write would stop the
 * mailbox at that mail for good).
 */
export const mailKey = (channel: string, mail: InboundMail, raw: Buffer): string => {
  const id = mail.messageId;
  return `${channel}:${id === null ? `sha256:${sha256(raw)}` : id.length > 900 ? `sha256-id:${sha256(id)}` : id}`;
};

// long_text holds 65,535 characters: a longer body is cut (warning body_truncated) rather than
// refused, which would stop the mailbox at that mail.
const LONG_TEXT = 65_535;
// Lengths are in code points (as the field's JSON Schema counts them), and a cut never ends
// on half of a surrogate pair: PostgreSQL refuses a lone surrogate in JSON (an emoji at the cut).
function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('');
}

const one = async (records: PluginRecords, object: string, filter: unknown, fields: string) =>
  (await records.list(object, { filter: JSON.stringify(filter), fields, limit: '1', sort: '-created_at' })).data[0] as
    Record<string, unknown> | undefined;

/** The case a reply belongs to: a referenced message's case, else a [CASE-…] or plus-address number. */
async function caseOf(records: PluginRecords, mail: InboundMail, mailboxes: string[]): Promise<Record<string, unknown> | undefined> {
  const keys = threadKeys(mail, { mailboxes: mailboxes.length ? mailboxes : undefined });
  if (keys.messageIds.length) {
    const page = await records.list('message', {
      filter: JSON.stringify({ mail_message_id: { in: keys.messageIds.slice(0, 50) }, case: { is_null: false } }),
      fields: 'case,mail_message_id',
      limit: '50',
    });
    // Most specific reference first: In-Reply-To, then References newest first.
    for (const id of keys.messageIds) {
      const hit = page.data.find((m) => m.mail_message_id === id);
      if (hit?.case) return one(records, 'case', { id: { eq: hit.case } }, 'id,status');
    }
  }
  for (const n of [...keys.subjectCases, ...keys.addressCases]) {
    const c = await one(records, 'case', { number: { eq: CASE_NUMBER_FORMAT(n) } }, 'id,status');
    if (c) return c;
  }
  return undefined;
}

const addressList = (mail: InboundMail) => fit(mail.to.map((a) => a.address).join(', '), 255) || null;

/**
 * Stores one raw mail read at `at` from `channel`, with the checkpoint, in one transaction.
 * `ctx.asPlugin` writes: the records are the plugin's, whoever asked for the poll.
 */
export async function storeMail(ctx: PluginContext, channel: Channel, raw: Buffer, at: Position): Promise<IntakeOutcome> {
  const mail = await parseMail(raw);
  const key = mailKey(channel.id, mail, raw);
  const own = channel.address ? [channel.address] : [];
  const auto = classifyAuto(mail, { ownAddresses: own });
  const spam = scoreSpam(mail);
  return ctx.transaction(async (_records, records) => {
    const checkpoint = () =>
      records.maintain('mail_channel', [{ id: channel.id, values: { uidvalidity: at.uidvalidity, last_uid: at.uid } }]);
    const seen = await one(records, 'message', { mail_key: { eq: key } }, 'id');
    if (seen) {
      await checkpoint();
      return { kind: 'duplicate', message: String(seen.id) };
    }
    const sender = mail.from?.address ?? null;
    const contact = sender ? await one(records, 'contact', { email: { eq: sender } }, 'id') : undefined;
    const body = fit(mail.text, LONG_TEXT);
    const warnings = body.length < mail.text.length ? [...mail.warnings, 'body_truncated'] : mail.warnings;
    const base = {
      subject: fit(mail.subject, 255) || null,
      body,
      channel: 'email',
      direction: 'inbound',
      from_address: sender === null ? null : fit(sender, 255),
      to_address: addressList(mail),
      occurred_at: (mail.date ?? new Date()).toISOString(),
      contact: contact?.id ?? null,
      mail_message_id: mail.messageId ? fit(mail.messageId, 998) : null,
      mail_in_reply_to: mail.inReplyTo ? fit(mail.inReplyTo, 998) : null,
      mail_key: key,
      mail_channel: channel.id,
      mail_warnings: warnings,
    };
    const existing = await caseOf(records, mail, own);
    // A reply to a known case is threaded even when it is automatic (an out-of-office answer
    // to our reply belongs on the case), but it never reopens the case then.
    const flag: 'auto' | 'spam' | null = spam.spam ? 'spam' : !auto.createCase ? 'auto' : null;
    if (flag && !(existing && flag === 'auto')) {
      const reason =
        flag === 'spam' ? `score ${spam.score}: ${spam.hits.map((h) => h.rule).join(', ')}` : `${auto.kind}: ${auto.reason ?? ''}`;
      const m = await records.create('message', { ...base, mail_flag: flag, mail_flag_reason: fit(reason, 500) });
      await checkpoint();
      return { kind: 'flagged', message: String(m.id), flag };
    }
    if (existing) {
      const m = await records.create('message', {
        ...base,
        case: existing.id,
        ...(flag && { mail_flag: flag, mail_flag_reason: auto.kind }),
      });
      const reopen = !flag && DONE.has(String(existing.status));
      if (reopen) {
        await records.update(
          'case',
          String(existing.id),
          { status: 'open' },
          { note: { en: 'Reopened by a reply by email', ja: 'メールの返信により再オープン' } },
        );
      }
      await checkpoint();
      return { kind: 'reply', message: String(m.id), case: String(existing.id), reopened: reopen };
    }
    const c = await records.create('case', {
      subject: fit(mail.subject, 255) || '(no subject)',
      description: body,
      channel: 'email',
      contact: contact?.id ?? null,
    });
    const m = await records.create('message', { ...base, case: c.id });
    await checkpoint();
    return { kind: 'case', message: String(m.id), case: String(c.id) };
  });
}
