// Mail from a real IMAP mailbox (Dovecot) becomes cases and messages, through the plugin's
// route and its scheduled job, on PGlite and PostgreSQL (issue 20 item 1).
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, repoRoot, startKizuna, type TestKizuna } from 'kizuna/testing';
import { startDovecot, type TestDovecot } from './testing/dovecot.ts';
import { PROCESSED_KEYWORD } from './mailbox.ts';

const PASSWORD = 'imap-Pa55-never-shown';
const fixture = (name: string) => readFile(`${repoRoot}/test/fixtures/mail/${name}`);

/** A plain message built here (the test's own data, not output of the code under test). */
function mail(h: { id: string; subject: string; from?: string; inReplyTo?: string; headers?: string; body?: string }): string {
  return [
    `From: ${h.from ?? 'Customer <customer@example.com>'}`,
    'To: support@kizuna.example',
    `Subject: ${h.subject}`,
    'Date: Tue, 01 Dec 2026 10:00:00 +0900',
    `Message-ID: <${h.id}>`,
    ...(h.inReplyTo ? [`In-Reply-To: <${h.inReplyTo}>`, `References: <${h.inReplyTo}>`] : []),
    ...(h.headers ? [h.headers] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    h.body ?? `Hello, this is ${h.subject}.`,
    '',
  ].join('\r\n');
}

describe.each(databases)('channels: IMAP intake on %s', (kind) => {
  let k: TestKizuna;
  let imap: TestDovecot;
  let other: TestDovecot;
  const responses: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await k.call(method, path, body);
    responses.push(JSON.stringify(r.body));
    return r;
  };
  const channel = async (name: string, d: TestDovecot, extra: Record<string, unknown> = {}) => {
    const r = await call('POST', '/api/records/mail_channel', {
      name,
      host: d.host,
      port: d.port,
      secure: false,
      user: d.user,
      password_env: 'KIZUNA_MAIL_TEST',
      address: 'support@kizuna.example',
      // Read by the route in these tests; the job reads enabled mailboxes (its own test).
      enabled: false,
      ...extra,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const read = async (id: string, limit?: number) => {
    const r = await call('POST', `/api/plugins/channels/mailboxes/${id}/read${limit ? `?limit=${limit}` : ''}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { stored: number; error: string | null; outcomes: Record<string, number> };
  };
  const messages = async (filter: Record<string, unknown>) => {
    const r = await call('GET', `/api/records/message?limit=500&sort=occurred_at,id&filter=${encodeURIComponent(JSON.stringify(filter))}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.data as Record<string, unknown>[];
  };

  beforeAll(async () => {
    process.env.KIZUNA_MAIL_TEST = PASSWORD;
    [imap, other] = await Promise.all([startDovecot({ password: PASSWORD }), startDovecot({ user: 'sales', password: 'other-pass' })]);
    k = await startKizuna(kind);
    const r = await k.call('POST', '/api/plugins/channels/install');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // The job's turns then end after catching up, instead of watching with IDLE.
    expect((await k.call('PUT', '/api/plugins/channels/settings', { idle_seconds: 0 })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await k?.close();
    await Promise.all([imap?.stop(), other?.stop()]);
  });

  it('turns the Japanese fixtures into two cases with their exact subjects, and the reply into a message on the first', async () => {
    await imap.append(await Promise.all(['ja/01-iso2022jp-inquiry.eml', 'ja/02-sjis-urgent.eml', 'ja/03-utf8-reply.eml'].map(fixture)));
    const id = await channel('サポート', imap);
    const result = await read(id);
    expect(result).toMatchObject({ stored: 3, error: null, outcomes: { case: 2, reply: 1 } });

    const cases = (await call('GET', '/api/records/case?sort=number&fields=subject,channel,description,status')).body.data;
    expect(cases.map((c: { subject: string }) => c.subject)).toEqual(['【問い合わせ】請求書の金額について', '至急：ログインできません']);
    expect(cases[0]).toMatchObject({ channel: 'email', status: 'open' });
    expect(cases[0].description).toContain('請求書の金額が見積もりと異なっているようです');

    const onFirst = await messages({ case: { eq: cases[0].id } });
    expect(onFirst.map((m) => m.subject)).toEqual(['【問い合わせ】請求書の金額について', 'Re: 【問い合わせ】請求書の金額について']);
    expect(onFirst[1]).toMatchObject({
      direction: 'inbound',
      channel: 'email',
      from_address: expect.stringContaining('@'),
      mail_message_id: '03-utf8-reply@example.jp',
      mail_in_reply_to: '01-iso2022jp-inquiry@example.jp',
      mail_channel: id,
    });
    // Processed mail stays on the server, read and tagged.
    const c = await imap.client();
    await c.mailboxOpen('INBOX');
    const flags = [];
    for await (const m of c.fetch('1:*', { flags: true })) flags.push([...(m.flags ?? [])]);
    await c.logout();
    expect(flags).toHaveLength(3);
    for (const f of flags) expect(f).toEqual(expect.arrayContaining(['\\Seen', PROCESSED_KEYWORD]));
  }, 60_000);

  it('puts a reply on its case and reopens the case when it was resolved; a [CASE-…] token finds the case too', async () => {
    const [first] = (await call('GET', '/api/records/case?sort=number&fields=number,subject,status')).body.data;
    expect((await call('PATCH', `/api/records/case/${first.id}`, { status: 'resolved' })).status).toBe(200);
    await imap.append([
      mail({ id: 'reply-2@example.jp', subject: 'Re: Re: 【問い合わせ】請求書の金額について', inReplyTo: '03-utf8-reply@example.jp' }),
      mail({ id: 'token-1@example.jp', subject: `追加の質問 [${first.number}]` }),
    ]);
    const [id] = (
      await call('GET', `/api/records/mail_channel?filter=${encodeURIComponent(JSON.stringify({ name: { eq: 'サポート' } }))}`)
    ).body.data.map((c: { id: string }) => c.id);
    expect(await read(id)).toMatchObject({ stored: 2, error: null, outcomes: { reply: 2 } });
    expect((await call('GET', `/api/records/case/${first.id}`)).body.status).toBe('open');
    const on = await messages({ case: { eq: first.id } });
    expect(on.map((m) => m.mail_message_id)).toEqual(expect.arrayContaining(['reply-2@example.jp', 'token-1@example.jp']));
    expect((await call('GET', '/api/records/case?count=true&limit=1')).body.page.total).toBe(2);
  }, 60_000);

  it('keeps auto-replies and spam as flagged messages without opening a case', async () => {
    const before = (await call('GET', '/api/records/case?count=true&limit=1')).body.page.total;
    await imap.append([
      mail({ id: 'ooo-1@example.com', subject: 'Automatic reply: your order', headers: 'Auto-Submitted: auto-replied' }),
      mail({ id: 'gtube-1@example.com', subject: 'cheap', body: 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X' }),
    ]);
    const [id] = (await call('GET', '/api/records/mail_channel')).body.data.map((c: { id: string }) => c.id);
    expect(await read(id)).toMatchObject({ stored: 2, outcomes: { flagged: 2 } });
    expect((await call('GET', '/api/records/case?count=true&limit=1')).body.page.total).toBe(before);
    const flagged = await messages({ mail_flag: { is_null: false } });
    expect(flagged.map((m) => [m.mail_message_id, m.mail_flag, m.case])).toEqual([
      ['ooo-1@example.com', 'auto', null],
      ['gtube-1@example.com', 'spam', null],
    ]);
  }, 60_000);

  it('stores a mail too long for the text fields cut, with a warning, and a giant Message-ID by its hash', async () => {
    const long = mail({
      id: `${'x'.repeat(1200)}@example.jp`,
      subject: `長い${'件'.repeat(400)}`,
      body: '本文です。'.repeat(10_000) + '😀'.repeat(40_000),
    });
    await imap.append([long]);
    const [id] = (
      await call('GET', `/api/records/mail_channel?filter=${encodeURIComponent(JSON.stringify({ name: { eq: 'サポート' } }))}`)
    ).body.data.map((c: { id: string }) => c.id);
    expect(await read(id)).toMatchObject({ stored: 1, error: null, outcomes: { case: 1 } });
    const [m] = await messages({ mail_warnings: { has_any: ['body_truncated'] } });
    expect(m.body).toMatch(/^本文です。本文/);
    // Cut at 65,535 code points, after a whole emoji (half of one is refused by PostgreSQL's JSON).
    expect([...(m.body as string)].length).toBe(65_535);
    expect(m.body).toMatch(/😀$/u);
    expect(m.body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect((m.subject as string).length).toBeLessThanOrEqual(255);
    expect(m.mail_key).toMatch(/:sha256-id:[0-9a-f]{64}$/);
  }, 60_000);

  it('resumes after being stopped in the middle of a batch: none lost, none stored twice', async () => {
    const id = await channel('resume', other, { user: other.user, password_env: 'KIZUNA_MAIL_OTHER' });
    process.env.KIZUNA_MAIL_OTHER = other.password;
    const sent = Array.from({ length: 40 }, (_, i) => mail({ id: `bulk-${i}@example.net`, subject: `問い合わせ ${i}` }));
    await other.append(sent);
    // Stopped after 13 of a 50-message batch, then started again.
    expect(await read(id, 13)).toMatchObject({ stored: 13, error: null });
    expect(await read(id)).toMatchObject({ stored: 27, error: null });
    expect(await read(id)).toMatchObject({ stored: 0, error: null });
    const stored = await messages({ mail_channel: { eq: id } });
    expect(stored.map((m) => m.mail_message_id).sort()).toEqual(sent.map((_, i) => `bulk-${i}@example.net`).sort());
  }, 120_000);

  it('reads the mailboxes in the scheduled job, where a broken mailbox records its error and backs off while the others go on', async () => {
    process.env.KIZUNA_MAIL_WRONG = 'not-the-password';
    await imap.append([mail({ id: 'job-1@example.jp', subject: '定期読み取り' })], 'Jobs');
    const wrong = await channel('wrong password', imap, { password_env: 'KIZUNA_MAIL_WRONG', enabled: true });
    const down = await channel('server down', imap, { port: 1, enabled: true });
    const good = await channel('jobs', imap, { mailbox: 'Jobs', enabled: true });
    await k.plugins.runDueJobs();
    await expect
      .poll(async () => (await messages({ mail_message_id: { eq: 'job-1@example.jp' } })).map((m) => m.mail_channel), { timeout: 30_000 })
      .toEqual([good]);
    await expect
      .poll(async () => (await call('GET', `/api/records/mail_channel/${good}`)).body.last_polled_at, { timeout: 30_000 })
      .toBeTruthy();
    for (const bad of [wrong, down]) {
      await expect.poll(async () => (await call('GET', `/api/records/mail_channel/${bad}`)).body.failures, { timeout: 30_000 }).toBe(1);
      const r = await call('GET', `/api/records/mail_channel/${bad}`);
      expect(r.body.last_error, JSON.stringify(r.body)).toBeTruthy();
      // Backing off: not tried again before retry_at, whatever the job's turns.
      expect(Date.parse(r.body.retry_at)).toBeGreaterThan(Date.parse(r.body.last_polled_at));
    }
    expect((await call('GET', `/api/records/mail_channel/${good}`)).body).toMatchObject({ last_error: null, failures: 0 });
    expect((await call('GET', `/api/records/mail_channel/${wrong}`)).body.last_error).toMatch(/auth/i);
  }, 120_000);

  it('refuses a password variable that is not KIZUNA_MAIL_…, a move without a folder, a written checkpoint and a bad limit with a 422 naming the field; an unknown mailbox is a 404', async () => {
    const r = await call('POST', '/api/records/mail_channel', { name: 'x', host: 'h', port: 143, user: 'u', password_env: 'DATABASE_URL' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'password_env' })]);
    const moved = await call('POST', '/api/records/mail_channel', {
      name: 'y',
      host: 'h',
      port: 143,
      user: 'u',
      password_env: 'KIZUNA_MAIL_Y',
      processed: 'move',
    });
    expect(moved.status).toBe(422);
    expect(moved.body.errors).toEqual([expect.objectContaining({ field: 'processed_folder' })]);
    const unknown = await call('POST', '/api/plugins/channels/mailboxes/01a25340-6de1-7440-9db0-233d9376e1d9/read');
    expect(unknown.status).toBe(404);
    const made = await channel('checkpoint', imap);
    const checkpoint = await call('PATCH', `/api/records/mail_channel/${made}`, { last_uid: 0 });
    expect(checkpoint.status, JSON.stringify(checkpoint.body)).toBe(422);
    expect(checkpoint.body.errors).toEqual([expect.objectContaining({ field: 'last_uid' })]);
    const limit = await call('POST', `/api/plugins/channels/mailboxes/${'0'.repeat(8)}/read?limit=abc`);
    expect(limit.status).toBe(422);
    expect(limit.body.errors).toEqual([expect.objectContaining({ field: 'limit' })]);
  });

  it('never answers the mailbox password: not in records, history, plugin lists or the OpenAPI document', async () => {
    const [c] = (await call('GET', '/api/records/mail_channel')).body.data;
    await call('GET', `/api/records/mail_channel/${c.id}`);
    await call('GET', `/api/records/mail_channel/${c.id}/timeline`);
    await call('GET', '/api/plugins');
    await call('GET', '/api/openapi.json');
    await call('GET', '/api/audit');
    expect(responses.length).toBeGreaterThan(20);
    for (const body of responses) {
      expect(body).not.toContain(PASSWORD);
      expect(body).not.toContain(other.password);
    }
  });
});
