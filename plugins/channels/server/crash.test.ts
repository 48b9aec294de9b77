// The issue's check with a real crash: a Dovecot mailbox with 1,000 messages is read by a
// server process that is killed with SIGKILL in the middle; a new process on the same database
// reads on, and every mail is one case and one message — none lost, none twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { databases, repoRoot } from 'kizuna/testing';
import { startDovecot, type TestDovecot } from './testing/dovecot.ts';

const TOKEN = 'kz_test_mail_crash_token_0123456789';
const MESSAGES = 1000;
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/testing/crash-server.ts'], {
    cwd: repoRoot,
    env: { ...process.env, KZ_TOKEN: TOKEN, PORT: '0', KIZUNA_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((ok) => child.on('exit', () => ok()));
  const ready = async (): Promise<string> => {
    await expect.poll(() => /ready (\d+)/.test(out) || child.exitCode !== null, { timeout: 120_000, interval: 100 }).toBe(true);
    const m = /ready (\d+)/.exec(out);
    if (!m) throw new Error(`the server did not start:\n${out}`);
    return `http://127.0.0.1:${m[1]}`;
  };
  return { child, ready, exited };
}

const api = async (base: string, method: string, path: string, body?: unknown) => {
  const r = await fetch(`${base}${path}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as any };
};
const total = async (base: string, object: string) =>
  (await api(base, 'GET', `/api/records/${object}?count=exact&limit=1`)).body.page.total as number;

describe.each(databases)('a mailbox read by a server killed with SIGKILL on %s', (kind) => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  let imap: TestDovecot | undefined;
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const f of cleanups) await f();
    await imap?.stop();
  });

  it(`stores each of ${MESSAGES} mails exactly once across the crash`, async () => {
    imap = await startDovecot({ password: 'crash-test-pass' });
    const sent = Array.from({ length: MESSAGES }, (_, i) =>
      [
        `From: お客様${i} <c${i}@example.jp>`,
        'To: support@kizuna.example',
        `Subject: 問い合わせ ${i}`,
        `Message-ID: <crash-${i}@example.jp>`,
        'Date: Tue, 01 Dec 2026 10:00:00 +0900',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `本文 ${i}`,
        '',
      ].join('\r\n'),
    );
    await imap.append(sent);

    let env: Record<string, string>;
    if (kind === 'pglite') {
      const dir = mkdtempSync(join(tmpdir(), 'kizuna-mail-crash-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env = { KZ_DATA_DIR: dir, KZ_DATABASE_URL: '' };
    } else {
      const schema = `kz_test_mailcrash_${randomBytes(4).toString('hex')}`;
      const url = process.env.DATABASE_URL!;
      cleanups.push(async () => {
        const admin = postgres(url, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
      });
      env = { KZ_DATABASE_URL: url, KZ_SCHEMA: schema };
    }
    env.KIZUNA_MAIL_CRASH = imap.password;

    const a = startServer(env);
    children.push(a.child);
    let base = await a.ready();
    expect((await api(base, 'POST', '/api/plugins/channels/install')).status).toBe(201);
    const made = await api(base, 'POST', '/api/records/mail_channel', {
      name: 'crash',
      host: imap.host,
      port: imap.port,
      secure: false,
      user: imap.user,
      password_env: 'KIZUNA_MAIL_CRASH',
      enabled: false,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const started = Date.now();
    const reading = fetch(`${base}/api/plugins/channels/mailboxes/${made.body.id}/read`, { method: 'POST', headers: auth }).catch(
      () => null,
    );
    await expect.poll(() => total(base, 'message'), { timeout: 120_000, interval: 50 }).toBeGreaterThan(150);
    a.child.kill('SIGKILL');
    await a.exited;
    await reading;

    const b = startServer(env);
    children.push(b.child);
    base = await b.ready();
    const before = await total(base, 'message');
    expect(before).toBeGreaterThan(150);
    expect(before).toBeLessThan(MESSAGES);
    const rest = await api(base, 'POST', `/api/plugins/channels/mailboxes/${made.body.id}/read`);
    expect(rest.status, JSON.stringify(rest.body)).toBe(200);
    expect(rest.body.error).toBeNull();
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `${kind}: ${MESSAGES} mails read in ${seconds.toFixed(1)} s across a SIGKILL (${before} before it, ${rest.body.stored} after)`,
    );

    // None twice: the messages' Message-IDs are the mails' own, each once; each opened one case.
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = await api(base, 'GET', `/api/records/message?limit=500&fields=mail_message_id,case${cursor ? `&cursor=${cursor}` : ''}`);
      for (const m of page.body.data) {
        expect(m.case).toBeTruthy();
        ids.add(m.mail_message_id);
      }
      cursor = page.body.page.next_cursor;
    } while (cursor);
    expect(await total(base, 'message')).toBe(MESSAGES);
    expect(ids).toEqual(new Set(sent.map((_, i) => `crash-${i}@example.jp`)));
    expect(await total(base, 'case')).toBe(MESSAGES);
    const channel = (await api(base, 'GET', `/api/records/mail_channel/${made.body.id}`)).body;
    expect(channel).toMatchObject({ last_uid: MESSAGES, last_error: null });
  }, 600_000);
});
