// Reading one IMAP mailbox through imapflow: the messages after the checkpoint, in UID order
// and in batches, each handed to `store` (which commits it with the new checkpoint) before the
// next is read, then marked or moved as processed. The checkpoint (UIDVALIDITY, last UID) is
// what makes a restart resume exactly; a changed UIDVALIDITY means the server renumbered the
// folder, so reading starts again from the first UID and the intake's Message-ID key keeps the
// ones already stored from being stored twice.
import { ImapFlow } from 'imapflow';
import type { Position } from './intake.ts';

export interface MailboxConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  processed: 'flag' | 'move';
  processedFolder?: string | null;
}

export interface Checkpoint {
  uidvalidity: string | null;
  lastUid: number;
}

export interface ReadOptions {
  /** Messages fetched per round trip (their sources are held in memory together). */
  batch?: number;
  /** Stop after this many messages (an admin's "read some now", and the tests' interruption). */
  limit?: number;
  /** Watch the folder with IDLE this long after catching up, reading what arrives (0: don't). */
  idleMs?: number;
  /** Called each time the reader starts waiting in IDLE (caught up, nothing new). */
  onWatch?: () => void;
}

/** The keyword processed mail gets with \Seen (flag mode), so people see what Kizuna took. */
export const PROCESSED_KEYWORD = '$Kizuna';

export async function connectMailbox(cfg: MailboxConfig): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    auth: { user: cfg.user, pass: cfg.password },
    logger: false,
    // A mailbox that stops answering must not hold the turn (and the others) forever.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 120_000,
  });
  // imapflow reports socket errors as events as well as rejections: an unhandled 'error' event
  // would crash the server, and a failing mailbox must stay its own problem.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Reads what is new in the mailbox: `store(raw, position)` for each message after `from`, in
 * UID order; answers how many were stored. Errors (connection, login, folder) are thrown.
 */
export async function readMailbox(
  cfg: MailboxConfig,
  from: Checkpoint,
  store: (raw: Buffer, at: Position) => Promise<void>,
  opts: ReadOptions = {},
): Promise<number> {
  const batch = opts.batch ?? 50;
  const limit = opts.limit ?? Infinity;
  const client = await connectMailbox(cfg);
  let stored = 0;
  try {
    const lock = await client.getMailboxLock(cfg.mailbox);
    try {
      const box = client.mailbox;
      if (!box) throw new Error(`The folder ${cfg.mailbox} could not be opened`);
      const uidvalidity = String(box.uidValidity);
      let last = from.uidvalidity === uidvalidity ? from.lastUid : 0;
      if (cfg.processed === 'move' && cfg.processedFolder) await client.mailboxCreate(cfg.processedFolder).catch(() => undefined);

      const catchUp = async () => {
        while (stored < limit) {
          // UID SEARCH, not a fetch of `last+1:*`: `n:*` answers the last message even when
          // its UID is below n.
          const uids = ((await client.search({ uid: `${last + 1}:*` }, { uid: true })) || []).filter((u) => u > last).sort((a, b) => a - b);
          if (!uids.length) return;
          const take = uids.slice(0, Math.min(batch, limit - stored));
          const done: number[] = [];
          for await (const msg of client.fetch(take, { uid: true, source: true }, { uid: true })) {
            if (!msg.source) continue;
            await store(msg.source, { uidvalidity, uid: msg.uid });
            last = msg.uid;
            stored++;
            done.push(msg.uid);
          }
          if (!done.length) return;
          await markProcessed(client, cfg, done);
        }
      };
      await catchUp();
      if (opts.idleMs && client.capabilities.has('IDLE') && stored < limit) {
        const until = Date.now() + opts.idleMs;
        while (Date.now() < until && stored < limit) {
          // IDLE until the server says EXISTS or the watch ends; the next command (the
          // search in catchUp, or the logout) ends IDLE.
          const idling = client.idle().catch(() => false);
          opts.onWatch?.();
          await new Promise<void>((resolve) => {
            const t = setTimeout(done, Math.max(0, until - Date.now()));
            function done() {
              clearTimeout(t);
              client.off('exists', done);
              client.off('close', done);
              resolve();
            }
            client.on('exists', done);
            client.on('close', done);
          });
          if (Date.now() >= until) break;
          await catchUp();
          await idling;
        }
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return stored;
}

/** Processed mail is marked (\Seen + $Kizuna) or moved; it is never deleted. */
async function markProcessed(client: ImapFlow, cfg: MailboxConfig, uids: number[]): Promise<void> {
  if (cfg.processed === 'move' && cfg.processedFolder) {
    await client.messageMove(uids, cfg.processedFolder, { uid: true });
  } else {
    await client.messageFlagsAdd(uids, ['\\Seen', PROCESSED_KEYWORD], { uid: true });
  }
}
