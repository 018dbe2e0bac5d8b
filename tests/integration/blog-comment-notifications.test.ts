import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blogComments, blogEntries, notifications as notificationsTable, reviewItems, spaceMembers, spaces, users } from '../../db/schema/index.ts';
import { userToViewer } from '../../server/accounts/service.ts';
import { DIGEST_JOB } from '../../server/notifications/emails.ts';
import { blogCommentVisible, blogCommentVisibleTo, blogEntryVisible, blogEntryVisibleTo, type MemberViewer } from '../../server/policy/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, memberWantingEmails, type TestMember } from '../helpers/factories.ts';
import { inbox } from '../helpers/notifications.ts';
import { eventually, outboxTo } from '../helpers/mail.ts';

/*
 * New comments on blog entries (issue: comment notifications). The entry's author hears of each
 * comment; whoever commented before hears of later ones (a comment follows the entry). Rows hold
 * ids; what they say is read as the recipient may read the comment now.
 */

let app: TestApp;
let admin: TestMember;

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
});
afterAll(async () => app.close());


const texts = async (member: TestMember) => (await inbox(app, member)).items.map((i) => i.text);
const unreadCount = (member: TestMember) => app.services.notifications.unreadCount(member.viewer);

async function publishedEntry(author: TestMember, title: string, options: { visibility?: 'public' | 'members' | 'space'; spaceId?: number } = {}) {
  const ref = await app.services.blogs.createDraft(author.viewer, { title, body: `The body of ${title}.`, ...options });
  await app.services.blogs.publish(author.viewer, ref.id);
  return ref;
}


const mailTo = async (member: TestMember) => (await outboxTo(app, `${member.handle}@example.org`)).filter((m) => m.kind === 'notification' || m.kind === 'digest');

