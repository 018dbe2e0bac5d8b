import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml } from '../helpers/browser-session.ts';
import { createMember, signedInAgent, type TestMember } from '../helpers/factories.ts';
import { HOME_BOARDS_PER_SPACE } from '../../web/views/forum/pages.tsx';

/*
 * The home page puts a member's own spaces first, with their boards, then the public ones; every
 * other space they may see is listed by name (its boards on /spaces). On a large site a member
 * may see a hundred spaces open to all members: their own eight-person group must not be lost in
 * that list, and the page must not render every board of every one of them.
 */

let app: TestApp;
let reader: TestMember;
let owner: TestMember;
let spaces: Record<'open' | 'joined' | 'other' | 'confidential', { id: number; slug: string }>;

beforeAll(async () => {
  app = await createTestApp();
  const admin = await createMember(app, { role: 'admin' });
  owner = await createMember(app);
  reader = await createMember(app);
  const s = app.services.spaces;
  const open = await s.createSpace(admin.viewer, { name: 'Open wards', description: 'For everyone' });
  await s.createBoard(admin.viewer, open.id, { name: 'Ventilation settings', description: '' });
  const joined = await s.createSpace(owner.viewer, { name: 'Hospitalists', description: 'Members only', level: 'members', joinPolicy: 'open' });
  await s.createBoard(owner.viewer, joined.id, { name: 'Night shifts', description: '' });
  const other = await s.createSpace(owner.viewer, { name: 'Palliative care', description: 'Members only', level: 'members', joinPolicy: 'open' });
  await s.createBoard(owner.viewer, other.id, { name: 'Hospice referrals', description: '' });
  const confidential = await s.createSpace(owner.viewer, { name: 'Mentoring circle', description: 'Eight colleagues', level: 'confidential', joinPolicy: 'invite', rules: 'Everything stays here.' });
  await s.createBoard(owner.viewer, confidential.id, { name: 'Our meetings', description: '' });
  await app.services.membership.join(reader.viewer, joined.id);
  spaces = { open, joined, other, confidential };
});
afterAll(async () => app.close());

/** The page's text from one heading to the next of the home page's sections. */
function section(html: string, heading: string): string {
  const text = decodeHtml(html);
  const start = text.indexOf(`>${heading}</h2>`);
  if (start < 0) return '';
  const next = text.indexOf('<h2', start + heading.length);
  return text.slice(start, next < 0 ? undefined : next);
}

test("a member's own spaces come first with their boards, then the public ones; other spaces by name only", async () => {
  const page = await (await signedInAgent(app, reader)).get('/');
  expect(page.statusCode).toBe(200);
  const yours = section(page.body, 'Your spaces');
  expect(yours).toContain('Hospitalists');
  expect(yours).toContain('Night shifts');
  const open = section(page.body, 'Open to everyone');
  expect(open).toContain('Open wards');
  expect(open).toContain('Ventilation settings');
  expect(open).not.toContain('Hospitalists');
  const more = section(page.body, 'More spaces');
  expect(more).toContain(`href="/s/${spaces.other.slug}"`);
  expect(page.body).not.toContain('Hospice referrals');
  expect(page.body).toContain('href="/spaces"');
  // A confidential space the member is not in: not a word of it.
  expect(page.body).not.toContain('Mentoring circle');
  expect(page.body).not.toContain('Our meetings');
});

test('all spaces, with their boards, are one link away; a confidential one only for its members', async () => {
  const readerPage = await (await signedInAgent(app, reader)).get('/spaces');
  expect(readerPage.statusCode).toBe(200);
  for (const name of ['Open wards', 'Ventilation settings', 'Hospitalists', 'Night shifts', 'Palliative care', 'Hospice referrals']) expect(decodeHtml(readerPage.body)).toContain(name);
  expect(readerPage.body).not.toContain('Mentoring circle');

  const ownerHome = await (await signedInAgent(app, owner)).get('/');
  expect(section(ownerHome.body, 'Your spaces')).toContain('Mentoring circle');
  expect(section(ownerHome.body, 'Your spaces')).toContain('Our meetings');
});

test('a visitor sees the public spaces, and no members-only space by name', async () => {
  for (const url of ['/', '/spaces']) {
    const page = await app.inject({ method: 'GET', url });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Open wards');
    expect(page.body).toContain('Ventilation settings');
    expect(page.body).not.toContain('Your spaces');
    for (const hidden of ['Hospitalists', 'Palliative care', 'Mentoring circle']) expect(page.body).not.toContain(hidden);
  }
});

