import { describe, expect, it } from 'vitest';
import { readFixture } from 'kizuna/testing';
import { parseMail } from './parse.ts';
import { splitQuoted } from './quote.ts';

describe('splitQuoted', () => {
  it('cuts the quoted line off the Japanese reply of the fixtures, keeping the full text', async () => {
    const m = await parseMail(readFixture('mail/ja/03-utf8-reply.eml'));
    const s = splitQuoted(m.text);
    expect(s.body).toBe('ご対応ありがとうございました。\n解決しましたので、クローズしてください。');
    expect(s.quoted).toBe('> 11月分の請求書の金額が見積もりと異なっているようです。');
    expect(s.full).toBe(m.text);
  });

  it('cuts at a Japanese attribution line (2026年12月8日(火) 10:00 山田 <…>:)', () => {
    const text =
      'ありがとうございます。\n確認します。\n\n2026年12月8日(火) 10:00 山田 太郎 <yamada@example.jp>:\n> 請求書の件です。\n> よろしくお願いします。\n';
    expect(splitQuoted(text)).toMatchObject({
      body: 'ありがとうございます。\n確認します。',
      quoted: expect.stringMatching(/^2026年12月8日/),
    });
  });

  it('cuts at "On … wrote:", also when the client folded it over two lines', () => {
    expect(splitQuoted('Thanks!\n\nOn Tue, Dec 8, 2026 at 10:00 AM Taro <t@example.jp> wrote:\n> hi\n').body).toBe('Thanks!');
    expect(splitQuoted('Thanks!\n\nOn Tue, Dec 8, 2026 at 10:00 AM A Very Long Name <someone@example.com>\nwrote:\n> hi\n').body).toBe(
      'Thanks!',
    );
  });

  it("cuts at Outlook's header block and -----Original Message-----, English and Japanese", () => {
    expect(splitQuoted('了解です。\n\n-----Original Message-----\nFrom: a\nSent: b\n').body).toBe('了解です。');
    expect(
      splitQuoted('了解です。\n\n差出人: 山田 太郎 <yamada@example.jp>\n送信日時: 2026年12月8日 10:00\n宛先: support\n件名: 請求書\n').body,
    ).toBe('了解です。');
    expect(splitQuoted('OK.\n\n________________________________\nFrom: Taro\nSent: Tuesday\n').body).toBe('OK.');
  });

  it('keeps answers written between quoted lines (an inline reply)', () => {
    const text = '> Which version?\n2.4.1\n> Which OS?\nWindows 11\n';
    expect(splitQuoted(text).body).toBe('> Which version?\n2.4.1\n> Which OS?\nWindows 11');
  });

  it('separates the signature: "-- ", 以上, and a ruled block near the end', () => {
    expect(splitQuoted('Body text.\n\n-- \nTaro Yamada\nExample Inc.\n')).toMatchObject({
      body: 'Body text.',
      signature: '-- \nTaro Yamada\nExample Inc.',
    });
    expect(splitQuoted('ご確認ください。\n\n以上\n\n山田 太郎\n株式会社サンプル\n')).toMatchObject({
      body: 'ご確認ください。\n\n以上',
      signature: '山田 太郎\n株式会社サンプル',
    });
    const ruled =
      'お世話になっております。\nログインできません。\n\n━━━━━━━━━━━━━━━━\n株式会社サンプル 佐藤\nTEL 03-1234-5678\n━━━━━━━━━━━━━━━━\n';
    expect(splitQuoted(ruled)).toMatchObject({
      body: 'お世話になっております。\nログインできません。',
      signature: expect.stringContaining('株式会社サンプル 佐藤'),
    });
  });

  it('shows everything when nothing new would be left (a bare forward)', () => {
    const text = '-----Original Message-----\nFrom: a\nSent: b\n\nthe forwarded text\n';
    expect(splitQuoted(text)).toEqual({ body: text.trim(), quoted: '', signature: '', full: text });
  });

  it('leaves a mail without quotes or signature as it is', async () => {
    const m = await parseMail(readFixture('mail/ja/02-sjis-urgent.eml'));
    expect(splitQuoted(m.text)).toMatchObject({ body: m.text.trim(), quoted: '', signature: '' });
  });
});
