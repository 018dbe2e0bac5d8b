import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { boards, postRevisions, posts, threads, users } from '../db/schema/index.ts';
import { passwordProblem } from '../server/accounts/passwords.ts';
import { createAccountsService, userToViewer } from '../server/accounts/service.ts';
import { REMEMBER_NOTHING } from '../server/events/member-cache.ts';
import { createSessionManager } from '../server/accounts/sessions.ts';
import { createNotifier } from '../server/notifications/notifier.ts';
import { createForumService, quoteMarkdown } from '../server/forum/service.ts';
import { rememberedSettings } from '../server/moderation/admission.ts';
import { createModerationService } from '../server/moderation/service.ts';
import type { MemberViewer } from '../server/policy/index.ts';
import { createSpacesService } from '../server/spaces/service.ts';
import { DEMO_MEMBERS, DEMO_SPACES, DEMO_THREADS } from './demo-community.ts';
import { CommandError, describeDatabase, formatCount, openDatabase, queryRows, readConfig, runCommand } from './operator-command.ts';

/*
 * `npm run seed:demo`: a small, believable community created through the services (so counters,
 * rendering, revisions and permissions are the real ones), then backdated so the pages look lived in.
 * Refuses to touch a database that already has a space.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

runCommand(async () => {
  if (process.argv.length > 2) throw new CommandError('usage: npm run seed:demo   (DEMO_PASSWORD=… sets the members\' password)', 2);
  const config = readConfig();
  const given = process.env.DEMO_PASSWORD;
  if (given !== undefined && given !== '') {
    const problem = passwordProblem(given);
    if (problem) throw new CommandError(`DEMO_PASSWORD is not accepted: ${problem}`);
  }
  const password = given || randomBytes(12).toString('base64url');

  const database = await openDatabase(config);
  try {
    await database.migrate();
    const { db } = database;
    const [existing] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from spaces`);
    if ((existing?.n ?? 0) > 0) {
      throw new CommandError(`${describeDatabase(config)} already has ${existing?.n} space(s): seed:demo only fills an empty site. Use a fresh DATA_DIR or database.`);
    }
    console.log(`Seeding the demo community into ${describeDatabase(config)}…`);

    const sessions = createSessionManager(db, { ...config.session, secureCookies: config.secureCookies });
    const accounts = createAccountsService(db, sessions, REMEMBER_NOTHING, config.rateLimits);
    const spaces = createSpacesService(db, config.privateSpaces);
    const forum = createForumService(db, spaces, createNotifier(), rememberedSettings(db, REMEMBER_NOTHING));

    // Members: registered like anyone else, then given their role and an established trust level
    // (a seeded community is not made of brand-new, pre-moderated accounts).
    const members = new Map<string, MemberViewer>();
    for (const [index, member] of DEMO_MEMBERS.entries()) {
      const { user, cookie } = await accounts.register(
        { handle: member.handle, displayName: member.displayName, email: member.email, password },
        'seed-demo',
      );
      if (cookie) await accounts.sessions.invalidate(cookie.value);
      await db
        .update(users)
        .set({ role: member.role ?? 'member', trustLevel: 2, approvalPending: false, createdAt: new Date(Date.now() - (90 - index * 3) * DAY) })
        .where(eq(users.id, user.id));
      const viewer = { ...userToViewer(user), role: member.role ?? 'member', trustLevel: 2 } satisfies MemberViewer;
      await accounts.updateProfile(viewer, {
        displayName: member.displayName,
        title: member.title,
        specialty: member.specialty,
        institution: member.institution,
        bio: member.bio,
      });
      members.set(member.handle, viewer);
    }
    const member = (handle: string): MemberViewer => {
      const found = members.get(handle);
      if (!found) throw new Error(`demo content names an unknown member @${handle}`);
      return found;
    };
    const admin = [...members.values()].find((m) => m.role === 'admin');
    const moderator = [...members.values()].find((m) => m.role === 'moderator');
    if (!admin || !moderator) throw new Error('the demo community needs an admin and a moderator');

    // Spaces and boards, created by the admin.
    const boardIds = new Map<string, number>();
    for (const space of DEMO_SPACES) {
      const created = await spaces.createSpace(admin, { name: space.name, description: space.description });
      for (const board of space.boards) {
        const b = await spaces.createBoard(admin, created.id, board);
        boardIds.set(`${space.name}/${board.name}`, b.id);
      }
    }

    // Threads and replies, oldest first so post ids follow the story's order.
    const when = new Map<number, Date>();
    const edits: { postId: number; at: Date }[] = [];
    let postTotal = 0;
    const now = Date.now();
    for (const thread of [...DEMO_THREADS].sort((a, b) => b.daysAgo - a.daysAgo)) {
      const boardId = boardIds.get(`${thread.space}/${thread.board}`);
      if (boardId === undefined) throw new Error(`demo thread "${thread.title}" names an unknown board`);
      const opened = now - thread.daysAgo * DAY;
      const author = member(thread.author);
      const ref = await forum.createThread(author, { boardId, title: thread.title, body: thread.body });
      const postIds = [ref.postId];
      when.set(ref.postId, new Date(opened));
      for (const reply of thread.replies) {
        const viewer = member(reply.author);
        let body = reply.body;
        if (reply.quote !== undefined) {
          const quotedId = postIds[reply.quote - 1];
          if (quotedId === undefined) throw new Error(`"${thread.title}" quotes post ${reply.quote}, which does not exist yet`);
          const quoted = await forum.post(viewer, quotedId);
          body = quoteMarkdown(quoted, ref.threadId, ref.slug) + body;
        }
        const replyToPostId = reply.replyTo === undefined ? undefined : postIds[reply.replyTo - 1];
        if (reply.replyTo !== undefined && replyToPostId === undefined) throw new Error(`"${thread.title}" replies to a missing post`);
        const posted = await forum.reply(viewer, ref.threadId, { body, replyToPostId });
        postIds.push(posted.postId);
        when.set(posted.postId, new Date(Math.min(opened + reply.at * HOUR, now - 60_000)));
      }
      if (thread.editedBody !== undefined) {
        await forum.edit(author, ref.postId, { body: thread.editedBody, baseRevision: 1 });
        const lastReplyAt = Math.max(...postIds.map((id) => when.get(id)?.getTime() ?? opened));
        edits.push({ postId: ref.postId, at: new Date(Math.min(lastReplyAt + HOUR, now - 60_000)) });
      }
      if (thread.pinned) await forum.setThreadState(moderator, ref.threadId, { pinned: true });
      if (thread.locked) await forum.setThreadState(moderator, ref.threadId, { locked: true });
      postTotal += postIds.length;
      console.log(`  ${thread.space} › ${thread.board}: "${thread.title}" (${postIds.length} posts${thread.pinned ? ', pinned' : ''}${thread.locked ? ', locked' : ''}${thread.editedBody ? ', edited' : ''})`);
    }

    // Backdate: the services stamp "now"; a demo reads better when conversations span weeks.
    // Counters are untouched; only the times move, and the derived "last post" times follow.
    await db.transaction(async (tx) => {
      for (const [postId, at] of when) await tx.update(posts).set({ createdAt: at }).where(eq(posts.id, postId));
      for (const edit of edits) {
        await tx.update(posts).set({ editedAt: edit.at }).where(eq(posts.id, edit.postId));
        await tx.update(postRevisions).set({ createdAt: edit.at }).where(eq(postRevisions.postId, edit.postId));
      }
      await tx.execute(sql`
        update ${threads} t set created_at = p.first_at, last_post_at = p.last_at
        from (select thread_id, min(created_at) as first_at, max(created_at) as last_at from ${posts} group by thread_id) p
        where p.thread_id = t.id`);
      await tx.execute(sql`
        update ${threads} t set last_post_author_id = p.author_id
        from ${posts} p where p.thread_id = t.id and p.number = t.post_count`);
      await tx.execute(sql`
        update ${boards} b set last_post_at = t.last_at
        from (select board_id, max(last_post_at) as last_at from ${threads} group by board_id) t
        where t.board_id = b.id`);
    });

    // The demo shows pre-moderation: someone who registers has their first post checked by a
    // moderator (the seeded members are past it). The site's own default stays off.
    const moderation = createModerationService(db, createNotifier(), REMEMBER_NOTHING);
    await moderation.updateSettings(admin, { ...(await moderation.settings()), holdFirstPosts: 1 });

    const boardTotal = [...boardIds].length;
    console.log('');
    console.log(
      `Done: ${DEMO_MEMBERS.length} members, ${DEMO_SPACES.length} spaces, ${boardTotal} boards, ${DEMO_THREADS.length} threads, ${formatCount(postTotal)} posts.`,
    );
    console.log(`Admin: @${admin.handle}   Moderator: @${moderator.handle}   Members: ${DEMO_MEMBERS.map((m) => `@${m.handle}`).join(' ')}`);
    console.log(`Sign in with a handle or e-mail at ${config.publicUrl}/ (a newly registered member's first post waits for a moderator)`);
    console.log(given ? "demo members' password: (the DEMO_PASSWORD you set)" : `demo members' password: ${password}`);
    if (!config.databaseUrl) console.log('Start the server with `npm start` (this command has closed the embedded database).');
  } finally {
    await database.close();
  }
});
