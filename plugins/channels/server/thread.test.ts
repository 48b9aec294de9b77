import { describe, expect, it } from 'vitest';
import { readFixture } from 'kizuna/testing';
import { parseMail } from './parse.ts';
import { addressCaseNumber, subjectCaseNumbers, threadKeys } from './thread.ts';

const parse = (headers: string[]) => parseMail(Buffer.from(`${headers.join('\r\n')}\r\n\r\nx`, 'utf8'));

describe('threadKeys', () => {
  it('names the inquiry the Japanese reply answers (In-Reply-To and References)', async () => {
    const keys = threadKeys(await parseMail(readFixture('mail/ja/03-utf8-reply.eml')));
    expect(keys).toEqual({ messageIds: ['01-iso2022jp-inquiry@example.jp'], subjectCases: [], addressCases: [] });
  });

  it('orders referenced ids most specific first: In-Reply-To, then References newest first', async () => {
    const keys = threadKeys(await parse(['From: a@example.jp', 'In-Reply-To: <c@x>', 'References: <a@x> <b@x>\r\n <c@x>']));
    expect(keys.messageIds).toEqual(['c@x', 'b@x', 'a@x']);
  });

  it('reads case tokens in the subject, full-width ones too, with a configurable prefix', async () => {
    expect(subjectCaseNumbers('Re: [CASE-000123] 請求書について')).toEqual([123]);
    expect(subjectCaseNumbers('Re: ［ＣＡＳＥ－０００１２３］ 請求書について')).toEqual([123]);
    expect(subjectCaseNumbers('RE: [case-42] and [CASE-7]')).toEqual([42, 7]);
    expect(subjectCaseNumbers('Re: CASE-000123 without brackets')).toEqual([]);
    expect(subjectCaseNumbers('Re: [SR-0099] 至急', 'SR')).toEqual([99]);
    expect(subjectCaseNumbers('Re: [CASE-000123]', 'SR')).toEqual([]);
    // A prefix is data, never a pattern.
    expect(subjectCaseNumbers('Re: [A.B-5] x [AxB-6]', 'A.B')).toEqual([5]);
  });

  it('reads the case of a per-case reply address, only on our mailboxes when they are given', async () => {
    expect(addressCaseNumber('support+case-123@kizuna.example')).toBe(123);
    expect(addressCaseNumber('Support+Case123@kizuna.example')).toBe(123);
    expect(addressCaseNumber('support@kizuna.example')).toBeNull();
    expect(addressCaseNumber('support+case-123@kizuna.example', 'case', ['support@kizuna.example'])).toBe(123);
    expect(addressCaseNumber('someone+case-123@other.example', 'case', ['support@kizuna.example'])).toBeNull();
    const keys = threadKeys(
      await parse([
        'From: a@example.jp',
        'To: "サポート" <support+case-77@kizuna.example>',
        'Delivered-To: support+case-78@kizuna.example',
      ]),
    );
    expect(keys.addressCases).toEqual([77, 78]);
  });
});
