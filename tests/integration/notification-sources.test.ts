import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blogEntries, posts, reviewItems, spaceMembers, spaces, threads, users } from '../../db/schema/index.ts';
import { postVisible, postVisibleTo, type MemberViewer } from '../../server/policy/index.ts';
import { userToViewer } from '../../server/accounts/service.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;
let carol: TestMember;
let boardId: number;

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  bob = await createMember(app);
  carol = await createMember(app);
  ({ board: { id: boardId } } = await createSpaceWithBoard(app, admin, { name: 'Sources' }));
});
afterAll(async () => app.close());

const texts = async (member: TestMember) => (await app.services.notifications.list(member.viewer)).items.map((i) => i.text);

describe('moderation outcomes', () => {
  test('a flagger hears the outcome when hiding the post took the whole thread from their sight, without its title', async () => {
    const thread = await createThread(app, alice, boardId, 'OPENERWORD thread that goes');
    await app.services.moderation.flagPost(carol.viewer, thread.postId, { reason: 'spam' });
    const [item] = await app.database.db.select({ id: reviewItems.id }).from(reviewItems).where(eq(reviewItems.postId, thread.postId));
    await app.services.moderation.decide(admin.viewer, item!.id, { decision: 'hide', reason: 'Advertising' });
    const outcome = (await app.services.notifications.list(carol.viewer)).items.find((i) => i.kind === 'moderation_flag');
    expect(outcome?.text).toBe('Moderators agreed with your flag on a post.');
    expect(outcome?.target).toBe('/notifications');
    expect(JSON.stringify(outcome)).not.toContain('OPENERWORD');
  });

  test('the author hears their post was hidden and each flagger that their flag was upheld, never who decided', async () => {
    const thread = await createThread(app, alice, boardId, 'Flagged thread');
    const { postId } = await app.services.forum.reply(alice.viewer, thread.threadId, { body: 'Questionable advice.' });
    await app.services.moderation.flagPost(bob.viewer, postId, { reason: 'misinformation' });
    const [item] = await app.database.db.select({ id: reviewItems.id }).from(reviewItems).where(eq(reviewItems.postId, postId));
    await app.services.moderation.decide(admin.viewer, item!.id, { decision: 'hide', reason: 'Unsafe dosing' });
    expect(await texts(alice)).toContain('A moderator hid your post in “Flagged thread”.');
    expect(await texts(bob)).toContain('Moderators agreed with your flag on a post in “Flagged thread”.');
    const bobs = (await app.services.notifications.list(bob.viewer)).items.find((i) => i.kind === 'moderation_flag')!;
    expect(bobs.actor).toBeNull();
    // The flagger is led to the thread, not to the hidden post's text.
    expect(bobs.target).toBe(`/t/${thread.threadId}/flagged-thread`);
  });

  test('a held post, once approved, tells its author and reaches the people it concerns', async () => {
    const settings = await app.services.moderation.settings();
    await app.services.moderation.updateSettings(admin.viewer, { ...settings, holdFirstPosts: 1 });
    const newcomer = await createMember(app, { trustLevel: 0 });
    const thread = await createThread(app, alice, boardId, 'Held reply thread');
    const ref = await app.services.forum.reply(newcomer.viewer, thread.threadId, { body: `First post, hello @${carol.handle}` });
    expect(ref.held).toBeTruthy();
    expect((await texts(alice)).some((t) => t.includes('Held reply thread'))).toBe(false);
    expect((await texts(carol)).some((t) => t.includes('Held reply thread'))).toBe(false);
    const [item] = await app.database.db.select({ id: reviewItems.id }).from(reviewItems).where(eq(reviewItems.postId, ref.postId));
    await app.services.moderation.decide(admin.viewer, item!.id, { decision: 'approve', reason: '' });
    expect(await texts(newcomer)).toContain('A moderator approved your post in “Held reply thread”.');
    expect(await texts(alice)).toContain(`@${newcomer.handle} replied to your thread “Held reply thread”`);
    expect(await texts(carol)).toContain(`@${newcomer.handle} mentioned you in “Held reply thread”`);
    await app.services.moderation.updateSettings(admin.viewer, settings);
  });
});

