// The channels plugin (issue 20): mail and web forms into cases and messages. This first part
// is the reading of inbound mail that the mailboxes (IMAP), the SMTP listener and case
// threading will share; it has no routes, hooks or jobs yet, so enabling it changes nothing.
import { definePlugin } from 'kizuna/plugin';

export { parseMail, DEFAULT_LIMITS, type InboundMail, type InboundAttachment, type MailAddress, type ParseLimits } from './parse.ts';
export { classifyAuto, type AutoClassification } from './auto.ts';
export { scoreSpam, type SpamVerdict, type SenderLists } from './spam.ts';
export { threadKeys, type ThreadKeys } from './thread.ts';
export { splitQuoted, type SplitBody } from './quote.ts';

export default definePlugin({});
