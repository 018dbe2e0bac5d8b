import { randomBytes } from 'node:crypto';
import type { Database, Executor } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../accounts/passwords.ts';
import * as accountsQ from '../accounts/queries.ts';
import { checkEmail } from '../accounts/rules.ts';
import { hashToken } from '../accounts/service.ts';
import { Conflict, Invalid, NotFound, throwIfInvalid, TooManyRequests, Unauthenticated } from '../errors.ts';
import type { Jobs } from '../jobs/queue.ts';
import type { MemberViewer } from '../policy/index.ts';
import { utcMinute } from '../text/utc-minute.ts';
import { composeEmail } from './compose.ts';
import * as q from './queries.ts';
import type { MailService } from './service.ts';

export const VERIFY_EMAIL_HOURS = 48;
export const RESET_PASSWORD_HOURS = 1;
/** Links of one kind a member may be sent in an hour; more requests are dropped (resets silently). */
export const LINKS_PER_HOUR = 3;
export const PASSWORD_RESET_REQUEST = 'accounts.password-reset';

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000);
const anHourAgo = () => new Date(Date.now() - 3_600_000);
const newToken = () => randomBytes(32).toString('base64url');

export const LINK_SPENT = 'This link is not valid: it was used already or it expired.';
const EMAIL_TAKEN_SINCE = 'Another account has used that e-mail address since you asked for the change. Your address is unchanged.';

export type AccountEmails = ReturnType<typeof createAccountEmails>;

/**
 * The e-mails that prove an address and recover an account: verification after registration,
 * confirmation of a new address before it replaces the old one, and password reset. Links are
 * single-use and expire; only a hash of each token is stored.
 */
