// Raw inbound mail (RFC 5322 bytes, as IMAP or SMTP hand them over) → one normalized
// InboundMail. mailparser does the MIME work (charsets through iconv-lite/encoding-japanese,
// RFC 2047 words, RFC 2231 parameters, transfer encodings); this module adds what intake needs
// on top: limits, sanitized HTML, a text body for HTML-only mail, charset detection where a
// message did not say (or lied), and warnings instead of exceptions. A mail is never lost:
// whatever happens, parseMail returns something to store, with the reason in `warnings`.
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import { decodeDetected, detectCharset, hasJisEscape, isUtf8 } from './charset.ts';
import { sanitizeMailHtml, textOfHtml } from './html.ts';
import { inspectStructure, knownCharset, type MimePart } from './structure.ts';

export interface MailAddress {
  /** The address as written (mailparser lower-cases nothing; compare case-insensitively). */
  address: string;
  /** The display name, RFC 2047 decoded ('' when there is none). */
  name: string;
}

export interface InboundAttachment {
  /** Decoded (RFC 2231 / RFC 2047) file name, or one made up from the type when there was none. */
  filename: string;
  contentType: string;
  /** Decoded size in bytes (also when the content was left out for being too large). */
  size: number;
  /** The bytes, or null when over a size limit (see the attachment_too_large warning). */
  content: Buffer | null;
  /** Content-ID without angle brackets: the sanitized HTML refers to inline images as cid:<this>. */
  contentId: string | null;
  /** Shown inside the HTML (an inline image) rather than offered as a download. */
  inline: boolean;
}

/** A forwarded or bounced message carried inside this one (message/rfc822). */
export interface NestedMail {
  subject: string;
  from: MailAddress | null;
  date: Date | null;
  messageId: string | null;
  text: string;
}

export interface MailHeader {
  /** Lower case. */
  name: string;
  /** Unfolded, as written (encoded words left as they are). */
  value: string;
}

export interface InboundMail {
  /** Message-ID without angle brackets, or null when the message has none. */
  messageId: string | null;
  inReplyTo: string | null;
  /** References, oldest first, without angle brackets. */
  references: string[];
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  subject: string;
  /** From the Date header; null when missing or unreadable (warning missing_date / invalid_date). */
  date: Date | null;
  /** The text body: the text/plain parts, or the HTML's text when there are none. */
  text: string;
  /** Sanitized HTML, or null when the mail has no HTML part. */
  html: string | null;
  attachments: InboundAttachment[];
  nested: NestedMail[];
  /** The top-level header lines, in order (for auto-reply, loop and spam checks). */
  headers: MailHeader[];
  /** The MIME outline. */
  parts: MimePart[];
  /** Bytes of the raw message. */
  size: number;
  /**
   * What could not be read as declared, as keywords: unknown_charset, undeclared_charset,
   * charset_mismatch, undecodable_characters, bad_transfer_encoding, broken_boundary, missing_content_type, malformed_content_type, unknown_transfer_encoding,
   * unparseable_structure, unparseable, missing_date, invalid_date, attachment_too_large,
   * attachments_over_limit, message_too_large, html_remote_content_blocked, nested_too_deep.
   */
  warnings: string[];
}

export interface ParseLimits {
  /**
   * Bytes of a message that are parsed; beyond it the rest is left unread (warning
   * message_too_large). The caller keeps the raw message whole: nothing is lost, only not shown.
   */
  maxMessageBytes: number;
  /** An attachment larger than this keeps its name, type and size, but not its bytes. */
  maxAttachmentBytes: number;
  /** Attachment bytes kept per message; later attachments beyond it are left out the same way. */
  maxTotalAttachmentBytes: number;
  /** How deep forwarded messages inside messages are opened. */
  maxNesting: number;
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxMessageBytes: 50 * 1024 * 1024,
  maxAttachmentBytes: 10 * 1024 * 1024,
  maxTotalAttachmentBytes: 25 * 1024 * 1024,
  maxNesting: 3,
};

