import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { spaceMembers, spaces, users } from '../../db/schema/index.ts';
import { userToViewer } from '../../server/accounts/service.ts';
import type { MemberViewer } from '../../server/policy/index.ts';
import type { TestApp } from './app.ts';

export const PASSWORD = 'correct horse battery staple 42';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;

export interface TestMember {
  viewer: MemberViewer;
  handle: string;
  token: string;
  /** Headers for the JSON API. */
  auth: { authorization: string };
}

/**
 * A registered member with an API token; `role` and `trustLevel` are set directly, as an operator
 * would. Members start at trust level 1 (past the newcomer limits) unless a test asks for 0.
 */
export async function createMember(
  app: TestApp,
  options: { role?: 'member' | 'moderator' | 'admin'; handle?: string; trustLevel?: number } = {},
): Promise<TestMember> {
  const handle = options.handle ?? `m${unique()}`.slice(0, 30);
  const { user, cookie } = await app.services.accounts.register(
    { handle, displayName: `Dr ${handle}`, email: `${handle}@example.org`, password: PASSWORD },
    'vitest',
  );
  if (!cookie) throw new Error('test members are registered while the site does not hold registrations');
  await app.services.accounts.sessions.invalidate(cookie.value);
  const role = options.role ?? 'member';
  const trustLevel = options.trustLevel ?? 1;
  await app.database.db.update(users).set({ role, trustLevel }).where(eq(users.id, user.id));
  const viewer = userToViewer({ ...user, role, trustLevel });
  const created = await app.services.accounts.createApiToken(viewer, 'tests');
  return { viewer, handle, token: created.token, auth: { authorization: `Bearer ${created.token}` } };
}

export async function createSpaceWithBoard(
  app: TestApp,
  admin: TestMember,
  options: { level?: 'public' | 'members' | 'confidential'; name?: string } = {},
) {
  const space = await app.services.spaces.createSpace(admin.viewer, { name: options.name ?? `Space ${unique()}`, description: 'A test space' });
  const board = await app.services.spaces.createBoard(admin.viewer, space.id, { name: `Board ${unique()}`, description: '' });
  if (options.level && options.level !== 'public') {
    // Until spaces can be made private from the product itself, tests set the level directly.
    await app.database.db
      .update(spaces)
      .set({ level: options.level, ...(options.level === 'confidential' ? { joinPolicy: 'invite' as const } : {}) })
      .where(eq(spaces.id, space.id));
  }
  return { space: { ...space, level: options.level ?? 'public' }, board };
}

export async function addSpaceMember(app: TestApp, spaceId: number, member: TestMember, status: 'active' | 'invited' | 'removed' | 'banned' = 'active') {
  await app.database.db.insert(spaceMembers).values({ spaceId, userId: member.viewer.id, status });
}

export async function createThread(app: TestApp, author: TestMember, boardId: number, title = `Thread ${unique()}`, body = `Opening post body (${unique()})`) {
  return app.services.forum.createThread(author.viewer, { boardId, title, body });
}

/** A browser agent already signed in as `member` (session cookie set the way sign-in sets it). */
export async function signedInAgent(app: TestApp, member: TestMember) {
  const { Agent } = await import('./browser-session.ts');
  const agent = new Agent(app);
  const { cookie } = await app.services.accounts.signIn(member.handle, PASSWORD, 'vitest');
  agent.cookies.set(cookie.name, cookie.value);
  return agent;
}

/** A member with a verified address who chose how notification e-mails reach them. */
export async function memberWantingEmails(app: TestApp, choice: 'off' | 'immediately' | 'daily'): Promise<TestMember> {
  const member = await createMember(app);
  await app.database.db.update(users).set({ emailVerifiedAt: new Date(), emailNotifications: choice }).where(eq(users.id, member.viewer.id));
  return member;
}
