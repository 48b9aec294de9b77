// The mailboxes' reading turn: every enabled mailbox read side by side, each on its own — a
// mailbox that fails (wrong password, server down, folder gone) records its error on its
// mail_channel record and backs off, and the others go on.
import type { PluginContext } from 'kizuna/plugin';
import { storeMail, type IntakeOutcome } from './intake.ts';
import { readMailbox, type MailboxConfig, type ReadOptions } from './mailbox.ts';

/** Only variables of this form may hold a mailbox password: a channel must not read DATABASE_URL. */
export const PASSWORD_ENV = /^KIZUNA_MAIL_[A-Z0-9_]{1,52}$/;

const BACKOFF_BASE_S = 30;
const BACKOFF_MAX_S = 3600;
/** Seconds to wait after the n-th failure in a row: 30 s doubling to an hour. */
export const backoffSeconds = (failures: number) => Math.min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** Math.max(0, failures - 1));

type Row = Record<string, unknown>;

/** What an admin needs to read from a failure: imapflow's "Command failed" says little alone. */
export function errorText(e: unknown): string {
  const err = e as {
    message?: string;
    authenticationFailed?: boolean;
    responseText?: string;
    code?: string;
    errors?: { field?: string; message?: string }[];
  };
  const parts = [err?.authenticationFailed ? 'Authentication failed' : String(err?.message ?? e)];
  // A problem a write was refused with names its fields.
  if (Array.isArray(err?.errors)) parts.push(err.errors.map((x) => `${x.field} ${x.message}`).join('; '));
  if (err?.responseText) parts.push(err.responseText);
  if (err?.code && !parts[0].includes(err.code)) parts.push(err.code);
  return parts.join(': ').slice(0, 1000);
}

export interface ChannelResult {
  channel: string;
  stored: number;
  error: string | null;
}

function configOf(row: Row): MailboxConfig {
  const env = String(row.password_env ?? '');
  if (!PASSWORD_ENV.test(env)) throw new Error(`password_env must name a KIZUNA_MAIL_… variable (got "${env}")`);
  const password = process.env[env];
  if (password === undefined) throw new Error(`The environment variable ${env} is not set on this server`);
  return {
    host: String(row.host),
    port: Number(row.port),
    secure: row.secure !== false,
    user: String(row.user),
    password,
    mailbox: String(row.mailbox ?? 'INBOX') || 'INBOX',
    processed: row.processed === 'move' ? 'move' : 'flag',
    processedFolder: (row.processed_folder as string | null) ?? null,
  };
}

/** Reads one mailbox now and records how it went on its record. */
export async function pollChannel(
  ctx: PluginContext,
  row: Row,
  opts: ReadOptions = {},
  seen?: (o: IntakeOutcome) => void,
): Promise<ChannelResult> {
  const id = String(row.id);
  const channel = { id, name: String(row.name), address: (row.address as string | null) ?? null };
  try {
    const stored = await readMailbox(
      configOf(row),
      { uidvalidity: (row.uidvalidity as string | null) ?? null, lastUid: Number(row.last_uid ?? 0) },
      async (raw, at) => {
        const outcome = await storeMail(ctx, channel, raw, at);
        seen?.(outcome);
      },
      opts,
    );
    await ctx.asPlugin.maintain('mail_channel', [
      { id, values: { last_error: null, failures: 0, retry_at: null, last_polled_at: new Date().toISOString() } },
    ]);
    return { channel: id, stored, error: null };
  } catch (e) {
    const error = errorText(e);
    const failures = Number(row.failures ?? 0) + 1;
    ctx.log('mailbox failed', { channel: id, error, failures });
    await ctx.asPlugin
      .maintain('mail_channel', [
        {
          id,
          values: {
            last_error: error,
            failures,
            retry_at: new Date(Date.now() + backoffSeconds(failures) * 1000).toISOString(),
            last_polled_at: new Date().toISOString(),
          },
        },
      ])
      .catch((err) => ctx.log('mailbox error not recorded', { channel: id, error: String(err) }));
    return { channel: id, stored: 0, error };
  }
}

const CHANNEL_FIELDS =
  'id,name,host,port,secure,user,password_env,mailbox,address,processed,processed_folder,enabled,uidvalidity,last_uid,failures,retry_at';

export async function channelRow(ctx: PluginContext, id: string): Promise<Row> {
  return ctx.asPlugin.get('mail_channel', id, { fields: CHANNEL_FIELDS });
}

/** One turn: every enabled mailbox not backing off, side by side. */
export async function pollChannels(ctx: PluginContext, opts: ReadOptions = {}): Promise<ChannelResult[]> {
  const rows: Row[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.asPlugin.list('mail_channel', {
      filter: JSON.stringify({ enabled: { eq: true } }),
      fields: CHANNEL_FIELDS,
      limit: '100',
      sort: 'id',
      ...(cursor && { cursor }),
    });
    rows.push(...page.data);
    cursor = page.page.next_cursor ?? undefined;
  } while (cursor);
  const now = Date.now();
  const due = rows.filter((r) => !r.retry_at || Date.parse(String(r.retry_at)) <= now);
  return Promise.all(due.map((r) => pollChannel(ctx, r, opts)));
}