describe('who hears of a new comment', () => {
  test('the entry’s author, with a link to the comment; never the commenter', async () => {
    const author = await createMember(app);
    const reader = await createMember(app);
    const entry = await publishedEntry(author, 'Teaching rounds that work');
    const comment = await app.services.blogs.addComment(reader.viewer, entry.id, { body: 'We tried this on nights, it works.' });
    const [item] = (await inbox(app, author)).items;
    expect(item).toMatchObject({ kind: 'blog_comment', count: 1, unread: true, text: `@${reader.handle} commented on your entry “Teaching rounds that work”`, actor: reader.handle });
    expect(item!.url).toBe(`/u/${author.handle}/blog/${entry.slug}#c${comment.id}`);
    expect(await texts(reader)).toEqual([]);
    // Quoted as other notifications quote their post, while the author may still read the comment.
    expect(item!.excerpt).toBe('We tried this on nights, it works.');
    // The page lists it too, linked through /notifications/:id.
    const page = await app.inject({ method: 'GET', url: '/notifications', cookies: await cookieOf(author) });
    expect(page.body).toContain(`@${reader.handle} commented on your entry “Teaching rounds that work”`);
    expect(page.body).toContain(`href="/notifications/${item!.id}"`);
    // Opening it (the page's link) leads to the comment and marks it read.
    const opened = await app.inject({ method: 'GET', url: `/notifications/${item!.id}`, cookies: await cookieOf(author) });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe(item!.url);
    expect(await unreadCount(author)).toBe(0);
    await app.services.blogs.removeComment(reader.viewer, comment.id);
    expect((await inbox(app, author)).items.find((i) => i.id === item!.id)?.excerpt ?? '').toBe('');
  });

  test('the author commenting on their own entry tells only those who commented before', async () => {
    const author = await createMember(app);
    const reader = await createMember(app);
    const entry = await publishedEntry(author, 'Own comments');
    await app.services.blogs.addComment(author.viewer, entry.id, { body: 'A note of my own, first.' });
    expect(await texts(author)).toEqual([]);
    const first = await app.services.blogs.addComment(reader.viewer, entry.id, { body: 'A question.' });
    await app.services.blogs.addComment(author.viewer, entry.id, { body: 'An answer.', parentId: first.id });
    expect(await texts(reader)).toEqual([`@${author.handle} also commented on “Own comments”`]);
    expect(await texts(author)).toEqual([`@${reader.handle} commented on your entry “Own comments”`]);
  });

  test('earlier commenters hear of later comments; unread ones of one entry are one item', async () => {
    const author = await createMember(app);
    const [ann, ben, cat] = [await createMember(app), await createMember(app), await createMember(app)];
    const entry = await publishedEntry(author, 'Sepsis bundles');
    const first = await app.services.blogs.addComment(ann.viewer, entry.id, { body: 'First.' });
    await app.services.blogs.addComment(ben.viewer, entry.id, { body: 'Second.' });
    await app.services.blogs.addComment(cat.viewer, entry.id, { body: 'Third.' });
    const authors = await inbox(app, author);
    expect(authors.items).toHaveLength(1);
    expect(authors.items[0]).toMatchObject({ kind: 'blog_comment', count: 3, text: '3 new comments on your entry “Sepsis bundles”' });
    // A collapsed item opens at the oldest comment the recipient has not read.
    expect(authors.items[0]!.url).toBe(`/u/${author.handle}/blog/${entry.slug}#c${first.id}`);
    expect(authors.unreadCount).toBe(1);
    expect((await inbox(app, ann)).items[0]).toMatchObject({ kind: 'blog_comment_followed', count: 2, text: '2 new comments on “Sepsis bundles”' });
    expect(await texts(ben)).toEqual([`@${cat.handle} also commented on “Sepsis bundles”`]);
    expect(await texts(cat)).toEqual([]);
    // Opening the item reads all of it.
    await app.services.notifications.open(author.viewer, authors.items[0]!.id);
    expect(await unreadCount(author)).toBe(0);
    expect((await inbox(app, author)).items.map((i) => i.count)).toEqual([1, 1, 1]);
  });

  test('a held comment notifies nobody until a moderator approves it, then as if new', async () => {
    const settings = await app.services.moderation.settings();
    await app.services.moderation.updateSettings(admin.viewer, { ...settings, holdFirstPosts: 1 });
    try {
      const author = await createMember(app);
      const earlier = await createMember(app);
      const newcomer = await createMember(app, { trustLevel: 0 });
      const entry = await publishedEntry(author, 'Held comment entry');
      await app.services.blogs.addComment(earlier.viewer, entry.id, { body: 'Before the newcomer.' });
      const held = await app.services.blogs.addComment(newcomer.viewer, entry.id, { body: 'My first words here.' });
      expect(held.held).toBeTruthy();
      expect(await texts(author)).toEqual([`@${earlier.handle} commented on your entry “Held comment entry”`]);
      expect(await texts(earlier)).toEqual([]);
      const [item] = await app.database.db.select({ id: reviewItems.id }).from(reviewItems).where(eq(reviewItems.commentId, held.id));
      await app.services.moderation.decide(admin.viewer, item!.id, { decision: 'approve', reason: '' });
      expect((await inbox(app, author)).items[0]).toMatchObject({ count: 2, text: '2 new comments on your entry “Held comment entry”' });
      const [theirs] = (await inbox(app, earlier)).items;
      expect(theirs).toMatchObject({ text: `@${newcomer.handle} also commented on “Held comment entry”`, url: `/u/${author.handle}/blog/${entry.slug}#c${held.id}` });
      expect(await texts(newcomer)).toEqual([]);
    } finally {
      await app.services.moderation.updateSettings(admin.viewer, settings);
    }
  });

  test('a held comment a moderator rejects notifies nobody', async () => {
    const settings = await app.services.moderation.settings();
    await app.services.moderation.updateSettings(admin.viewer, { ...settings, holdFirstPosts: 1 });
    try {
      const author = await createMember(app);
      const newcomer = await createMember(app, { trustLevel: 0 });
      const entry = await publishedEntry(author, 'Rejected comment entry');
      const held = await app.services.blogs.addComment(newcomer.viewer, entry.id, { body: 'Buy cheap watches.' });
      const [item] = await app.database.db.select({ id: reviewItems.id }).from(reviewItems).where(eq(reviewItems.commentId, held.id));
      await app.services.moderation.decide(admin.viewer, item!.id, { decision: 'reject', reason: 'Spam' });
      expect(await texts(author)).toEqual([]);
    } finally {
      await app.services.moderation.updateSettings(admin.viewer, settings);
    }
  });
});

