import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml, locationOf } from '../helpers/browser-session.ts';
import { createMember, signedInAgent, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let owner: TestMember;
let guest: TestMember;
let outsider: TestMember;
let admin: TestMember;

beforeAll(async () => {
  app = await createTestApp();
  owner = await createMember(app);
  guest = await createMember(app);
  outsider = await createMember(app);
  admin = await createMember(app, { role: 'admin' });
});
afterAll(async () => app.close());

/** Brings a member into the owner's space the way an invitation does, optionally past its rules. */
async function admit(spaceId: number, member: TestMember, options: { acceptRules?: boolean } = {}) {
  await app.services.membership.inviteByHandle(owner.viewer, spaceId, member.handle);
  await app.services.membership.acceptInvitation(member.viewer, spaceId);
  if (options.acceptRules) await app.services.membership.acceptRules(member.viewer, spaceId, 1);
}

async function createConfidentialSpace(name: string, rules = 'We meet every three weeks.\n\nEverything said here **stays here**.') {
  const agent = await signedInAgent(app, owner);
  const res = await agent.submit('/spaces/new', '/spaces/new', { name, description: 'Eight colleagues', level: 'confidential', joinPolicy: 'invite', rules });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
  const slug = /^\/s\/([^/]+)\/manage$/.exec(locationOf(res))![1]!;
  const space = await app.services.spaces.spaceBySlug(owner.viewer, slug);
  const board = await app.services.spaces.createBoard(owner.viewer, space.id, { name: `Meetings of ${name}`, description: '' });
  const thread = await app.services.forum.createThread(owner.viewer, { boardId: board.id, title: 'Notes from our first meeting', body: 'Confidential notes' });
  return { agent, slug, space, board, thread };
}

describe('creating a private space from its page', () => {
  test('the creator owns it; a refused form keeps what was typed', async () => {
    const agent = await signedInAgent(app, owner);
    const refused = await agent.submit('/spaces/new', '/spaces/new', { name: 'Open secret', description: 'x', level: 'confidential', joinPolicy: 'open', rules: 'Rule one' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('value="Open secret"');
    expect(decodeHtml(refused.body)).toContain('nobody else could find it to join or to ask: choose "By invitation"');
    // Asking to join is no way into a space that outsiders cannot see either.
    const asked = await agent.submit('/spaces/new', '/spaces/new', { name: 'Closed secret', description: 'x', level: 'confidential', joinPolicy: 'request', rules: 'Rule one' });
    expect(asked.statusCode).toBe(422);
    expect(asked.body).toContain('value="Closed secret"');
    const { slug } = await createConfidentialSpace('Cardiology mentoring circle');
    const manage = await agent.get(`/s/${slug}/manage`);
    expect(manage.statusCode).toBe(200);
    expect(manage.body).toContain('Manage Cardiology mentoring circle');
    expect(manage.body).toMatch(/created/);
  });

  test('members cannot create public spaces; the form does not offer it', async () => {
    const agent = await signedInAgent(app, guest);
    const page = await agent.get('/spaces/new');
    expect(page.body).not.toContain('value="public"');
    const res = await agent.postForm('/spaces/new', { name: 'Sneaky public', description: '', level: 'public', joinPolicy: 'open', rules: '' });
    expect(res.statusCode).toBe(403);
  });
});

describe('joining by invitation and the ground rules', () => {
  test('an invitation link admits one person, who must accept the rules before reading', async () => {
    const { agent, slug, board, thread } = await createConfidentialSpace('Surgery peer group');
    const made = await agent.submit(`/s/${slug}/manage`, `/s/${slug}/manage/links`, {});
    expect(made.statusCode).toBe(201);
    const link = decodeHtml(/id="new-link"[^>]*value="([^"]+)"/.exec(made.body)?.[1] ?? '');
    const path = new URL(link).pathname;
    // Opened again later, the answer's address leads back to the manage page (no second link made).
    const reopened = await agent.get(`/s/${slug}/manage/links`);
    expect(reopened.statusCode).toBe(303);
    expect(reopened.headers.location).toBe(`/s/${slug}/manage`);

    const visitor = await app.inject({ method: 'GET', url: path });
    expect(visitor.statusCode).toBe(200);
    expect(visitor.body).toContain('You are invited to Surgery peer group');
    expect(visitor.body).not.toContain('Notes from our first meeting');

    const guestAgent = await signedInAgent(app, guest);
    const joined = await guestAgent.submit(path, path, {});
    expect(joined.statusCode).toBe(303);

    // Content is gated behind the rules: the board and the thread send the member to them.
    const boardPage = await guestAgent.get(`/s/${slug}/${board.slug}`);
    expect(boardPage.statusCode).toBe(303);
    expect(locationOf(boardPage)).toMatch(new RegExp(`^/s/${slug}/rules\\?next=`));
    const threadPage = await guestAgent.get(`/t/${thread.threadId}/${thread.slug}`);
    expect(locationOf(threadPage)).toMatch(new RegExp(`^/s/${slug}/rules`));
    const api = await app.inject({ method: 'GET', url: `/api/v1/threads/${thread.threadId}`, headers: guest.auth });
    expect(api.statusCode).toBe(404);

    const rules = await guestAgent.get(locationOf(threadPage));
    expect(rules.body).toContain('<strong>stays here</strong>');
    const accepted = await guestAgent.postForm(`/s/${slug}/rules/accept`, { version: '1', next: `/t/${thread.threadId}/${thread.slug}` });
    expect(locationOf(accepted)).toBe(`/t/${thread.threadId}/${thread.slug}`);
    const reading = await guestAgent.get(`/t/${thread.threadId}/${thread.slug}`);
    expect(reading.statusCode).toBe(200);
    expect(reading.body).toContain('Confidential notes');
    expect(reading.body).toContain('What is said here stays here.');
    expect(reading.headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(reading.headers['cache-control']).toBe('private, no-store');

    const second = await signedInAgent(app, outsider);
    await second.get(path);
    expect((await second.postForm(path, {})).statusCode).toBe(404);
    expect((await second.get(`/t/${thread.threadId}/${thread.slug}`)).statusCode).toBe(404);
  });

  test('changed rules must be accepted again before reading on', async () => {
    const { agent, slug, space, thread } = await createConfidentialSpace('Rules change group');
    await admit(space.id, guest, { acceptRules: true });
    const guestAgent = await signedInAgent(app, guest);
    expect((await guestAgent.get(`/t/${thread.threadId}/${thread.slug}`)).statusCode).toBe(200);
    const saved = await agent.submit(`/s/${slug}/manage`, `/s/${slug}/manage/rules`, { rules: 'New rule: no screenshots.' });
    expect(saved.statusCode).toBe(303);
    const gated = await guestAgent.get(`/t/${thread.threadId}/${thread.slug}`);
    expect(gated.statusCode).toBe(303);
    const stale = await guestAgent.postForm(`/s/${slug}/rules/accept`, { version: '1' });
    expect(locationOf(stale)).toBe(`/s/${slug}/rules`);
    expect((await guestAgent.get(`/t/${thread.threadId}/${thread.slug}`)).statusCode).toBe(303);
  });

  test('an invitation by handle shows on the home page and in /invitations', async () => {
    const { agent, slug, space } = await createConfidentialSpace('Invite by handle group');
    // A member who had no invitation when they last saw the home page (the process remembers
    // that) sees the new one at once, and no longer once they accept it.
    const invitee = await createMember(app);
    const inviteeAgent = await signedInAgent(app, invitee);
    expect((await inviteeAgent.get('/')).body).not.toContain('to join a space');
    const invited = await agent.submit(`/s/${slug}/manage`, `/s/${slug}/manage/invite`, { handle: invitee.handle });
    expect(invited.statusCode).toBe(303);
    expect((await inviteeAgent.get('/')).body).toContain('You have an invitation to join a space');
    const list = await inviteeAgent.get('/invitations');
    expect(list.body).toContain('Invite by handle group');
    // Who asked is what lets them decide.
    expect(decodeHtml(list.body)).toContain(`Invited by <a href="/u/${owner.handle}">Dr ${owner.handle}</a> (@${owner.handle})`);
    expect((await inviteeAgent.get(`/s/${slug}`)).statusCode).toBe(404);
    const accepted = await inviteeAgent.postForm(`/invitations/${space.id}/accept`, {});
    expect(locationOf(accepted)).toBe(`/s/${slug}`);
    expect((await inviteeAgent.get(`/s/${slug}`)).statusCode).toBe(200);
    expect((await inviteeAgent.get('/')).body).not.toContain('to join a space');
  });

  test('a refused manage form shows its message beside the form and keeps the handle', async () => {
    const { agent, slug } = await createConfidentialSpace('Typo group');
    const res = await agent.submit(`/s/${slug}/manage`, `/s/${slug}/manage/invite`, { handle: 'nobody-by-that-name' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('There is no member @nobody-by-that-name.');
    expect(res.body).toContain('value="nobody-by-that-name"');
  });

  test('removing a member ends their access on their next request', async () => {
    const { agent, slug, space, thread } = await createConfidentialSpace('Removal group');
    await admit(space.id, guest, { acceptRules: true });
    const guestAgent = await signedInAgent(app, guest);
    expect((await guestAgent.get(`/t/${thread.threadId}/${thread.slug}`)).statusCode).toBe(200);
    await agent.submit(`/s/${slug}/manage`, `/s/${slug}/manage/decide`, { handle: guest.handle, decision: 'remove' });
    expect((await guestAgent.get(`/t/${thread.threadId}/${thread.slug}`)).statusCode).toBe(404);
    expect((await guestAgent.get(`/s/${slug}`)).statusCode).toBe(404);
  });
});

describe('members-only spaces with join policies', () => {
  test('a member asks to join, a moderator approves, then they can post', async () => {
    const space = await app.services.spaces.createSpace(owner.viewer, { name: 'Residency directors', description: '', level: 'members', joinPolicy: 'request' });
    const board = await app.services.spaces.createBoard(owner.viewer, space.id, { name: 'Curriculum', description: '' });
    const thread = await app.services.forum.createThread(owner.viewer, { boardId: board.id, title: 'Milestones review', body: 'Thoughts?' });
    const guestAgent = await signedInAgent(app, guest);
    const reading = await guestAgent.get(`/t/${thread.threadId}/${thread.slug}`);
    expect(reading.statusCode).toBe(200);
    expect(reading.body).toContain('Only members of this space can reply.');
    // A space that takes requests says to ask, not to join.
    expect(reading.body).toContain(`<a href="/s/${space.slug}">Ask to join the space</a> to take part.`);
    expect(reading.body).toContain('Members only');
    const asked = await guestAgent.submit(`/s/${space.slug}`, `/s/${space.slug}/join`, { message: 'PD at a community program' });
    expect(asked.statusCode).toBe(303);
    const ownerAgent = await signedInAgent(app, owner);
    const manage = await ownerAgent.get(`/s/${space.slug}/manage`);
    expect(manage.body).toContain('PD at a community program');
    await ownerAgent.postForm(`/s/${space.slug}/manage/decide`, { handle: guest.handle, decision: 'approve' });
    const after = await guestAgent.get(`/t/${thread.threadId}/${thread.slug}`);
    expect(after.body).toContain('Post reply');
  });

  test('a member withdraws a request from the space page; a refused one hears of it', async () => {
    const space = await app.services.spaces.createSpace(owner.viewer, { name: 'Simulation faculty', description: '', level: 'members', joinPolicy: 'request' });
    const asker = await createMember(app);
    const askerAgent = await signedInAgent(app, asker);
    await askerAgent.submit(`/s/${space.slug}`, `/s/${space.slug}/join`, { message: 'Sim lead at St Olav' });
    const waiting = await askerAgent.get(`/s/${space.slug}`);
    expect(waiting.body).toContain('Your request to join is waiting');
    expect(waiting.body).toContain('Withdraw my request');
    const withdrawn = await askerAgent.postForm(`/s/${space.slug}/leave`, {});
    expect(withdrawn.statusCode).toBe(303);
    const after = await askerAgent.open(locationOf(withdrawn));
    expect(after.body).toContain('Your request to join is withdrawn.');
    expect(after.body).toContain('Ask to join');
    const ownerAgent = await signedInAgent(app, owner);
    const manage = await ownerAgent.get(`/s/${space.slug}/manage`);
    expect(manage.body).not.toContain('Requests to join');
    expect(manage.body).toContain(`@${asker.handle} withdrew request`);

    await askerAgent.submit(`/s/${space.slug}`, `/s/${space.slug}/join`, { message: 'Asking again' });
    await ownerAgent.submit(`/s/${space.slug}/manage`, `/s/${space.slug}/manage/decide`, { handle: asker.handle, decision: 'refuse' });
    const notices = await askerAgent.get('/notifications');
    expect(notices.body).toContain('Your request to join Simulation faculty was not accepted');
    // The notice does not name who refused: that stays in the space's own log.
    expect(notices.body).not.toContain(`@${owner.handle}`);
    // The owner's "asked to join" notices are settled with the requests: none is left unread.
    const ownerNotices = await app.services.notifications.list(owner.viewer);
    expect(ownerNotices.items.filter((n) => n.kind === 'space_requested' && n.unread)).toEqual([]);
    expect(ownerNotices.items.some((n) => n.kind === 'space_requested')).toBe(true);
    // A refusal stands for a while. The space page says until when, instead of offering the form.
    const refusedPage = decodeHtml((await askerAgent.get(`/s/${space.slug}`)).body);
    expect(refusedPage).toMatch(/Your request to join was not accepted on \d{4}-\d\d-\d\d\. You can ask again from \d{4}-\d\d-\d\d\./);
    expect(refusedPage).not.toContain('Ask to join');
    // A form sent anyway (an older tab) is refused, with the note kept.
    const again = await askerAgent.postForm(`/s/${space.slug}/join`, { message: 'Please reconsider' });
    expect(again.statusCode).toBe(409);
    expect(decodeHtml(again.body)).toMatch(/Your request to join was not accepted on \d{4}-\d\d-\d\d\. You can ask again from \d{4}-\d\d-\d\d\./);
    expect(again.body).toContain('Please reconsider');
  });

  test('raising a space to confidential closes the requests waiting, which nobody outside could follow any more', async () => {
    const space = await app.services.spaces.createSpace(owner.viewer, { name: 'Closing circle', description: '', level: 'members', joinPolicy: 'request' });
    const waiting = await createMember(app);
    await app.services.membership.join(waiting.viewer, space.id, 'May I?');
    const ownerAgent = await signedInAgent(app, owner);
    await ownerAgent.get(`/s/${space.slug}/manage`);
    expect((await ownerAgent.postForm(`/s/${space.slug}/manage/level`, { level: 'confidential' })).statusCode).toBe(303);
    const manage = decodeHtml((await ownerAgent.get(`/s/${space.slug}/manage`)).body);
    expect(manage).not.toContain('Requests to join');
    expect(manage).toContain('level raised (members → confidential; joining by invitation only)');
    expect(manage).toContain('requests closed (1 waiting: the space is confidential now)');
    expect((await app.services.notifications.list(owner.viewer)).items.filter((n) => n.kind === 'space_requested' && n.unread && n.text.includes('Closing circle'))).toEqual([]);
  });
});

describe('lowering a level', () => {
  test('needs every owner, then gives a week of notice on every page of the space', async () => {
    const { agent, slug, space, board } = await createConfidentialSpace('Lowering group');
    await admit(space.id, guest);
    await app.services.membership.setRole(owner.viewer, space.id, guest.handle, 'owner');
    await agent.submit(`/s/${slug}/manage`, `/s/${slug}/manage/level`, { level: 'members' });
    expect((await app.services.spaces.spaceBySlug(owner.viewer, slug)).level).toBe('confidential');
    const guestAgent = await signedInAgent(app, guest);
    await guestAgent.submit(`/s/${slug}/manage`, `/s/${slug}/manage/level/confirm`, {});
    const boardPage = await agent.get(`/s/${slug}/${board.slug}`);
    expect(boardPage.body).toMatch(/Notice: on <time[^>]*>\d{4}-\d\d-\d\d<\/time> this space becomes <strong>Members only<\/strong>/);
    await app.services.membership.applyDueLevelChanges(new Date(Date.now() + 8 * 86_400_000));
    expect((await app.services.spaces.spaceBySlug(owner.viewer, slug)).level).toBe('members');
  });
});

describe('site administrators', () => {
  test('see a confidential space’s name, level and size on /admin, and nothing inside it', async () => {
    const { slug, thread } = await createConfidentialSpace('Governance check group');
    const adminAgent = await signedInAgent(app, admin);
    const page = await adminAgent.get('/admin');
    expect(page.body).toContain('Confidential spaces you are not a member of');
    expect(page.body).toContain('Governance check group');
    expect(page.body).not.toContain('Meetings of Governance check group');
    expect((await adminAgent.get(`/s/${slug}`)).statusCode).toBe(404);
    expect((await adminAgent.get(`/t/${thread.threadId}/${thread.slug}`)).statusCode).toBe(404);
    expect((await adminAgent.get(`/s/${slug}/manage`)).statusCode).toBe(404);
  });
});

describe('rules that protect the members of a space from its own officers', () => {
  test('only site administrators make a space public', async () => {
    const { space } = await createConfidentialSpace('Stays private group');
    await expect(app.services.membership.changeLevel(owner.viewer, space.id, 'public')).rejects.toThrow(/Only site administrators/);
    const page = await (await signedInAgent(app, owner)).get(`/s/${space.slug}/manage`);
    expect(page.body).not.toContain('lowering to Public');
  });

  test('a space moderator cannot remove or ban another moderator', async () => {
    const { space } = await createConfidentialSpace('Two moderators group');
    for (const m of [guest, outsider]) {
      await admit(space.id, m);
      await app.services.membership.setRole(owner.viewer, space.id, m.handle, 'moderator');
    }
    await expect(app.services.membership.decide(guest.viewer, space.id, outsider.handle, 'ban')).rejects.toThrow(/Only owners/);
  });

  test('a revoked invitation link cannot be revoked again', async () => {
    const { space } = await createConfidentialSpace('Revoke twice group');
    const link = await app.services.membership.createInvitationLink(owner.viewer, space.id);
    await app.services.membership.revokeInvitationLink(owner.viewer, space.id, link.id);
    await expect(app.services.membership.revokeInvitationLink(owner.viewer, space.id, link.id)).rejects.toThrow(/no longer open/);
  });

  test('a pending lowering is scheduled when the owner who had not confirmed steps down', async () => {
    const { space } = await createConfidentialSpace('Stepping down group');
    await admit(space.id, guest);
    await app.services.membership.setRole(owner.viewer, space.id, guest.handle, 'owner');
    await app.services.membership.changeLevel(owner.viewer, space.id, 'members');
    const roster = () => app.services.membership.roster(owner.viewer, space.id);
    expect((await roster()).pendingChange?.effectiveAt).toBeNull();
    await app.services.membership.setRole(owner.viewer, space.id, guest.handle, 'moderator');
    expect((await roster()).pendingChange?.effectiveAt).toBeInstanceOf(Date);
  });
});

describe('owners shape their own space', () => {
  test('an owner adds and archives boards from the manage page; members cannot', async () => {
    const { agent, slug, space } = await createConfidentialSpace('Board shaping group');
    const added = await agent.submit(`/s/${slug}/manage`, `/s/${slug}/manage/boards`, { name: 'Reading list', description: 'Papers to discuss' });
    expect(added.statusCode).toBe(303);
    const page = await agent.get(`/s/${slug}/manage`);
    expect(page.body).toContain('Reading list');
    const boardId = (await app.services.spaces.spaceBySlug(owner.viewer, slug)).boards.find((b) => b.name === 'Reading list')!.id;
    expect(page.body).toContain(`/manage/boards/${boardId}/archive`);
    await admit(space.id, guest);
    const member = await signedInAgent(app, guest);
    await member.get(`/s/${slug}`);
    expect((await member.postForm(`/s/${slug}/manage/boards`, { name: 'Not mine to add' })).statusCode).toBe(403);
    expect((await agent.postForm(`/s/${slug}/manage/boards/${boardId}/archive`, { archived: 'true' })).statusCode).toBe(303);
    const directory = await app.services.spaces.spaceBySlug(owner.viewer, slug);
    expect(directory.boards.map((b) => b.name)).not.toContain('Reading list');
    expect(directory.boards.map((b) => b.name)).not.toContain('Not mine to add');
    // Archived is not lost: the space page still leads to it, apart from the boards in use.
    const spacePage = await agent.get(`/s/${slug}`);
    const archived = spacePage.body.slice(spacePage.body.indexOf('Archived boards'));
    expect(archived).toContain('>Reading list</a>');
    expect(spacePage.body.indexOf('Archived boards')).toBeGreaterThan(spacePage.body.indexOf('board-list'));
  });
});

describe('owners change their space after creating it', () => {
  test('an owner renames a space and changes how people join; the log records it and members cannot', async () => {
    const space = await app.services.spaces.createSpace(owner.viewer, { name: 'Hospitalist huddle', description: 'Weekly', level: 'members', joinPolicy: 'request' });
    const agent = await signedInAgent(app, owner);
    const manage = await agent.get(`/s/${space.slug}/manage`);
    expect(manage.body).toContain('value="Hospitalist huddle"');
    expect(manage.body).toMatch(/name="joinPolicy" value="request" checked/);
    const saved = await agent.postForm(`/s/${space.slug}/manage/details`, { name: 'Hospitalist huddle (nights)', description: 'Weekly, for the night team', joinPolicy: 'open' });
    expect(saved.statusCode).toBe(303);
    // The address stays, so saved links keep working.
    expect(locationOf(saved)).toBe(`/s/${space.slug}/manage`);
    const after = decodeHtml((await agent.open(locationOf(saved))).body);
    expect(after).toContain('Manage Hospitalist huddle (nights)');
    expect(after).toContain('name “Hospitalist huddle” → “Hospitalist huddle (nights)”; description; join policy request → open');
    const joiner = await signedInAgent(app, guest);
    const page = await joiner.get(`/s/${space.slug}`);
    expect(page.body).toContain('Join this space');
    // The only owner is told how to leave instead of being offered a button that would fail.
    const own = decodeHtml((await agent.get(`/s/${space.slug}`)).body);
    expect(own).toContain(`You are this space’s only owner. To leave it, first <a href="/s/${space.slug}/manage">hand it to another member</a>.`);
    expect(own).not.toContain('Leave this space');

    await app.services.membership.join(guest.viewer, space.id);
    expect((await joiner.postForm(`/s/${space.slug}/manage/details`, { name: 'Taken over', description: '', joinPolicy: 'invite' })).statusCode).toBe(403);
    expect((await app.services.spaces.spaceById(owner.viewer, space.id)).name).toBe('Hospitalist huddle (nights)');
  });

  test('a confidential space stays invitation-only; a refused change keeps what was typed', async () => {
    const { agent, slug } = await createConfidentialSpace('Renamed circle');
    const manage = await agent.get(`/s/${slug}/manage`);
    expect(manage.body).toContain('People join by invitation only');
    expect(manage.body).not.toContain('name="joinPolicy"');
    const refused = await agent.postForm(`/s/${slug}/manage/details`, { name: 'Open circle', description: 'Anyone welcome', joinPolicy: 'open' });
    expect(refused.statusCode).toBe(422);
    expect(decodeHtml(refused.body)).toContain('choose "By invitation"');
    expect(refused.body).toContain('value="Open circle"');
    const space = await app.services.spaces.spaceBySlug(owner.viewer, slug);
    expect(space.name).toBe('Renamed circle');
    expect(space.joinPolicy).toBe('invite');
  });
});

describe('mentions inside a confidential space', () => {
  test('mentioning someone outside it warns the author and tells them nobody was notified', async () => {
    const { space, thread } = await createConfidentialSpace('Mentions group');
    await admit(space.id, guest);
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/threads/${thread.threadId}/posts`,
      headers: owner.auth,
      payload: { body: `Thanks @${guest.handle}; maybe @${outsider.handle} knows, or @nobody-here.` },
    });
    expect(res.statusCode).toBe(201);
    // The guest has not accepted the ground rules yet, so cannot read it either (and is told apart).
    expect([...(res.json().warnings as string[])].sort()).toEqual(
      [
        `@${guest.handle} has not accepted this space's current ground rules yet: they cannot read your post and were not notified.`,
        `@${outsider.handle} is not a member of this confidential space: they cannot read your post and were not notified.`,
      ].sort(),
    );
    const agent = await signedInAgent(app, owner);
    const posted = await agent.submit(`/t/${thread.threadId}/${thread.slug}`, `/t/${thread.threadId}/reply`, { body: `Asking @${outsider.handle} too`, intent: 'post' });
    const page = await agent.open(locationOf(posted));
    expect(page.body).toContain(`@${outsider.handle} is not a member of this confidential space`);
  });

  test('mentions in public spaces carry no warning', async () => {
    const space = await app.services.spaces.createSpace(admin.viewer, { name: 'Open mentions', description: '' });
    const board = await app.services.spaces.createBoard(admin.viewer, space.id, { name: 'General', description: '' });
    const ref = await app.services.forum.createThread(owner.viewer, { boardId: board.id, title: 'Hello all', body: `Hi @${outsider.handle}` });
    expect(ref.warnings).toEqual([]);
  });
});