test("a space with many boards shows its first eight on the home page, in its admins' order, and the rest one link away", async () => {
  const admin = await createMember(app, { role: 'admin' });
  const large = await app.services.spaces.createSpace(admin.viewer, { name: 'Large ward', description: 'Many boards' });
  const names = Array.from({ length: 11 }, (_, i) => `Ward board ${String(i + 1).padStart(2, '0')}`);
  for (const name of names) await app.services.spaces.createBoard(admin.viewer, large.id, { name, description: '' });
  const pages = { visitor: (await app.inject({ method: 'GET', url: '/' })).body, member: (await (await signedInAgent(app, reader)).get('/')).body };
  for (const [who, body] of Object.entries(pages)) {
    const text = decodeHtml(body);
    const shown = names.filter((name) => text.includes(name));
    expect(shown, who).toEqual(names.slice(0, HOME_BOARDS_PER_SPACE));
    expect(text, who).toContain('All 11 boards in Large ward');
    expect(body, who).toContain(`href="/s/${large.slug}"`);
  }
  for (const url of [`/s/${large.slug}`, '/spaces']) {
    const text = decodeHtml((await app.inject({ method: 'GET', url })).body);
    for (const name of names) expect(text, url).toContain(name);
    expect(text, url).not.toContain('All 11 boards');
  }
  // A space with a few boards shows them all, with no link to "more".
  expect(decodeHtml(pages.member)).not.toContain('boards in Open wards');
});

test('a space the member leaves moves from their own to the others', async () => {
  const extra = await createMember(app);
  await app.services.membership.join(extra.viewer, spaces.other.id);
  const agent = await signedInAgent(app, extra);
  expect(section((await agent.get('/')).body, 'Your spaces')).toContain('Palliative care');
  await app.services.membership.leave(extra.viewer, spaces.other.id);
  const after = (await agent.get('/')).body;
  // Public spaces need no joining: a member in no space sees no empty "your spaces" section.
  expect(after).not.toContain('Your spaces');
  expect(section(after, 'More spaces')).toContain('Palliative care');
});

test('on a site with no spaces yet, a member is told so instead of "all 0 spaces"', async () => {
  const empty = await createTestApp();
  try {
    const page = await (await signedInAgent(empty, await createMember(empty))).get('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No spaces yet');
    expect(page.body).not.toContain('href="/spaces"');
  } finally {
    await empty.close();
  }
});

describe("the public spaces' boards, read once for every home page while nothing moves them", () => {
  let kept: TestApp;
  let admin: TestMember;
  let outsider: TestMember;
  beforeAll(async () => {
    // Kept for a minute here, so that anything left over from before a change would still show.
    kept = await createTestApp({ ANON_CACHE_MS: '60000' });
    admin = await createMember(kept, { role: 'admin' });
    outsider = await createMember(kept);
  });
  afterAll(async () => kept.close());

  test('a board moved into a confidential space, or a space raised above public, leaves every home page at once', async () => {
    const s = kept.services.spaces;
    const wards = await s.createSpace(admin.viewer, { name: 'Open wards', description: '' });
    const rota = await s.createBoard(admin.viewer, wards.id, { name: 'Triage rota', description: '' });
    await s.createBoard(admin.viewer, wards.id, { name: 'Ventilator settings', description: '' });
    const circle = await s.createSpace(admin.viewer, { name: 'Mentoring circle', description: '', level: 'confidential', joinPolicy: 'invite', rules: 'Everything stays here.' });
    const agent = await signedInAgent(kept, outsider);
    const before = decodeHtml((await agent.get('/')).body);
    expect(before).toContain('Triage rota');
    expect(before).toContain('Ventilator settings');

    // Behind the app's back, as an operator's SQL would: the database announces it to every process.
    await kept.database.db.execute(sql`update boards set space_id = ${circle.id} where id = ${rota.id}`);
    expect(await kept.events.settled()).toBe(true);
    const moved = decodeHtml((await agent.get('/')).body);
    expect(moved).not.toContain('Triage rota');
    expect(moved).toContain('Ventilator settings');
    expect(decodeHtml((await kept.inject({ method: 'GET', url: '/' })).body)).not.toContain('Triage rota');

    // Not waiting for the announcement: the level read with the page decides.
    await kept.database.db.execute(sql`update spaces set level = 'confidential', join_policy = 'invite' where id = ${wards.id}`);
    const raised = decodeHtml((await agent.get('/')).body);
    expect(raised).not.toContain('Open wards');
    expect(raised).not.toContain('Ventilator settings');
  });

  test("a renamed board shows its new name on the next home page, and a member of a public space finds it among their own", async () => {
    const s = kept.services.spaces;
    const icu = await s.createSpace(admin.viewer, { name: 'Intensive care', description: '' });
    const board = await s.createBoard(admin.viewer, icu.id, { name: 'Proning', description: '' });
    const member = await createMember(kept);
    await kept.services.membership.join(member.viewer, icu.id);
    const agent = await signedInAgent(kept, member);
    expect(section((await agent.get('/')).body, 'Your spaces')).toContain('Proning');
    await s.renameBoard(admin.viewer, board.id, { name: 'Prone positioning', description: '' });
    expect(await kept.events.settled()).toBe(true);
    const yours = section((await agent.get('/')).body, 'Your spaces');
    expect(yours).toContain('Prone positioning');
    expect(section((await (await signedInAgent(kept, outsider)).get('/')).body, 'Open to everyone')).toContain('Prone positioning');
  });
});