export function createAccountEmails(db: Database, mail: MailService, jobs: Jobs) {
  async function queueVerification(user: { id: string; email: string; displayName: string }, tx?: Executor): Promise<void> {
    const token = newToken();
    const write = async (executor: Executor) => {
      await q.insertAccountToken(executor, { tokenHash: hashToken(token), purpose: 'verify_email', userId: user.id, email: user.email, expiresAt: hoursFromNow(VERIFY_EMAIL_HOURS) });
      const email = composeEmail({
        subject: 'Confirm your e-mail address for Rounds',
        paragraphs: [`Hello ${user.displayName},`, `Please confirm that this is your e-mail address. The link works once, within ${VERIFY_EMAIL_HOURS} hours.`],
        action: { label: 'Confirm my address', url: mail.absoluteUrl(`/verify-email/${token}`) },
        footer: ['If you did not create an account on Rounds, ignore this e-mail: nothing happens without the link.'],
      });
      await mail.queue({ kind: 'verify-email', userId: user.id, to: user.email, email, sensitive: true }, executor);
    };
    await (tx ? write(tx) : db.transaction(write));
  }

  /** Runs as a job, so that the request's answer and timing are the same whether the address is known or not. */
  async function sendPasswordReset({ email: address }: { email: string }): Promise<void> {
    const userId = await q.findUserIdByEmail(db, address);
    if (!userId) return;
    const user = await accountsQ.findUserById(db, userId);
    if (!user) return;
    if ((await q.countRecentAccountTokens(db, user.id, 'reset_password', anHourAgo())) >= LINKS_PER_HOUR) return;
    const token = newToken();
    await db.transaction(async (tx) => {
      await q.insertAccountToken(tx, { tokenHash: hashToken(token), purpose: 'reset_password', userId: user.id, email: user.email, expiresAt: hoursFromNow(RESET_PASSWORD_HOURS) });
      const email = composeEmail({
        subject: 'Reset your Rounds password',
        paragraphs: [
          `Hello ${user.displayName},`,
          `Someone (we hope you) asked to reset the password of @${user.handle}. The link works once, within an hour, and signs you out everywhere.`,
        ],
        action: { label: 'Choose a new password', url: mail.absoluteUrl(`/reset-password/${token}`) },
        footer: ['If you did not ask for this, ignore this e-mail: your password stays as it is.'],
      });
      await mail.queue({ kind: 'reset-password', userId: user.id, to: user.email, email, sensitive: true }, tx);
    });
  }

  jobs.define<{ email: string }>(PASSWORD_RESET_REQUEST, sendPasswordReset, { retryLimit: 3, retryDelaySeconds: 10, backoff: true });

  /**
   * A suspended member is signed out at once; without this they would learn of it only by failing
   * to sign in. Sent whatever their e-mail choices, as account e-mails are (it is about the account).
   * The moderators' reason stays on the site (the sign-in page shows it): it may speak of what was
   * said in a confidential space, and an e-mail leaves the site.
   */
  async function queueSuspensionNotice(tx: Executor, member: { userId: string; until: Date | null }): Promise<void> {
    const user = await accountsQ.findUserById(tx, member.userId);
    if (!user) return;
    const until = member.until ? `until ${utcMinute(member.until)}` : 'until a moderator lifts it';
    const email = composeEmail({
      subject: 'Your Rounds account is suspended',
      paragraphs: [
        `Hello ${user.displayName},`,
        `The moderators suspended @${user.handle} ${until}. You are signed out, and cannot sign in or use API tokens until then.`,
        'The sign-in page gives their reason when you try to sign in.',
      ],
      footer: ['If you think this is a mistake, reply to your site’s administrators.'],
    });
    await mail.queue({ kind: 'account-suspended', userId: user.id, to: user.email, email }, tx);
  }

  return {
    queueVerification,
    queueSuspensionNotice,

    async resendVerification(viewer: MemberViewer): Promise<void> {
      const user = await accountsQ.findUserById(db, viewer.id);
      if (!user) throw new Unauthenticated();
      if (user.emailVerifiedAt) throw new Conflict('Your e-mail address is already confirmed.');
      if ((await q.countRecentAccountTokens(db, user.id, 'verify_email', anHourAgo())) >= LINKS_PER_HOUR) {
        throw new TooManyRequests('We sent several confirmation e-mails in the last hour. Check your inbox (and spam folder), or try again in an hour.');
      }
      await queueVerification(user);
    },

    /** Spends a verification link; the address is confirmed only if the account still uses it. */
    async verifyEmail(token: string): Promise<void> {
      await db.transaction(async (tx) => {
        const link = await q.consumeAccountToken(tx, hashToken(token), 'verify_email');
        if (!link) throw new NotFound(LINK_SPENT);
        if (!(await q.markEmailVerified(tx, link.userId, link.email))) {
          throw new NotFound('This link was for an e-mail address your account no longer uses.');
        }
        await q.spendAccountTokensOf(tx, link.userId, 'verify_email');
      });
    },

    /**
     * A new address needs the current password and takes effect only when the link sent to it is
     * followed: a typo must not hand password resets and notifications to a stranger's mailbox.
     * Until then the account keeps its address; the old address hears of the request at once.
     */
    async requestEmailChange(viewer: MemberViewer, currentPassword: string, newEmail: string): Promise<void> {
      const user = await accountsQ.findUserById(db, viewer.id);
      if (!user) throw new Unauthenticated();
      if (!user.passwordHash || !(await verifyPassword(user.passwordHash, currentPassword))) {
        throw new Invalid('Your current password is not right.', { currentPassword: 'Your current password is not right.' });
      }
      const email = newEmail.trim();
      const fields: Record<string, string> = {};
      checkEmail(email, fields);
      throwIfInvalid(fields);
      if (email.toLowerCase() === user.email.toLowerCase()) throw new Invalid('That is already your address.', { email: 'That is already your address.' });
      if (await q.findUserIdByEmail(db, email)) {
        throw new Invalid('Another account uses that e-mail address.', { email: 'Another account uses that e-mail address.' });
      }
      if ((await q.countRecentAccountTokens(db, user.id, 'change_email', anHourAgo())) >= LINKS_PER_HOUR) {
        throw new TooManyRequests('You asked to change your address several times in the last hour. Follow the latest link we sent, or try again in an hour.');
      }
      const token = newToken();
      await db.transaction(async (tx) => {
        // Only the latest request can be confirmed.
        await q.spendAccountTokensOf(tx, user.id, 'change_email');
        await q.insertAccountToken(tx, { tokenHash: hashToken(token), purpose: 'change_email', userId: user.id, email, expiresAt: hoursFromNow(VERIFY_EMAIL_HOURS) });
        const confirm = composeEmail({
          subject: 'Confirm your new e-mail address for Rounds',
          paragraphs: [
            `Hello ${user.displayName},`,
            `You asked to use this address for @${user.handle} on Rounds. Your account keeps its current address until you confirm: the link works once, within ${VERIFY_EMAIL_HOURS} hours.`,
          ],
          action: { label: 'Use this address', url: mail.absoluteUrl(`/change-email/${token}`) },
          footer: ['If you did not ask for this, ignore this e-mail: nothing changes without the link.'],
        });
        await mail.queue({ kind: 'confirm-email-change', userId: user.id, to: email, email: confirm, sensitive: true }, tx);
        // The current address hears of it at once, so a takeover attempt does not go unnoticed.
        const notice = composeEmail({
          subject: 'A change of your Rounds e-mail address was asked for',
          paragraphs: [
            `Hello ${user.displayName},`,
            `Someone signed in as @${user.handle} asked to change the account's e-mail address to ${email}. Nothing changes until the link sent to that address is followed.`,
            'If this was not you, change your password at once and tell your site\'s administrators.',
          ],
        });
        await mail.queue({ kind: 'email-change-requested', userId: user.id, to: user.email, email: notice }, tx);
      });
    },

    /** The change waiting for its link, if any: the settings page shows it and offers to cancel. */
    pendingEmailChange: (viewer: MemberViewer) => q.findPendingAccountToken(db, viewer.id, 'change_email'),

    async cancelEmailChange(viewer: MemberViewer): Promise<void> {
      await q.spendAccountTokensOf(db, viewer.id, 'change_email');
    },

    /** Where a usable change link would move the account (for its page), without spending it. */
    async emailChangeTarget(token: string): Promise<{ handle: string; email: string }> {
      const link = await q.findUsableAccountToken(db, hashToken(token), 'change_email');
      const user = link ? await accountsQ.findUserById(db, link.userId) : undefined;
      if (!link || !user) throw new NotFound(LINK_SPENT);
      return { handle: user.handle, email: link.email };
    },

    /**
     * Spends a change link and moves the account to the address it was sent to, which following it
     * proved. Links sent to the old address (resets, verification) stop working with it.
     */
    async confirmEmailChange(token: string): Promise<{ email: string }> {
      try {
        return await db.transaction(async (tx) => {
          const link = await q.consumeAccountToken(tx, hashToken(token), 'change_email');
          if (!link) throw new NotFound(LINK_SPENT);
          const user = await accountsQ.findUserById(tx, link.userId);
          if (!user) throw new NotFound(LINK_SPENT);
          const holder = await q.findUserIdByEmail(tx, link.email);
          if (holder && holder !== user.id) throw new Conflict(EMAIL_TAKEN_SINCE);
          await accountsQ.updateUser(tx, user.id, { email: link.email, emailVerifiedAt: new Date() });
          for (const purpose of ['change_email', 'verify_email', 'reset_password'] as const) await q.spendAccountTokensOf(tx, user.id, purpose);
          const notice = composeEmail({
            subject: 'Your Rounds e-mail address was changed',
            paragraphs: [
              `Hello ${user.displayName},`,
              `The e-mail address of @${user.handle} is now ${link.email}: the change was confirmed from that address. Rounds sends nothing more here.`,
              'If you did not do this, tell your site\'s administrators at once.',
            ],
          });
          await mail.queue({ kind: 'email-changed', userId: user.id, to: user.email, email: notice }, tx);
          return { email: link.email };
        });
      } catch (error) {
        // Another account registered the address between the check and the write.
        if (isUniqueViolation(error)) throw new Conflict(EMAIL_TAKEN_SINCE);
        throw error;
      }
    },

    /** Always answers the same way, at the same speed: the work happens in a job. */
    async requestPasswordReset(address: string): Promise<void> {
      const email = address.trim().toLowerCase();
      if (email.length === 0 || email.length > 320) return;
      await jobs.send(PASSWORD_RESET_REQUEST, { email }, { singletonKey: `reset:${email}` });
    },

    /** The account a usable reset link belongs to (for the form), without spending it. */
    async resetTarget(token: string): Promise<{ handle: string }> {
      const link = await q.findUsableAccountToken(db, hashToken(token), 'reset_password');
      const user = link ? await accountsQ.findUserById(db, link.userId) : undefined;
      if (!user) throw new NotFound(LINK_SPENT);
      return { handle: user.handle };
    },

    /** Sets the new password, spends the link (and any other reset link) and ends every session. */
    async resetPassword(token: string, newPassword: string): Promise<void> {
      const hash = hashToken(token);
      const link = await q.findUsableAccountToken(db, hash, 'reset_password');
      const user = link ? await accountsQ.findUserById(db, link.userId) : undefined;
      if (!user) throw new NotFound(LINK_SPENT);
      const weak = passwordProblem(newPassword, [user.handle, user.email.split('@')[0] ?? '']);
      if (weak) throw new Invalid(weak, { newPassword: weak });
      const passwordHash = await hashPassword(newPassword);
      await db.transaction(async (tx) => {
        const spent = await q.consumeAccountToken(tx, hash, 'reset_password');
        if (!spent) throw new NotFound(LINK_SPENT);
        await accountsQ.updateUser(tx, user.id, { passwordHash });
        await accountsQ.deleteSessionsOfUser(tx, user.id);
        await q.spendAccountTokensOf(tx, user.id, 'reset_password');
        // Following the link proved the address, as a verification link would have.
        await q.markEmailVerified(tx, user.id, spent.email);
      });
    },

    pruneExpired: () => q.pruneAccountTokens(db, new Date(Date.now() - 7 * 86_400_000)),
  };
}
