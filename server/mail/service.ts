import type { Database, Executor } from '../../db/client.ts';
import { Invalid } from '../errors.ts';
import type { Jobs } from '../jobs/queue.ts';
import { composeEmail, oneLine, type Email } from './compose.ts';
import type { DigestItem, NotificationEmail } from './notification-content.ts';
import * as q from './queries.ts';
import type { MailTransport } from './transport.ts';
import { fromMuteThreadToken, muteThreadToken, unsubscribeToken, userIdFromUnsubscribeToken } from './signed-links.ts';

export const SEND_MAIL = 'mail.send';
export const OUTBOX_PAGE = 50;

export interface MailOptions {
  publicUrl: string;
  from: string;
  /** Signs unsubscribe links. */
  secret: string;
  transport: MailTransport;
  retryLimit: number;
  retryDelaySeconds: number;
}

export interface OutgoingMessage {
  kind: 'verify-email' | 'reset-password' | 'confirm-email-change' | 'email-change-requested' | 'email-changed' | 'account-suspended' | 'notification' | 'digest';
  userId: string | null;
  to: string;
  email: Email;
  /** Carries a one-time link: its bodies are blanked once an SMTP server accepted it. */
  sensitive?: boolean;
}

export type MailService = ReturnType<typeof createMailService>;

/**
 * Sending e-mail: every message is a row in the outbox and a job in the queue, written in one
 * transaction, so a message is never lost between the two. The job delivers it (SMTP, or
 * nothing more than the outbox row when no server is configured), retried with backoff; the
 * row's status is checked first and set once, so a repeated job sends nothing twice.
 */
/** How long a delivered message stays readable in the outbox (the admin's view of what was sent). */
export const OUTBOX_KEEP_DAYS = 30;

