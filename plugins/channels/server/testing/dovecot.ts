// A real IMAP server for the channels plugin's tests: Debian's Dovecot (dovecot-imapd) started
// as its own process on a free port of 127.0.0.1, with one mailbox user and maildirs in a
// temporary folder, and stopped with its folder removed. No mocks: imapflow talks to it as it
// would to a customer's server. A machine without Dovecot fails the test that asks for it,
// saying what to install (never a skip: CI installs it, see .ci/run).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

const DOVECOT = '/usr/sbin/dovecot';

export interface TestDovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Appends raw messages to a mailbox (INBOX by default) through imapflow's APPEND. */
  append(raws: (string | Buffer)[], mailbox?: string): Promise<void>;
  /** A connected imapflow client for the test user (the caller logs it out). */
  client(): Promise<ImapFlow>;
  /** The server's log, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Waits until the server answers its greeting ("* OK"), or fails with its log. */
async function greeted(port: number, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('* OK'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Dovecot did not answer on 127.0.0.1:${port}. Its log:\n${log()}`);
}

const idOf = (name: string, flag: '-u' | '-g') => Number(execFileSync('id', [flag, name]).toString().trim());

export async function startDovecot(opts: { user?: string; password?: string } = {}): Promise<TestDovecot> {
  if (!existsSync(DOVECOT)) {
    throw new Error(`${DOVECOT} is missing: the channels plugin's IMAP tests need a real Dovecot (apt-get install -y dovecot-imapd)`);
  }
  const user = opts.user ?? 'support';
  const password = opts.password ?? 'imap-test-secret';
  const dir = await mkdtemp(join(tmpdir(), 'kizuna-dovecot-'));
  const port = await freePort();
  const me = userInfo();
  // Dovecot refuses to run its login process as root and to open mail as uid 0: under root
  // (CI containers) those run as the Debian package's own users, elsewhere as the caller.
  const root = me.uid === 0;
  const internalUser = root ? 'dovecot' : me.username;
  const loginUser = root ? 'dovenull' : me.username;
  const mailUid = root ? idOf('dovecot', '-u') : me.uid;
  const mailGid = root ? idOf('dovecot', '-g') : me.gid;
  const internalGroup = root ? 'dovecot' : execFileSync('id', ['-gn']).toString().trim();
  for (const sub of ['run', 'state', 'mail', 'home']) await mkdir(join(dir, sub));
  const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internalUser}
default_internal_group = ${internalGroup}
default_login_user = ${loginUser}
first_valid_uid = ${mailUid}
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
  await writeFile(join(dir, 'dovecot.conf'), conf);
  await writeFile(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`);
  if (root) {
    // The auth process (user dovecot) reads the passwd file; mail is written as dovecot.
    await chmod(dir, 0o755);
    await chmod(join(dir, 'passwd'), 0o644);
    await chown(join(dir, 'mail'), mailUid, mailGid);
    await chown(join(dir, 'home'), mailUid, mailGid);
  }
  const log = () => {
    try {
      return readFileSync(join(dir, 'dovecot.log'), 'utf8');
    } catch {
      return '(no log)';
    }
  };
  // -F: in the foreground, so the child is the master process and stop() can wait for it.
  const child = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      greeted(port, () => `${stderr}\n${log()}`),
      exited.then(() => {
        throw new Error(`Dovecot exited at start: ${stderr}\n${log()}`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  const client = async () => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
    await c.connect();
    return c;
  };

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    client,
    log,
    async append(raws, mailbox = 'INBOX') {
      const c = await client();
      try {
        if (mailbox !== 'INBOX') await c.mailboxCreate(mailbox).catch(() => undefined);
        for (const raw of raws) await c.append(mailbox, raw);
      } finally {
        await c.logout();
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
