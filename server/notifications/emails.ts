import type { Database, Executor } from '../../db/client.ts';
import type { MailService } from '../mail/service.ts';
import { activityDigestItem, activityNotification, type Activity } from '../mail/notification-content.ts';
import type { MemberViewer } from '../policy/index.ts';
import { describe, excerptOf, type NotificationDetail } from './presenters.ts';
import * as q from './queries.ts';

export const NOTIFICATION_EMAIL_JOB = 'notifications.email';
export const DIGEST_JOB = 'notifications.digest';
/** Every day at 07:00 UTC; each digest covers what came since the member's previous one. */
export const DIGEST_CRON = '0 7 * * *';
/** A first digest covers the day before it; after a long outage, at most the last week. */
const DIGEST_FIRST_WINDOW_MS = 24 * 3_600_000;
const DIGEST_MAX_WINDOW_MS = 7 * 24 * 3_600_000;
const DIGEST_MAX_ITEMS = 50;

/**
 * Notification e-mails. Each is written when it is sent, as its recipient may read the subject
 * then (`findDetails` runs the notification predicate as that member): access lost meanwhile means
 * no e-mail. What leaves the site is decided by the mail module's composers: anything in a
 * confidential space is "New activity in a confidential space" and a link by number, nothing else.
 * Whether a member gets them at all (verified address, "immediately" or "daily") is the mail
 * service's check.
 */
export function createNotificationEmails(db: Database, deps: { mail: MailService; memberViewer(userId: string): Promise<MemberViewer | null> }) {
  async function activitiesFor(tx: Executor, viewer: MemberViewer, ids: number[]): Promise<Activity[]> {
    const details = await q.findDetails(db, tx, viewer, ids);
    return details.map((detail) => toActivity([detail]));
  }

  /** A digest's lines: a thread's new posts are one line, as on the notifications page, oldest first. */
  async function digestActivities(tx: Executor, viewer: MemberViewer, ids: number[]): Promise<Activity[]> {
    const groups = new Map<string, Detail[]>();
    for (const detail of (await q.findDetails(db, tx, viewer, ids)).sort((a, b) => a.id - b.id)) {
      const key = collapseKey(detail);
      groups.set(key, [...(groups.get(key) ?? []), detail]);
    }
    return [...groups.values()].map(toActivity);
  }

  return {
    /** The e-mails for a batch of new notifications, one per notification, for members who want them at once. */
    async sendNow(ids: number[]): Promise<void> {
      const recipients = await q.findRecipientsOf(db, ids);
      const byRecipient = new Map<string, number[]>();
      for (const { id, recipientId } of recipients) byRecipient.set(recipientId, [...(byRecipient.get(recipientId) ?? []), id]);
      const viewers = new Map<string, MemberViewer>();
      for (const recipientId of byRecipient.keys()) {
        const viewer = await deps.memberViewer(recipientId);
        if (viewer) viewers.set(recipientId, viewer);
      }
      // One transaction: a retried job finds nothing half-queued, so nobody gets an e-mail twice.
      await db.transaction(async (tx) => {
        for (const [recipientId, theirs] of byRecipient) {
          const viewer = viewers.get(recipientId);
          if (!viewer) continue;
          for (const activity of await activitiesFor(tx, viewer, theirs)) {
            await deps.mail.queueNotificationEmail(recipientId, activityNotification(activity), tx);
          }
        }
      });
    },

    /**
     * The daily digest of what each member who asked for one has not read since their previous
     * digest: a day the job did not run (the site was down at 07:00) is in the next one, and a
     * second run the same day (a retried job) finds nothing new for those already sent theirs.
     */
    async sendDigests(now: Date): Promise<number> {
      let sent = 0;
      for (const { recipientId, since } of await q.findDigestRecipients(db, now, DIGEST_FIRST_WINDOW_MS, DIGEST_MAX_WINDOW_MS)) {
        const viewer = await deps.memberViewer(recipientId);
        if (!viewer) continue;
        await db.transaction(async (tx) => {
          const ids = await q.findUnreadSince(tx, viewer, since, DIGEST_MAX_ITEMS);
          const items = (await digestActivities(tx, viewer, ids)).map(activityDigestItem);
          if ((await deps.mail.queueDigest(recipientId, items, tx)) !== null) sent++;
        });
      }
      return sent;
    },
  };
}

type Detail = Awaited<ReturnType<typeof q.findDetails>>[number];

/** An e-mail quotes more than the notifications page: the reader judges the post from their inbox. */
const EXCERPT_CHARS = 300;
/** Kinds a thread brought because the member watches it or started it: the e-mail offers to mute it. */
const THREAD_KINDS: ReadonlySet<string> = new Set(['reply_to_thread', 'watched_post']);

/** Unread notifications that one item stands for: the twin of `groupKey` in queries.ts, which the notifications page uses. */
function collapseKey(d: Detail): string {
  if (THREAD_KINDS.has(d.kind) && d.threadId !== null) return `t${d.threadId}`;
  if ((d.kind === 'blog_comment' || d.kind === 'blog_comment_followed') && d.entrySlug !== null) return `e${d.entryAuthorHandle ?? ''}/${d.entrySlug}`;
  return `n${d.id}`;
}

/** One e-mail or digest line for notifications collapsed into one item (oldest first), quoting the oldest. */
function toActivity(collapsed: Detail[]): Activity {
  const detail = collapsed[0]!;
  const words = describe(detail as NotificationDetail, collapsed.at(-1) as NotificationDetail, collapsed.length, true);
  // Written here for every place; activityNotification and activityDigestItem leave it out of anything confidential.
  const excerpt = excerptOf(detail, EXCERPT_CHARS);
  return {
    space: detail.placeLevel && detail.placeName ? { level: detail.placeLevel, name: detail.placeName } : null,
    ...(excerpt ? { excerpt } : {}),
    headline: words.text,
    url: words.target,
    target: detail.postId !== null ? { postId: detail.postId } : detail.threadId !== null ? { threadId: detail.threadId } : null,
    ...(THREAD_KINDS.has(detail.kind) && detail.threadId !== null ? { muteThreadId: detail.threadId } : {}),
  };
}
