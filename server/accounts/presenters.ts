import { Type } from '@fastify/type-provider-typebox';
import { DateTime } from '../api/schemas.ts';
import type { ProfileRow, UserRow } from './queries.ts';

/** What anyone may see of a member. E-mail, role details and hashes never appear here. */
export const PublicProfile = Type.Object({
  handle: Type.String(),
  displayName: Type.String(),
  title: Type.String(),
  specialty: Type.String(),
  institution: Type.String(),
  bioHtml: Type.String(),
  role: Type.String(),
  joinedAt: DateTime,
});

/** What a member sees of their own account. */
export const OwnAccount = Type.Object({
  ...PublicProfile.properties,
  email: Type.String(),
  bio: Type.String(),
  hasPassword: Type.Boolean(),
  /** True while the account waits for a moderator's approval (the site holds registrations). */
  approvalPending: Type.Boolean(),
  /** False until the member follows the link sent to their address. */
  emailVerified: Type.Boolean(),
  /** Notification e-mails: off, immediately or daily (digest). */
  emailNotifications: Type.String(),
});

export function presentProfile(user: ProfileRow) {
  return {
    handle: user.handle,
    displayName: user.displayName,
    title: user.title,
    specialty: user.specialty,
    institution: user.institution,
    bioHtml: user.bioHtml,
    role: user.role,
    joinedAt: user.createdAt.toISOString(),
  };
}

export function presentOwnAccount(user: UserRow) {
  return { ...presentProfile(user), email: user.email, bio: user.bioSource, hasPassword: user.passwordHash !== null, approvalPending: user.approvalPending, emailVerified: user.emailVerifiedAt !== null, emailNotifications: user.emailNotifications };
}
