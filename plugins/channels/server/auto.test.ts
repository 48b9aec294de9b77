import { describe, expect, it } from 'vitest';
import { readFixture } from 'kizuna/testing';
import { classifyAuto } from './auto.ts';
import { parseMail } from './parse.ts';

const parse = (headers: string[], body = 'Hello') => parseMail(Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8'));
const base = [
  'From: Yamada <yamada@example.jp>',
  'To: support@kizuna.example',
  'Subject: 請求書について',
  'Date: Tue, 8 Dec 2026 10:00:00 +0900',
  'Message-ID: <a1@example.jp>',
];

describe('classifyAuto', () => {
  it("lets a person's mail open a case and get an automatic reply", async () => {
    expect(classifyAuto(await parseMail(readFixture('mail/ja/01-iso2022jp-inquiry.eml')))).toEqual({
      kind: 'human',
      reason: null,
      createCase: true,
      autoReply: true,
    });
  });

  it('treats the delivery-status bounces of the CPython corpus as bounces: no case, no reply', async () => {
    for (const file of ['mail/python/msg_05.txt', 'mail/python/msg_16.txt']) {
      const c = classifyAuto(await parseMail(readFixture(file)));
      expect(c, file).toMatchObject({ kind: 'bounce', createCase: false, autoReply: false });
    }
  });

  it.each([
    [['Auto-Submitted: auto-replied'], 'auto_reply', 'auto-submitted: auto-replied'],
    [['Auto-Submitted: auto-generated; owner-email="x@example.jp"'], 'auto_reply', 'auto-submitted: auto-generated'],
    [['X-Auto-Response-Suppress: All'], 'auto_reply', 'x-auto-response-suppress: all'],
    [['X-Autoreply: yes'], 'auto_reply', 'x-autoreply header'],
    [['Precedence: bulk'], 'bulk', 'precedence: bulk'],
    [['Precedence: junk'], 'bulk', 'precedence: junk'],
    [['X-Kizuna-Loop: support@kizuna.example'], 'loop', 'x-kizuna-loop header'],
  ])('%j is %s (%s): no case, no reply', async (extra, kind, reason) => {
    expect(classifyAuto(await parse([...base, ...extra]))).toEqual({ kind, reason, createCase: false, autoReply: false });
  });

  it("lets Auto-Submitted: no through as a person's mail", async () => {
    expect(classifyAuto(await parse([...base, 'Auto-Submitted: no']))).toMatchObject({ kind: 'human', autoReply: true });
  });

  it('still answers a customer whose subject only talks about auto-replies', async () => {
    for (const subject of ['Auto reply not working', '自動返信の設定方法を教えてください'])
      expect(classifyAuto(await parse([...base.filter((h) => !h.startsWith('Subject')), `Subject: ${subject}`])).autoReply, subject).toBe(
        true,
      );
  });

  it('recognises out-of-office subjects in English and Japanese', async () => {
    for (const subject of [
      'Automatic reply: 請求書について',
      'Out of Office: back Monday',
      '自動応答: 不在にしております',
      '【自動返信】お問い合わせありがとうございます',
    ]) {
      const c = classifyAuto(await parse(['From: a@example.jp', `Subject: ${subject}`]));
      expect(c.autoReply, subject).toBe(false);
    }
  });

  it("takes a customer forwarding a bounce they got for a person: the report inside is not this message's", async () => {
    // Inline, so that the splitter opens the forwarded message and sees its delivery report.
    const bounce = readFixture('mail/python/msg_16.txt').toString('latin1');
    const raw = [
      ...base,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary=fw',
      '',
      '--fw',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'メールが届きません。',
      '--fw',
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      bounce,
      '--fw--',
      '',
    ].join('\r\n');
    const m = await parseMail(Buffer.from(raw, 'latin1'));
    expect(m.parts.some((p) => p.contentType === 'message/delivery-status' && p.inMessage)).toBe(true);
    expect(classifyAuto(m)).toMatchObject({ kind: 'human', createCase: true });
  });

  it('treats mail from MAILER-DAEMON, or with a null return path and a bounce subject, as a bounce', async () => {
    expect(classifyAuto(await parse(['From: MAILER-DAEMON@mx.example.jp', 'Subject: Returned mail: see transcript']))).toMatchObject({
      kind: 'bounce',
    });
    expect(classifyAuto(await parse(['Return-Path: <>', 'From: postmaster@example.jp', 'Subject: Undeliverable: 請求書']))).toMatchObject({
      kind: 'bounce',
    });
    expect(
      classifyAuto(
        await parse(['Return-Path: <>', 'From: system@example.jp', 'Subject: Mail delivery failed: returning message to sender']),
      ),
    ).toMatchObject({
      kind: 'bounce',
    });
  });

  it('never answers our own mail coming back: our address, our message-id domain', async () => {
    const options = { ownAddresses: ['Support@Kizuna.example'], ownMessageIdDomain: 'mail.kizuna.example' };
    expect(classifyAuto(await parse(['From: support@kizuna.example', 'Subject: hi']), options)).toMatchObject({
      kind: 'loop',
      autoReply: false,
      createCase: false,
    });
    expect(classifyAuto(await parse(['From: a@example.jp', 'Message-ID: <123.abc@mail.kizuna.example>']), options)).toMatchObject({
      kind: 'loop',
    });
  });

  it('may open a case from list mail but never answers it (RFC 3834)', async () => {
    // A Mailman list of 2002 (SpamAssassin ham) says Precedence: bulk: no case either.
    const list = classifyAuto(await parseMail(readFixture('mail/spamassassin/ham/00001.7c53336b37003a9286aba55d2945844c.eml')));
    expect(list).toMatchObject({ kind: 'bulk', createCase: false, autoReply: false });
    expect(classifyAuto(await parse([...base, 'List-Id: <users.lists.example.jp>']))).toEqual({
      kind: 'list',
      reason: 'list-id header',
      createCase: true,
      autoReply: false,
    });
  });

  it('does not answer a message with a null return path', async () => {
    expect(classifyAuto(await parse([...base, 'Return-Path: <>']))).toMatchObject({ kind: 'human', createCase: true, autoReply: false });
  });
});