describe('lists that mix places say which threads are from a members-only or confidential space', () => {
  /** The row of the Latest list that links to the thread titled `title`. */
  function latestRow(html: string, title: string): string {
    const latest = section(html, 'Latest');
    return latest.split('<li class="thread-row').find((row) => row.includes(`>${title}</a>`)) ?? '';
  }

  test('a member of a confidential space sees its badge on its thread in Latest; a public thread has none', async () => {
    const s = app.services.spaces;
    const admin = await createMember(app, { role: 'admin' });
    const publicBoard = await s.createBoard(admin.viewer, spaces.open.id, { name: 'Handover', description: '' });
    const circleBoard = await s.createBoard(owner.viewer, spaces.confidential.id, { name: 'Case reviews', description: '' });
    const membersBoard = await s.createBoard(owner.viewer, spaces.joined.id, { name: 'Rota swaps', description: '' });
    await app.services.forum.createThread(admin.viewer, { boardId: publicBoard.id, title: 'Morning handover checklist', body: 'For everyone.' });
    await app.services.forum.createThread(owner.viewer, { boardId: circleBoard.id, title: 'A difficult conversation', body: 'Stays in the circle.' });
    await app.services.forum.createThread(owner.viewer, { boardId: membersBoard.id, title: 'Swapping the bank holiday', body: 'Members only.' });

    const page = (await (await signedInAgent(app, owner)).get('/')).body;
    const confidential = latestRow(page, 'A difficult conversation');
    expect(confidential).toContain('<span class="badge badge-level-confidential">Confidential</span>');
    expect(latestRow(page, 'Swapping the bank holiday')).toContain('<span class="badge badge-level-members">Members only</span>');
    const open = latestRow(page, 'Morning handover checklist');
    expect(open).toContain('Handover');
    expect(open).not.toContain('badge-level');

    // Someone outside the circle sees neither the thread nor its badge; a visitor sees no badge at all.
    const outside = (await (await signedInAgent(app, reader)).get('/')).body;
    expect(latestRow(outside, 'A difficult conversation')).toBe('');
    expect(section(outside, 'Latest')).not.toContain('badge-level-confidential');
    const visitor = (await app.inject({ method: 'GET', url: '/' })).body;
    expect(latestRow(visitor, 'Morning handover checklist')).not.toBe('');
    expect(section(visitor, 'Latest')).not.toContain('badge-level');
  });

  test("a member's profile labels their recent posts from a confidential space for a fellow member; a public post has none", async () => {
    const s = app.services.spaces;
    const author = await createMember(app);
    const fellow = await createMember(app);
    const circle = await s.createSpace(author.viewer, { name: 'Journal club circle', description: '', level: 'confidential', joinPolicy: 'invite', rules: 'Everything stays here.' });
    const circleBoard = await s.createBoard(author.viewer, circle.id, { name: 'Drafts we review', description: '' });
    const admin = await createMember(app, { role: 'admin' });
    const openBoard = await s.createBoard(admin.viewer, spaces.open.id, { name: 'Teaching', description: '' });
    await app.database.db.execute(sql`insert into space_members (space_id, user_id, status, rules_accepted_version)
      select ${circle.id}, ${fellow.viewer.id}, 'active', rules_version from spaces where id = ${circle.id}`);
    await app.services.forum.createThread(author.viewer, { boardId: circleBoard.id, title: 'Reviewing my abstract', body: 'In confidence.' });
    await app.services.forum.createThread(author.viewer, { boardId: openBoard.id, title: 'Teaching rounds timetable', body: 'For all.' });

    const row = (html: string, title: string) => decodeHtml(html).split('<li>').find((li) => li.includes(`${title} #1`)) ?? '';
    const seen = (await (await signedInAgent(app, fellow)).get(`/u/${author.handle}`)).body;
    expect(row(seen, 'Reviewing my abstract')).toContain('<span class="badge badge-level-confidential">Confidential</span>');
    expect(row(seen, 'Teaching rounds timetable')).not.toBe('');
    expect(row(seen, 'Teaching rounds timetable')).not.toContain('badge-level');
    const outside = (await (await signedInAgent(app, reader)).get(`/u/${author.handle}`)).body;
    expect(row(outside, 'Reviewing my abstract')).toBe('');
    expect(outside).not.toContain('badge-level-confidential');
  });
});
