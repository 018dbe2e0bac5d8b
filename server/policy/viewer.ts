import { sql, type SQL } from 'drizzle-orm';
import { Unauthenticated } from '../errors.ts';

/** Who is asking. Every read and write of content is decided from this alone (plus the database). */
export type SiteRole = 'member' | 'moderator' | 'admin';
export type UserStatus = 'active' | 'silenced' | 'suspended';

export interface MemberViewer {
  kind: 'member';
  id: string;
  handle: string;
  displayName: string;
  role: SiteRole;
  status: UserStatus;
  trustLevel: number;
}

export interface AnonymousViewer {
  kind: 'anonymous';
}

export type Viewer = AnonymousViewer | MemberViewer;

export const ANONYMOUS: AnonymousViewer = Object.freeze({ kind: 'anonymous' });

/**
 * A viewer as the visibility predicates read it: kind, id and site role, nothing else. The id may
 * be a prepared statement's parameter (`parameterisedMember`), so that one statement — planned
 * once per connection by PostgreSQL, not on every request — serves every member of a site role.
 */
export type PolicyViewer = AnonymousViewer | PolicyMember;
export interface PolicyMember {
  readonly kind: 'member';
  readonly id: string | SQL;
  readonly role: SiteRole;
}

/**
 * A member of this site role whose id is the prepared statement's parameter `name`: pass the
 * member's own id under that name when executing. Any predicate built from it is the same rule,
 * word for word, as for that member (the SQL differs only in where the id comes from).
 */
export function parameterisedMember(role: SiteRole, name = 'viewerId'): PolicyMember {
  return { kind: 'member', id: sql`${sql.placeholder(name)}`, role };
}

/** What a visibility predicate's SQL depends on besides the member's id: one prepared statement per key. */
export type PolicyKey = 'anonymous' | SiteRole;

export function policyKey(viewer: Viewer): PolicyKey {
  return viewer.kind === 'anonymous' ? 'anonymous' : viewer.role;
}

/** The viewer to prepare a statement with for `key`; execute it with `viewerParameters(viewer)`. */
export function parameterisedViewer(key: PolicyKey): PolicyViewer {
  return key === 'anonymous' ? ANONYMOUS : parameterisedMember(key);
}

/** The parameters a statement prepared from `parameterisedViewer(policyKey(viewer))` takes for this viewer. */
export function viewerParameters(viewer: Viewer): { viewerId?: string } {
  return viewer.kind === 'member' ? { viewerId: viewer.id } : {};
}

/** Builds one prepared statement set per policy key; pick with `policyKey(viewer)`. */
export function perPolicyKey<T>(build: (viewer: PolicyViewer, key: PolicyKey) => T): Record<PolicyKey, T> {
  const keys: PolicyKey[] = ['anonymous', 'member', 'moderator', 'admin'];
  return Object.fromEntries(keys.map((key) => [key, build(parameterisedViewer(key), key)])) as Record<PolicyKey, T>;
}

/** Builds one prepared statement set per site role, for statements only members run; pick with `viewer.role`. */
export function perSiteRole<T>(build: (viewer: PolicyMember, role: SiteRole) => T): Record<SiteRole, T> {
  const roles: SiteRole[] = ['member', 'moderator', 'admin'];
  return Object.fromEntries(roles.map((role) => [role, build(parameterisedMember(role), role)])) as Record<SiteRole, T>;
}

export function isMember(viewer: Viewer): viewer is MemberViewer {
  return viewer.kind === 'member';
}

export function isSiteStaff(viewer: Viewer): boolean {
  return viewer.kind === 'member' && (viewer.role === 'moderator' || viewer.role === 'admin');
}

export function isAdmin(viewer: Viewer): boolean {
  return viewer.kind === 'member' && viewer.role === 'admin';
}

/** For handlers behind `access: 'member'`: narrows the type, and refuses if the declaration was wrong. */
export function requireMember(viewer: Viewer): MemberViewer {
  if (viewer.kind !== 'member') throw new Unauthenticated();
  return viewer;
}
