import { describe, expect, it } from 'vitest';
import { readFixture } from 'kizuna/testing';
import { parseMail } from './parse.ts';
import { learnSenderLists, listed, scoreSpam } from './spam.ts';

const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
const parse = (headers: string[], body: string) => parseMail(Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8'));
const person = [
  'From: Yamada <yamada@example.jp>',
  'To: support@kizuna.example',
  'Date: Tue, 8 Dec 2026 10:00:00 +0900',
  'Message-ID: <a1@example.jp>',
];

describe('scoreSpam', () => {
  it('always flags the GTUBE test string, whatever the lists say', async () => {
    const m = await parse([...person, 'Subject: test'], `This is the GTUBE, the\n${GTUBE}\nGeneric Test for Unsolicited Bulk Email\n`);
    const v = scoreSpam(m, { allow: ['yamada@example.jp', 'example.jp'] });
    expect(v.spam).toBe(true);
    expect(v.hits[0]).toEqual({ rule: 'GTUBE', score: 1000 });
  });

  it('flags the GTUBE string in an HTML-only message as well', async () => {
    const m = await parse([...person, 'Subject: test', 'Content-Type: text/html'], `<p>${GTUBE}</p>`);
    expect(scoreSpam(m).spam).toBe(true);
  });

  it('leaves the Japanese support mails and the SpamAssassin sample ham alone', async () => {
    for (const file of [
      'mail/ja/01-iso2022jp-inquiry.eml',
      'mail/ja/02-sjis-urgent.eml',
      'mail/ja/03-utf8-reply.eml',
      'mail/misc/spamassassin-sample-nonspam.txt',
    ]) {
      const v = scoreSpam(await parseMail(readFixture(file)));
      expect(v.spam, `${file} ${JSON.stringify(v.hits)}`).toBe(false);
    }
  });

  it('flags a Japanese unsolicited advertisement by its legally required 未承諾広告 mark', async () => {
    const v = scoreSpam(await parse([...person, 'Subject: 未承諾広告※ 今だけ特別価格'], '詳しくはこちら'));
    expect(v.spam).toBe(true);
    expect(v.hits.map((h) => h.rule)).toContain('JAPANESE_UCE');
  });

  it('blocks and allows by address, domain, parent domain and @domain', async () => {
    const m = await parse(['From: Sales <sales@mail.offers.example.com>', 'Subject: hello'], 'hello');
    const blocked = scoreSpam(m, { block: ['sales@mail.offers.example.com'] });
    expect(blocked.spam).toBe(true);
    expect(blocked.hits[0]).toEqual({ rule: 'BLOCK_LIST', score: 100 });
    expect(scoreSpam(m, { block: ['offers.example.com'] }).spam).toBe(true);
    expect(scoreSpam(m, { block: ['@example.com'] }).spam).toBe(true);
    expect(scoreSpam(m, { block: ['other.example.com', 'ample.com'] }).spam).toBe(false);
    const shouting = await parse(
      ['From: a@friend.example.jp', 'Subject: FREE MONEY NOW!!!'],
      'Dear friend, act now! 100% guaranteed, make money from home, click here. To be removed reply REMOVE.',
    );
    expect(scoreSpam(shouting).spam).toBe(true);
    const allowed = scoreSpam(shouting, { allow: ['friend.example.jp'] });
    expect(allowed.spam).toBe(false);
    expect(allowed.hits[0]).toEqual({ rule: 'ALLOW_LIST', score: -100 });
    expect(listed('a@x.example', ['X.Example '])).toBe(true);
  });

  it('learns lists from marked mail: ham senders allowed, spam senders and their domains blocked unless ham shares the domain', () => {
    const lists = learnSenderLists([
      { from: 'taro@example.jp', spam: false },
      { from: 'promo1@deals.example.com', spam: true },
      { from: 'someone@example.jp', spam: true },
    ]);
    expect(lists.allow).toEqual(['taro@example.jp']);
    expect(lists.block.sort()).toEqual(['example.com', 'promo1@deals.example.com', 'someone@example.jp']);
  });
});
