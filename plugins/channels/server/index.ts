// The channels plugin (issue 20): mail and web forms into cases and messages. IMAP mailboxes
// (mail_channel records) are read by a scheduled job and on an admin's request; the reading of
// inbound mail (parse, auto, spam, thread, quote) is shared with the SMTP listener to come.
import { definePlugin, validation, type BeforeEvent } from 'kizuna/plugin';
import { PASSWORD_ENV, channelRow, pollChannel, pollChannels } from './poll.ts';

export { parseMail, DEFAULT_LIMITS, type InboundMail, type InboundAttachment, type MailAddress, type ParseLimits } from './parse.ts';
export { classifyAuto, type AutoClassification } from './auto.ts';
export { scoreSpam, type SpamVerdict, type SenderLists } from './spam.ts';
export { threadKeys, type ThreadKeys } from './thread.ts';
export { splitQuoted, type SplitBody } from './quote.ts';

const KEPT = ['uidvalidity', 'last_uid', 'last_error', 'failures', 'retry_at', 'last_polled_at'];

/** A mailbox's settings checked on write: a 422 naming the field, never a failing poll later. */
function checkChannel(e: BeforeEvent): void {
  const v = e.values;
  const errors: { field: string; message: string }[] = [];
  if (v.password_env !== undefined && (typeof v.password_env !== 'string' || !PASSWORD_ENV.test(v.password_env))) {
    errors.push({ field: 'password_env', message: 'must name an environment variable KIZUNA_MAIL_… (capital letters, digits, _)' });
  }
  if (v.processed === 'move' && !(typeof v.processed_folder === 'string' && v.processed_folder.trim())) {
    errors.push({ field: 'processed_folder', message: 'is required when processed mail is moved' });
  }
  if (errors.length) throw validation(errors);
}

export default definePlugin({
  hooks: {
    mail_channel: {
      beforeCreate: (e) => checkChannel(e),
      async beforeUpdate(e, ctx) {
        const now = await channelRow(ctx, String(e.id));
        // The checkpoint and the error are the reader's (set with maintain, which runs no
        // hooks): a caller moving last_uid would make mail be skipped or read again.
        const kept = KEPT.filter((f) => f in e.values && String(e.values[f] ?? '') !== String(now[f] ?? ''));
        if (kept.length) throw validation(kept.map((field) => ({ field, message: 'is kept by the channels plugin' })));
        checkChannel({ ...e, values: { ...now, ...e.values } });
      },
    },
  },
  jobs: {
    // Each turn catches every mailbox up, then watches them with IDLE for a while (new mail is
    // read within seconds); a server without IDLE is read again on the next turn.
    mailboxes: {
      everySeconds: 5,
      run: async (ctx) => void (await pollChannels(ctx, { idleMs: 1000 * Number(ctx.settings.idle_seconds ?? 25) })),
    },
  },
  routes: {
    'POST /mailboxes/:id/read': {
      summary: 'Read a mailbox now (up to ?limit= messages): what was stored and the error, if any',
      query: { limit: { description: 'Stop after this many messages (default: all)', schema: { type: 'string', pattern: '^[0-9]+$' } } },
      response: {
        type: 'object',
        required: ['channel', 'stored', 'error'],
        properties: {
          channel: { type: 'string' },
          stored: { type: 'integer' },
          error: { type: ['string', 'null'] },
          outcomes: { type: 'object', additionalProperties: { type: 'integer' } },
        },
      },
      async handler(c) {
        const raw = c.req.query('limit');
        if (raw !== undefined && !/^[1-9][0-9]{0,6}$/.test(raw))
          throw validation([{ field: 'limit', message: 'must be a whole number from 1 to 9999999' }]);
        const ctx = c.env.kizuna;
        const row = await channelRow(ctx, c.req.param('id') ?? '');
        const outcomes: Record<string, number> = {};
        const result = await pollChannel(
          ctx,
          row,
          { limit: raw ? Number(raw) : undefined },
          (o) => (outcomes[o.kind] = (outcomes[o.kind] ?? 0) + 1),
        );
        return c.json({ ...result, outcomes });
      },
    },
  },
});
