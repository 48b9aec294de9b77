// The MIME outline of a raw message, walked with mailsplit (the splitter mailparser itself is
// built on): simpleParser hides what went wrong (a boundary that never appears, a charset it
// does not know, a part without a content type), and intake must say so with a warning.
import type { Transform } from 'node:stream';
import { Splitter, type MimeNode, type SplitterChunk } from '@zone-eu/mailsplit';
import iconv from 'iconv-lite';
import { hasJisEscape, isUtf8 } from './charset.ts';

/** One MIME part, as declared in its headers. */
export interface MimePart {
  /** The declared media type in lower case (`text/plain` when none was declared). */
  contentType: string;
  charset: string | null;
  disposition: string | null;
  filename: string | null;
  /** Bytes of the encoded body. */
  size: number;
  /** Part of a message carried inside this one (a forward or a bounced original), not of this one. */
  inMessage: boolean;
}

/**
 * A text part mailparser misreads: no charset, an unknown one, a false UTF-8 label, a false
 * transfer encoding, or EUC-JP with characters iconv-lite does not know (see EUC_JP).
 */
export interface UndeclaredText {
  contentType: string;
  /** The charset it declared, or null. */
  charset: string | null;
  /** The text as mailparser made it of this part. */
  misread: string;
  /** The bytes the text really is in: the body with its transfer encoding undone, or the raw body when that encoding was false. */
  bytes: Buffer;
}

export interface MailStructure {
  parts: MimePart[];
  warnings: string[];
  /** Text parts whose bytes mailparser read as UTF-8 for want of a usable charset. */
  undeclared: UndeclaredText[];
}

const KNOWN_TRANSFER_ENCODINGS = new Set(['', '7bit', '8bit', 'binary', 'base64', 'quoted-printable']);
// Decoded by libmime with encoding-japanese rather than iconv-lite, so iconv-lite does not know them.
const JAPANESE_CHARSETS = /^(iso-?2022-?jp(-\d)?|cp5022[0-2]|csiso2022jp)$/i;
// Read as UTF-8 anyway: nothing to detect.
const UTF8_OR_ASCII = /^(utf-?8|us-?ascii|ascii|ansi_x3\.4-1968)$/i;
// eucJP-ms (what Unix mailers wrote for Windows text) puts the IBM extension kanji (髙 is
// 8F F4 FB) where iconv-lite expects JIS X 0212; it turns them into U+FFFD and eats the next
// character with them. The WHATWG decoder (TextDecoder) loses only the unknown character.
const EUC_JP = /^(euc-?jp|x-euc-jp|cseucpkdfmtjapanese)$/i;
// An undeclared text part is only worth detecting up to this much (charset detection is linear).
const MAX_UNDECLARED_BYTES = 1 << 20;

/** Does the decoder mailparser uses (libmime: iconv-lite, or encoding-japanese) know this charset? */
export function knownCharset(charset: string): boolean {
  const name = charset.trim();
  return JAPANESE_CHARSETS.test(name) || (iconv.encodingExists(name) && !/^utf-?7/i.test(name));
}

interface Walk {
  node: MimeNode;
  size: number;
  children: number;
  body: Buffer[] | null;
  hadContentType: boolean;
}

