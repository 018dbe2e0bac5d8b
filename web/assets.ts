import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const STATIC_DIR = fileURLToPath(new URL('./static', import.meta.url));

/**
 * Each static file's content hash, read once at start-up. Pages link to `/static/<file>?v=<hash>`,
 * and a request carrying the current hash may be cached by browsers and proxies for a year: a new
 * deployment changes the hash, so nobody keeps an old stylesheet with new pages.
 */
const versions = new Map(
  readdirSync(STATIC_DIR).map((name) => [name, createHash('sha256').update(readFileSync(`${STATIC_DIR}/${name}`)).digest('base64url').slice(0, 12)]),
);

/** The fingerprinted URL of a file in web/static. */
export function assetUrl(name: string): string {
  const version = versions.get(name);
  if (!version) throw new Error(`no static file named ${name}`);
  return `/static/${name}?v=${version}`;
}

/** Whether a request names a static file with its current fingerprint (and so may be cached for good). */
export function isFingerprinted(url: string): boolean {
  const [path = '', query = ''] = url.split('?', 2);
  const version = versions.get(path.slice('/static/'.length));
  return version !== undefined && new URLSearchParams(query).get('v') === version;
}
