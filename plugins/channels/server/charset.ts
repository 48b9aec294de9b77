// Charset detection for bytes a message did not label (or labelled wrongly): Japanese mail
// from old clients and spam often carries raw Shift_JIS or EUC-JP with no charset at all.
// encoding-japanese reads SJIS/EUC-JP/JIS from their byte structure (jschardet's statistics
// misread short Japanese samples as ISO-8859-2); jschardet guesses the rest (Windows-1252, …).
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';
import jschardet from 'jschardet';

/** Are these bytes valid UTF-8 (pure ASCII included)? */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// ESC $ @, ESC $ B (JIS X 0208), ESC ( I (half-width kana): 7-bit ISO-2022-JP passes as ASCII.
const JIS_ESCAPE = /\x1b(\$[@B]|\(I)/;

/** Bytes that are 7-bit ISO-2022-JP although nothing said so. */
export function hasJisEscape(bytes: Buffer): boolean {
  return JIS_ESCAPE.test(bytes.toString('latin1'));
}

/** iconv-lite's name for the charset these (non-UTF-8) bytes are most likely in. */
export function detectCharset(bytes: Buffer): string {
  if (hasJisEscape(bytes)) return 'iso-2022-jp';
  const japanese = Encoding.detect(bytes);
  // CP932 is what Windows writes when it says Shift_JIS (①, ㈱, 髙 and the NEC/IBM kanji).
  if (japanese === 'SJIS') return 'cp932';
  if (japanese === 'EUCJP') return 'euc-jp';
  const guess = jschardet.detect(bytes, { minimumThreshold: 0.1 });
  const name = (guess.encoding ?? '').toLowerCase();
  if (name === 'shift_jis') return 'cp932';
  if (name && name !== 'ascii' && name !== 'utf-8' && iconv.encodingExists(name)) return name;
  // Most unlabelled 8-bit Western mail is Windows-1252, which also maps every byte to something.
  return 'windows-1252';
}

/** Decode bytes in a detected charset (never throws: iconv-lite replaces what it cannot map). */
export function decodeDetected(bytes: Buffer, charset: string): string {
  // iconv-lite has no ISO-2022-JP; encoding-japanese (which libmime uses for it too) has.
  if (/^iso-?2022-?jp/i.test(charset)) return Encoding.convert(bytes, { to: 'UNICODE', from: 'JIS', type: 'string' });
  return iconv.decode(bytes, charset);
}
