import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { notifications as notificationsTable, outboxMessages, spaceMembers, users } from '../../db/schema/index.ts';
import { createNotificationEmails, DIGEST_JOB, NOTIFICATION_EMAIL_JOB } from '../../server/notifications/emails.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, memberWantingEmails, signedInAgent, type TestMember } from '../helpers/factories.ts';
import { Agent } from '../helpers/browser-session.ts';
import { eventually, linkToken, outboxTo } from '../helpers/mail.ts';

let app: TestApp;
let admin: TestMember;

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
});
afterAll(async () => app.close());


const addressOf = (member: TestMember) => `${member.handle}@example.org`;
const notifications = async (member: TestMember) => (await outboxTo(app, addressOf(member))).filter((m) => m.kind === 'notification' || m.kind === 'digest');
/** The member's first notification e-mail, once the job has written it. */
const firstEmailTo = async (member: TestMember) =>
  (await eventually(async () => {
    const mails = await notifications(member);
    return mails.length > 0 ? mails : undefined;
  }, 'the notification e-mail'))[0]!;

describe('e-mail right away', () => {
  test('a member who asked for e-mails hears of a reply to their thread, with a link to it', async () => {
    const { board } = await createSpaceWithBoard(app, admin, { name: 'Critical care' });
    const author = await memberWantingEmails(app, 'immediately');
    const replier = await createMember(app);
    const thread = await createThread(app, author, board.id, 'Proning awake patients', 'Anyone tried it outside the ICU?');
    await app.services.forum.reply(replier.viewer, thread.threadId, { body: 'Yes, on the respiratory ward, with a nurse at the bedside.' });
    const message = await firstEmailTo(author);
    expect(message.subject).toContain('Proning awake patients');
    expect(message.subject).toContain('Critical care');
    expect(message.textBody).toContain(`/t/${thread.threadId}/`);
    // The reply's opening, as readers see it, so the member can judge it from their inbox.
    expect(message.textBody).toContain('Yes, on the respiratory ward, with a nurse at the bedside.');
  });

  test('an e-mail about a thread links to muting that thread: the page names nothing, one button mutes it, and later replies notify nobody', async () => {
    const { board } = await createSpaceWithBoard(app, admin, { name: 'Airway' });
    const author = await memberWantingEmails(app, 'immediately');
    const replier = await createMember(app);
    const thread = await createThread(app, author, board.id, 'Awake fibreoptic tips', 'What topical regime do you use?');
    await app.services.forum.reply(replier.viewer, thread.threadId, { body: 'Lidocaine 4% nebulised, then spray-as-you-go.' });
    const message = await firstEmailTo(author);
    expect(message.textBody).toContain('Stop notifications about this thread:');
    const token = linkToken(message.textBody, '/mute/');

    // Whoever opens the link sees no title: a forwarded e-mail's link tells its holder nothing.
    const visitor = new Agent(app);
    const page = await visitor.get(`/mute/${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Stop notifications about this thread?');
    expect(page.body).not.toContain('fibreoptic');
    // A link not signed for muting, such as the e-mail's unsubscribe link, mutes nothing.
    const unsubscribe = linkToken(message.textBody, '/unsubscribe/');
    for (const bad of [unsubscribe, `${token.split('.')[0]}.${'A'.repeat(43)}`, 'garbage']) {
      expect((await visitor.get(`/mute/${bad}`)).statusCode).toBe(404);
      expect((await visitor.postForm(`/mute/${bad}`, {})).statusCode).toBe(404);
    }
    expect((await app.services.notifications.watchState(author.viewer, { kind: 'thread', id: thread.threadId })).chosen).not.toBe('muted');

    // Someone else signed in (the e-mail was forwarded to them) is told the link is not theirs, and
    // whose notifications it changes; their own stay as they were, and the thread is not named.
    const forwardedTo = await signedInAgent(app, replier);
    const notTheirs = await forwardedTo.get(`/mute/${token}`);
    expect(notTheirs.body).toContain(`This link was sent to another account, not to @${replier.handle}`);
    expect(notTheirs.body).not.toContain(author.handle);
    const mutedForAuthor = await forwardedTo.postForm(`/mute/${token}`, {});
    expect(mutedForAuthor.body).toContain('The account this link was sent to will get no more notifications');
    expect(mutedForAuthor.body).not.toContain(`/t/${thread.threadId}`);
    expect((await app.services.notifications.watchState(replier.viewer, { kind: 'thread', id: thread.threadId })).chosen).not.toBe('muted');
    expect((await app.services.notifications.watchState(author.viewer, { kind: 'thread', id: thread.threadId })).chosen).toBe('muted');
    // The author's own visit says nothing of another account.
    expect((await (await signedInAgent(app, author)).get(`/mute/${token}`)).body).not.toContain('another account');

    const done = await visitor.postForm(`/mute/${token}`, {});
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Thread muted');
    expect((await app.services.notifications.watchState(author.viewer, { kind: 'thread', id: thread.threadId })).chosen).toBe('muted');
    const before = (await app.services.notifications.list(author.viewer)).items.length;
    await app.services.forum.reply(replier.viewer, thread.threadId, { body: 'And check the cords before you pass them.' });
    expect((await app.services.notifications.list(author.viewer)).items).toHaveLength(before);
  });

  test('a member who did not ask for them gets none', async () => {
    const { board } = await createSpaceWithBoard(app, admin);
    const quiet = await memberWantingEmails(app, 'off');
    const thread = await createThread(app, quiet, board.id);
    await app.services.forum.reply((await createMember(app)).viewer, thread.threadId, { body: 'A reply nobody is e-mailed about.' });
    // The job for this batch has run once a later member's e-mail (queued after it) has arrived.
    const later = await memberWantingEmails(app, 'immediately');
    const laterThread = await createThread(app, later, board.id);
    await app.services.forum.reply((await createMember(app)).viewer, laterThread.threadId, { body: 'A reply that is e-mailed about.' });
    await eventually(async () => (await notifications(later)).length > 0, 'the later e-mail');
    expect(await notifications(quiet)).toEqual([]);
  });

  test('a reply that concerns only members who never asked for e-mails queues no e-mail work; one that concerns a member who did queues their notification alone', async () => {
    const { board } = await createSpaceWithBoard(app, admin);
    const quiet = await memberWantingEmails(app, 'off');
    const unverified = await createMember(app);
    await app.database.db.update(users).set({ emailNotifications: 'immediately' }).where(eq(users.id, unverified.viewer.id));
    const eager = await memberWantingEmails(app, 'immediately');
    const quietThread = await createThread(app, quiet, board.id);
    const replier = await createMember(app);
    // Each reply's notifications are queued for e-mail in its own transaction, so the job list is final when reply() answers.
    const emailJobs = async () =>
      (await app.database.executeSql('select data from pgboss.job where name = $1 order by created_on', [NOTIFICATION_EMAIL_JOB])).rows as { data: { ids: number[] } }[];
    const before = (await emailJobs()).length;
    await app.services.forum.reply(replier.viewer, quietThread.threadId, { body: `Hello @${unverified.handle}, a reply nobody is e-mailed about.` });
    expect(await emailJobs()).toHaveLength(before);

    await app.services.forum.reply(replier.viewer, quietThread.threadId, { body: `@${eager.handle} and @${unverified.handle}: one of you asked for e-mails.` });
    const jobs = await emailJobs();
    expect(jobs).toHaveLength(before + 1);
    const eagerIds = (await app.database.db.select({ id: notificationsTable.id }).from(notificationsTable).where(eq(notificationsTable.recipientId, eager.viewer.id))).map((r) => r.id);
    expect(jobs[jobs.length - 1]!.data.ids).toEqual(eagerIds);
    await eventually(async () => (await notifications(eager)).length > 0, 'the e-mail to the member who asked');
    expect(await notifications(quiet)).toEqual([]);
    expect(await notifications(unverified)).toEqual([]);
  });

  test('about a confidential space it says only that there is news, with a link by number', async () => {
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Mentoring circle Zeta' });
    const author = await memberWantingEmails(app, 'immediately');
    const peer = await createMember(app);
    await addSpaceMember(app, space.id, author);
    await addSpaceMember(app, space.id, peer);
    const thread = await createThread(app, author, board.id, 'Burnout on nights ZETAWORD', 'What I told nobody else ZETAWORD');
    const reply = await app.services.forum.reply(peer.viewer, thread.threadId, { body: 'Same here, ZETAWORD, since March.' });
    const message = await firstEmailTo(author);
    expect(message.subject).toBe('New activity in a confidential space');
    for (const text of [message.subject, message.textBody, message.htmlBody]) {
      expect(text).not.toContain('ZETAWORD');
      expect(text).not.toContain('Zeta');
      expect(text).not.toContain('Burnout');
      expect(text).not.toContain(peer.handle);
    }
    expect(message.textBody).toContain(`/p/${reply.postId}`);
  });

  test('someone removed from the space before the e-mail is written gets none', async () => {
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    const author = await memberWantingEmails(app, 'off');
    const control = await memberWantingEmails(app, 'off');
    const peer = await createMember(app);
    for (const member of [author, control, peer]) await addSpaceMember(app, space.id, member);
    const thread = await createThread(app, author, board.id);
    const controlThread = await createThread(app, control, board.id);
    await app.services.forum.reply(peer.viewer, thread.threadId, { body: 'Said just before the author left.' });
    await app.services.forum.reply(peer.viewer, controlThread.threadId, { body: 'Said to someone who stays.' });
    const ids = (await app.database.db.select({ id: notificationsTable.id }).from(notificationsTable).where(inArray(notificationsTable.recipientId, [author.viewer.id, control.viewer.id]))).map((r) => r.id);
    expect(ids).toHaveLength(2);
    // Both now want e-mails, but the author has left the space by the time the job writes them.
    await app.database.db.update(users).set({ emailNotifications: 'immediately' }).where(inArray(users.id, [author.viewer.id, control.viewer.id]));
    await app.database.db.update(spaceMembers).set({ status: 'removed' }).where(and(eq(spaceMembers.spaceId, space.id), eq(spaceMembers.userId, author.viewer.id)));
    await app.jobs.send(NOTIFICATION_EMAIL_JOB, { ids }, { singletonKey: 'after-removal' });
    await eventually(async () => (await notifications(control)).length > 0, 'the e-mail to the member who stayed');
    expect(await notifications(author)).toEqual([]);
  });
});

describe('the daily digest', () => {
  test('collects the day’s unread notifications of members who chose it, confidential ones without a word of them', async () => {
    const { board } = await createSpaceWithBoard(app, admin, { name: 'Open ward' });
    const secret = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Circle Omega' });
    const reader = await memberWantingEmails(app, 'daily');
    const peer = await createMember(app);
    await addSpaceMember(app, secret.space.id, reader);
    await addSpaceMember(app, secret.space.id, peer);
    const open = await createThread(app, reader, board.id, 'Handover checklists that work');
    const closed = await createThread(app, reader, secret.board.id, 'OMEGAWORD private worries');
    await app.services.forum.reply(peer.viewer, open.threadId, { body: 'We use SBAR on every handover.' });
    await app.services.forum.reply(peer.viewer, closed.threadId, { body: 'OMEGAWORD: you are not alone.' });
    expect(await notifications(reader)).toEqual([]);

    await app.jobs.send(DIGEST_JOB, {});
    const [digest] = await eventually(async () => {
      const mails = (await notifications(reader)).filter((m) => m.kind === 'digest');
      return mails.length > 0 ? mails : undefined;
    }, 'the digest');
    expect(digest!.textBody).toContain('Handover checklists that work');
    expect(digest!.textBody).toContain('We use SBAR on every handover.');
    expect(digest!.textBody).toContain('New activity in a confidential space');
    for (const text of [digest!.subject, digest!.textBody, digest!.htmlBody]) {
      expect(text).not.toContain('OMEGAWORD');
      expect(text).not.toContain('Omega');
    }
  });

  test('a thread’s new replies are one line, as on the notifications page, quoting the first of them', async () => {
    const { board } = await createSpaceWithBoard(app, admin, { name: 'Busy ward' });
    const reader = await memberWantingEmails(app, 'daily');
    const [peer, other] = [await createMember(app), await createMember(app)];
    const busy = await createThread(app, reader, board.id, 'Night-shift sedation holidays');
    await app.services.forum.reply(peer.viewer, busy.threadId, { body: 'We hold propofol at 06:00.' });
    await app.services.forum.reply(other.viewer, busy.threadId, { body: 'Ours is at 08:00, after rounds.' });
    await app.services.forum.reply(peer.viewer, busy.threadId, { body: 'Either way, chart the reason.' });
    const elsewhere = await createThread(app, other, board.id, 'Line care bundles');
    await app.services.forum.reply(peer.viewer, elsewhere.threadId, { body: `@${reader.handle} you wrote our bundle, didn't you?` });

    const emails = createNotificationEmails(app.database.db, { mail: app.services.mail, memberViewer: app.services.accounts.memberViewer });
    await emails.sendDigests(new Date());
    const [digest] = (await notifications(reader)).filter((m) => m.kind === 'digest');
    expect(digest!.subject).toBe('Your Rounds digest: 2 new items');
    expect(digest!.textBody).toContain('3 new replies in “Night-shift sedation holidays”');
    expect(digest!.textBody).toContain('We hold propofol at 06:00.');
    expect(digest!.textBody).not.toContain('after rounds');
    expect(digest!.textBody).toContain(`@${peer.handle} mentioned you in “Line care bundles”`);
  });

  test('covers what came since the member’s previous digest: a day without a run is in the next one, and a second run sends nothing again', async () => {
    const { board } = await createSpaceWithBoard(app, admin, { name: 'Digest ward' });
    const reader = await memberWantingEmails(app, 'daily');
    const peer = await createMember(app);
    const digests = async () => (await notifications(reader)).filter((m) => m.kind === 'digest');
    const hour = 3_600_000;
    const now = new Date();
    // The previous digest went out two days ago; yesterday's run did not happen.
    await app.database.db.insert(outboxMessages).values({
      kind: 'digest', userId: reader.viewer.id, toAddress: addressOf(reader), subject: 'Your Rounds digest', textBody: 'x', htmlBody: '<p>x</p>',
      status: 'sent', createdAt: new Date(now.getTime() - 48 * hour), sentAt: new Date(now.getTime() - 48 * hour),
    });
    const before = await createThread(app, reader, board.id, 'Told in the previous digest');
    const missed = await createThread(app, reader, board.id, 'From the day without a digest');
    await app.services.forum.reply(peer.viewer, before.threadId, { body: 'Old news.' });
    await app.services.forum.reply(peer.viewer, missed.threadId, { body: 'News from the missed day.' });
    const backdate = async (threadId: number, hoursAgo: number) =>
      app.database.db.update(notificationsTable).set({ createdAt: new Date(now.getTime() - hoursAgo * hour) }).where(and(eq(notificationsTable.recipientId, reader.viewer.id), eq(notificationsTable.threadId, threadId)));
    await backdate(before.threadId, 50);
    await backdate(missed.threadId, 36);

    const emails = createNotificationEmails(app.database.db, { mail: app.services.mail, memberViewer: app.services.accounts.memberViewer });
    await emails.sendDigests(now);
    const [, fresh] = await digests();
    expect(fresh!.textBody).toContain('From the day without a digest');
    expect(fresh!.textBody).not.toContain('Told in the previous digest');

    // The same run again (a retried job): nothing new since the digest just queued.
    await emails.sendDigests(new Date(now.getTime() + 60_000));
    expect(await digests()).toHaveLength(2);
  });
});
