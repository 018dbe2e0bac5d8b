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
