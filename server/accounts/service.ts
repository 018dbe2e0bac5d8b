import { createHash, randomBytes } from 'node:crypto';
import { generateIdFromEntropySize } from 'lucia';
import type { Database, Executor } from '../../db/client.ts';
import { renderMarkdown } from '../content/render-markdown.ts';
import { Forbidden, Invalid, NotFound, throwIfInvalid, TooManyRequests, Unauthenticated } from '../errors.ts';
import type { MemberViewer } from '../policy/index.ts';
import { loadModerationSettings, queueRegistration } from '../moderation/admission.ts';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import * as q from './queries.ts';
import { checkEmail, checkHandle, checkProfile, LIMITS, type ProfileInput } from './rules.ts';
import { normaliseText } from '../text/normalise.ts';
import { utcMinute } from '../text/utc-minute.ts';
import type { MemberCache } from '../events/member-cache.ts';
import { sessionUser, type SessionCookie, type SessionManager, type SessionUser, type ValidSession } from './sessions.ts';

export interface RegisterInput {
  handle: string;
  displayName: string;
  email: string;
  password: string;
}

export interface AccountsOptions {
  signInFailuresPerAccount: number;
  signInFailureWindowMinutes: number;
}

export interface AccountsHooks {
  /** Runs in the transaction that creates an account (the verification e-mail is queued there). */
  registered?: (tx: Executor, user: q.UserRow) => Promise<void>;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function userToViewer(user: SessionUser): MemberViewer {
  return {
    kind: 'member',
    id: user.id,
    handle: user.handle,
    displayName: user.displayName,
    role: user.role,
    // A silence or suspension with an end date is over once that date has passed.
    status: user.statusUntil !== null && user.statusUntil.getTime() <= Date.now() ? 'active' : user.status,
    trustLevel: user.trustLevel,
  };
}

function isSuspended(user: Pick<SessionUser, 'status' | 'statusUntil'>): boolean {
  return user.status === 'suspended' && (user.statusUntil === null || user.statusUntil.getTime() > Date.now());
}

export type AccountsService = ReturnType<typeof createAccountsService>;

/**
 * A session or token is remembered until its member's account or sessions change (its cookie was
 * sent once already). A suspended member's is not: it is refused, and lifting the suspension must
 * not wait for an announcement to be heard.
 */
function keepSession(valid: ValidSession | null) {
  return valid && !isSuspended(valid.user) ? { value: { ...valid, refreshedCookie: null }, until: `member:${valid.user.id}` } : null;
}

function keepTokenUser(user: SessionUser | null) {
  return user && !isSuspended(user) ? { value: user, until: `member:${user.id}` } : null;
}

export function createAccountsService(db: Database, sessions: SessionManager, remembered: MemberCache, options: AccountsOptions, hooks: AccountsHooks = {}) {
  const failureWindow = () => new Date(Date.now() - options.signInFailureWindowMinutes * 60_000);
  const userByApiToken = q.prepareApiTokenLookup(db);

  async function createApiToken(viewer: MemberViewer, name: string) {
    const clean = normaliseText(name);
    if (clean.length === 0 || clean.length > LIMITS.tokenName) {
      throw new Invalid(`Name the token (1–${LIMITS.tokenName} characters) so you can recognise it later.`, { name: 'Required' });
    }
    // Names tell tokens apart in the list; a repeated name is also what a reloaded form sends, which
    // must not quietly make a second token (the first one's secret was shown once already).
    if ((await q.listApiTokens(db, viewer.id)).some((t) => t.name.toLowerCase() === clean.toLowerCase())) {
      throw new Invalid(`You already have a token named “${clean}”. Its secret was shown once, when it was made: if you lost it, revoke that token and make a new one.`, {
        name: 'Choose another name',
      });
    }
    const token = `rnd_${randomBytes(32).toString('base64url')}`;
    const row = await q.insertApiToken(db, viewer.id, clean, hashToken(token));
    return { ...row, token };
  }

  /** One message for every failure, so a stranger cannot tell which part was wrong. */
  async function authenticate(login: string, password: string): Promise<q.UserRow> {
    const accountKey = login.trim().toLowerCase();
    const refused = new Invalid('That sign-in did not work. Check your handle or e-mail and your password.', {
      login: ' ',
      password: ' ',
    });
    if (accountKey.length === 0 || password.length === 0 || password.length > 1024) throw refused;
    if ((await q.countRecentSignInFailures(db, accountKey, failureWindow())) >= options.signInFailuresPerAccount) {
      throw new TooManyRequests(
        `Too many failed sign-ins for this account. Wait ${options.signInFailureWindowMinutes} minutes and try again.`,
      );
    }
    const user = await q.findUserByLogin(db, accountKey);
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!user || !user.passwordHash || !ok) {
      await q.recordSignInFailure(db, accountKey);
      throw refused;
    }
    if (user.approvalPending) {
      throw new Forbidden('Your registration is waiting for a moderator’s approval. You can sign in as soon as it is approved.');
    }
    if (isSuspended(user)) {
      throw new Forbidden(
        `${user.statusUntil ? `Your account is suspended until ${utcMinute(user.statusUntil)}.` : 'Your account is suspended.'}${user.statusReason ? ` Reason: ${user.statusReason}` : ''}`,
      );
    }
    await q.clearSignInFailures(db, accountKey);
    return user;
  }