export function createMailService(db: Database, jobs: Jobs, options: MailOptions) {
  const absolute = (path: string) => {
    if (!path.startsWith('/') || path.startsWith('//')) throw new Invalid('An e-mail links to a path on this site.');
    return `${options.publicUrl}${path}`;
  };

  async function queue(message: OutgoingMessage, tx?: Executor): Promise<number> {
    const write = async (executor: Executor) => {
      const id = await q.insertOutboxMessage(executor, {
        kind: message.kind,
        userId: message.userId,
        toAddress: message.to,
        subject: message.email.subject,
        textBody: message.email.text,
        htmlBody: message.email.html,
        headers: message.email.headers,
        sensitive: message.sensitive ?? false,
      });
      await jobs.send(SEND_MAIL, { messageId: id }, { singletonKey: `outbox-${id}`, tx: executor });
      return id;
    };
    return tx ? write(tx) : db.transaction(write);
  }

  async function deliver(messageId: number): Promise<void> {
    const row = await q.findOutboxMessage(db, messageId);
    if (!row || row.status === 'sent') return;
    if (!options.transport) {
      await q.markOutboxSent(db, messageId, 'outbox', false);
      return;
    }
    try {
      await options.transport.sendMail({
        from: options.from,
        to: row.toAddress,
        subject: row.subject,
        text: row.textBody,
        html: row.htmlBody,
        headers: row.headers,
        // The same Message-ID on every attempt lets a receiving server drop a duplicate.
        messageId: `<outbox-${row.id}.${row.createdAt.getTime()}@${new URL(options.publicUrl).hostname}>`,
      });
    } catch (error) {
      // Only the transport's message: it names the server's answer, never the credentials in SMTP_URL.
      await q.markOutboxFailed(db, messageId, oneLine(error instanceof Error ? error.message : String(error), 500));
      throw error;
    }
    await q.markOutboxSent(db, messageId, 'smtp', row.sensitive);
  }

  jobs.define<{ messageId: number }>(SEND_MAIL, ({ messageId }) => deliver(messageId), {
    retryLimit: options.retryLimit,
    retryDelaySeconds: options.retryDelaySeconds,
    backoff: true,
  });

  function unsubscribeParts(userId: string) {
    const token = unsubscribeToken(options.secret, userId);
    return {
      page: absolute(`/unsubscribe/${token}`),
      // RFC 8058: mail clients POST "List-Unsubscribe=One-Click" here, with no cookie and no page.
      headers: { 'List-Unsubscribe': `<${absolute(`/api/v1/unsubscribe/${token}`)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
  }

  /** Notification and digest e-mails go only to verified addresses whose owner chose this kind. */
  // Read on the caller's transaction when there is one (the embedded database has one connection).
  async function optedIn(userId: string, kind: q.EmailNotifications, executor: Executor = db): Promise<q.Recipient | null> {
    const recipient = await q.findRecipient(executor, userId);
    return recipient && recipient.emailVerified && recipient.emailNotifications === kind ? recipient : null;
  }

  return {
    queue,
    deliver,
    absoluteUrl: absolute,

    /** The outbox is a delivery log, not an archive: delivered messages leave it after OUTBOX_KEEP_DAYS. */
    pruneDelivered: (now = new Date()) => q.pruneSentOutbox(db, new Date(now.getTime() - OUTBOX_KEEP_DAYS * 86_400_000)),

    /**
     * One notification e-mail, for a member who chose "immediately" and verified their address
     * (otherwise nothing is queued and the answer is null). Build `content` with the functions in
     * notification-content.ts: they reduce anything confidential to a bare link.
     */
    async queueNotificationEmail(userId: string, content: NotificationEmail, tx?: Executor): Promise<number | null> {
      const recipient = await optedIn(userId, 'immediately', tx);
      if (!recipient) return null;
      const unsubscribe = unsubscribeParts(userId);
      const email = composeEmail({
        subject: content.subject,
        paragraphs: [content.text],
        action: { label: 'Open it on Rounds', url: absolute(content.url) },
        footer: [
          ...(content.muteThreadId !== undefined ? [`Stop notifications about this thread: ${absolute(`/mute/${muteThreadToken(options.secret, userId, content.muteThreadId)}`)}`] : []),
          'You get this e-mail because you asked for notification e-mails in your settings.',
          `Stop them with one click: ${unsubscribe.page}`,
        ],
        headers: unsubscribe.headers,
      });
      return queue({ kind: 'notification', userId, to: recipient.email, email }, tx);
    },

    /** The daily digest, for a member who chose it and verified their address; nothing for an empty list. */
    async queueDigest(userId: string, items: DigestItem[], tx?: Executor): Promise<number | null> {
      if (items.length === 0) return null;
      const recipient = await optedIn(userId, 'daily', tx);
      if (!recipient) return null;
      const unsubscribe = unsubscribeParts(userId);
      const email = composeEmail({
        subject: `Your Rounds digest: ${items.length} new ${items.length === 1 ? 'item' : 'items'}`,
        paragraphs: [`Here is what happened on Rounds since your last digest.`, ...items.map((item) => [oneLine(item.title), item.text, absolute(item.url)].filter(Boolean).join('\n'))],
        footer: ['You get this digest because you asked for a daily digest in your settings.', `Stop it with one click: ${unsubscribe.page}`],
        headers: unsubscribe.headers,
      });
      return queue({ kind: 'digest', userId, to: recipient.email, email }, tx);
    },

    unsubscribeUrl: (userId: string) => unsubscribeParts(userId).page,

    /** One click from an e-mail: notification e-mails off. False when the link was not signed by this site. */
    async unsubscribe(token: string): Promise<boolean> {
      const userId = userIdFromUnsubscribeToken(options.secret, token);
      return userId !== null && (await q.setEmailNotifications(db, userId, 'off'));
    },

    /** The member and thread a mute link from a notification e-mail names; null when it is not ours. */
    muteLinkTarget: (token: string) => fromMuteThreadToken(options.secret, token),

    /** Whether a token is one of ours, for the confirmation page before the click. */
    validUnsubscribeToken: (token: string) => userIdFromUnsubscribeToken(options.secret, token) !== null,

    async setNotificationPreference(userId: string, value: q.EmailNotifications): Promise<void> {
      await q.setEmailNotifications(db, userId, value);
    },

    outbox: (before?: number) => q.listOutboxMessages(db, { before, limit: OUTBOX_PAGE }),
    outboxMessage: (id: number) => q.findOutboxMessage(db, id),
  };
}