describe('a notification lasts only while its recipient may read the comment', () => {
  test('removed, hidden, or the entry taken back to a draft: gone from the list and the count', async () => {
    const author = await createMember(app);
    const reader = await createMember(app);
    const other = await createMember(app);
    const entry = await publishedEntry(author, 'Vanishing comments');
    await app.services.blogs.addComment(other.viewer, entry.id, { body: 'Following this one.' });
    const removed = await app.services.blogs.addComment(reader.viewer, entry.id, { body: 'Said too much.' });
    expect((await inbox(app, other)).items).toHaveLength(1);
    await app.services.blogs.removeComment(reader.viewer, removed.id);
    expect(await inbox(app, other)).toEqual({ items: [], next: null, unreadCount: 0 });

    const hidden = await app.services.blogs.addComment(reader.viewer, entry.id, { body: 'To be hidden.' });
    expect(await texts(other)).toHaveLength(1);
    await app.database.db.update(blogComments).set({ status: 'hidden' }).where(eq(blogComments.id, hidden.id));
    expect(await texts(other)).toEqual([]);
    expect(await unreadCount(other)).toBe(0);

    await app.services.blogs.addComment(reader.viewer, entry.id, { body: 'Still here.' });
    expect(await texts(other)).toHaveLength(1);
    await app.services.blogs.unpublish(author.viewer, entry.id);
    expect(await texts(other)).toEqual([]);
    expect(await unreadCount(other)).toBe(0);
  });

  test('an entry for one confidential space: a commenter who left hears nothing more, and what they had is gone', async () => {
    const { space } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Peer circle Kappa' });
    const author = await createMember(app);
    const leaver = await createMember(app);
    const peer = await createMember(app);
    const outsider = await createMember(app);
    for (const member of [author, leaver, peer]) await addSpaceMember(app, space.id, member);
    const entry = await publishedEntry(author, 'KAPPAWORD reflections', { visibility: 'space', spaceId: space.id });
    await app.services.blogs.addComment(leaver.viewer, entry.id, { body: 'I was here first.' });
    await app.services.blogs.addComment(peer.viewer, entry.id, { body: 'KAPPAWORD me too.' });
    expect(await texts(leaver)).toEqual([`@${peer.handle} also commented on “KAPPAWORD reflections”`]);
    expect((await texts(author)).length).toBe(1);

    await app.database.db.update(spaceMembers).set({ status: 'removed' }).where(and(eq(spaceMembers.spaceId, space.id), eq(spaceMembers.userId, leaver.viewer.id)));
    expect(await texts(leaver)).toEqual([]);
    expect(await unreadCount(leaver)).toBe(0);
    await app.services.blogs.addComment(peer.viewer, entry.id, { body: 'After they left.' });
    const rows = await app.database.db.select({ id: notificationsTable.id }).from(notificationsTable).where(eq(notificationsTable.recipientId, leaver.viewer.id));
    // Only the one from before: nothing was created for them after they left.
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(await inbox(app, outsider))).not.toContain('KAPPAWORD');
  });

  test('an entry made members-only, then for a space the recipient is not in', async () => {
    const { space } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    const author = await createMember(app);
    const follower = await createMember(app);
    const peer = await createMember(app);
    for (const member of [author, peer]) await addSpaceMember(app, space.id, member);
    const entry = await publishedEntry(author, 'Soon private');
    await app.services.blogs.addComment(follower.viewer, entry.id, { body: 'Public comment.' });
    await app.services.blogs.addComment(peer.viewer, entry.id, { body: 'Another.' });
    expect(await texts(follower)).toHaveLength(1);
    const current = await app.services.blogs.forEditing(author.viewer, entry.id);
    await app.services.blogs.save(author.viewer, entry.id, { title: 'Soon private', body: current.entry.bodySource, visibility: 'members', baseRevision: current.entry.revision });
    expect(await texts(follower)).toHaveLength(1);
    const again = await app.services.blogs.forEditing(author.viewer, entry.id);
    await app.services.blogs.save(author.viewer, entry.id, { title: 'Soon private', body: again.entry.bodySource, visibility: 'space', spaceId: space.id, baseRevision: again.entry.revision });
    expect(await texts(follower)).toEqual([]);
    await app.services.blogs.addComment(peer.viewer, entry.id, { body: 'Now among ourselves.' });
    expect(await texts(follower)).toEqual([]);
    expect(await unreadCount(follower)).toBe(0);
  });
});

