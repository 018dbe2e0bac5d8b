import nodemailer, { type Transporter } from 'nodemailer';

/** Where sent e-mail goes: an SMTP server, or — with none configured — nowhere but the outbox table. */
export type MailTransport = Transporter | null;

export function createMailTransport(smtpUrl: string | undefined): MailTransport {
  return smtpUrl ? nodemailer.createTransport(smtpUrl) : null;
}
