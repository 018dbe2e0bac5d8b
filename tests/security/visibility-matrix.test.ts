import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, PASSWORD, type TestMember } from '../helpers/factories.ts';

/*
 * Every kind of viewer against every route that can name or list content, for each
 * confidentiality level. Outsiders must get 404 (never 403) and must not find a trace of the
 * content in any list. Confidential spaces are made by setting the level directly until the
 * product can create them; the guarantee under test is the visibility policy's.
 */

type Level = 'public' | 'members' | 'confidential';
type ViewerKind = 'anonymous' | 'outsider' | 'spaceMember' | 'invited' | 'removed' | 'banned' | 'siteModerator' | 'siteAdmin';

const LEVELS: Level[] = ['public', 'members', 'confidential'];
const VIEWERS: ViewerKind[] = ['anonymous', 'outsider', 'spaceMember', 'invited', 'removed', 'banned', 'siteModerator', 'siteAdmin'];

function mayRead(level: Level, viewer: ViewerKind): boolean {
  if (level === 'public') return true;
  if (level === 'members') return viewer !== 'anonymous';
  return viewer === 'spaceMember';
}

interface Fixture {
  spaceId: number;
  spaceSlug: string;
  boardSlug: string;
  boardId: number;
  threadId: number;
  threadSlug: string;
  firstPostId: number;
  replyId: number;
  marker: string;
  blogMarker: string;
  /** The entry author's comment on the space's entry, and each viewer's own early comment there. */
  authorCommentId: number;
  ownCommentIds: Record<string, number>;
}

let app: TestApp;
let author: TestMember;
const fixtures = {} as Record<Level, Fixture>;
const viewers = {} as Record<Exclude<ViewerKind, 'anonymous'>, TestMember>;
const cookies = {} as Record<Exclude<ViewerKind, 'anonymous'>, string>;

beforeAll(async () => {
  app = await createTestApp();
  const operator = await createMember(app, { role: 'admin' });
  author = await createMember(app);
  viewers.outsider = await createMember(app);
  viewers.spaceMember = await createMember(app);
  viewers.invited = await createMember(app);
  viewers.removed = await createMember(app);
  viewers.banned = await createMember(app);
  viewers.siteModerator = await createMember(app, { role: 'moderator' });
  viewers.siteAdmin = await createMember(app, { role: 'admin' });

  for (const level of LEVELS) {
    const { space, board } = await createSpaceWithBoard(app, operator, { level, name: `Zq${level}name` });
    await addSpaceMember(app, space.id, author);
    await addSpaceMember(app, space.id, viewers.spaceMember);
    await addSpaceMember(app, space.id, viewers.invited, 'invited');
    await addSpaceMember(app, space.id, viewers.removed, 'removed');
    await addSpaceMember(app, space.id, viewers.banned, 'banned');
    const marker = `ZQX${level.toUpperCase()}MARKER`;
    const thread = await app.services.forum.createThread(author.viewer, { boardId: board.id, title: `Title ${marker}`, body: `Body ${marker} opening` });
    const firstPostId = (await app.services.forum.threadPage(author.viewer, thread.threadId, 1)).posts[0]!.id;
    await app.services.forum.edit(author.viewer, firstPostId, { body: `Body ${marker} edited`, baseRevision: 1 });
    const reply = await app.services.forum.reply(viewers.spaceMember.viewer, thread.threadId, { body: `Reply ${marker}`, replyToPostId: firstPostId });
    // Everyone is mentioned: only those who may read the space may hear of it (notifications).
    const everyone = Object.values(viewers).map((v) => `@${v.handle}`).join(' ');
    await app.services.forum.reply(author.viewer, thread.threadId, { body: `Ping for the notification checks in the ${level} space: ${everyone}` });
    // A blog entry everyone commented on while it was public (so all follow it), then written for
    // this space's readers alone: its author's next comment may reach only those who can read it.
    // Its own marker: the search checks below count what the thread's marker finds.
    const blogMarker = `ZQB${level.toUpperCase()}MARKER`;
    const entry = await app.services.blogs.createDraft(author.viewer, { title: `Entry ${blogMarker}`, body: `Entry body ${blogMarker}` });
    await app.services.blogs.publish(author.viewer, entry.id);
    const ownCommentIds: Record<string, number> = {};
    for (const [kind, member] of Object.entries(viewers)) {
      ownCommentIds[kind] = (await app.services.blogs.addComment(member.viewer, entry.id, { body: `Early comment by ${kind} in the ${level} space's entry` })).id;
    }
    const editing = await app.services.blogs.forEditing(author.viewer, entry.id);
    await app.services.blogs.save(author.viewer, entry.id, { title: `Entry ${blogMarker}`, body: `Entry body ${blogMarker}`, visibility: 'space', spaceId: space.id, baseRevision: editing.entry.revision });
    const authorComment = await app.services.blogs.addComment(author.viewer, entry.id, { body: `Comment ${blogMarker} for the notification checks` });
    fixtures[level] = {
      spaceId: space.id,
      spaceSlug: space.slug,
      boardSlug: board.slug,
      boardId: board.id,
      threadId: thread.threadId,
      threadSlug: thread.slug,
      firstPostId,
      replyId: reply.postId,
      marker,
      blogMarker,
      authorCommentId: authorComment.id,
      ownCommentIds,
    };
  }
  for (const [kind, member] of Object.entries(viewers)) {
    const { cookie } = await app.services.accounts.signIn(member.handle, PASSWORD, 'vitest');
    cookies[kind as keyof typeof cookies] = `${cookie.name}=${cookie.value}`;
  }
});
afterAll(async () => app.close());

