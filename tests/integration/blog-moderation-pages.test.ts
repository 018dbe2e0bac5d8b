import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, signedInAgent, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let author: TestMember;
let reader: TestMember;
let moderator: TestMember;

beforeAll(async () => {
  app = await createTestApp();
  author = await createMember(app);
  reader = await createMember(app);
  moderator = await createMember(app, { role: 'moderator' });
});
afterAll(async () => app.close());

test('a flagged entry and comment appear in the moderator queue pages with their text, and can be decided there', async () => {
  const { blogs, moderation } = app.services;
  const ref = await blogs.createDraft(author.viewer, { title: 'Questionable advice entry', body: 'Double the dose BLOGMODMARK.' });
  await blogs.publish(author.viewer, ref.id);
  const comment = await blogs.addComment(author.viewer, ref.id, { body: 'A comment BLOGCOMMENTMARK' });
  await moderation.flagBlog(reader.viewer, { entryId: ref.id }, { reason: 'misinformation' });
  await moderation.flagBlog(reader.viewer, { commentId: comment.id }, { reason: 'spam' });
  const agent = await signedInAgent(app, moderator);
  const queue = await agent.get('/mod/queue');
  expect(queue.statusCode).toBe(200);
  expect(queue.body).toContain('Questionable advice entry');
  expect(queue.body).toContain('BLOGCOMMENTMARK');
  const ids = [...queue.body.matchAll(/href="\/mod\/queue\/(\d+)"/g)].map((m) => m[1]!);
  expect(ids.length).toBeGreaterThanOrEqual(2);
  let entryItem: string | undefined;
  for (const id of ids) {
    const item = await agent.get(`/mod/queue/${id}`);
    expect(item.statusCode, item.body.slice(0, 300)).toBe(200);
    expect(item.body.includes('BLOGMODMARK') || item.body.includes('BLOGCOMMENTMARK')).toBe(true);
    // Moderators do not rewrite someone's blog: no "edit and keep" here.
    expect(item.body).not.toContain('value="edit_keep"');
    if (item.body.includes('BLOGMODMARK')) entryItem = id;
  }
  const decided = await agent.submit(`/mod/queue/${entryItem}`, `/mod/queue/${entryItem}`, { decision: 'hide', reason: 'The dose is unsafe.' });
  expect(decided.statusCode, decided.body.slice(0, 300)).toBe(303);
  expect((await app.inject({ method: 'GET', url: `/api/v1/blog/entries/${ref.id}` })).statusCode).toBe(404);
  const own = (await app.inject({ method: 'GET', url: `/api/v1/blog/entries/${ref.id}`, headers: author.auth })).json();
  expect(own.moderationStatus).toBe('hidden');
  expect(own.moderationNote).toContain('The dose is unsafe.');
  // The decision is in the log, for moderators.
  const log = await agent.get('/mod/log');
  expect(log.body).toContain('hide');
});
