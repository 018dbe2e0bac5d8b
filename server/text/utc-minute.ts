/**
 * A moment as the site writes it wherever no script can put it in the reader's zone:
 * "2026-11-30 22:21 UTC". `iso`: the moment's ISO string, when the caller has made it already.
 */
export function utcMinute(at: Date, iso = at.toISOString()): string {
  return `${iso.replace('T', ' ').slice(0, 16)} UTC`;
}