  return {
    sessions,

    /** A new account, signed in at once — or, when the site holds registrations, waiting for approval (no cookie). */
    async register(input: RegisterInput, userAgent: string): Promise<{ user: q.UserRow; cookie: SessionCookie | null }> {
      const handle = input.handle.trim();
      const email = input.email.trim();
      const displayName = normaliseText(input.displayName);
      const fields: Record<string, string> = {};
      checkHandle(handle, fields);
      checkEmail(email, fields);
      if (displayName.length === 0) fields.displayName = 'Enter the name other members will see.';
      if (displayName.length > LIMITS.displayName) fields.displayName = `Use at most ${LIMITS.displayName} characters.`;
      const weak = passwordProblem(input.password, [handle, email.split('@')[0] ?? '']);
      if (weak) fields.password = weak;
      throwIfInvalid(fields);
      const taken = await q.handleOrEmailTaken(db, handle, email);
      if (taken.handle) fields.handle = 'That handle is taken; choose another.';
      // Saying an e-mail is registered tells a stranger who is a member; the cost is accepted because
      // registration is rate-limited and there is no other way to tell a member they already have an account.
      if (taken.email) fields.email = 'An account with that e-mail address exists; sign in instead.';
      throwIfInvalid(fields);
      const passwordHash = await hashPassword(input.password);
      const { holdRegistrations } = await loadModerationSettings(db);
      if (holdRegistrations) {
        const user = await db.transaction(async (tx) => {
          const created = await q.insertUser(tx, { id: generateIdFromEntropySize(10), handle, email, displayName, passwordHash, approvalPending: true });
          await queueRegistration(tx, created.id);
          await hooks.registered?.(tx, created);
          return created;
        });
        return { user, cookie: null };
      }
      const user = await db.transaction(async (tx) => {
        const created = await q.insertUser(tx, { id: generateIdFromEntropySize(10), handle, email, displayName, passwordHash });
        await hooks.registered?.(tx, created);
        return created;
      });
      const cookie = await sessions.create(user.id, userAgent);
      return { user, cookie };
    },

    async signIn(login: string, password: string, userAgent: string): Promise<{ user: q.UserRow; cookie: SessionCookie }> {
      const user = await authenticate(login, password);
      return { user, cookie: await sessions.create(user.id, userAgent) };
    },

    /** Resolves a session cookie to its user; suspended users are signed out on their next request. */
    async resumeSession(sessionId: string) {
      const key = `session:${sessionId}`;
      let valid = await remembered.remember(key, () => sessions.validate(sessionId), keepSession);
      if (valid && valid.endsAt.getTime() <= Date.now()) {
        // Ran out while remembered: the database's answer ends it there too.
        remembered.forget(key);
        valid = await sessions.validate(sessionId);
      }
      if (!valid) return null;
      if (isSuspended(valid.user)) {
        await sessions.invalidateAll(valid.user.id);
        return null;
      }
      // Days visited count toward trust; one write per member per day.
      const today = new Date().toISOString().slice(0, 10);
      if (valid.user.lastVisitedOn !== today) await q.recordVisitDay(db, valid.user.id, today);
      return valid;
    },

    /** The member as a viewer, for work done on their behalf (their notification e-mails); null if suspended or gone. */
    async memberViewer(userId: string): Promise<MemberViewer | null> {
      const user = await q.findUserById(db, userId);
      return user && !isSuspended(user) ? userToViewer(user) : null;
    },

    /** Remembered like a session, and also forgotten when one of the member's tokens is revoked (migration 0017). */
    async viewerFromApiToken(token: string): Promise<MemberViewer | null> {
      const tokenHash = hashToken(token);
      const load = async () => {
        const found = await userByApiToken(tokenHash);
        return found ? sessionUser(found) : null;
      };
      const user = await remembered.remember(`token:${tokenHash}`, load, keepTokenUser);
      if (!user || isSuspended(user)) return null;
      return userToViewer(user);
    },

    async changePassword(viewer: MemberViewer, currentSessionId: string | null, current: string, next: string): Promise<void> {
      const user = await q.findUserById(db, viewer.id);
      if (!user) throw new Unauthenticated();
      if (!user.passwordHash || !(await verifyPassword(user.passwordHash, current))) {
        throw new Invalid('Your current password is not right.', { currentPassword: 'Your current password is not right.' });
      }
      const weak = passwordProblem(next, [user.handle, user.email.split('@')[0] ?? '']);
      if (weak) throw new Invalid(weak, { newPassword: weak });
      const passwordHash = await hashPassword(next);
      await db.transaction(async (tx) => {
        await q.updateUser(tx, viewer.id, { passwordHash });
        // A changed password ends every other session: the usual reason to change it is a suspected leak.
        await q.deleteSessionsOfUser(tx, viewer.id, currentSessionId ?? undefined);
      });
    },

    signOutEverywhere: (viewer: MemberViewer) => sessions.invalidateAll(viewer.id),

    async updateProfile(viewer: MemberViewer, raw: ProfileInput): Promise<void> {
      const input: ProfileInput = {
        displayName: normaliseText(raw.displayName),
        title: normaliseText(raw.title),
        specialty: normaliseText(raw.specialty),
        institution: normaliseText(raw.institution),
        bio: raw.bio.normalize('NFC').trim(),
      };
      throwIfInvalid(checkProfile(input));
      await q.updateUser(db, viewer.id, {
        displayName: input.displayName,
        title: input.title,
        specialty: input.specialty,
        institution: input.institution,
        bioSource: input.bio,
        bioHtml: renderMarkdown(input.bio),
      });
    },

    findUser: (id: string) => q.findUserById(db, id),
    findUserByHandle: (handle: string) => q.findUserByHandle(db, handle),
    /** What a public profile shows of a member, by handle (any case). */
    findProfileByHandle: (handle: string) => q.findProfileByHandle(db, handle),
    listSessions: (viewer: MemberViewer) => q.listSessionsOfUser(db, viewer.id),

    createApiToken,
    listApiTokens: (viewer: MemberViewer) => q.listApiTokens(db, viewer.id),

    async revokeApiToken(viewer: MemberViewer, id: number): Promise<void> {
      if (!(await q.deleteApiToken(db, viewer.id, id))) throw new NotFound('No such token.');
    },

    /** Credentials in, token out: for scripts. Same rate limits and messages as the sign-in form. */
    async exchangeCredentialsForToken(login: string, password: string, name: string) {
      const user = await authenticate(login, password);
      return createApiToken(userToViewer(user), name);
    },

    /** First-admin bootstrap: no default password, only a one-time link printed to the operator. */
    async createAdminWithSignInLink(handle: string, email: string, displayName: string, publicUrl: string) {
      const fields: Record<string, string> = {};
      checkHandle(handle, fields);
      checkEmail(email, fields);
      throwIfInvalid(fields, Object.values(fields).join(' '));
      const existing = await q.findUserByHandle(db, handle);
      const user =
        existing ??
        (await q.insertUser(db, { id: generateIdFromEntropySize(10), handle, email, displayName: displayName || handle, role: 'admin' }));
      if (existing) await q.updateUser(db, existing.id, { role: 'admin' });
      const token = randomBytes(32).toString('base64url');
      await q.insertSignInLink(db, user.id, hashToken(token), new Date(Date.now() + 60 * 60_000));
      return { user, url: `${publicUrl}/auth/link/${token}` };
    },

    async signInWithLink(token: string, userAgent: string): Promise<{ user: q.UserRow; cookie: SessionCookie }> {
      const userId = await q.consumeSignInLink(db, hashToken(token));
      const user = userId ? await q.findUserById(db, userId) : undefined;
      if (!user) throw new NotFound('This sign-in link is not valid: it was used already or it expired.');
      const cookie = await sessions.create(user.id, userAgent);
      return { user, cookie };
    },

    /** Sets a password for an account that has none yet (the admin after a sign-in link). */
    async setInitialPassword(viewer: MemberViewer, password: string): Promise<void> {
      const user = await q.findUserById(db, viewer.id);
      if (!user) throw new Unauthenticated();
      if (user.passwordHash) throw new Forbidden('This account already has a password; change it with your current one.');
      const weak = passwordProblem(password, [user.handle, user.email.split('@')[0] ?? '']);
      if (weak) throw new Invalid(weak, { newPassword: weak });
      await q.updateUser(db, viewer.id, { passwordHash: await hashPassword(password) });
    },

    async pruneExpired(): Promise<void> {
      await q.deleteExpiredSessions(db);
      await q.pruneSignInFailures(db, failureWindow());
    },
  };
}
