import { createHash } from 'node:crypto';
import type { SessionStore } from '@fastify/session';
import type { Database } from '../../db/client.ts';
import type { MemberCache } from '../events/member-cache.ts';
import { deleteVisitorSession, readVisitorSession, writeVisitorSession } from './queries.ts';

/** The event a change to this visitor session announces (migration 0017), and its key in the cache. */
function visitorEvent(sid: string): string {
  return `visitor:${createHash('md5').update(sid).digest('hex')}`;
}

/**
 * @fastify/session's store over the app's own database, so visitor state (CSRF secret, flash
 * messages) survives restarts and is shared by every app process. Holds no content. It is read on
 * every page request with the cookie and written rarely (a new CSRF secret, a flash message), so
 * it is remembered between requests until its row changes; kept as JSON text, so no request can
 * change another's copy.
 */
export function databaseSessionStore(db: Database, maxAgeMs: number, remembered: MemberCache): SessionStore {
  return {
    set(sid, session, callback) {
      const cookie = (session as { cookie?: { expires?: Date | string | null } }).cookie;
      const expiresAt = cookie?.expires ? new Date(cookie.expires) : new Date(Date.now() + maxAgeMs);
      writeVisitorSession(db, sid, JSON.parse(JSON.stringify(session)), expiresAt).then(() => {
        remembered.forget(visitorEvent(sid));
        callback();
      }, callback);
    },
    get(sid, callback) {
      const key = visitorEvent(sid);
      const load = async () => {
        const data = await readVisitorSession(db, sid);
        return data === undefined || data === null ? null : JSON.stringify(data);
      };
      remembered
        .remember(key, load, (json) => (json === null ? null : { value: json, until: key }))
        .then((json) => callback(null, (json === null ? null : JSON.parse(json)) as never), callback);
    },
    destroy(sid, callback) {
      deleteVisitorSession(db, sid).then(() => {
        remembered.forget(visitorEvent(sid));
        callback();
      }, callback);
    },
  };
}
