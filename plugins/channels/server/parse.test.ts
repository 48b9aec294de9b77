import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixture } from 'kizuna/testing';
import { parseMail } from './parse.ts';

/** Every message file under test/fixtures/mail/<folder>, licence notes left out. */
function messages(folder: string): string[] {
  return readdirSync(fixturePath(`mail/${folder}/`))
    .filter((f) => !/^(LICENSE|COPYRIGHT)/.test(f))
    .sort()
    .map((f) => `mail/${folder}/${f}`);
}

const CORPORA = ['spamassassin/ham', 'spamassassin/hard-ham', 'spamassassin/spam', 'ja', 'enmime', 'python', 'misc'];

/**
 * A message built in the test from header lines and body bytes (CRLF, as on the wire). A header
 * string holding only code points below 256 is taken as bytes (latin1), anything else as UTF-8.
 */
function mail(headers: string[], body: Buffer | string): Buffer {
  const head = headers.join('\r\n') + '\r\n\r\n';
  const bytes = /[^\x00-\xff]/.test(head) ? Buffer.from(head, 'utf8') : Buffer.from(head, 'latin1');
  return Buffer.concat([bytes, Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);
}
const b64word = (charset: string, bytes: Buffer) => `=?${charset}?B?${bytes.toString('base64')}?=`;

describe('parseMail on the corpora', () => {
  it.each(CORPORA)('reads every message in %s without throwing, with a from or a warning', async (folder) => {
    const files = messages(folder);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const m = await parseMail(readFixture(file));
      expect(typeof m.subject, file).toBe('string');
      expect(typeof m.text, file).toBe('string');
      expect(m.size, file).toBe(readFixture(file).length);
      // Nothing is read as mojibake without saying why.
      if ((m.subject + m.text).includes('\ufffd')) expect(m.warnings.length, file).toBeGreaterThan(0);
    }
  });

  it('survives truncated and byte-flipped copies of the enmime and CPython messages', async () => {
    // A fixed-seed generator (mulberry32): the same damage on every run.
    let seed = 20;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let parsed = 0;
    for (const file of [...messages('enmime'), ...messages('python')]) {
      const raw = readFixture(file);
      for (let i = 0; i < 4; i++) {
        const damaged = Buffer.from(raw.subarray(0, Math.floor(raw.length * (0.2 + 0.8 * random()))));
        for (let j = 0; j < 8 && damaged.length; j++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
        const m = await parseMail(damaged);
        expect(m.size, file).toBe(damaged.length);
        parsed++;
      }
    }
    expect(parsed).toBe(4 * (messages('enmime').length + messages('python').length));
  });

  it('names what is broken in the malformed MIME of enmime and CPython', async () => {
    const warningsOf = async (file: string) => (await parseMail(readFixture(file))).warnings;
    expect(await warningsOf('mail/enmime/header-only.raw')).toContain('broken_boundary');
    expect(await warningsOf('mail/python/msg_17.txt')).toContain('broken_boundary');
    expect(await warningsOf('mail/enmime/html-mime-bad-unknown-charset-inline.raw')).toContain('unknown_charset');
    expect(await warningsOf('mail/enmime/mime-bad-content-type.raw')).toContain('malformed_content_type');
    expect(await warningsOf('mail/enmime/mime-blank-media-name.raw')).toContain('malformed_content_type');
    expect(await warningsOf('mail/python/msg_14.txt')).toContain('missing_content_type');
    expect(await warningsOf('mail/enmime/erroneous.raw')).toContain('missing_date');
  });

  it('decodes quoted-printable bodies (soft line breaks) and Q-encoded RFC 2047 subjects (enmime)', async () => {
    const qp = await parseMail(readFixture('mail/enmime/quoted-printable.raw'));
    expect(qp.text).toContain('Phasellus sit amet arcu non lacus porta faucibus.');
    expect(qp.text).not.toMatch(/=\r?\n/);
    const q = await parseMail(readFixture('mail/enmime/qp-utf8-header.raw'));
    expect(q.subject).toBe('MIME UTF8 Test \u00a2 More Text');
    expect(q.text).toContain('Nullam venenatis ante fermentum justo varius hendrerit.');
  });

  it('keeps the text of a part labelled base64 that is not (enmime mime-bad-content-transfer-encoding)', async () => {
    const m = await parseMail(readFixture('mail/enmime/mime-bad-content-transfer-encoding.raw'));
    expect(m.warnings).toContain('bad_transfer_encoding');
    expect(m.text).toContain('ploozdect  nispplul swunkglap');
    expect(m.text).not.toContain('\ufffd');
  });
});

describe('Japanese mail', () => {
  it('decodes the ISO-2022-JP inquiry exactly (subject, sender name, body)', async () => {
    const m = await parseMail(readFixture('mail/ja/01-iso2022jp-inquiry.eml'));
    expect(m.subject).toBe('【問い合わせ】請求書の金額について');
    expect(m.from).toEqual({ address: 'yamada@example.jp', name: '山田 太郎' });
    expect(m.messageId).toBe('01-iso2022jp-inquiry@example.jp');
    expect(m.text).toBe(
      'お世話になっております。\n株式会社サンプルの山田です。\n\n11月分の請求書の金額が見積もりと異なっているようです。\nご確認いただけますでしょうか。\n\n山田 太郎\n03-1234-5678\n',
    );
    expect(m.warnings).toEqual([]);
  });

  it('decodes the raw 8-bit Shift_JIS mail with ①② and RFC 2047 Shift_JIS headers', async () => {
    const m = await parseMail(readFixture('mail/ja/02-sjis-urgent.eml'));
    expect(m.subject).toBe('至急：ログインできません');
    expect(m.from).toEqual({ address: 'sato@example.co.jp', name: '佐藤 花子' });
    expect(m.text).toBe(
      'サポートご担当者様\n\n本日朝からシステムにログインできません。\nエラー「認証に失敗しました」が表示されます。\n至急対応をお願いします。①②\n\n佐藤\n',
    );
  });

  it('decodes the base64 UTF-8 reply with a folded RFC 2047 subject and keeps its thread headers', async () => {
    const m = await parseMail(readFixture('mail/ja/03-utf8-reply.eml'));
    expect(m.subject).toBe('Re: 【問い合わせ】請求書の金額について');
    expect(m.inReplyTo).toBe('01-iso2022jp-inquiry@example.jp');
    expect(m.references).toEqual(['01-iso2022jp-inquiry@example.jp']);
    expect(m.text).toBe(
      'ご対応ありがとうございました。\n解決しましたので、クローズしてください。\n\n> 11月分の請求書の金額が見積もりと異なっているようです。\n',
    );
  });

  // 羅生門 in four encodings (golang.org/x/text test data): each body decodes to the UTF-8 file.
  const rashomon = readFixture('ja-text/rashomon-utf-8.txt').toString('utf8').replace(/\r\n/g, '\n');
  it.each([
    ['shift-jis', 'Shift_JIS', '8bit'],
    ['euc-jp', 'EUC-JP', '8bit'],
    ['iso-2022-jp', 'ISO-2022-JP', '7bit'],
    ['utf-8', 'UTF-8', 'base64'],
    ['shift-jis', 'Shift_JIS', 'base64'],
  ])('decodes 羅生門 in %s (%s, %s) exactly', async (file, charset, cte) => {
    const bytes = readFixture(`ja-text/rashomon-${file}.txt`);
    const body = cte === 'base64' ? bytes.toString('base64').replace(/.{76}/g, '$&\r\n') : bytes;
    const m = await parseMail(
      mail(
        [
          'From: a@example.jp',
          'Subject: rashomon',
          'MIME-Version: 1.0',
          `Content-Type: text/plain; charset=${charset}`,
          `Content-Transfer-Encoding: ${cte}`,
        ],
        body,
      ),
    );
    expect(m.text.replace(/\r\n/g, '\n')).toBe(rashomon);
  });

  // Real CP932 bytes (as Windows writes them; the same bytes glibc's `iconv -t CP932` gives):
  // 髙 FBFC (IBM extension) and EEE0 (NEC-selected), 橋 8BB4, ① 8740, ～ 8160, ｶﾀｶﾅ B6C0B6C5,
  // － 817C, ∥ 8161, ㈱ 878A, № 8782. Windows reads 8160/817C/8161 as U+FF5E/U+FF0D/U+2225.
  const cp932 = Buffer.from('fbfceee08bb420874020816020b6c0b6c520817c816120878a208782', 'hex');
  const cp932Text = '髙髙橋 ① ～ ｶﾀｶﾅ －∥ ㈱ №';

  it.each(['Shift_JIS', 'shift-jis', 'x-sjis', 'windows-31j', 'cp932', 'MS932'])(
    'reads CP932 extensions (髙, ①, ～, half-width kana) labelled %s in the subject, the sender and the body',
    async (charset) => {
      const m = await parseMail(
        mail(
          [
            `From: ${b64word(charset, cp932)} <a@example.jp>`,
            `Subject: ${b64word(charset, cp932)}`,
            `Content-Type: text/plain; charset=${charset}`,
            'Content-Transfer-Encoding: 8bit',
          ],
          Buffer.concat([cp932, Buffer.from('\r\n')]),
        ),
      );
      expect(m.subject).toBe(cp932Text);
      expect(m.from?.name).toBe(cp932Text);
      expect(m.text).toBe(`${cp932Text}\n`);
    },
  );

  it('reads raw Shift_JIS headers and body with no charset anywhere, with a warning', async () => {
    const m = await parseMail(
      mail(
        [
          `From: ${Buffer.concat([Buffer.from('8db293a120b6c0b6c5', 'hex'), Buffer.from(' <a@example.jp>')]).toString('latin1')}`,
          `Subject: ${cp932.toString('latin1')}`,
          'Date: Tue, 8 Dec 2026 10:00:00 +0900',
        ],
        Buffer.concat([cp932, Buffer.from('\r\n')]),
      ),
    );
    expect(m.subject).toBe(cp932Text);
    expect(m.from).toEqual({ address: 'a@example.jp', name: '佐藤 ｶﾀｶﾅ' });
    expect(m.text).toBe(`${cp932Text}\n`);
    expect(m.warnings).toContain('undeclared_charset');
  });

  it('keeps a raw UTF-8 subject ending in ① whole (mailparser alone trims its last byte, A0)', async () => {
    const m = await parseMail(mail(['From: a@example.jp', 'Subject: 至急：髙橋①', 'Date: Tue, 8 Dec 2026 10:00:00 +0900'], 'x'));
    expect(m.subject).toBe('至急：髙橋①');
    expect(m.warnings).toEqual([]);
  });

  it('reads ISO-2022-JP with ① (row 13), 髙 (CP50221 row 92) and half-width kana (ESC ( I)', async () => {
    // ESC $ B 2D21 = ①, 2141 = ～, 7C62 = 髙 (0xEEE0 in CP932), 3636 = 橋; ESC ( I 36 40 36 45 = ｶﾀｶﾅ
    const jis = Buffer.from('1b24422d2121417c6236361b284936403645 1b2842'.replace(' ', ''), 'hex');
    const m = await parseMail(
      mail(
        [`Subject: ${b64word('ISO-2022-JP', jis)}`, 'Content-Type: text/plain; charset=ISO-2022-JP'],
        Buffer.concat([jis, Buffer.from('\r\n')]),
      ),
    );
    expect(m.subject).toBe('①～髙橋ｶﾀｶﾅ');
    expect(m.text).toBe('①～髙橋ｶﾀｶﾅ\n');
  });

  it('reads EUC-JP with ①, ～ and half-width kana, and loses only the eucJP-ms IBM kanji it cannot map', async () => {
    // glibc `iconv -t EUC-JP-MS` of 髙橋 ① ～ ｶﾀｶﾅ: 髙 is 8F F4 FB (IBM extension), which neither
    // iconv-lite nor the WHATWG decoder maps; iconv-lite alone also ate the 橋 after it.
    const euc = Buffer.from('8ff4fbb6b620ada120a1c1208eb68ec08eb68ec5', 'hex');
    const m = await parseMail(
      mail(
        ['From: a@example.jp', 'Date: Tue, 8 Dec 2026 10:00:00 +0900', 'Content-Type: text/plain; charset=EUC-JP'],
        Buffer.concat([euc, Buffer.from('\r\n')]),
      ),
    );
    expect(m.text).toBe('\ufffd橋 ① ～ ｶﾀｶﾅ\n');
    expect(m.warnings).toEqual(['undecodable_characters']);
  });

  it('reads a raw ISO-2022-JP body that declares no charset', async () => {
    const jis = Buffer.from('1b244224332473244b2441244f1b2842', 'hex'); // こんにちは in JIS X 0208
    const m = await parseMail(
      mail(['From: a@example.jp', 'Subject: jis', 'Date: Tue, 8 Dec 2026 10:00:00 +0900'], Buffer.concat([jis, Buffer.from('\r\n')])),
    );
    expect(m.text).toBe('こんにちは\n');
    expect(m.warnings).toContain('undeclared_charset');
  });
});

describe('structure, HTML and attachments', () => {
  it('decodes attachment names given per RFC 2231 (with continuations) and RFC 2047, and 8-bit UTF-8', async () => {
    const boundary = 'b1';
    const raw = mail(
      ['From: a@example.jp', 'Subject: names', 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary=${boundary}`],
      [
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        '添付します',
        `--${boundary}`,
        'Content-Type: application/pdf',
        "Content-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf",
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4').toString('base64'),
        `--${boundary}`,
        'Content-Type: text/csv',
        "Content-Disposition: attachment; filename*0*=UTF-8''%E9%A1%A7%E5%AE%A2; filename*1*=%E4%B8%80%E8%A6%A7.csv",
        '',
        'a,b',
        `--${boundary}`,
        `Content-Type: application/octet-stream; name="${b64word('ISO-2022-JP', Buffer.from('1b244240624c401b2842', 'hex'))}.txt"`,
        'Content-Disposition: attachment',
        '',
        'x',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    const m = await parseMail(raw);
    expect(m.attachments.map((a) => a.filename)).toEqual(['見積書.pdf', '顧客一覧.csv', '説明.txt']);
    expect(m.attachments[0]).toMatchObject({ contentType: 'application/pdf', size: 8, inline: false });
    expect(m.attachments[0].content?.toString()).toBe('%PDF-1.4');
    expect((await parseMail(readFixture('mail/enmime/mime-bad-8bit-filename.raw'))).attachments[0].filename).toBe('管理.doc');
  });

  it('prefers the text part of multipart/alternative and keeps the HTML sanitized: no scripts, handlers or remote loads', async () => {
    const raw = mail(
      ['From: a@example.com', 'Subject: alt', 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary=zz'],
      [
        '--zz',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        'Plain words',
        '--zz',
        'Content-Type: text/html; charset=us-ascii',
        '',
        '<p onclick="steal()">Rich <b>words</b><script>alert(1)</script><img src="https://tracker.example/p.gif"><img src="cid:logo@x">',
        '<a href="javascript:alert(1)">bad</a><a href="https://example.com/">good</a><style>body{background:url(https://x.example/)}</style><iframe src="https://x.example/"></iframe></p>',
        '--zz--',
        '',
      ].join('\r\n'),
    );
    const m = await parseMail(raw);
    expect(m.text.trim()).toBe('Plain words');
    expect(m.html).toContain('<b>words</b>');
    expect(m.html).toContain('src="cid:logo@x"');
    expect(m.html).toContain('href="https://example.com/"');
    expect(m.html).not.toMatch(/script|onclick|tracker\.example|javascript:|iframe|<style|x\.example/);
    expect(m.warnings).toContain('html_remote_content_blocked');
  });

  it('derives the text of an HTML-only message, and keeps its inline image as an inline attachment', async () => {
    const m = await parseMail(readFixture('mail/enmime/html-only-inline.raw'));
    expect(m.text).toContain('Test of HTML section');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toMatchObject({ filename: 'favicon.png', contentType: 'image/png', inline: true });
    expect(m.html).toContain(`cid:${m.attachments[0].contentId}`);
  });

  it('leaves out attachment bytes over the limits, keeping name and size, with a warning', async () => {
    const one = await parseMail(readFixture('mail/python/msg_22.txt'), { maxAttachmentBytes: 100 });
    expect(one.attachments.map((a) => a.filename)).toEqual(['wibble.JPG', 'wibble2.JPG']);
    expect(one.attachments.every((a) => a.content === null && a.size > 100)).toBe(true);
    expect(one.warnings).toContain('attachment_too_large');
    const first = (await parseMail(readFixture('mail/python/msg_22.txt'))).attachments[0].size;
    const total = await parseMail(readFixture('mail/python/msg_22.txt'), { maxTotalAttachmentBytes: first });
    expect(total.attachments[0].content?.length).toBe(first);
    expect(total.attachments[1].content).toBeNull();
    expect(total.warnings).toContain('attachments_over_limit');
  });

  it('parses only the first maxMessageBytes of a huge message, saying so, and still reports its whole size', async () => {
    const raw = readFixture('mail/python/msg_22.txt');
    const m = await parseMail(raw, { maxMessageBytes: 600 });
    expect(m.size).toBe(raw.length);
    expect(m.warnings).toContain('message_too_large');
    expect(m.from?.address).toBe('b@example.com');
    expect(m.text).toContain('Text text text.');
    expect(m.attachments.every((a) => (a.content?.length ?? 0) < 600)).toBe(true);
  });

  it('opens forwarded messages: a forward-only mail takes its text, and the .eml is named for its subject', async () => {
    const m = await parseMail(readFixture('mail/python/msg_11.txt'));
    expect(m.nested).toHaveLength(1);
    expect(m.nested[0].subject).toBe('An enclosed message');
    expect(m.text).toContain('Here is the body of the message.');
    expect(m.attachments[0]).toMatchObject({ filename: 'An enclosed message.eml', contentType: 'message/rfc822' });
  });

  it('never throws on bytes that are not mail', async () => {
    for (const raw of [
      Buffer.alloc(0),
      Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0x80]),
      Buffer.from('\r\n\r\n--x--\r\n'),
      Buffer.from('Content-Type: multipart/mixed\r\n\r\nno boundary'),
    ]) {
      const m = await parseMail(raw);
      expect(m.size).toBe(raw.length);
      expect(Array.isArray(m.warnings)).toBe(true);
    }
    expect((await parseMail(Buffer.from('Content-Type: multipart/mixed\r\n\r\nno boundary'))).warnings).toContain('broken_boundary');
  });

  it('gives no date rather than "now" when the Date header is unreadable', async () => {
    const m = await parseMail(mail(['From: a@example.com', 'Date: the day after tomorrow'], 'x'));
    expect(m.date).toBeNull();
    expect(m.warnings).toContain('invalid_date');
    expect((await parseMail(readFixture('mail/ja/01-iso2022jp-inquiry.eml'))).date?.toISOString()).toBe('2026-11-20T00:30:00.000Z');
  });
});
