import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rulesAcceptances, spaceInvitations } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard, type TestMember } from '../helpers/factories.ts';

/*
 * Private spaces through the JSON API: creating them, membership, invitations, ground rules and
 * confidentiality levels — and, throughout, that outsiders learn nothing (404, never 403).
 */

const DAY = 86_400_000;

let app: TestApp;
let admin: TestMember;
let siteModerator: TestMember;
let owner: TestMember;
let outsider: TestMember;
let publicThreadId: number;

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  siteModerator = await createMember(app, { role: 'moderator' });
  owner = await createMember(app);
  outsider = await createMember(app);
  const { board } = await createSpaceWithBoard(app, admin, { name: 'Open Lounge' });
  publicThreadId = (await app.services.forum.createThread(admin.viewer, { boardId: board.id, title: 'Public chat', body: 'Anyone can read this.' })).threadId;
});
afterAll(async () => app.close());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function api(who: TestMember | null, method: Method, url: string, payload?: object) {
  return app.inject({ method, url: `/api/v1${url}`, headers: who ? who.auth : {}, ...(payload === undefined ? {} : { payload }) });
}

async function ok(who: TestMember | null, method: Method, url: string, payload?: object, status = 200) {
  const res = await api(who, method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body.slice(0, 300)}`).toBe(status);
  return res.json();
}

let counter = 0;

interface SpaceSetup {
  id: number;
  slug: string;
  name: string;
  boardId: number;
  threadId: number;
  postId: number;
}

/** A space created through the API by `by`, with one board and one thread. */
async function makeSpace(by: TestMember, body: { level?: string; joinPolicy?: string; rules?: string } = {}): Promise<SpaceSetup> {
  const name = `Peer group ${++counter}`;
  const space = await ok(by, 'POST', '/spaces', { name, description: `Description of ${name}`, ...body }, 201);
  const board = await ok(by, 'POST', `/spaces/${space.id}/boards`, { name: 'Cases' }, 201);
  const thread = await ok(by, 'POST', `/boards/${board.id}/threads`, { title: `Thread in ${name}`, body: 'A difficult case, in confidence.' }, 201);
  return { id: space.id, slug: space.slug, name, boardId: board.id, threadId: thread.threadId, postId: thread.postId };
}

/** Invites `member` by handle and has them accept; ground rules are left to the test. */
async function invite(space: SpaceSetup, member: TestMember, by: TestMember = owner) {
  await ok(by, 'POST', `/spaces/${space.id}/invitations`, { handle: member.handle });
  await ok(member, 'POST', `/spaces/${space.id}/invitation/accept`);
}

async function readThread(who: TestMember | null, space: SpaceSetup) {
  return (await api(who, 'GET', `/threads/${space.threadId}`)).statusCode;
}

async function members(space: SpaceSetup, by: TestMember = owner) {
  const list = (await ok(by, 'GET', `/spaces/${space.id}/members`)) as { handle: string; role: string; status: string; requestMessage: string; rulesAcceptedVersion: number }[];
  return Object.fromEntries(list.map((m) => [m.handle, m]));
}

/** The space log, oldest first. */
async function logOf(space: SpaceSetup, by: TestMember = owner) {
  const entries = (await ok(by, 'GET', `/spaces/${space.id}/log`)) as { action: string; detail: string; actorHandle: string | null; subjectHandle: string | null }[];
  return entries.reverse();
}

function tokenOf(url: string): string {
  return new URL(url).pathname.split('/').pop()!;
}

describe('creating a private space', () => {
  test('a member creates a confidential space and becomes its owner, recorded in the space log', async () => {
    const space = await ok(owner, 'POST', '/spaces', { name: 'Balint group', level: 'confidential', joinPolicy: 'invite', rules: 'What is said here **stays here**.' }, 201);
    expect(space).toMatchObject({ name: 'Balint group', level: 'confidential', joinPolicy: 'invite', rulesVersion: 1 });
    expect(space.rulesHtml).toContain('<strong>stays here</strong>');
    const roster = await ok(owner, 'GET', `/spaces/${space.id}/members`);
    expect(roster).toEqual([
      { handle: owner.handle, displayName: `Dr ${owner.handle}`, role: 'owner', status: 'active', requestMessage: '', rulesAcceptedVersion: 1 },
    ]);
    const log = await ok(owner, 'GET', `/spaces/${space.id}/log`);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ action: 'created', actorHandle: owner.handle, subjectHandle: owner.handle });
    // Nobody else learns that it exists.
    expect((await api(outsider, 'GET', `/spaces/${space.slug}`)).statusCode).toBe(404);
    expect((await api(outsider, 'GET', '/spaces')).body).not.toContain('Balint group');
  });

  test('a confidential space is by invitation unless its creator says otherwise', async () => {
    const space = await ok(owner, 'POST', '/spaces', { name: 'Default policy group', level: 'confidential' }, 201);
    expect(space.joinPolicy).toBe('invite');
    expect(space.rulesVersion).toBe(0);
  });

  test('a member cannot create a public space (403); an administrator can', async () => {
    const refused = await api(owner, 'POST', '/spaces', { name: 'My public square' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/administrators/);
    expect((await api(owner, 'POST', '/spaces', { name: 'My public square', level: 'public' })).statusCode).toBe(403);
    expect((await api(null, 'POST', '/spaces', { name: 'Anonymous square', level: 'members' })).statusCode).toBe(401);
    const created = await ok(admin, 'POST', '/spaces', { name: 'Town square', level: 'public' }, 201);
    expect(created).toMatchObject({ level: 'public', joinPolicy: 'open' });
    expect((await ok(null, 'GET', '/spaces')).map((s: { name: string }) => s.name)).toContain('Town square');
  });

  test('a confidential space open to anyone is refused (422), naming the join policy', async () => {
    const res = await api(owner, 'POST', '/spaces', { name: 'Leaky group', level: 'confidential', joinPolicy: 'open' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.fields).toHaveProperty('joinPolicy');
    const governance = await ok(admin, 'GET', '/governance/spaces');
    expect(governance.map((s: { name: string }) => s.name)).not.toContain('Leaky group');
  });
});

describe('invitations', () => {
  test('a member invited by handle sees the invitation, accepts it and then reads the space’s threads', async () => {
    const space = await makeSpace(owner, { level: 'confidential' });
    const invitee = await createMember(app);
    await ok(owner, 'POST', `/spaces/${space.id}/invitations`, { handle: invitee.handle });
    // Invited is not yet a member: still an outsider to the content.
    expect(await readThread(invitee, space)).toBe(404);
    const pending = await ok(invitee, 'GET', '/invitations');
    expect(pending).toEqual([{ spaceId: space.id, name: space.name, description: `Description of ${space.name}`, level: 'confidential', rulesHtml: '' }]);
    expect(await ok(outsider, 'GET', '/invitations')).toEqual([]);
    await ok(invitee, 'POST', `/spaces/${space.id}/invitation/accept`);
    expect(await readThread(invitee, space)).toBe(200);
    expect(await ok(invitee, 'GET', '/invitations')).toEqual([]);
    expect((await members(space))[invitee.handle]).toMatchObject({ status: 'active', role: 'member' });
    // Nobody accepts an invitation they were not given.
    expect((await api(outsider, 'POST', `/spaces/${space.id}/invitation/accept`)).statusCode).toBe(404);
  });

  test('an invitation link shows only the space’s name, description, level and rules, and admits exactly one person', async () => {
    const space = await makeSpace(owner, { level: 'confidential', rules: 'Confidentiality is absolute.' });
    const link = await ok(owner, 'POST', `/spaces/${space.id}/invitation-links`, undefined, 201);
    expect(link.url.startsWith(`${app.config.publicUrl}/invite/`)).toBe(true);
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * DAY);
    const token = tokenOf(link.url);
    expect((await ok(owner, 'GET', `/spaces/${space.id}/invitation-links`)).map((l: { id: number }) => l.id)).toContain(link.id);

    // The preview is public: the holder may not have an account yet.
    const preview = await api(null, 'GET', `/invite/${token}`);
    expect(preview.statusCode).toBe(200);
    expect(Object.keys(preview.json()).sort()).toEqual(['description', 'level', 'name', 'rulesHtml']);
    expect(preview.json()).toMatchObject({ name: space.name, level: 'confidential' });
    expect(preview.json().rulesHtml).toContain('Confidentiality is absolute.');
    expect(preview.body).not.toContain(`Thread in ${space.name}`);
    expect(preview.body).not.toContain('Cases');
    expect(preview.headers['cache-control']).toBe('private, no-store');
    expect(preview.headers['x-robots-tag']).toBe('noindex');

    const first = await createMember(app);
    const second = await createMember(app);
    const joined = await ok(first, 'POST', `/invite/${token}/accept`);
    expect(joined).toMatchObject({ spaceId: space.id, name: space.name });
    expect((await members(space))[first.handle]).toMatchObject({ status: 'active' });

    // Used once, the link is spent for everyone else.
    expect((await api(second, 'POST', `/invite/${token}/accept`)).statusCode).toBe(404);
    expect((await api(null, 'GET', `/invite/${token}`)).statusCode).toBe(404);
    expect((await members(space))[second.handle]).toBeUndefined();
    expect((await ok(owner, 'GET', `/spaces/${space.id}/invitation-links`)).map((l: { id: number }) => l.id)).not.toContain(link.id);
  });

  test('revoked and expired invitation links lead nowhere (404)', async () => {
    const space = await makeSpace(owner, { level: 'confidential' });
    const taker = await createMember(app);

    const revoked = await ok(owner, 'POST', `/spaces/${space.id}/invitation-links`, undefined, 201);
    await ok(owner, 'DELETE', `/spaces/${space.id}/invitation-links/${revoked.id}`);
    expect((await api(null, 'GET', `/invite/${tokenOf(revoked.url)}`)).statusCode).toBe(404);
    expect((await api(taker, 'POST', `/invite/${tokenOf(revoked.url)}/accept`)).statusCode).toBe(404);

    const expired = await ok(owner, 'POST', `/spaces/${space.id}/invitation-links`, undefined, 201);
    await app.database.db.update(spaceInvitations).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(spaceInvitations.id, expired.id));
    expect((await api(null, 'GET', `/invite/${tokenOf(expired.url)}`)).statusCode).toBe(404);
    expect((await api(taker, 'POST', `/invite/${tokenOf(expired.url)}/accept`)).statusCode).toBe(404);

    expect(await ok(owner, 'GET', `/spaces/${space.id}/invitation-links`)).toEqual([]);
    expect((await members(space))[taker.handle]).toBeUndefined();
    expect(await readThread(taker, space)).toBe(404);
    expect((await api(null, 'GET', '/invite/not-a-token-at-all')).statusCode).toBe(404);
  });
});

describe('requests to join', () => {
  test('a request to join a members-only space waits for an owner, who approves one and refuses another', async () => {
    const space = await makeSpace(owner, { level: 'members', joinPolicy: 'request' });
    const carol = await createMember(app);
    const dave = await createMember(app);
    expect(await ok(carol, 'POST', `/spaces/${space.id}/join`, { message: 'I run the ICU journal club.' })).toEqual({ status: 'requested' });
    expect(await ok(dave, 'POST', `/spaces/${space.id}/join`, {})).toEqual({ status: 'requested' });
    const waiting = await members(space);
    expect(waiting[carol.handle]).toMatchObject({ status: 'requested', requestMessage: 'I run the ICU journal club.' });
    // Waiting is not membership: no posting yet.
    expect((await api(carol, 'POST', `/threads/${space.threadId}/posts`, { body: 'Hello?' })).statusCode).toBe(403);

    await ok(owner, 'POST', `/spaces/${space.id}/members/${carol.handle}/decision`, { decision: 'approve' });
    await ok(owner, 'POST', `/spaces/${space.id}/members/${dave.handle}/decision`, { decision: 'refuse' });
    const decided = await members(space);
    expect(decided[carol.handle]!.status).toBe('active');
    expect(decided[dave.handle]!.status).toBe('removed');
    expect((await api(carol, 'POST', `/threads/${space.threadId}/posts`, { body: 'Glad to be here.' })).statusCode).toBe(201);
    expect((await api(dave, 'POST', `/threads/${space.threadId}/posts`, { body: 'Let me in.' })).statusCode).toBe(403);
    // A decision that does not apply any more is a conflict, not a silent success.
    expect((await api(owner, 'POST', `/spaces/${space.id}/members/${carol.handle}/decision`, { decision: 'approve' })).statusCode).toBe(409);
    // Members of the site who do not manage the space cannot decide.
    expect((await api(carol, 'POST', `/spaces/${space.id}/members/${dave.handle}/decision`, { decision: 'approve' })).statusCode).toBe(403);
  });

  test('an owner opens a space that took requests; a confidential one cannot be opened', async () => {
    const space = await makeSpace(owner, { level: 'members', joinPolicy: 'request' });
    await ok(owner, 'PATCH', `/spaces/${space.id}`, { joinPolicy: 'open' });
    const erin = await createMember(app);
    expect(await ok(erin, 'POST', `/spaces/${space.id}/join`, {})).toEqual({ status: 'active' });

    const circle = await makeSpace(owner, { level: 'confidential', joinPolicy: 'invite' });
    const refused = await api(owner, 'PATCH', `/spaces/${circle.id}`, { name: 'Renamed too', joinPolicy: 'request' });
    expect(refused.statusCode).toBe(422);
    // Nothing of a refused change is kept, not even the part that alone would have been fine.
    expect((await ok(owner, 'GET', `/spaces/${circle.slug}`)).name).toBe(circle.name);
  });
});

describe('removing and banning', () => {
  test('a removed member’s token loses access to the threads at once (404)', async () => {
    const space = await makeSpace(owner, { level: 'confidential' });
    const bob = await createMember(app);
    await invite(space, bob);
    expect(await readThread(bob, space)).toBe(200);
    await ok(owner, 'POST', `/spaces/${space.id}/members/${bob.handle}/decision`, { decision: 'remove' });
    expect(await readThread(bob, space)).toBe(404);
    expect((await api(bob, 'GET', `/spaces/${space.slug}`)).statusCode).toBe(404);
    expect((await api(bob, 'GET', `/posts/${space.postId}`)).statusCode).toBe(404);
  });

  test('a banned member cannot come back through a new invitation link, which still works for someone else', async () => {
    const space = await makeSpace(owner, { level: 'confidential' });
    const bob = await createMember(app);
    await invite(space, bob);
    await ok(owner, 'POST', `/spaces/${space.id}/members/${bob.handle}/decision`, { decision: 'ban' });
    expect(await readThread(bob, space)).toBe(404);

    const link = await ok(owner, 'POST', `/spaces/${space.id}/invitation-links`, undefined, 201);
    expect((await api(bob, 'POST', `/invite/${tokenOf(link.url)}/accept`)).statusCode).toBe(404);
    expect(await readThread(bob, space)).toBe(404);
    expect((await members(space))[bob.handle]!.status).toBe('banned');
    // Nor by handle, until the ban is lifted.
    expect((await api(owner, 'POST', `/spaces/${space.id}/invitations`, { handle: bob.handle })).statusCode).toBe(422);

    const carol = await createMember(app);
    await ok(carol, 'POST', `/invite/${tokenOf(link.url)}/accept`);
    expect(await readThread(carol, space)).toBe(200);
  });
});

describe('roles and ownership', () => {
  test('only owners change roles: a space moderator manages members but cannot promote anyone', async () => {
    const space = await makeSpace(owner, { level: 'confidential' });
    const bob = await createMember(app);
    const carol = await createMember(app);
    await invite(space, bob);
    await invite(space, carol);
    await ok(owner, 'POST', `/spaces/${space.id}/members/${bob.handle}/role`, { role: 'moderator' });
    expect((await members(space))[bob.handle]!.role).toBe('moderator');

    const refused = await api(bob, 'POST', `/spaces/${space.id}/members/${carol.handle}/role`, { role: 'moderator' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/owners/);
    expect((await api(bob, 'POST', `/spaces/${space.id}/members/${bob.handle}/role`, { role: 'owner' })).statusCode).toBe(403);
    // Moderators see the roster; plain members do not.
    expect((await api(bob, 'GET', `/spaces/${space.id}/members`)).statusCode).toBe(200);
    expect((await api(carol, 'GET', `/spaces/${space.id}/members`)).statusCode).toBe(403);
    expect((await api(carol, 'GET', `/spaces/${space.id}/log`)).statusCode).toBe(403);
    expect((await members(space))[carol.handle]!.role).toBe('member');
  });

  test('transferring ownership makes the new owner the owner and leaves the old owner a moderator', async () => {
    const founder = await createMember(app);
    const space = await makeSpace(founder, { level: 'confidential' });
    const bob = await createMember(app);
    await invite(space, bob, founder);
    await ok(founder, 'POST', `/spaces/${space.id}/transfer`, { handle: bob.handle });
    const roster = await members(space, bob);
    expect(roster[bob.handle]!.role).toBe('owner');
    expect(roster[founder.handle]!.role).toBe('moderator');
    // The former owner no longer governs: roles and rules are the new owner's.
    expect((await api(founder, 'POST', `/spaces/${space.id}/members/${bob.handle}/role`, { role: 'member' })).statusCode).toBe(403);
    expect((await api(founder, 'PUT', `/spaces/${space.id}/rules`, { rules: 'New rules' })).statusCode).toBe(403);
    expect(await readThread(founder, space)).toBe(200);
  });

  test('the sole owner cannot leave the space (409); a member can, and loses access', async () => {
    const space = await makeSpace(owner, { level: 'confidential' });
    const bob = await createMember(app);
    await invite(space, bob);
    const refused = await api(owner, 'POST', `/spaces/${space.id}/leave`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/only owner/);
    expect(await readThread(owner, space)).toBe(200);
    await ok(bob, 'POST', `/spaces/${space.id}/leave`);
    expect(await readThread(bob, space)).toBe(404);
    expect((await api(bob, 'POST', `/spaces/${space.id}/leave`)).statusCode).toBe(404);
  });
});

describe('ground rules', () => {
  async function rulesSpace() {
    const space = await makeSpace(owner, { level: 'confidential', rules: 'Version one: what is said here stays here.' });
    const bob = await createMember(app);
    await invite(space, bob);
    return { space, bob };
  }

  test('a new member of a confidential space reads no content until they accept the current ground rules', async () => {
    const { space, bob } = await rulesSpace();
    expect(await readThread(bob, space)).toBe(404);
    expect((await api(bob, 'GET', `/boards/${space.boardId}/threads`)).statusCode).toBe(404);
    // The space itself and its rules are theirs to read, so they can accept them.
    const page = await ok(bob, 'GET', `/spaces/${space.slug}`);
    expect(page).toMatchObject({ rulesVersion: 1, rulesPending: true, boards: [] });
    expect(page.rulesHtml).toContain('Version one');

    await ok(bob, 'POST', `/spaces/${space.id}/rules/accept`, { version: 1 });
    expect(await readThread(bob, space)).toBe(200);
    const after = await ok(bob, 'GET', `/spaces/${space.slug}`);
    expect(after.rulesPending).toBe(false);
    expect(after.boards).toHaveLength(1);
  });

  test('after the owner changes the ground rules every member accepts the new version before reading on; an old version is refused (409)', async () => {
    const { space, bob } = await rulesSpace();
    await ok(bob, 'POST', `/spaces/${space.id}/rules/accept`, { version: 1 });
    expect(await ok(owner, 'PUT', `/spaces/${space.id}/rules`, { rules: 'Version two: and no screenshots.' })).toEqual({ version: 2 });
    expect(await readThread(bob, space)).toBe(404);
    // The owner who wrote them has accepted them.
    expect(await readThread(owner, space)).toBe(200);

    const stale = await api(bob, 'POST', `/spaces/${space.id}/rules/accept`, { version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toMatch(/changed/);
    expect(await readThread(bob, space)).toBe(404);
    await ok(bob, 'POST', `/spaces/${space.id}/rules/accept`, { version: 2 });
    expect(await readThread(bob, space)).toBe(200);
    expect((await members(space))[bob.handle]!.rulesAcceptedVersion).toBe(2);
    // Only owners change the rules.
    expect((await api(bob, 'PUT', `/spaces/${space.id}/rules`, { rules: 'Anything goes.' })).statusCode).toBe(403);
  });

  test('every acceptance is recorded: who, which version and when', async () => {
    const before = new Date(Date.now() - 1000);
    const { space, bob } = await rulesSpace();
    await ok(bob, 'POST', `/spaces/${space.id}/rules/accept`, { version: 1 });
    await ok(owner, 'PUT', `/spaces/${space.id}/rules`, { rules: 'Version two.' });
    await ok(bob, 'POST', `/spaces/${space.id}/rules/accept`, { version: 2 });
    const rows = await app.database.db.select().from(rulesAcceptances).where(eq(rulesAcceptances.spaceId, space.id));
    const seen = rows.map((r) => `${r.userId}@v${r.version}`).sort();
    expect(seen).toEqual([`${owner.viewer.id}@v1`, `${owner.viewer.id}@v2`, `${bob.viewer.id}@v1`, `${bob.viewer.id}@v2`].sort());
    for (const row of rows) {
      expect(row.acceptedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(row.acceptedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    }
    const bobsV2 = await app.database.db
      .select()
      .from(rulesAcceptances)
      .where(and(eq(rulesAcceptances.spaceId, space.id), eq(rulesAcceptances.userId, bob.viewer.id), eq(rulesAcceptances.version, 2)));
    expect(bobsV2).toHaveLength(1);
    const log = await logOf(space);
    expect(log.filter((e) => e.action === 'accepted ground rules').map((e) => [e.subjectHandle, e.detail])).toEqual([
      [bob.handle, 'version 1'],
      [bob.handle, 'version 2'],
    ]);
  });
});

describe('confidentiality levels', () => {
  test('raising a members-only space to confidential hides it from non-members at once', async () => {
    const space = await makeSpace(owner, { level: 'members' });
    expect(await readThread(outsider, space)).toBe(200);
    expect(await ok(owner, 'POST', `/spaces/${space.id}/level`, { level: 'confidential' })).toEqual({ applied: true });
    expect(await readThread(outsider, space)).toBe(404);
    expect((await api(outsider, 'GET', `/spaces/${space.slug}`)).statusCode).toBe(404);
    expect((await api(outsider, 'GET', '/spaces')).body).not.toContain(space.name);
    expect((await api(outsider, 'GET', '/latest')).body).not.toContain(`Thread in ${space.name}`);
    const page = await ok(owner, 'GET', `/spaces/${space.slug}`);
    // Outsiders can no longer find it to join or to ask: members join by invitation from now on.
    expect(page).toMatchObject({ level: 'confidential', joinPolicy: 'invite', pendingLevelChange: null });
    expect(await readThread(owner, space)).toBe(200);
    expect((await logOf(space)).at(-1)).toMatchObject({ action: 'level raised', detail: 'members → confidential; joining by invitation only' });
  });

  test('lowering a confidential space needs every owner’s confirmation, then applies after a week’s notice', async () => {
    const space = await makeSpace(owner, { level: 'confidential' });
    const coOwner = await createMember(app);
    const member = await createMember(app);
    await invite(space, coOwner);
    await invite(space, member);
    await ok(owner, 'POST', `/spaces/${space.id}/members/${coOwner.handle}/role`, { role: 'owner' });
    // A plain member cannot start it.
    expect((await api(member, 'POST', `/spaces/${space.id}/level`, { level: 'members' })).statusCode).toBe(403);

    expect(await ok(owner, 'POST', `/spaces/${space.id}/level`, { level: 'members' })).toEqual({ applied: false });
    const proposed = await ok(member, 'GET', `/spaces/${space.slug}`);
    expect(proposed.level).toBe('confidential');
    expect(proposed.pendingLevelChange).toEqual({ toLevel: 'members', effectiveAt: null, confirmations: 1, ownersNeeded: 2 });
    expect(await readThread(outsider, space)).toBe(404);
    // The proposer's own confirmation is already counted.
    expect((await api(owner, 'POST', `/spaces/${space.id}/level/confirm`)).statusCode).toBe(409);

    await ok(coOwner, 'POST', `/spaces/${space.id}/level/confirm`);
    const scheduled = (await ok(member, 'GET', `/spaces/${space.slug}`)).pendingLevelChange;
    expect(scheduled).toMatchObject({ toLevel: 'members', confirmations: 2, ownersNeeded: 2 });
    expect(Math.abs(new Date(scheduled.effectiveAt).getTime() - (Date.now() + 7 * DAY))).toBeLessThan(60_000);
    // Still confidential during the notice period.
    await app.services.membership.applyDueLevelChanges(new Date(Date.now() + 6 * DAY));
    expect(await readThread(outsider, space)).toBe(404);

    const applied = await app.services.membership.applyDueLevelChanges(new Date(Date.now() + 8 * DAY));
    expect(applied).toContainEqual({ spaceId: space.id, toLevel: 'members' });
    const after = await ok(member, 'GET', `/spaces/${space.slug}`);
    expect(after).toMatchObject({ level: 'members', pendingLevelChange: null });
    expect(await readThread(outsider, space)).toBe(200);
    expect((await logOf(space)).map((e) => e.action).slice(-4)).toEqual(['lowering proposed', 'lowering confirmed', 'lowering scheduled', 'level lowered']);
  });

  test('a scheduled lowering waits again when the space changes hands, until the new owner confirms it', async () => {
    const space = await makeSpace(owner, { level: 'confidential' });
    const heir = await createMember(app);
    await invite(space, heir);
    await ok(owner, 'POST', `/spaces/${space.id}/level`, { level: 'members' });
    expect((await ok(owner, 'GET', `/spaces/${space.slug}`)).pendingLevelChange.effectiveAt).not.toBeNull();

    await ok(owner, 'POST', `/spaces/${space.id}/transfer`, { handle: heir.handle });
    // The former owner's confirmation no longer counts: nothing is scheduled, nothing applies.
    expect((await ok(heir, 'GET', `/spaces/${space.slug}`)).pendingLevelChange).toMatchObject({ toLevel: 'members', effectiveAt: null, confirmations: 0, ownersNeeded: 1 });
    await app.services.membership.applyDueLevelChanges(new Date(Date.now() + 8 * DAY));
    expect((await ok(heir, 'GET', `/spaces/${space.slug}`)).level).toBe('confidential');
    expect(await readThread(outsider, space)).toBe(404);

    await ok(heir, 'POST', `/spaces/${space.id}/level/confirm`);
    const rescheduled = (await ok(heir, 'GET', `/spaces/${space.slug}`)).pendingLevelChange;
    expect(rescheduled).toMatchObject({ confirmations: 1, ownersNeeded: 1 });
    expect(Math.abs(new Date(rescheduled.effectiveAt).getTime() - (Date.now() + 7 * DAY))).toBeLessThan(60_000);
    expect((await logOf(space)).map((e) => e.action)).toContain('lowering on hold');
  });

  test('an owner can cancel a proposed lowering, and the level stays', async () => {
    const space = await makeSpace(owner, { level: 'confidential' });
    await ok(owner, 'POST', `/spaces/${space.id}/level`, { level: 'members' });
    // A sole owner's proposal is confirmed at once, and waits out the week.
    expect((await ok(owner, 'GET', `/spaces/${space.slug}`)).pendingLevelChange.effectiveAt).not.toBeNull();
    await ok(owner, 'POST', `/spaces/${space.id}/level/cancel`);
    expect((await ok(owner, 'GET', `/spaces/${space.slug}`)).pendingLevelChange).toBeNull();
    expect((await api(owner, 'POST', `/spaces/${space.id}/level/cancel`)).statusCode).toBe(404);
    await app.services.membership.applyDueLevelChanges(new Date(Date.now() + 8 * DAY));
    expect((await ok(owner, 'GET', `/spaces/${space.slug}`)).level).toBe('confidential');
    expect(await readThread(outsider, space)).toBe(404);
    expect((await logOf(space)).at(-1)!.action).toBe('lowering cancelled');
  });
});

describe('outsiders, site staff and governance', () => {
  test('site administrators, moderators and other members who are not members get 404 from every route of a confidential space', async () => {
    const space = await makeSpace(owner, { level: 'confidential', rules: 'ZQRULESMARKER: nothing leaves.' });
    const bob = await createMember(app);
    await invite(space, bob);
    const link = await ok(owner, 'POST', `/spaces/${space.id}/invitation-links`, undefined, 201);
    await ok(owner, 'POST', `/spaces/${space.id}/level`, { level: 'members' });
    const logBefore = await logOf(space);

    const routes: [Method, string, object?][] = [
      ['GET', `/spaces/${space.slug}`],
      ['GET', `/boards/${space.boardId}`],
      ['GET', `/threads/${space.threadId}`],
      ['PATCH', `/spaces/${space.id}`, { name: 'Renamed by an outsider' }],
      ['POST', `/spaces/${space.id}/boards`, { name: 'Outsider board' }],
      ['GET', `/spaces/${space.id}/members`],
      ['GET', `/spaces/${space.id}/log`],
      ['POST', `/spaces/${space.id}/join`, { message: 'let me in' }],
      ['POST', `/spaces/${space.id}/leave`],
      ['POST', `/spaces/${space.id}/invitations`, { handle: outsider.handle }],
      ['POST', `/spaces/${space.id}/invitation-links`],
      ['GET', `/spaces/${space.id}/invitation-links`],
      ['DELETE', `/spaces/${space.id}/invitation-links/${link.id}`],
      ['POST', `/spaces/${space.id}/invitation/accept`],
      ['POST', `/spaces/${space.id}/members/${bob.handle}/decision`, { decision: 'remove' }],
      ['POST', `/spaces/${space.id}/members/${bob.handle}/role`, { role: 'owner' }],
      ['POST', `/spaces/${space.id}/transfer`, { handle: bob.handle }],
      ['PUT', `/spaces/${space.id}/rules`, { rules: 'Outsider rules' }],
      ['POST', `/spaces/${space.id}/rules/accept`, { version: 1 }],
      ['POST', `/spaces/${space.id}/level`, { level: 'public' }],
      ['POST', `/spaces/${space.id}/level/confirm`],
      ['POST', `/spaces/${space.id}/level/cancel`],
    ];
    for (const who of [admin, siteModerator, outsider]) {
      for (const [method, url, payload] of routes) {
        const res = await api(who, method, url, payload);
        expect(res.statusCode, `${who === admin ? 'admin' : who === siteModerator ? 'moderator' : 'outsider'} ${method} ${url}`).toBe(404);
        expect(res.body).not.toContain(space.name);
        expect(res.body).not.toContain('ZQRULESMARKER');
      }
    }

    // Nothing changed: no new log line, no new member, the link and the pending change intact.
    expect(await logOf(space)).toEqual(logBefore);
    expect(Object.keys(await members(space)).sort()).toEqual([owner.handle, bob.handle].sort());
    expect((await api(null, 'GET', `/invite/${tokenOf(link.url)}`)).statusCode).toBe(200);
    expect((await ok(owner, 'GET', `/spaces/${space.slug}`)).pendingLevelChange).not.toBeNull();
    await ok(owner, 'POST', `/spaces/${space.id}/level/cancel`);
  });

  test('site administrators see a confidential space in governance by name, level and member count, and nothing else', async () => {
    const space = await makeSpace(owner, { level: 'confidential', rules: 'ZQGOVRULES' });
    const bob = await createMember(app);
    await invite(space, bob);
    const res = await api(admin, 'GET', '/governance/spaces');
    expect(res.statusCode).toBe(200);
    const listed = (res.json() as Record<string, unknown>[]).find((s) => s.id === space.id);
    expect(listed).toEqual({ id: space.id, name: space.name, level: 'confidential', memberCount: 2, archived: false });
    expect(res.body).not.toContain(`Description of ${space.name}`);
    expect(res.body).not.toContain('ZQGOVRULES');
    expect(res.body).not.toContain(space.slug);
    expect(res.body).not.toContain(`Thread in ${space.name}`);
    for (const row of res.json() as Record<string, unknown>[]) expect(Object.keys(row).sort()).toEqual(['archived', 'id', 'level', 'memberCount', 'name']);
    // Governance is for administrators only.
    expect((await api(siteModerator, 'GET', '/governance/spaces')).statusCode).toBe(403);
    expect((await api(owner, 'GET', '/governance/spaces')).statusCode).toBe(403);
    expect((await api(null, 'GET', '/governance/spaces')).statusCode).toBe(401);
  });
});

describe('the space log', () => {
  test('the space log lists every membership change, in order, with who did it to whom', async () => {
    const space = await makeSpace(owner, { level: 'members', joinPolicy: 'request', rules: 'Be kind.' });
    const bob = await createMember(app);
    const carol = await createMember(app);
    const dave = await createMember(app);
    await invite(space, bob);
    const link = await ok(owner, 'POST', `/spaces/${space.id}/invitation-links`, undefined, 201);
    await ok(carol, 'POST', `/invite/${tokenOf(link.url)}/accept`);
    await ok(dave, 'POST', `/spaces/${space.id}/join`, { message: 'Please' });
    await ok(owner, 'POST', `/spaces/${space.id}/members/${dave.handle}/decision`, { decision: 'approve' });
    await ok(owner, 'POST', `/spaces/${space.id}/members/${bob.handle}/role`, { role: 'moderator' });
    await ok(bob, 'POST', `/spaces/${space.id}/members/${carol.handle}/decision`, { decision: 'remove' });
    await ok(owner, 'POST', `/spaces/${space.id}/members/${dave.handle}/decision`, { decision: 'ban' });
    await ok(owner, 'POST', `/spaces/${space.id}/members/${dave.handle}/decision`, { decision: 'unban' });
    await ok(owner, 'PUT', `/spaces/${space.id}/rules`, { rules: 'Be kind, and brief.' });
    await ok(bob, 'POST', `/spaces/${space.id}/rules/accept`, { version: 2 });
    await ok(bob, 'POST', `/spaces/${space.id}/leave`);

    const log = await logOf(space);
    expect(log.map((e) => [e.action, e.actorHandle, e.subjectHandle])).toEqual([
      ['created', owner.handle, owner.handle],
      ['invited', owner.handle, bob.handle],
      ['accepted invitation', bob.handle, bob.handle],
      ['invitation link created', owner.handle, null],
      ['joined by invitation link', carol.handle, carol.handle],
      ['requested', dave.handle, dave.handle],
      ['approved', owner.handle, dave.handle],
      ['role set to moderator', owner.handle, bob.handle],
      ['removed', bob.handle, carol.handle],
      ['banned', owner.handle, dave.handle],
      ['unbanned', owner.handle, dave.handle],
      ['ground rules changed', owner.handle, null],
      ['accepted ground rules', bob.handle, bob.handle],
      ['left', bob.handle, bob.handle],
    ]);
    expect(log.find((e) => e.action === 'requested')!.detail).toBe('Please');
  });
});

describe('quotes stay in their space', () => {
  async function confidentialWithQuoter() {
    const space = await makeSpace(owner, { level: 'confidential' });
    const quoter = await createMember(app);
    await invite(space, quoter);
    return { space, quoter };
  }

  test('quoting a confidential post into a thread of another space is refused (422)', async () => {
    const { space, quoter } = await confidentialWithQuoter();
    const refused = await api(quoter, 'GET', `/posts/${space.postId}/quote?into=${publicThreadId}`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toMatch(/confidential space/);
    expect(refused.body).not.toContain('A difficult case');
    // Within its own thread, quoting works.
    const inside = await ok(quoter, 'GET', `/posts/${space.postId}/quote?into=${space.threadId}`);
    expect(inside.markdown).toContain('A difficult case');
  });

  test('posting a pasted quote of a confidential thread into a public thread is refused, saying why (422)', async () => {
    const { space, quoter } = await confidentialWithQuoter();
    const { markdown } = await ok(quoter, 'GET', `/posts/${space.postId}/quote`);
    const reply = await api(quoter, 'POST', `/threads/${publicThreadId}/posts`, { body: `${markdown}What do you all think?` });
    expect(reply.statusCode).toBe(422);
    expect(reply.json().error.message).toMatch(/confidential space.*cannot be quoted elsewhere/);
    expect(reply.json().error.fields).toHaveProperty('body');
    const thread = await ok(null, 'GET', `/threads/${publicThreadId}`);
    expect(JSON.stringify(thread.posts)).not.toContain('A difficult case');
    // A header alone, pasted by hand, is caught too.
    const header = `> **@${owner.handle}** [wrote](/t/${space.threadId}/whatever#p1):\n>\n> paraphrased\n\nThoughts?`;
    expect((await api(quoter, 'POST', `/threads/${publicThreadId}/posts`, { body: header })).statusCode).toBe(422);
  });
});

describe('no existence oracle on the write side', () => {
  test('creating a space named like a hidden one reveals nothing about it', async () => {
    const app2 = await createTestApp();
    try {
      const insider = await createMember(app2);
      const prober = await createMember(app2);
      const hidden = await app2.inject({ method: 'POST', url: '/api/v1/spaces', headers: insider.auth, payload: { name: 'Secret Circle', level: 'confidential', joinPolicy: 'invite' } });
      expect(hidden.statusCode).toBe(201);
      const probe = await app2.inject({ method: 'POST', url: '/api/v1/spaces', headers: prober.auth, payload: { name: 'Secret Circle', level: 'members', joinPolicy: 'open' } });
      expect(probe.statusCode).toBe(201);
      const body = probe.json();
      expect(body.slug).toMatch(/^secret-circle-[0-9a-f]{8}$/);
      expect(body.slug).not.toBe(hidden.json().slug);
      expect(body).not.toHaveProperty('position');
    } finally {
      await app2.close();
    }
  });
});
