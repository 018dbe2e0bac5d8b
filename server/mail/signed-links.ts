import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Links in e-mails that work without signing in carry their own proof: what they name (a member,
 * or a member and a thread) and an HMAC of it under a key derived from the session secret, one key
 * per purpose so a token for one thing is never good for another. Each can do one thing only (turn
 * notification e-mails off; mute one thread), so they never expire.
 */

function mac(secret: string, purpose: string, payload: string): Buffer {
  const key = createHmac('sha256', secret).update(purpose).digest();
  return createHmac('sha256', key).update(payload).digest();
}

function sign(secret: string, purpose: string, payload: string): string {
  return `${Buffer.from(payload, 'utf8').toString('base64url')}.${mac(secret, purpose, payload).toString('base64url')}`;
}

function verify(secret: string, purpose: string, token: string): string | null {
  const [encoded, signature, extra] = token.split('.');
  if (!encoded || !signature || extra !== undefined) return null;
  const payload = Buffer.from(encoded, 'base64url').toString('utf8');
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, purpose, payload);
  return given.length === expected.length && timingSafeEqual(given, expected) ? payload : null;
}

const UNSUBSCRIBE = 'rounds unsubscribe v1';
const MUTE_THREAD = 'rounds mute thread v1';

export function unsubscribeToken(secret: string, userId: string): string {
  return sign(secret, UNSUBSCRIBE, userId);
}

/** The member a token names, or null when it was not signed by this site. */
export function userIdFromUnsubscribeToken(secret: string, token: string): string | null {
  return verify(secret, UNSUBSCRIBE, token);
}

export function muteThreadToken(secret: string, userId: string, threadId: number): string {
  return sign(secret, MUTE_THREAD, `${threadId}:${userId}`);
}

/** The member and thread a mute link names, or null when it was not signed by this site. */
export function fromMuteThreadToken(secret: string, token: string): { userId: string; threadId: number } | null {
  const payload = verify(secret, MUTE_THREAD, token);
  const match = payload === null ? null : /^(\d{1,15}):(.+)$/.exec(payload);
  return match ? { threadId: Number(match[1]), userId: match[2]! } : null;
}
