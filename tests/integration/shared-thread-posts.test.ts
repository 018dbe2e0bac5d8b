import { eq, and } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spaceMembers, spaces } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import type { Agent } from '../helpers/browser-session.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * A thread page's posts are rendered once and shared among the signed-in readers who see the
 * same posts the same way (web/thread-posts-cache.ts). These tests hold it to that: each reader
 * still gets exactly the posts the policy gives them, with their own buttons, at once after any
 * change, and nothing of one reader's page (held posts, flags, form tokens) reaches another's.
 */

let app: TestApp;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;
let carol: TestMember;
let board: { id: number };
const statements: string[] = [];

beforeAll(async () => {
  app = await createTestApp({}, { onQuery: (query) => void statements.push(query) });
  admin = await createMember(app, { role: 'admin' });
  [alice, bob, carol] = await Promise.all([createMember(app), createMember(app), createMember(app)]);
  ({ board } = await createSpaceWithBoard(app, admin));
});
afterAll(async () => app.close());

const urlOf = (ref: { threadId: number; slug: string }) => `/t/${ref.threadId}/${ref.slug}`;
/** The page's post cards, as printed. */
const articles = (html: string) => html.match(/<article[\s\S]*?<\/article>/g) ?? [];
async function page(agent: Agent, url: string) {
  const res = await agent.get(url);
  expect(res.statusCode).toBe(200);
  return res.body;
}

describe('readers who see the same posts share one rendering', () => {
  test('a second reader gets the same posts without their text being read again, under their own name', async () => {
    const ref = await createThread(app, alice, board.id, 'Prone positioning checklist', 'Two people at the head, one at each side.');
    await app.services.forum.reply(alice.viewer, ref.threadId, { body: 'And a third at the feet for larger patients.' });
    const [bobs, carols] = await Promise.all([signedInAgent(app, bob), signedInAgent(app, carol)]);
    const first = await page(bobs, urlOf(ref));
    await page(carols, urlOf(ref));
    statements.length = 0;
    const second = await page(carols, urlOf(ref));
    expect(statements.filter((text) => text.includes('"body_html"'))).toEqual([]);
    expect(articles(second)).toEqual(articles(first));
    expect(articles(second)).toHaveLength(2);
    expect(second).toContain('And a third at the feet for larger patients.');
    expect(second).toContain(`href="/u/${carol.handle}" class="nav-name"`);
    expect(second).not.toContain(`href="/u/${bob.handle}" class="nav-name"`);
  });

  test('a reply, an edit and a removal are on the next reader’s page at once', async () => {
    const ref = await createThread(app, alice, board.id, 'Splitter print settings', 'PLA at 0.2 mm layers.');
    const [bobs, carols] = await Promise.all([signedInAgent(app, bob), signedInAgent(app, carol)]);
    await page(bobs, urlOf(ref));
    const reply = await app.services.forum.reply(alice.viewer, ref.threadId, { body: 'PETG holds up better to cleaning.' });
    expect(await page(carols, urlOf(ref))).toContain('PETG holds up better to cleaning.');
    await app.services.forum.edit(alice.viewer, reply.postId, { body: 'PETG or nylon: both survive cleaning.', baseRevision: 1 });
    const edited = await page(bobs, urlOf(ref));
    expect(edited).toContain('PETG or nylon: both survive cleaning.');
    expect(edited).not.toContain('PETG holds up better to cleaning.');
    await app.services.forum.remove(alice.viewer, reply.postId);
    const removed = await page(carols, urlOf(ref));
    expect(removed).toContain('Post removed by author.');
    expect(removed).not.toContain('PETG or nylon');
  });

  test('a rendering shared among readers carries no form token; the author’s own page has theirs', async () => {
    const ref = await createThread(app, alice, board.id, 'Night handover', 'Use the SBAR card.');
    const [bobs, alices] = await Promise.all([signedInAgent(app, bob), signedInAgent(app, alice)]);
    await page(bobs, urlOf(ref));
    for (const card of articles(await page(bobs, urlOf(ref)))) expect(card).not.toContain('name="_csrf"');
    const own = articles(await page(alices, urlOf(ref)));
    expect(own[0]).toContain('name="_csrf"');
    expect(own[0]).toContain(`/p/${ref.postId}/edit`);
  });
});

