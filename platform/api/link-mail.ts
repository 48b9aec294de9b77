// A one-time password link on its way to a person: by email when SMTP is configured
// (KIZUNA_SMTP_URL, the workflow layer's mailer), else answered to the admin, once.
import type { Context } from 'hono';
import type { IssuedLink } from '../auth/index.ts';
import type { Mail, Mailer } from '../workflow/index.ts';
import type { AppEnv } from '../plugins/index.ts';

export interface LinkDelivery {
  purpose: IssuedLink['purpose'];
  expires_at: string;
  /** Whether the link went out by email (then it is not in this answer). */
  emailed: boolean;
  /** The link, when it was not emailed: shown this once, stored only hashed. */
  url?: string;
  /** Why the email could not be sent (the link is answered instead). */
  email_error?: string;
}

/**
 * The studio's address as the admin's browser sees it (its Origin, sent with every POST), so
 * the link works behind a proxy that rewrites the Host; else the request's own.
 */
export function studioOrigin(c: Context<AppEnv>): string {
  const origin = c.req.header('origin');
  return origin && /^https?:\/\/[^\s/]+$/.test(origin) ? origin : new URL(c.req.url).origin;
}

/** The token travels after `#`: browsers never send a fragment to a server, so it stays out of access logs. */
export const linkUrl = (origin: string, token: string) => `${origin}/set-password#${token}`;

function linkMail(link: IssuedLink, url: string, from: string): Mail {
  const ja = link.user.locale === 'ja';
  const until = new Date(link.expires_at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const subject =
    link.purpose === 'invite'
      ? ja
        ? 'Kizuna への招待'
        : 'Your invitation to Kizuna'
      : ja
        ? 'Kizuna のパスワード再設定'
        : 'Reset your Kizuna password';
  const text = ja
    ? `${link.user.name} 様\n\n${link.purpose === 'invite' ? 'Kizuna に招待されました。' : 'パスワードの再設定を受け付けました。'}次のリンクでパスワードを設定してください（1 回のみ有効、${until} まで）:\n\n${url}\n\nサインイン名: ${link.user.email}\n`
    : `Hello ${link.user.name},\n\n${link.purpose === 'invite' ? 'You have been invited to Kizuna.' : 'A password reset was requested for you.'} Choose your password with this link (it works once, until ${until}):\n\n${url}\n\nYour sign-in name: ${link.user.email}\n`;
  return { to: [link.user.email], from, subject, text, messageId: `<${crypto.randomUUID()}@kizuna>` };
}

export async function deliverLink(
  link: IssuedLink,
  origin: string,
  mail: { mailer?: Mailer; from: string; send: boolean },
): Promise<LinkDelivery> {
  const url = linkUrl(origin, link.token);
  const base = { purpose: link.purpose, expires_at: link.expires_at };
  if (!mail.mailer || !mail.send) return { ...base, emailed: false, url };
  try {
    const { accepted } = await mail.mailer.send(linkMail(link, url, mail.from));
    if (accepted.length) return { ...base, emailed: true };
    return { ...base, emailed: false, url, email_error: 'the SMTP server accepted no recipient' };
  } catch (e) {
    return { ...base, emailed: false, url, email_error: (e as Error).message.slice(0, 300) };
  }
}