describe('e-mail about a new comment', () => {
  test('right away: the entry’s title and a link to the comment', async () => {
    const author = await memberWantingEmails(app, 'immediately');
    const reader = await createMember(app);
    const entry = await publishedEntry(author, 'Night float handovers');
    const comment = await app.services.blogs.addComment(reader.viewer, entry.id, { body: 'Useful, thank you.' });
    const [message] = await eventually(async () => {
      const mails = await mailTo(author);
      return mails.length > 0 ? mails : undefined;
    }, 'the comment e-mail');
    expect(message!.subject).toBe(`@${reader.handle} commented on your entry “Night float handovers”`);
    expect(message!.textBody).toContain(`/blog/${entry.slug}#c${comment.id}`);
  });

  test('about an entry in a confidential space: only that there is news, no title, body or names', async () => {
    const { space } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Circle LAMBDASPACE' });
    const author = await memberWantingEmails(app, 'immediately');
    const peer = await createMember(app, { handle: `lambdapeer${Date.now() % 100000}` });
    for (const member of [author, peer]) await addSpaceMember(app, space.id, member);
    const entry = await publishedEntry(author, 'LAMBDATITLE what I carry', { visibility: 'space', spaceId: space.id });
    await app.services.blogs.addComment(peer.viewer, entry.id, { body: 'LAMBDABODY you are not alone.' });
    const [message] = await eventually(async () => {
      const mails = await mailTo(author);
      return mails.length > 0 ? mails : undefined;
    }, 'the confidential comment e-mail');
    expect(message!.subject).toBe('New activity in a confidential space');
    for (const text of [message!.subject, message!.textBody, message!.htmlBody, JSON.stringify(message!.headers)]) {
      for (const secret of ['LAMBDA', 'lambda', entry.slug, peer.handle, peer.viewer.displayName]) expect(text).not.toContain(secret);
    }
  });

  test('the daily digest: a public entry by title, a confidential one without a word of it', async () => {
    const { space } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Circle MUSPACE' });
    const author = await memberWantingEmails(app, 'daily');
    const peer = await createMember(app);
    for (const member of [author, peer]) await addSpaceMember(app, space.id, member);
    const open = await publishedEntry(author, 'Ward round etiquette');
    const closed = await publishedEntry(author, 'MUTITLE on grief', { visibility: 'space', spaceId: space.id });
    await app.services.blogs.addComment(peer.viewer, open.id, { body: 'Agreed.' });
    await app.services.blogs.addComment(peer.viewer, closed.id, { body: 'MUBODY thank you.' });
    await app.jobs.send(DIGEST_JOB, {});
    const [digest] = await eventually(async () => {
      const mails = (await mailTo(author)).filter((m) => m.kind === 'digest');
      return mails.length > 0 ? mails : undefined;
    }, 'the digest');
    expect(digest!.textBody).toContain('Ward round etiquette');
    expect(digest!.textBody).toContain('New activity in a confidential space');
    for (const text of [digest!.subject, digest!.textBody, digest!.htmlBody]) {
      for (const secret of ['MUTITLE', 'MUBODY', 'MUSPACE', closed.slug]) expect(text).not.toContain(secret);
    }
  });
});