function headersFor(viewer: ViewerKind, api: boolean): Record<string, string> {
  if (viewer === 'anonymous') return {};
  return api ? viewers[viewer].auth : { cookie: cookies[viewer] };
}

async function get(viewer: ViewerKind, url: string, method: 'GET' | 'HEAD' = 'GET') {
  return app.inject({ method, url, headers: headersFor(viewer, url.startsWith('/api/')) });
}

describe.each(LEVELS)('a %s space', (level) => {
  describe.each(VIEWERS)('seen by %s', (viewer) => {
    const allowed = mayRead(level, viewer);

    test(allowed ? 'every page and API route about its content answers' : 'every page and API route about its content answers 404', async () => {
      const f = fixtures[level];
      const urls = [
        `/s/${f.spaceSlug}`,
        `/s/${f.spaceSlug}/${f.boardSlug}`,
        `/t/${f.threadId}/${f.threadSlug}`,
        `/t/${f.threadId}/${f.threadSlug}?page=1`,
        `/p/${f.firstPostId}/revisions`,
        `/api/v1/spaces/${f.spaceSlug}`,
        `/api/v1/boards/${f.boardId}`,
        `/api/v1/boards/${f.boardId}/threads`,
        `/api/v1/threads/${f.threadId}`,
        `/api/v1/posts/${f.firstPostId}`,
        `/api/v1/posts/${f.replyId}`,
        `/api/v1/posts/${f.firstPostId}/revisions`,
      ];
      for (const url of urls) {
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await get(viewer, url, method);
          expect(res.statusCode, `${method} ${url}`).toBe(allowed ? 200 : 404);
          if (!allowed) expect(res.body, `${method} ${url}`).not.toContain(f.marker);
        }
      }
      for (const url of [`/t/${f.threadId}`, `/p/${f.firstPostId}`]) {
        expect((await get(viewer, url)).statusCode, url).toBe(allowed ? 301 : 404);
      }
    });

    test(allowed ? 'lists, profiles and counts include it' : 'no list, profile or count reveals it', async () => {
      const f = fixtures[level];
      for (const url of ['/', '/api/v1/latest', '/api/v1/spaces', `/u/${author.handle}`, `/api/v1/users/${author.handle}`, `/u/${viewers.spaceMember.handle}`]) {
        const res = await get(viewer, url);
        expect(res.statusCode, url).toBe(200);
        if (allowed) {
          if (url === '/api/v1/latest') expect(res.body, url).toContain(f.marker);
          if (url === '/' || url === '/api/v1/spaces') expect(res.body, url).toContain(`Zq${level}name`);
        } else {
          expect(res.body, url).not.toContain(f.marker);
          expect(res.body, url).not.toContain(`Zq${level}name`);
        }
      }
    });

    test(allowed ? 'search finds its thread and posts, and counts them' : 'search finds nothing, counts nothing, and a filter on it reads like one on a place that never existed', async () => {
      const f = fixtures[level];
      const word = f.marker.toLowerCase();
      const found = await get(viewer, `/api/v1/search?q=${word}`);
      expect(found.statusCode).toBe(200);
      const json = found.json() as { total: number; results: { kind: string; id: number }[] };
      const page = await get(viewer, `/search?q=${word}`);
      expect(page.statusCode).toBe(200);
      if (allowed) {
        // The thread (found by its title, it stands for its opening post) and the reply.
        expect(json.total).toBe(2);
        expect(json.results.map((r) => `${r.kind}:${r.id}`).sort()).toEqual([`post:${f.replyId}`, `thread:${f.threadId}`].sort());
        expect(page.body).toContain('>2 results<');
        const posts = (await get(viewer, `/api/v1/search?q=${word}&kind=post`)).json() as { results: { id: number }[] };
        expect(posts.results.map((r) => r.id).sort()).toEqual([f.firstPostId, f.replyId].sort());
        expect(page.body).toContain(`<mark>${f.marker}</mark>`);
      } else {
        expect(json).toMatchObject({ total: 0, results: [] });
        expect(found.body).not.toContain(f.marker);
        expect(page.body).not.toContain(f.marker);
        expect(page.body).toContain('No results');
      }
      for (const [field, id, ghost] of [['space', f.spaceId, 999_991], ['board', f.boardId, 999_992], ['thread', f.threadId, 999_993]] as const) {
        const real = (await get(viewer, `/api/v1/search?q=title&${field}=${id}`)).json() as { total: number; filters: Record<string, { name: string | null }> };
        const none = (await get(viewer, `/api/v1/search?q=title&${field}=${ghost}`)).json() as { total: number; filters: Record<string, { name: string | null }> };
        if (allowed) {
          expect(real.total, field).toBeGreaterThan(0);
          expect(real.filters[field]!.name, field).not.toBeNull();
        } else {
          expect({ ...real, filters: {} }, field).toEqual({ ...none, filters: {} });
          expect(real.filters[field]!.name, field).toBeNull();
          expect(JSON.stringify(real)).not.toContain(`Zq${level}name`);
        }
      }
    });

    if (viewer !== 'anonymous') {
      test(allowed ? 'notifications (posts and blog comments), watch, unread and mention routes answer' : 'no notification (post or blog comment) names it, and its watch, unread, mention and live routes are 404', async () => {
        const f = fixtures[level];
        const list = await get(viewer, '/api/v1/notifications');
        expect(list.statusCode).toBe(200);
        const texts = (list.json().items as { text: string }[]).map((i) => i.text).join('\n');
        const page = await get(viewer, '/notifications');
        if (allowed) {
          expect(texts).toContain(`Title ${f.marker}`);
          expect(page.body).toContain(`Title ${f.marker}`);
          // Comments on the space's entry, which they commented on while it was public (one item: unread ones collapse).
          expect(texts).toMatch(new RegExp(`(also commented on|new comments on) “Entry ${f.blogMarker}”`));
        } else {
          expect(list.body).not.toContain(f.marker);
          expect(page.body).not.toContain(f.marker);
          expect(list.body).not.toContain(f.blogMarker);
          expect(page.body).not.toContain(f.blogMarker);
          expect(page.body).not.toContain(`Zq${level}name`);
        }
        const urls = [
          `/api/v1/threads/${f.threadId}/watch`,
          `/api/v1/boards/${f.boardId}/watch`,
          `/api/v1/threads/${f.threadId}/mentionable?prefix=m`,
          `/api/v1/boards/${f.boardId}/mentionable?prefix=m`,
          `/mentionable?thread=${f.threadId}&prefix=m`,
          `/mentionable?board=${f.boardId}&prefix=m`,
        ];
        for (const url of urls) {
          const res = await get(viewer, url);
          expect(res.statusCode, url).toBe(allowed ? 200 : 404);
          if (!allowed) expect(res.body, url).not.toContain(f.marker);
        }
        expect((await get(viewer, `/t/${f.threadId}/${f.threadSlug}/unread`)).statusCode).toBe(allowed ? 303 : 404);
        const watch = await app.inject({ method: 'PUT', url: `/api/v1/threads/${f.threadId}/watch`, headers: viewers[viewer].auth, payload: { level: 'watching' } });
        expect(watch.statusCode).toBe(allowed ? 200 : 404);
        // An open stream never ends by itself, so only the refusal is checked here (see live-events.test.ts).
        if (!allowed) {
          const live = await app.inject({ method: 'GET', url: `/events?thread=${f.threadId}`, headers: { cookie: cookies[viewer], accept: 'text/event-stream' } });
          expect(live.statusCode).toBe(404);
        }
      });

      test(allowed ? 'members who can read may quote, and reply unless banned' : 'writing into it, quoting or replying is a 404, and nothing is written', async () => {
        const f = fixtures[level];
        const auth = viewers[viewer].auth;
        const attempts = [
          app.inject({ method: 'GET', url: `/api/v1/posts/${f.firstPostId}/quote`, headers: auth }),
          app.inject({ method: 'POST', url: `/api/v1/threads/${f.threadId}/posts`, headers: auth, payload: { body: `probe by ${viewer} in ${level}` } }),
          app.inject({ method: 'POST', url: `/api/v1/boards/${f.boardId}/threads`, headers: auth, payload: { title: `probe by ${viewer}`, body: `x in ${level}` } }),
          app.inject({ method: 'PATCH', url: `/api/v1/posts/${f.firstPostId}`, headers: auth, payload: { body: 'overwrite', baseRevision: 2 } }),
          app.inject({ method: 'DELETE', url: `/api/v1/posts/${f.firstPostId}`, headers: auth }),
          app.inject({ method: 'GET', url: `/t/${f.threadId}/reply?to=${f.firstPostId}&quote=1`, headers: { cookie: cookies[viewer] } }),
        ];
        const [quote, replyRes, threadRes, edit, remove, replyPage] = await Promise.all(attempts);
        if (allowed) {
          expect(quote!.statusCode).toBe(200);
          expect(quote!.json().markdown).toContain(f.marker);
          // A member banned from a space may still read what its level lets everyone read, but not post.
          expect(replyRes!.statusCode).toBe(viewer === 'banned' ? 403 : 201);
          expect(threadRes!.statusCode).toBe(viewer === 'banned' ? 403 : 201);
          // Readers are not authors: the policy says 403 once the post is visible.
          expect(edit!.statusCode).toBe(403);
          expect(remove!.statusCode).toBe(403);
          expect(replyPage!.statusCode).toBe(200);
        } else {
          for (const res of [quote, replyRes, threadRes, edit, remove, replyPage]) {
            expect(res!.statusCode, res!.body.slice(0, 120)).toBe(404);
            expect(res!.body).not.toContain(f.marker);
          }
          const thread = await app.services.forum.threadPage(author.viewer, f.threadId, 1);
          expect(thread.posts.map((p) => p.bodySource).join('\n')).not.toContain(`probe by ${viewer}`);
        }
      });

      test(
        allowed
          ? 'on its blog entry, a reader edits their own comment (page and API) and is refused another’s (403)'
          : 'editing a comment on its blog entry is a 404 (its own writer’s included, who commented before it was theirs alone), and nothing is written',
        async () => {
          const f = fixtures[level];
          const own = f.ownCommentIds[viewer]!;
          const api = (id: number, body: string) => app.inject({ method: 'PATCH', url: `/api/v1/blog/comments/${id}`, headers: viewers[viewer].auth, payload: { body, baseRevision: 1 } });
          const page = (id: number) => app.inject({ method: 'GET', url: `/blog/comments/${id}/edit`, headers: { cookie: cookies[viewer] } });
          const others = [await api(f.authorCommentId, `overwrite by ${viewer}`), await page(f.authorCommentId)];
          const owns = [await page(own), await api(own, `Early comment by ${viewer} in the ${level} space's entry, edited`)];
          for (const res of others) {
            expect(res.statusCode, res.body.slice(0, 160)).toBe(allowed ? 403 : 404);
            expect(res.body).not.toContain(f.blogMarker);
          }
          for (const res of owns) expect(res.statusCode, res.body.slice(0, 160)).toBe(allowed ? 200 : 404);
          const { blogComments } = await import('../../db/schema/index.ts');
          const { inArray } = await import('drizzle-orm');
          const rows = await app.database.db.select().from(blogComments).where(inArray(blogComments.id, [f.authorCommentId, own]));
          expect(rows.find((r) => r.id === f.authorCommentId)!.bodySource).not.toContain('overwrite');
          expect(rows.find((r) => r.id === own)!.bodySource.endsWith(', edited')).toBe(allowed);
        },
      );
    }
  });
});

