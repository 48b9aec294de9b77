// Outbound email of send_message steps through one SMTP server (KIZUNA_SMTP_URL, nodemailer).
import type { Transporter } from 'nodemailer';

export interface Mail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** Stable per step: a resend after a crash carries the same Message-ID, so clients can drop it. */
  messageId: string;
}

export interface Mailer {
  send(mail: Mail): Promise<{ accepted: string[] }>;
  close(): void;
}

export function createMailer(url: string): Mailer {
  // nodemailer is loaded with the first email (~14 MB a server that sends none never needs).
  let transport: Promise<Transporter> | undefined;
  const open = () => (transport ??= import('nodemailer').then((m) => m.default.createTransport(url)));
  return {
    async send(mail) {
      const info = await (
        await open()
      ).sendMail({ to: mail.to, from: mail.from, subject: mail.subject, text: mail.text, messageId: mail.messageId });
      return { accepted: (info.accepted ?? []).map(String) };
    },
    close: () => void transport?.then((t) => t.close()),
  };
}