const MAX_HEADERS = 500;

/** Parse raw mail bytes. Never throws. */
export async function parseMail(raw: Buffer, limits: Partial<ParseLimits> = {}): Promise<InboundMail> {
  return parseAt(raw, { ...DEFAULT_LIMITS, ...limits }, 0);
}

async function parseAt(whole: Buffer, limits: ParseLimits, depth: number): Promise<InboundMail> {
  const warnings = new Set<string>();
  // mailparser holds a message and its decoded parts in memory: a bound keeps one huge
  // message from taking the process down with it.
  const raw = whole.length > limits.maxMessageBytes ? whole.subarray(0, limits.maxMessageBytes) : whole;
  if (raw !== whole) warnings.add('message_too_large');
  const structure = await inspectStructure(raw);
  structure.warnings.forEach((w) => warnings.add(w));

  const { bytes, recoded } = recodeRawHeaders(raw, charsetHint(structure.parts));
  if (recoded) warnings.add('undeclared_charset');
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(bytes, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch {
    // Nothing mailparser could read: keep the bytes as text so that no mail is lost.
    warnings.add('unparseable');
    return emptyMail(whole, structure.parts, decodeDetectedOrUtf8(raw), [...warnings]);
  }

  let text = parsed.text ?? '';
  let rawHtml = typeof parsed.html === 'string' ? parsed.html : null;
  for (const part of structure.undeclared) {
    // Decode the part in the charset its bytes look like (or EUC-JP with the WHATWG decoder)
    // and put that in place of the mojibake mailparser made of it.
    const eucJp = !!part.charset && /euc/i.test(part.charset);
    if (!part.charset) warnings.add('undeclared_charset');
    else if (!eucJp && knownCharset(part.charset) && !warnings.has('bad_transfer_encoding')) warnings.add('charset_mismatch');
    const lossy = part.misread.replace(/\r\n/g, '\n');
    const decoded = (eucJp ? new TextDecoder('euc-jp').decode(part.bytes) : decodeDetectedOrUtf8(part.bytes)).replace(/\r\n/g, '\n');
    if (decoded.includes('\ufffd')) warnings.add('undecodable_characters');
    if (part.contentType === 'text/html' && rawHtml?.includes(lossy)) rawHtml = rawHtml.replace(lossy, () => decoded);
    else if (text.includes(lossy)) text = text.replace(lossy, () => decoded);
  }

  let html: string | null = null;
  if (rawHtml !== null) {
    const safe = sanitizeMailHtml(rawHtml);
    html = safe.html;
    if (safe.remoteBlocked) warnings.add('html_remote_content_blocked');
    if (!text.trim()) text = textOfHtml(safe.html);
  }

  const { attachments, nestedRaw } = keepAttachments(parsed.attachments, limits, warnings);
  const nested: NestedMail[] = [];
  for (const [i, one] of nestedRaw.entries()) {
    if (depth + 1 > limits.maxNesting) {
      warnings.add('nested_too_deep');
      break;
    }
    const inner = await parseAt(one.content, limits, depth + 1);
    nested.push({ subject: inner.subject, from: inner.from, date: inner.date, messageId: inner.messageId, text: inner.text });
    one.attachment.filename = emlName(inner.subject, i);
  }
  // A message that is only a forward (message/rfc822 as the whole body) has no text of its own.
  if (!text.trim() && nested.length) text = nested[0].text;

  const headers = headersOf(parsed);
  const date = dateOf(headers, warnings);
  return {
    messageId: bareId(parsed.messageId),
    inReplyTo: firstId(parsed.inReplyTo),
    references: idsOf(parsed.references),
    from: addressesOf(parsed.from)[0] ?? null,
    to: addressesOf(parsed.to),
    cc: addressesOf(parsed.cc),
    replyTo: addressesOf(parsed.replyTo),
    subject: parsed.subject ?? '',
    date,
    text,
    html,
    attachments,
    nested,
    headers,
    parts: structure.parts,
    size: whole.length,
    warnings: [...warnings],
  };
}

/**
 * The top-level header lines that carry raw 8-bit text, rewritten as RFC 2047 encoded words,
 * which mailparser decodes reliably. Two cases: bytes that are not UTF-8 (Shift_JIS or EUC-JP
 * written straight into Subject or From by an old client; raw 7-bit ISO-2022-JP) are decoded in
 * the charset they look like; and raw UTF-8 (RFC 6532), which mailparser reads as latin1 and
 * trims, so a value ending in ① (E2 91 A0: A0 is a latin1 space) lost its last character.
 * Only the header block is touched; the rest of the message is passed on byte for byte.
 */
function recodeRawHeaders(raw: Buffer, hint: string | null): { bytes: Buffer; recoded: boolean } {
  const end = headerEnd(raw);
  const head = raw.subarray(0, end);
  if (!head.some((b) => b >= 0x80 || b === 0x1b)) return { bytes: raw, recoded: false };
  const lines: Buffer[] = [];
  for (let start = 0; start < head.length;) {
    const nl = head.indexOf(0x0a, start);
    const stop = nl < 0 ? head.length : nl + 1;
    lines.push(head.subarray(start, stop));
    start = stop;
  }
  const foreign = lines.filter((l) => !isUtf8(l) || hasJisEscape(l));
  const sample = Buffer.concat(foreign);
  // Raw header bytes are, in practice, in the charset the body declares (EUC-KR bytes are
  // also valid EUC-JP, so detection alone cannot tell them apart).
  const charset = !foreign.length ? 'utf-8' : hint && !decodeDetected(sample, hint).includes('\ufffd') ? hint : detectCharset(sample);
  const rewritten = lines.map((l) => {
    if (!l.some((b) => b >= 0x80 || b === 0x1b)) return l;
    const text = foreign.includes(l) ? decodeDetected(l, charset) : l.toString('utf8');
    return Buffer.from(
      text.replace(NON_ASCII_RUN, (run) => `=?UTF-8?B?${Buffer.from(run).toString('base64')}?=`),
      'utf8',
    );
  });
  return { bytes: Buffer.concat([...rewritten, raw.subarray(end)]), recoded: foreign.length > 0 };
}

// Non-ASCII words with the blanks between them: one encoded word, so the blanks survive
// (white space between two encoded words is dropped when they are decoded, RFC 2047 6.2).
const NON_ASCII_RUN = /[^\x00-\x7f]+(?:[ \t]+[^\x00-\x7f]+)*/g;

/** The first legacy charset a part declares (not UTF-8 or ASCII), if the decoder knows it. */
function charsetHint(parts: MimePart[]): string | null {
  const declared = parts.map((p) => p.charset).find((c) => c && knownCharset(c) && !/^(utf-?8|us-?ascii|ascii)$/i.test(c));
  return declared ? declared.toLowerCase() : null;
}

/** Offset just past the header block (the first empty line), or the end when there is none. */
function headerEnd(raw: Buffer): number {
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  const ends = [lf < 0 ? -1 : lf + 2, crlf < 0 ? -1 : crlf + 4].filter((n) => n >= 0);
  return ends.length ? Math.min(...ends) : raw.length;
}

function decodeDetectedOrUtf8(raw: Buffer): string {
  return isUtf8(raw) && !hasJisEscape(raw) ? raw.toString('utf8') : decodeDetected(raw, detectCharset(raw));
}

function emptyMail(raw: Buffer, parts: MimePart[], text: string, warnings: string[]): InboundMail {
  return {
    messageId: null,
    inReplyTo: null,
    references: [],
    from: null,
    to: [],
    cc: [],
    replyTo: [],
    subject: '',
    date: null,
    text,
    html: null,
    attachments: [],
    nested: [],
    headers: [],
    parts,
    size: raw.length,
    warnings,
  };
}

function keepAttachments(list: Attachment[], limits: ParseLimits, warnings: Set<string>) {
  const attachments: InboundAttachment[] = [];
  const nestedRaw: { content: Buffer; attachment: InboundAttachment }[] = [];
  let kept = 0;
  for (const [i, a] of list.entries()) {
    const size = a.size ?? a.content.length;
    let content: Buffer | null = a.content;
    if (size > limits.maxAttachmentBytes) {
      warnings.add('attachment_too_large');
      content = null;
    } else if (kept + size > limits.maxTotalAttachmentBytes) {
      warnings.add('attachments_over_limit');
      content = null;
    } else kept += size;
    const contentType = (a.contentType || 'application/octet-stream').toLowerCase();
    const attachment: InboundAttachment = {
      filename: a.filename?.trim() || madeUpName(contentType, i),
      contentType,
      size,
      content,
      contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
      inline: !!a.related || (a.contentDisposition === 'inline' && !!a.contentId),
    };
    attachments.push(attachment);
    if (contentType === 'message/rfc822' && content) nestedRaw.push({ content, attachment });
  }
  return { attachments, nestedRaw };
}

/** A download name for an attachment that had none: `attachment-2.pdf` from application/pdf. */
function madeUpName(contentType: string, index: number): string {
  if (contentType === 'message/rfc822') return emlName('', index);
  const sub = contentType.split('/')[1] ?? '';
  // The subtype is the usual extension for most types (pdf, png, gif, zip, html, csv).
  const ext = /^[a-z0-9]{2,5}$/.test(sub) ? sub : contentType.startsWith('text/') ? 'txt' : 'bin';
  return `attachment-${index + 1}.${ext}`;
}

/** A forwarded message's file name from its subject, with what file systems refuse taken out. */
function emlName(subject: string, index: number): string {
  const clean = subject
    .replace(/[\\/:*?"<>|\x00-\x1f]+/g, ' ')
    .trim()
    .slice(0, 80);
  return `${clean || `message-${index + 1}`}.eml`;
}

function headersOf(parsed: ParsedMail): MailHeader[] {
  return parsed.headerLines.slice(0, MAX_HEADERS).map(({ key, line }) => {
    // mailparser keeps each raw line as a binary (latin1) string: UTF-8 bytes read back as such.
    const bytes = Buffer.from(line, 'latin1');
    const text = isUtf8(bytes) ? bytes.toString('utf8') : line;
    const colon = text.indexOf(':');
    return {
      name: key,
      value: text
        .slice(colon + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    };
  });
}

/** The Date header read as mailparser reads it, but null (not "now") when missing or unreadable. */
function dateOf(headers: MailHeader[], warnings: Set<string>): Date | null {
  const value = headers.find((h) => h.name === 'date')?.value;
  if (!value) {
    warnings.add('missing_date');
    return null;
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    warnings.add('invalid_date');
    return null;
  }
  return date;
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  const visit = (entries: { address?: string; name: string; group?: { address?: string; name: string }[] }[]) => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address) out.push({ address: e.address, name: e.name ?? '' });
    }
  };
  for (const o of [field ?? []].flat()) visit(o.value);
  return out;
}

const bareId = (id: string | undefined): string | null => {
  const bare = id?.trim().replace(/^<|>$/g, '').trim();
  return bare ? bare : null;
};

function idsOf(value: string | string[] | undefined): string[] {
  const text = [value ?? []].flat().join(' ');
  const bracketed = text.match(/<[^<>\s]+>/g);
  const ids = bracketed ? bracketed.map((m) => m.slice(1, -1)) : text.split(/\s+/);
  return ids.filter(Boolean);
}

const firstId = (value: string | undefined): string | null => idsOf(value)[0] ?? null;
