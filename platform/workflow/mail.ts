// Outbound email of send_message steps through one SMTP server (KIZUNA_SMTP_URL, nodemailer).
import nodemailer from 'nodemailer';

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
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      const info = await transport.sendMail({ to: mail.to, from: mail.from, subject: mail.subject, text: mail.text, messageId: mail.messageId });
      return { accepted: (info.accepted ?? []).map(String) };
    },
    close: () => transport.close(),
  };
}