describe('the set-based comment predicate', () => {
  test('blogCommentVisibleTo(user) agrees with blogCommentVisible(viewer) for every member and state (and the entry’s twin too)', async () => {
    const { space } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Predicate circle' });
    const author = await createMember(app);
    const commenter = await createMember(app);
    const outsider = await createMember(app);
    const staff = await createMember(app, { role: 'moderator' });
    const spaceMod = await createMember(app);
    for (const member of [author, commenter]) await addSpaceMember(app, space.id, member);
    await app.database.db.insert(spaceMembers).values({ spaceId: space.id, userId: spaceMod.viewer.id, status: 'active', role: 'moderator' });
    const pub = await publishedEntry(author, 'Predicate public');
    const members = await publishedEntry(author, 'Predicate members', { visibility: 'members' });
    const closed = await publishedEntry(author, 'Predicate closed', { visibility: 'space', spaceId: space.id });
    const comments: number[] = [];
    for (const entry of [pub, members, closed]) {
      comments.push((await app.services.blogs.addComment(commenter.viewer, entry.id, { body: `Published on ${entry.id}.` })).id);
      const hidden = await app.services.blogs.addComment(commenter.viewer, entry.id, { body: `Hidden on ${entry.id}.` });
      await app.database.db.update(blogComments).set({ status: 'hidden' }).where(eq(blogComments.id, hidden.id));
      const held = await app.services.blogs.addComment(commenter.viewer, entry.id, { body: `Held on ${entry.id}.` });
      await app.database.db.update(blogComments).set({ status: 'held' }).where(eq(blogComments.id, held.id));
      const gone = await app.services.blogs.addComment(commenter.viewer, entry.id, { body: `Removed on ${entry.id}.` });
      await app.services.blogs.removeComment(commenter.viewer, gone.id);
      comments.push(hidden.id, held.id, gone.id);
    }
    // An entry held by moderation, and one taken back to a draft, with their comments.
    const heldEntry = await publishedEntry(author, 'Predicate held entry');
    comments.push((await app.services.blogs.addComment(commenter.viewer, heldEntry.id, { body: 'On a held entry.' })).id);
    await app.database.db.update(blogEntries).set({ moderationStatus: 'held' }).where(eq(blogEntries.id, heldEntry.id));
    const drafted = await publishedEntry(author, 'Predicate drafted');
    comments.push((await app.services.blogs.addComment(commenter.viewer, drafted.id, { body: 'On a drafted entry.' })).id);
    await app.services.blogs.unpublish(author.viewer, drafted.id);
    const entries = [pub, members, closed, heldEntry, drafted].map((e) => e.id);
    // The space's rules changed and the commenter has not accepted them yet.
    const check = async () => {
      for (const member of [admin, author, commenter, outsider, staff, spaceMod]) {
        const [row] = await app.database.db.select().from(users).where(eq(users.id, member.viewer.id));
        const viewer: MemberViewer = userToViewer(row!);
        for (const id of comments) {
          const [one] = await app.database.db
            .select({ a: sql<boolean>`${blogCommentVisible(viewer)}`, b: sql<boolean>`${blogCommentVisibleTo(sql`${viewer.id}`)}` })
            .from(blogComments)
            .where(eq(blogComments.id, id));
          expect({ member: member.handle, comment: id, visibleTo: one!.b }).toEqual({ member: member.handle, comment: id, visibleTo: one!.a });
        }
        for (const id of entries) {
          const [one] = await app.database.db
            .select({ a: sql<boolean>`${blogEntryVisible(viewer)}`, b: sql<boolean>`${blogEntryVisibleTo(sql`${viewer.id}`)}` })
            .from(blogEntries)
            .where(eq(blogEntries.id, id));
          expect({ member: member.handle, entry: id, visibleTo: one!.b }).toEqual({ member: member.handle, entry: id, visibleTo: one!.a });
        }
      }
    };
    await check();
    await app.database.db.update(spaces).set({ rulesVersion: 2 }).where(eq(spaces.id, space.id));
    await app.database.db.update(spaceMembers).set({ rulesAcceptedVersion: 2 }).where(and(eq(spaceMembers.spaceId, space.id), eq(spaceMembers.userId, author.viewer.id)));
    await check();
  });
});

const cookies = new Map<string, Record<string, string>>();
async function cookieOf(member: TestMember): Promise<Record<string, string>> {
  if (!cookies.has(member.handle)) {
    const { PASSWORD } = await import('../helpers/factories.ts');
    const { cookie } = await app.services.accounts.signIn(member.handle, PASSWORD, 'vitest');
    cookies.set(member.handle, { [cookie.name]: cookie.value });
  }
  return cookies.get(member.handle)!;
}
