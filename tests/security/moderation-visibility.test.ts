import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spaceMembers } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, PASSWORD, type TestMember } from '../helpers/factories.ts';

/*
 * Held and hidden content, through every route that can show a post, for every kind of viewer:
 * only the author and whoever moderates the place may see it — a confidential space's own
 * owners, never site staff who are not members. Everyone else gets a 404 and no trace in lists.
 */

type Level = 'public' | 'confidential';
type State = 'held' | 'hidden';
type ViewerKind = 'anonymous' | 'outsider' | 'spaceMember' | 'author' | 'spaceOwner' | 'siteModerator' | 'siteAdmin';

const VIEWERS: ViewerKind[] = ['anonymous', 'outsider', 'spaceMember', 'author', 'spaceOwner', 'siteModerator', 'siteAdmin'];

function maySee(level: Level, viewer: ViewerKind): boolean {
  if (viewer === 'author' || viewer === 'spaceOwner') return true;
  return level === 'public' && (viewer === 'siteModerator' || viewer === 'siteAdmin');
}

function mayReadSpace(level: Level, viewer: ViewerKind): boolean {
  return level === 'public' || viewer === 'author' || viewer === 'spaceOwner' || viewer === 'spaceMember';
}

interface Fixture {
  threadId: number;
  threadSlug: string;
  postId: number;
  marker: string;
}

let app: TestApp;
const members = {} as Record<Exclude<ViewerKind, 'anonymous'>, TestMember>;
const cookies = {} as Record<Exclude<ViewerKind, 'anonymous'>, string>;
const fixtures = {} as Record<`${Level}-${State}`, Fixture>;

beforeAll(async () => {
  app = await createTestApp();
  const operator = await createMember(app, { role: 'admin' });
  members.outsider = await createMember(app);
  members.spaceMember = await createMember(app);
  members.author = await createMember(app);
  members.spaceOwner = await createMember(app);
  members.siteModerator = await createMember(app, { role: 'moderator' });
  members.siteAdmin = await createMember(app, { role: 'admin' });
  await app.services.moderation.updateSettings(operator.viewer, { ...(await app.services.moderation.settings()), watchedWords: [{ word: 'zqholdme', action: 'hold', replacement: '' }] });

  for (const level of ['public', 'confidential'] as const) {
    const { space, board } = await createSpaceWithBoard(app, operator, { level, name: `Zq ${level} moderation` });
    // The operator created the space and owns it; in a confidential space they leave, as an admin would.
    await app.database.db.delete(spaceMembers).where(eq(spaceMembers.spaceId, space.id));
    for (const who of ['spaceMember', 'author', 'spaceOwner'] as const) await addSpaceMember(app, space.id, members[who]);
    await app.database.db.update(spaceMembers).set({ role: 'owner' }).where(eq(spaceMembers.userId, members.spaceOwner.viewer.id));
    const thread = await app.services.forum.createThread(members.spaceMember.viewer, { boardId: board.id, title: `Open thread in ${level}`, body: `A visible opening post in ${level}` });
    for (const state of ['held', 'hidden'] as const) {
      const marker = `ZQ${level.toUpperCase()}${state.toUpperCase()}MARK`;
      const body = state === 'held' ? `${marker} zqholdme` : `${marker} will be hidden`;
      const reply = await app.services.forum.reply(members.author.viewer, thread.threadId, { body });
      if (state === 'hidden') await app.services.moderation.flagPost(members.spaceOwner.viewer, reply.postId, { reason: 'misinformation' });
      fixtures[`${level}-${state}`] = { threadId: thread.threadId, threadSlug: thread.slug, postId: reply.postId, marker };
    }
  }
  for (const [kind, member] of Object.entries(members)) {
    const { cookie } = await app.services.accounts.signIn(member.handle, PASSWORD, 'vitest');
    cookies[kind as keyof typeof cookies] = `${cookie.name}=${cookie.value}`;
  }
});
afterAll(async () => app.close());

function get(viewer: ViewerKind, url: string) {
  const api = url.startsWith('/api/');
  const headers = viewer === 'anonymous' ? {} : api ? members[viewer].auth : { cookie: cookies[viewer] };
  return app.inject({ method: 'GET', url, headers });
}

describe.each(['public', 'confidential'] as const)('a %s space', (level) => {
  describe.each(['held', 'hidden'] as const)('a %s post', (state) => {
    describe.each(VIEWERS)('seen by %s', (viewer) => {
      test(maySee(level, viewer) ? 'is readable with its state shown' : 'is a 404 on its own and absent from every list', async () => {
        const f = fixtures[`${level}-${state}`];
        const singleUrls = [`/api/v1/posts/${f.postId}`, `/api/v1/posts/${f.postId}/revisions`, `/p/${f.postId}`];
        const listUrls = [`/api/v1/threads/${f.threadId}`, `/t/${f.threadId}/${f.threadSlug}`, `/u/${members.author.handle}`, `/api/v1/users/${members.author.handle}`, '/'];
        const single = await Promise.all(singleUrls.map((url) => get(viewer, url)));
        const lists = await Promise.all(listUrls.map((url) => get(viewer, url)));
        if (maySee(level, viewer)) {
          const post = single[0]!.json() as { status: string; body: string };
          expect(post.status).toBe(state);
          expect(post.body).toContain(f.marker);
          expect(lists[0]!.body).toContain(f.marker);
          expect(lists[1]!.body).toContain(f.marker);
        } else {
          single.forEach((res, i) => {
            expect(res.statusCode, singleUrls[i]).toBe(404);
            expect(res.body, singleUrls[i]).not.toContain(f.marker);
          });
          lists.forEach((res, i) => expect(res.body, listUrls[i]).not.toContain(f.marker));
          // Readers of the space still get the thread itself; only the post is missing.
          if (mayReadSpace(level, viewer)) expect(lists[0]!.statusCode).toBe(200);
        }
      });
    });
  });
});

test('the check above can fail: the author does see the marker', async () => {
  const f = fixtures['public-held'];
  expect((await get('author', `/t/${f.threadId}/${f.threadSlug}`)).body).toContain(f.marker);
});
