import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The one-click unsubscribe link works without signing in, so it carries its own proof: the
 * member's id and an HMAC of it under a key derived from the session secret. It can do one
 * thing only (turn notification e-mails off), so it never expires.
 */

function mac(secret: string, userId: string): Buffer {
  const key = createHmac('sha256', secret).update('rounds unsubscribe v1').digest();
  return createHmac('sha256', key).update(userId).digest();
}

export function unsubscribeToken(secret: string, userId: string): string {
  return `${Buffer.from(userId, 'utf8').toString('base64url')}.${mac(secret, userId).toString('base64url')}`;
}

/** The member a token names, or null when it was not signed by this site. */
export function userIdFromUnsubscribeToken(secret: string, token: string): string | null {
  const [id, signature, extra] = token.split('.');
  if (!id || !signature || extra !== undefined) return null;
  const userId = Buffer.from(id, 'base64url').toString('utf8');
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, userId);
  return given.length === expected.length && timingSafeEqual(given, expected) ? userId : null;
}
