import { Lucia, TimeSpan } from 'lucia';
import type { Database } from '../../db/client.ts';
import { deleteSessionsOfUser, sessionAdapter, type UserRow } from './queries.ts';

/*
 * Authenticated sessions. lucia v3 is deprecated upstream, so it is used here and nowhere else:
 * the rest of the app sees only `SessionManager`, which could be re-implemented over the
 * sessions table (lucia's own migration guide) without touching a caller.
 */

export interface SessionCookie {
  name: string;
  value: string;
  serialized: string;
}

/**
 * What a request needs of the account behind a session: who the viewer is, and the day's visit.
 * Remembered between requests until these columns change: migration 0017's `users_notify` trigger
 * names them, and must name any field added here.
 */
export type SessionUser = Pick<UserRow, 'id' | 'handle' | 'displayName' | 'role' | 'trustLevel' | 'status' | 'statusUntil' | 'lastVisitedOn'>;

export function sessionUser(user: SessionUser): SessionUser {
  const { id, handle, displayName, role, trustLevel, status, statusUntil, lastVisitedOn } = user;
  return { id, handle, displayName, role, trustLevel, status, statusUntil, lastVisitedOn };
}

export interface ValidSession {
  sessionId: string;
  /** Only these fields: sessions are remembered between requests (no password hash, no profile). */
  user: SessionUser;
  /** When the session ends unless used again (idle expiry), or for good (absolute), whichever is first. */
  endsAt: Date;
  /** Set when the idle expiry was extended: the cookie must be sent again. */
  refreshedCookie: SessionCookie | null;
}

export interface SessionManager {
  readonly cookieName: string;
  create(userId: string, userAgent: string): Promise<SessionCookie>;
  validate(sessionId: string): Promise<ValidSession | null>;
  invalidate(sessionId: string): Promise<void>;
  invalidateAll(userId: string, exceptSessionId?: string): Promise<void>;
  blankCookie(): SessionCookie;
}

export interface SessionOptions {
  idleDays: number;
  absoluteDays: number;
  secureCookies: boolean;
}

function createLucia(db: Database, options: SessionOptions) {
  return new Lucia(sessionAdapter(db), {
    sessionExpiresIn: new TimeSpan(options.idleDays, 'd'),
    sessionCookie: {
      name: options.secureCookies ? '__Host-rounds_session' : 'rounds_session',
      attributes: { secure: options.secureCookies, sameSite: 'lax', path: '/' },
    },
    getSessionAttributes: (attributes) => ({ absoluteExpiresAt: attributes.absoluteExpiresAt }),
    getUserAttributes: (attributes) => attributes,
  });
}

declare module 'lucia' {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
    DatabaseSessionAttributes: { absoluteExpiresAt: Date; userAgent: string };
    DatabaseUserAttributes: Omit<UserRow, 'id'>;
  }
}

export function createSessionManager(db: Database, options: SessionOptions): SessionManager {
  const lucia = createLucia(db, options);
  const toCookie = (cookie: { name: string; value: string; serialize(): string }): SessionCookie => ({
    name: cookie.name,
    value: cookie.value,
    serialized: cookie.serialize(),
  });
  return {
    cookieName: lucia.sessionCookieName,
    async create(userId, userAgent) {
      const absoluteExpiresAt = new Date(Date.now() + options.absoluteDays * 86_400_000);
      const session = await lucia.createSession(userId, { absoluteExpiresAt, userAgent: userAgent.slice(0, 300) });
      return toCookie(lucia.createSessionCookie(session.id));
    },
    async validate(sessionId) {
      const { session, user } = await lucia.validateSession(sessionId);
      if (!session) return null;
      // lucia slides the idle expiry; the absolute one bounds a stolen cookie's life.
      const absoluteEnd = new Date(session.absoluteExpiresAt);
      if (absoluteEnd.getTime() <= Date.now()) {
        await lucia.invalidateSession(session.id);
        return null;
      }
      return {
        sessionId: session.id,
        user: sessionUser({ ...user, id: user.id }),
        endsAt: new Date(Math.min(session.expiresAt.getTime(), absoluteEnd.getTime())),
        refreshedCookie: session.fresh ? toCookie(lucia.createSessionCookie(session.id)) : null,
      };
    },
    invalidate: (sessionId) => lucia.invalidateSession(sessionId),
    invalidateAll: (userId, exceptSessionId) => deleteSessionsOfUser(db, userId, exceptSessionId),
    blankCookie: () => toCookie(lucia.createBlankSessionCookie()),
  };
}