/** Outline and diagnose a raw message. Never throws: a splitter failure is itself a warning. */
export async function inspectStructure(raw: Buffer): Promise<MailStructure> {
  const walks: Walk[] = [];
  const byNode = new Map<MimeNode, Walk>();
  const warnings = new Set<string>();
  try {
    await new Promise<void>((resolve, reject) => {
      const splitter = new Splitter();
      splitter.on('data', (data: SplitterChunk) => {
        if (data.type === 'node') {
          const node = data;
          const parent = node.parentNode ? byNode.get(node.parentNode as MimeNode) : undefined;
          if (parent) parent.children++;
          const text = !node.contentType || node.contentType.startsWith('text/');
          const charset = node.charset || '';
          const wantBody =
            text &&
            !node.multipart &&
            node.disposition !== 'attachment' &&
            (!charset || !knownCharset(charset) || UTF8_OR_ASCII.test(charset) || EUC_JP.test(charset));
          const walk: Walk = {
            node,
            size: 0,
            children: 0,
            body: wantBody ? [] : null,
            hadContentType: !!node.headers && node.headers.get('content-type').length > 0,
          };
          walks.push(walk);
          byNode.set(node, walk);
        } else if (data.type === 'body' && data.value) {
          const walk = byNode.get(data.node);
          if (!walk) return;
          walk.size += data.value.length;
          if (walk.body && walk.size <= MAX_UNDECLARED_BYTES) walk.body.push(data.value);
        }
      });
      // The typings declare only the 'data' event; the rest are the Transform stream's.
      const stream = splitter as unknown as Transform;
      stream.on('end', resolve);
      stream.on('error', reject);
      splitter.end(raw);
    });
  } catch {
    warnings.add('unparseable_structure');
  }

  const parts: MimePart[] = [];
  const undeclared: UndeclaredText[] = [];
  for (const w of walks) {
    const n = w.node;
    const declared = (n.contentType || '').toLowerCase();
    const contentType = declared.includes('/') ? declared.split(/[\s;]/)[0] : 'text/plain';
    parts.push({
      contentType,
      charset: n.charset || null,
      disposition: n.disposition || null,
      filename: n.filename || null,
      size: w.size,
      inMessage: insideMessage(n),
    });
    // RFC 2045 5.2: no Content-Type means text/plain; us-ascii. That is fine for a plain
    // RFC 822 message, but a MIME message (or a part) that says it is MIME and then declares
    // nothing, or declares a type without a subtype, was produced by something broken.
    // `application/pdf name=x.pdf` (a missing `;`) is a type mailparser keeps verbatim.
    if (/[^a-z0-9!#$&^_.+/-]/.test(declared)) warnings.add('malformed_content_type');
    if (
      (w.hadContentType && !declared.includes('/')) ||
      (n.root && !w.hadContentType && n.headers && n.headers.get('mime-version').length > 0)
    )
      warnings.add('missing_content_type');
    if (declared.startsWith('multipart/') && (!n._boundary || w.children === 0)) warnings.add('broken_boundary');
    if (n.charset && !knownCharset(n.charset)) warnings.add('unknown_charset');
    if (!KNOWN_TRANSFER_ENCODINGS.has(n.encoding || '')) warnings.add('unknown_transfer_encoding');
    if (w.body && w.body.length) {
      const body = Buffer.concat(w.body);
      const asRead = await decodeBody(n, body);
      if (!asRead) continue;
      if (n.charset && EUC_JP.test(n.charset)) {
        const misread = iconv.decode(asRead, 'euc-jp');
        if (misread.includes('\ufffd')) undeclared.push({ contentType, charset: n.charset, misread, bytes: asRead });
      } else if (n.encoding === 'base64' && notBase64(body)) {
        // Plain text labelled base64 (enmime's mime-bad-content-transfer-encoding): decoding
        // it gives noise, the text itself is readable.
        warnings.add('bad_transfer_encoding');
        undeclared.push({ contentType, charset: n.charset || null, misread: asRead.toString('utf8'), bytes: body });
      } else if (!isUtf8(asRead) || hasJisEscape(asRead))
        undeclared.push({ contentType, charset: n.charset || null, misread: asRead.toString('utf8'), bytes: asRead });
    }
  }
  return { parts, warnings: [...warnings], undeclared };
}

function insideMessage(node: MimeNode): boolean {
  for (let p = node.parentNode; p; p = p.parentNode) if (p.rfc822) return true;
  return false;
}

/** A body that cannot be base64: other characters than its alphabet, or words apart on a line. */
function notBase64(body: Buffer): boolean {
  const text = body.toString('latin1');
  return /[^A-Za-z0-9+/=\s]/.test(text) || /\S[ \t]+\S/.test(text);
}

/** The body with its transfer encoding undone (mailsplit's own decoder), or null if that fails. */
async function decodeBody(node: MimeNode, body: Buffer): Promise<Buffer | null> {
  try {
    const decoder = node.getDecoder();
    const chunks: Buffer[] = [];
    decoder.on('data', (c: Buffer) => chunks.push(c));
    await new Promise<void>((resolve, reject) => {
      decoder.on('end', resolve);
      decoder.on('error', reject);
      decoder.end(body);
    });
    return Buffer.concat(chunks);
  } catch {
    return null;
  }
}
