// The IMAP reading on its own against a real Dovecot: IDLE brings new mail without a new poll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type TestDovecot } from './testing/dovecot.ts';
import { readMailbox, type MailboxConfig } from './mailbox.ts';

describe('readMailbox', () => {
  let d: TestDovecot;
  let cfg: MailboxConfig;
  beforeAll(async () => {
    d = await startDovecot();
    cfg = { host: d.host, port: d.port, secure: false, user: d.user, password: d.password, mailbox: 'INBOX', processed: 'flag' };
  });
  afterAll(async () => d?.stop());

  const raw = (id: string) =>
    `From: a@example.com\r\nTo: b@example.com\r\nSubject: ${id}\r\nMessage-ID: <${id}@example.com>\r\n\r\nbody ${id}\r\n`;

  it('reads mail that arrives while it watches with IDLE (the watch is far longer than the test may run)', async () => {
    const got: number[] = [];
    let watching!: () => void;
    const watched = new Promise<void>((resolve) => (watching = resolve));
    const reading = readMailbox(cfg, { uidvalidity: null, lastUid: 0 }, async (_raw, at) => void got.push(at.uid), {
      idleMs: 600_000,
      limit: 1,
      onWatch: () => watching(),
    });
    // Appended once the reader waits in IDLE: nothing was there when it caught up.
    await watched;
    await d.append([raw('idle-1')]);
    expect(await reading).toBe(1);
    expect(got).toEqual([1]);
  }, 60_000);

  it('starts again from the first UID when UIDVALIDITY changed, and from the checkpoint otherwise', async () => {
    await d.append([raw('two'), raw('three')]);
    const seen: string[] = [];
    const c = await d.client();
    const box = await c.mailboxOpen('INBOX');
    await c.logout();
    const uidvalidity = String(box.uidValidity);
    await readMailbox(cfg, { uidvalidity, lastUid: 1 }, async (_r, at) => void seen.push(`${at.uidvalidity}:${at.uid}`));
    expect(seen).toEqual([`${uidvalidity}:2`, `${uidvalidity}:3`]);
    seen.length = 0;
    await readMailbox(cfg, { uidvalidity: '1', lastUid: 3 }, async (_r, at) => void seen.push(String(at.uid)));
    expect(seen).toEqual(['1', '2', '3']);
  }, 60_000);

  it('fails as an authentication failure when the password is wrong', async () => {
    await expect(
      readMailbox({ ...cfg, password: 'wrong' }, { uidvalidity: null, lastUid: 0 }, async () => undefined),
    ).rejects.toMatchObject({
      authenticationFailed: true,
    });
  }, 60_000);
});