describe('what a shared rendering must never pass on', () => {
  test('a held post is shown to its author and the moderators, never to a reader who comes after them', async () => {
    const settings = await app.services.moderation.settings();
    await app.services.moderation.updateSettings(admin.viewer, { ...settings, holdFirstPosts: 1 });
    try {
      const ref = await createThread(app, alice, board.id, 'Weaning from high-flow', 'Drop flow before FiO2.');
      const newcomer = await createMember(app, { trustLevel: 0 });
      const held = await app.services.forum.reply(newcomer.viewer, ref.threadId, { body: 'We drop FiO2 first, is that wrong?' });
      expect(held.held).toBeTruthy();
      const [newcomers, mods, bobs, carols] = await Promise.all([signedInAgent(app, newcomer), signedInAgent(app, admin), signedInAgent(app, bob), signedInAgent(app, carol)]);
      expect(await page(newcomers, urlOf(ref))).toContain('Waiting for approval: only you and the moderators can see this post.');
      const moderator = await page(mods, urlOf(ref));
      expect(moderator).toContain('We drop FiO2 first, is that wrong?');
      expect(moderator).toContain('Held for approval');
      for (const reader of [bobs, carols, bobs]) {
        const seen = await page(reader, urlOf(ref));
        expect(seen).toContain('Drop flow before FiO2.');
        expect(seen).not.toContain('We drop FiO2 first');
        expect(seen).not.toContain('Held for approval');
      }
      // And the readers' rendering is not the moderators'.
      expect(await page(mods, urlOf(ref))).toContain('Held for approval');
    } finally {
      await app.services.moderation.updateSettings(admin.viewer, { ...(await app.services.moderation.settings()), holdFirstPosts: 0 });
    }
  });

  test('a reader’s open flag shows on their page only, though others share its posts', async () => {
    const ref = await createThread(app, alice, board.id, 'Heparin dosing chart', 'See the attached nomogram.');
    const [bobs, carols] = await Promise.all([signedInAgent(app, bob), signedInAgent(app, carol)]);
    await page(carols, urlOf(ref));
    await app.services.moderation.flagPost(bob.viewer, ref.postId, { reason: 'misinformation' });
    const flagged = await page(bobs, urlOf(ref));
    expect(flagged).toContain('You flagged this');
    expect(flagged).toMatch(/action="\/flags\/\d+\/withdraw"/);
    const other = await page(carols, urlOf(ref));
    expect(other).not.toContain('You flagged this');
    expect(other).toContain(`/p/${ref.postId}/flag`);
  });

  test('a member who may not post gets no Reply links, though a member who may had them on the same posts', async () => {
    const { space: closed, board: closedBoard } = await createSpaceWithBoard(app, admin);
    await app.database.db.update(spaces).set({ joinPolicy: 'request' }).where(eq(spaces.id, closed.id));
    await addSpaceMember(app, closed.id, bob);
    const ref = await createThread(app, admin, closedBoard.id, 'Journal club: March', 'Paper attached.');
    const [bobs, carols] = await Promise.all([signedInAgent(app, bob), signedInAgent(app, carol)]);
    expect(await page(bobs, urlOf(ref))).toContain(`/t/${ref.threadId}/reply?to=${ref.postId}`);
    const outsider = await page(carols, urlOf(ref));
    expect(outsider).toContain('Paper attached.');
    expect(outsider).not.toContain(`/t/${ref.threadId}/reply?to=`);
  });

  test('a member removed from a confidential space loses its thread at once, though its posts are kept rendered', async () => {
    const { space: circle, board: circleBoard } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    await Promise.all([addSpaceMember(app, circle.id, bob), addSpaceMember(app, circle.id, carol)]);
    const ref = await createThread(app, admin, circleBoard.id, 'Mentoring circle, session 4', 'What stays here: the rota dispute.');
    const [bobs, carols, outsiders] = await Promise.all([signedInAgent(app, bob), signedInAgent(app, carol), signedInAgent(app, alice)]);
    await page(bobs, urlOf(ref));
    expect(await page(carols, urlOf(ref))).toContain('the rota dispute');
    await app.database.db
      .update(spaceMembers)
      .set({ status: 'removed' })
      .where(and(eq(spaceMembers.spaceId, circle.id), eq(spaceMembers.userId, carol.viewer.id)));
    for (const res of [await carols.get(urlOf(ref)), await outsiders.get(urlOf(ref))]) {
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('the rota dispute');
    }
    expect(await page(bobs, urlOf(ref))).toContain('the rota dispute');
  });
});