describe('membership events', () => {
  test('an invitation, an approved request and changed ground rules each reach the member', async () => {
    const { space } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Invite-only ward' });
    await app.services.membership.inviteByHandle(admin.viewer, space.id, alice.handle);
    expect(await texts(alice)).toContain(`@${admin.handle} invited you to join Invite-only ward`);
    await app.services.membership.acceptInvitation(alice.viewer, space.id);

    const { space: open } = await createSpaceWithBoard(app, admin, { name: 'Request ward' });
    await app.database.db.update(spaces).set({ joinPolicy: 'request' }).where(eq(spaces.id, open.id));
    await app.services.membership.join(bob.viewer, open.id, 'Please');
    // The owner, who decides, hears of the request (the members of the space do not).
    expect(await texts(admin)).toContain(`@${bob.handle} asked to join Request ward`);
    await app.services.membership.decide(admin.viewer, open.id, bob.handle, 'approve');
    expect(await texts(bob)).toContain('Your request to join Request ward was approved');
    await app.services.membership.join(carol.viewer, open.id, 'Me too');
    expect((await texts(bob)).some((t) => t.includes('asked to join'))).toBe(false);
    await app.services.membership.decide(admin.viewer, open.id, carol.handle, 'refuse');
    expect(await texts(carol)).toContain('Your request to join Request ward was not accepted');

    await app.services.membership.updateRules(admin.viewer, space.id, 'New rules: nothing leaves the ward.');
    expect(await texts(alice)).toContain('The ground rules of Invite-only ward changed: read and accept them to keep reading');
    // The owner who changed them is not told about their own change.
    expect((await texts(admin)).some((t) => t.includes('ground rules of Invite-only ward'))).toBe(false);
    // A space that asks nobody to accept its rules does not say so.
    await app.services.membership.updateRules(admin.viewer, open.id, 'Be kind to the night team.');
    expect(await texts(bob)).toContain('The ground rules of Request ward changed: read the new version');
  });

  test('an invitation to a confidential space drops out once the invitee declines it', async () => {
    const { space } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Declined ward' });
    await app.services.membership.inviteByHandle(admin.viewer, space.id, carol.handle);
    expect(await texts(carol)).toContain(`@${admin.handle} invited you to join Declined ward`);
    await app.services.membership.leave(carol.viewer, space.id);
    expect((await texts(carol)).some((t) => t.includes('Declined ward'))).toBe(false);
  });
});

describe('scheduled blog entries', () => {
  test('the author hears once that a scheduled entry went out', async () => {
    const ref = await app.services.blogs.createDraft(alice.viewer, { title: 'Scheduled thoughts', body: 'Later.' });
    await app.services.blogs.schedule(alice.viewer, ref.id, new Date(Date.now() + 60_000));
    await app.database.db.update(blogEntries).set({ publishAt: new Date(Date.now() - 1000) }).where(eq(blogEntries.id, ref.id));
    expect(await app.services.blogs.sweepScheduled()).toBe(1);
    expect(await app.services.blogs.sweepScheduled()).toBe(0);
    expect((await texts(alice)).filter((t) => t === 'Your scheduled entry “Scheduled thoughts” is published')).toHaveLength(1);
  });
});

describe('the set-based recipient predicate', () => {
  test('postVisibleTo(user) agrees with postVisible(viewer) for every member and post state', async () => {
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Predicate ward' });
    await addSpaceMember(app, space.id, alice);
    const staff = await createMember(app, { role: 'moderator' });
    const open = await createThread(app, bob, boardId, 'Predicate public');
    const closed = await createThread(app, alice, board.id, 'Predicate closed');
    const held = await app.services.forum.reply(bob.viewer, open.threadId, { body: 'to be hidden' });
    await app.database.db.update(posts).set({ status: 'hidden' }).where(eq(posts.id, held.postId));
    const removed = await createThread(app, bob, boardId, 'Predicate removed');
    await app.database.db.update(threads).set({ deletedAt: new Date() }).where(eq(threads.id, removed.threadId));
    const postIds = [open.postId, closed.postId, held.postId, removed.postId];
    for (const member of [admin, alice, bob, carol, staff]) {
      const [row] = await app.database.db.select().from(users).where(eq(users.id, member.viewer.id));
      const viewer: MemberViewer = userToViewer(row!);
      for (const postId of postIds) {
        const [one] = await app.database.db.select({ a: sql<boolean>`${postVisible(viewer)}`, b: sql<boolean>`${postVisibleTo(sql`${viewer.id}`)}` }).from(posts).where(eq(posts.id, postId));
        expect({ member: member.handle, postId, visibleTo: one!.b }).toEqual({ member: member.handle, postId, visibleTo: one!.a });
      }
    }
    // An owner who has not accepted new rules reads nothing, by either predicate.
    await app.database.db.update(spaceMembers).set({ rulesAcceptedVersion: -1 }).where(and(eq(spaceMembers.spaceId, space.id), eq(spaceMembers.userId, alice.viewer.id)));
    const [after] = await app.database.db.select({ b: sql<boolean>`${postVisibleTo(sql`${alice.viewer.id}`)}` }).from(posts).where(eq(posts.id, closed.postId));
    expect(after!.b).toBe(false);
  });
});
