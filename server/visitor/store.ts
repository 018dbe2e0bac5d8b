import type { SessionStore } from '@fastify/session';
import type { Database } from '../../db/client.ts';
import { deleteVisitorSession, readVisitorSession, writeVisitorSession } from './queries.ts';

/**
 * @fastify/session's store over the app's own database, so visitor state (CSRF secret, flash
 * messages) survives restarts and is shared by every app process. Holds no content.
 */
export function databaseSessionStore(db: Database, maxAgeMs: number): SessionStore {
  return {
    set(sid, session, callback) {
      const cookie = (session as { cookie?: { expires?: Date | string | null } }).cookie;
      const expiresAt = cookie?.expires ? new Date(cookie.expires) : new Date(Date.now() + maxAgeMs);
      writeVisitorSession(db, sid, JSON.parse(JSON.stringify(session)), expiresAt).then(() => callback(), callback);
    },
    get(sid, callback) {
      readVisitorSession(db, sid).then((data) => callback(null, (data ?? null) as never), callback);
    },
    destroy(sid, callback) {
      deleteVisitorSession(db, sid).then(() => callback(), callback);
    },
  };
}