describe('notifications for visitors', () => {
  test('a visitor has no notifications, bell or stream', async () => {
    expect((await get('anonymous', '/api/v1/notifications')).statusCode).toBe(401);
    expect([302, 303, 401]).toContain((await get('anonymous', '/notifications')).statusCode);
    expect([302, 303, 401]).toContain((await get('anonymous', '/events')).statusCode);
    expect((await get('anonymous', '/')).body).not.toContain('data-bell');
  });
});

describe('response headers that keep private pages private', () => {
  test('pages a member sees are never cached and never send a Referer elsewhere', async () => {
    const f = fixtures.members;
    const res = await get('spaceMember', `/t/${f.threadId}/${f.threadSlug}`);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.body).toContain('<meta name="robots" content="noindex, nofollow"/>');
  });

  test('public pages for anonymous visitors may be indexed', async () => {
    const f = fixtures.public;
    const res = await get('anonymous', `/t/${f.threadId}/${f.threadSlug}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('noindex');
    expect(res.headers['referrer-policy']).toBe('same-origin');
  });

  test('a members-only space is marked noindex even for crawlers that sign in', async () => {
    const f = fixtures.members;
    const res = await get('outsider', `/s/${f.spaceSlug}`);
    expect(res.body).toContain('noindex');
  });
});

describe('access follows membership on every request', () => {
  test('a member removed from a confidential space loses access at once', async () => {
    const f = fixtures.confidential;
    const member = await createMember(app);
    const { db } = app.database;
    const { spaceMembers } = await import('../../db/schema/index.ts');
    const { and, eq } = await import('drizzle-orm');
    const space = (await app.services.spaces.spaceBySlug(author.viewer, f.spaceSlug));
    await addSpaceMember(app, space.id, member);
    expect((await app.inject({ method: 'GET', url: `/api/v1/threads/${f.threadId}`, headers: member.auth })).statusCode).toBe(200);
    await db.update(spaceMembers).set({ status: 'removed' }).where(and(eq(spaceMembers.spaceId, space.id), eq(spaceMembers.userId, member.viewer.id)));
    expect((await app.inject({ method: 'GET', url: `/api/v1/threads/${f.threadId}`, headers: member.auth })).statusCode).toBe(404);
  });
});
