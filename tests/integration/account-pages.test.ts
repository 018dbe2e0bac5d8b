import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { userToViewer } from '../../server/accounts/service.ts';
import { postHref } from '../../web/urls.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { Agent, decodeHtml, locationOf } from '../helpers/browser-session.ts';
import { createMember, createSpaceWithBoard, createThread } from '../helpers/factories.ts';

/*
 * The account pages as a browser uses them: forms with CSRF tokens, cookies kept between
 * requests, redirects after every successful POST. The per-account lockout is set low (3) for
 * the whole file; every other test stays under it.
 */

const FAILURES_PER_ACCOUNT = 3;
const PASSWORD = 'Velvet-lantern-42-orbit';
const SESSION_COOKIE = 'rounds_session';
const VISITOR_COOKIE = 'rounds_visitor';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ RATE_SIGNIN_FAILURES_PER_ACCOUNT: String(FAILURES_PER_ACCOUNT) });
});
afterAll(async () => app.close());

let people = 0;
function newPerson() {
  people += 1;
  return { handle: `member${people}x`, displayName: `Member ${people}`, email: `member${people}@example.org`, password: PASSWORD };
}

/** A member who just registered through the form, signed in in `agent`. */
async function registered() {
  const person = newPerson();
  const agent = new Agent(app);
  const res = await agent.submit('/register', '/register', person);
  expect(res.statusCode).toBe(303);
  return { agent, person };
}

/** Another browser signing in to an existing account. */
async function signedIn(login: string, password = PASSWORD) {
  const agent = new Agent(app);
  const res = await agent.submit('/signin', '/signin', { login, password });
  expect(res.statusCode).toBe(303);
  return agent;
}

/** The text of the page's error summary. */
function errorSummary(html: string): string | undefined {
  const match = /<div class="notice notice-error" role="alert"[^>]*>([^<]*)<\/div>/.exec(html);
  return match?.[1] === undefined ? undefined : decodeHtml(match[1]);
}

async function expectSignedOut(agent: Agent) {
  const res = await agent.get('/settings');
  expect(res.statusCode).toBe(303);
  expect(locationOf(res)).toBe('/signin?next=%2Fsettings');
}

describe('registration', () => {
  test('a visitor who came to reply joins and lands back on the thread; only a local page is followed', async () => {
    const admin = await createMember(app, { role: 'admin' });
    const { board } = await createSpaceWithBoard(app, admin, { name: 'Join from a thread' });
    const thread = await createThread(app, admin, board.id, 'Worth replying to');
    const threadPath = `/t/${thread.threadId}/${thread.slug}`;
    const visitor = new Agent(app);
    expect((await visitor.get(threadPath)).body).toContain(`href="/register?next=${encodeURIComponent(threadPath)}"`);
    const form = await visitor.get(`/register?next=${encodeURIComponent(threadPath)}`);
    expect(form.body).toContain(`name="next" value="${threadPath}"`);
    // Switching between joining and signing in keeps the way back.
    expect(form.body).toContain(`href="/signin?next=${encodeURIComponent(threadPath)}"`);
    expect((await visitor.get(`/signin?next=${encodeURIComponent(threadPath)}`)).body).toContain(`href="/register?next=${encodeURIComponent(threadPath)}"`);
    const handle = `joiner${Date.now().toString(36)}`;
    const joined = await visitor.postForm('/register', { handle, displayName: 'Dr Joiner', email: `${handle}@example.org`, password: PASSWORD, next: threadPath });
    expect(joined.statusCode).toBe(303);
    expect(locationOf(joined)).toBe(threadPath);

    const elsewhere = new Agent(app);
    await elsewhere.get('/register?next=https%3A%2F%2Fevil.example%2F');
    const other = `away${Date.now().toString(36)}`;
    const res = await elsewhere.postForm('/register', { handle: other, displayName: 'Dr Away', email: `${other}@example.org`, password: PASSWORD, next: 'https://evil.example/' });
    expect(locationOf(res)).toBe('/');
  });

  test('a visitor registers, is signed in with a new visitor session and lands on the home page with a welcome', async () => {
    const agent = new Agent(app);
    const person = newPerson();
    await agent.get('/register');
    const visitorBefore = agent.cookies.get(VISITOR_COOKIE);
    expect(visitorBefore).toBeDefined();

    const res = await agent.postForm('/register', person);
    expect(res.statusCode).toBe(303);
    expect(locationOf(res)).toBe('/');
    expect(agent.cookies.get(SESSION_COOKIE)).toBeTruthy();
    expect(agent.cookies.get(VISITOR_COOKIE)).not.toBe(visitorBefore);

    const home = await agent.get('/');
    expect(home.body).toContain(`Welcome to Rounds, ${person.displayName}.`);
    expect(home.body).toContain(`href="/u/${person.handle}"`);
  });

  test('the registration form has labelled fields with the autocomplete hints password managers need', async () => {
    const page = await new Agent(app).get('/register');
    expect(page.statusCode).toBe(200);
    for (const [name, autocomplete] of [['handle', 'username'], ['displayName', 'name'], ['email', 'email'], ['password', 'new-password']]) {
      expect(page.body).toContain(`<label for="f-${name}">`);
      expect(page.body).toMatch(new RegExp(`<input[^>]*name="${name}"[^>]*autocomplete="${autocomplete}"`, 'i'));
    }
    expect(page.body.match(/<h1[\s>]/g)).toHaveLength(1);
  });

  const refusals = [
    { why: 'a common password', change: { password: 'qwertyuiop' }, field: 'password', says: 'one of the most common' },
    { why: 'a short password', change: { password: 'Sh0rt!' }, field: 'password', says: 'at least 10 characters' },
    { why: 'a malformed e-mail address', change: { email: 'not-an-address' }, field: 'email', says: 'valid e-mail address' },
  ];
  for (const refusal of refusals) {
    test(`registration refuses ${refusal.why}, keeping what was typed except the password`, async () => {
      const agent = new Agent(app);
      const person = { ...newPerson(), ...refusal.change };
      const res = await agent.submit('/register', '/register', person);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain(refusal.says);
      expect(res.body).toMatch(new RegExp(`name="${refusal.field}"[^>]*aria-invalid="true"`));
      expect(res.body).toContain(`value="${person.handle}"`);
      expect(res.body).toContain(`value="${person.displayName}"`);
      expect(res.body).toContain(`value="${person.email}"`);
      expect(res.body).not.toContain(person.password);
      expect(agent.cookies.get(SESSION_COOKIE)).toBeUndefined();
      expect(await app.services.accounts.findUserByHandle(person.handle)).toBeUndefined();
    });
  }

  test('registration refuses a handle someone already has, in any letter case', async () => {
    const { person: first } = await registered();
    const agent = new Agent(app);
    const second = { ...newPerson(), handle: first.handle.toUpperCase() };
    const res = await agent.submit('/register', '/register', second);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('That handle is taken');
    expect(res.body).toContain(`value="${second.email}"`);
    expect(res.body).not.toContain(second.password);
  });

  test('a signed-in member who opens the registration page is sent home', async () => {
    const { agent } = await registered();
    const res = await agent.get('/register');
    expect(res.statusCode).toBe(303);
    expect(locationOf(res)).toBe('/');
  });
});

describe('signing in', () => {
  test('a member signs in with their handle or e-mail and goes to the page they asked for', async () => {
    const { person } = await registered();
    for (const login of [person.handle, person.email.toUpperCase()]) {
      const agent = new Agent(app);
      await agent.get('/signin?next=%2Fsettings');
      const res = await agent.postForm('/signin', { login, password: PASSWORD, next: '/settings' });
      expect(res.statusCode).toBe(303);
      expect(locationOf(res)).toBe('/settings');
      expect((await agent.get('/settings')).statusCode).toBe(200);
    }
  });

  test('a wrong handle and a wrong password get the same message, and the login is kept', async () => {
    const { person } = await registered();
    const unknown = await new Agent(app).submit('/signin', '/signin', { login: 'nobody-here', password: PASSWORD });
    const wrong = await new Agent(app).submit('/signin', '/signin', { login: person.handle, password: 'Not-the-right-one-9' });
    expect(unknown.statusCode).toBe(422);
    expect(wrong.statusCode).toBe(422);
    expect(errorSummary(unknown.body)).toBeTruthy();
    expect(errorSummary(unknown.body)).toBe(errorSummary(wrong.body));
    expect(wrong.body).toContain(`value="${person.handle}"`);
    expect(wrong.body).not.toContain('Not-the-right-one-9');
  });

  test('sign-in only follows `next` to a path on this site', async () => {
    const { person } = await registered();
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/\t/evil.example']) {
      const agent = new Agent(app);
      const res = await agent.submit('/signin', '/signin', { login: person.handle, password: PASSWORD, next });
      expect(res.statusCode).toBe(303);
      expect(locationOf(res)).toBe('/');
    }
  });

  test(`an account is locked after ${FAILURES_PER_ACCOUNT} failed sign-ins, even for the right password, and others are not`, async () => {
    const { person } = await registered();
    const { person: bystander } = await registered();
    const attacker = new Agent(app);
    await attacker.get('/signin');
    for (let i = 0; i < FAILURES_PER_ACCOUNT; i++) {
      const res = await attacker.postForm('/signin', { login: person.handle, password: `Wrong-guess-number-${i}` });
      expect(res.statusCode).toBe(422);
    }
    const locked = await attacker.postForm('/signin', { login: person.handle, password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(errorSummary(locked.body)).toContain('Too many failed sign-ins for this account');
    expect(locked.body).toContain(`value="${person.handle}"`);
    expect(attacker.cookies.get(SESSION_COOKIE)).toBeUndefined();

    await signedIn(bystander.handle);
  });

  test('signing in rotates the visitor session', async () => {
    const { person } = await registered();
    const agent = new Agent(app);
    await agent.get('/signin');
    const before = agent.cookies.get(VISITOR_COOKIE);
    await agent.postForm('/signin', { login: person.handle, password: PASSWORD });
    expect(agent.cookies.get(VISITOR_COOKIE)).toBeDefined();
    expect(agent.cookies.get(VISITOR_COOKIE)).not.toBe(before);
  });
});

describe('signing out', () => {
  test('signing out ends the session, and its cookie cannot be replayed', async () => {
    const { agent } = await registered();
    const sessionId = agent.cookies.get(SESSION_COOKIE)!;
    await agent.get('/');
    const res = await agent.postForm('/signout', {});
    expect(res.statusCode).toBe(303);
    expect(locationOf(res)).toBe('/');
    expect(agent.cookies.get(SESSION_COOKIE)).toBeUndefined();
    expect((await agent.get('/')).body).toContain('You are signed out.');
    await expectSignedOut(agent);

    const replay = new Agent(app);
    replay.cookies.set(SESSION_COOKIE, sessionId);
    await expectSignedOut(replay);
  });

  test('"sign out everywhere" ends the sessions in every browser', async () => {
    const { agent: laptop, person } = await registered();
    const phone = await signedIn(person.handle);
    const settings = await laptop.get('/settings');
    expect(settings.body).toContain('This browser');
    expect(settings.body.match(/<li><span class="session-agent"/g)).toHaveLength(2);

    const res = await laptop.postForm('/settings/sign-out-everywhere', {});
    expect(res.statusCode).toBe(303);
    expect(locationOf(res)).toBe('/signin');
    await expectSignedOut(laptop);
    await expectSignedOut(phone);
  });
});

describe('settings', () => {
  test('changing the password ends other sessions but keeps this one', async () => {
    const { agent: laptop, person } = await registered();
    const phone = await signedIn(person.handle);
    const next = 'Quiet-harbour-77-meadow';
    const res = await laptop.submit('/settings', '/settings/password', { currentPassword: PASSWORD, newPassword: next });
    expect(res.statusCode).toBe(303);
    expect((await laptop.get('/settings')).statusCode).toBe(200);
    await expectSignedOut(phone);

    const old = await new Agent(app).submit('/signin', '/signin', { login: person.handle, password: PASSWORD });
    expect(old.statusCode).toBe(422);
    await signedIn(person.handle, next);
  });

  test('a wrong current password changes nothing and says so next to the field', async () => {
    const { agent, person } = await registered();
    const res = await agent.submit('/settings', '/settings/password', { currentPassword: 'Not-my-password-1', newPassword: 'Quiet-harbour-77-meadow' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/name="currentPassword"[^>]*aria-invalid="true"/);
    expect(res.body).not.toContain('Quiet-harbour-77-meadow');
    await signedIn(person.handle);
  });

  test('a profile edit shows on the public profile, the Markdown bio rendered and hostile HTML escaped', async () => {
    const { agent, person } = await registered();
    const res = await agent.submit('/settings', '/settings/profile', {
      displayName: 'Dr Ada Example',
      title: 'Consultant',
      specialty: 'Cardiology',
      institution: 'St Elsewhere',
      bio: '**Bold claim** about _hearts_.\n\n<script>alert("bio")</script> <img src=x onerror="alert(1)">',
    });
    expect(res.statusCode).toBe(303);

    const profile = await new Agent(app).get(`/u/${person.handle}`);
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain('<h1 id="profile-name">Dr Ada Example</h1>');
    expect(profile.body).toContain(`@${person.handle}`);
    expect(profile.body).toContain('Consultant · Cardiology · St Elsewhere');
    expect(profile.body).toContain('Member since');
    expect(profile.body).toContain('<strong>Bold claim</strong>');
    expect(profile.body).toContain('<em>hearts</em>');
    expect(profile.body).not.toContain('<script>alert');
    expect(profile.body).not.toMatch(/<img[^>]*onerror/i);
    expect(profile.body).toContain('&lt;script&gt;');

    const settings = await agent.get('/settings');
    expect(settings.body).toContain('Your profile is saved.');
    expect(settings.body).toContain('value="St Elsewhere"');
  });

  test('a refused profile edit keeps every typed value and marks the field at fault', async () => {
    const { agent } = await registered();
    const res = await agent.submit('/settings', '/settings/profile', { displayName: '   ', title: 'Registrar', specialty: '', institution: '', bio: 'Typed bio kept' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/name="displayName"[^>]*aria-invalid="true"/);
    expect(res.body).toContain('value="Registrar"');
    expect(res.body).toContain('Typed bio kept</textarea>');
  });

  test('an API token is shown once, works, is listed, and stops working when revoked', async () => {
    const { agent, person } = await registered();
    const created = await agent.submit('/settings', '/settings/tokens', { name: 'nightly backup' });
    expect(created.statusCode).toBe(201);
    expect(created.body).toContain('shown only this once');
    const token = /id="new-token"[^>]*value="([^"]+)"/.exec(created.body)?.[1] ?? /value="([^"]+)"[^>]*id="new-token"/.exec(created.body)?.[1];
    expect(token).toMatch(/^rnd_/);
    // Opened again later, the answer's address leads back to the tokens, without the secret.
    const reopened = await agent.get('/settings/tokens');
    expect(reopened.statusCode).toBe(303);
    expect(reopened.headers.location).toBe('/settings#tokens');
    // Reloading the answer sends the form again: that must not make a second token.
    const again = await agent.postForm('/settings/tokens', { name: 'nightly backup' });
    expect(again.statusCode).toBe(422);
    expect(decodeHtml(again.body)).toContain('You already have a token named “nightly backup”.');
    expect(again.body).not.toContain('shown only this once');

    const me = () => app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    const ok = await me();
    expect(ok.statusCode).toBe(200);
    expect(ok.json().handle).toBe(person.handle);

    const settings = await agent.get('/settings');
    expect(settings.body).toContain('nightly backup');
    expect(settings.body).not.toContain(token!);
    const revoke = /action="(\/settings\/tokens\/\d+\/revoke)"/.exec(settings.body)?.[1];
    expect(revoke).toBeDefined();
    const res = await agent.postForm(revoke!, {});
    expect(res.statusCode).toBe(303);
    expect((await me()).statusCode).toBe(401);
    expect((await agent.get('/settings')).body).not.toContain('nightly backup');
  });

  test('a token needs a name; the refusal is shown beside the token form', async () => {
    const { agent, person } = await registered();
    const res = await agent.submit('/settings', '/settings/tokens', { name: '  ' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/name="name"[^>]*aria-invalid="true"/);
    expect(await app.services.accounts.listApiTokens(userToViewer((await app.services.accounts.findUserByHandle(person.handle))!))).toEqual([]);
  });

  test('settings are for members: a visitor is sent to sign in first, with the way back in `next`', async () => {
    const res = await new Agent(app).get('/settings');
    expect(res.statusCode).toBe(303);
    expect(locationOf(res)).toBe('/signin?next=%2Fsettings');
  });
});

describe('CSRF', () => {
  test('a form posted without its CSRF token is refused with 403 and nothing is written', async () => {
    const { agent, person } = await registered();
    await agent.get('/settings');
    const missing = await agent.postForm('/settings/profile', { displayName: 'Forged', title: '', specialty: '', institution: '', bio: '' }, { csrf: false });
    expect(missing.statusCode).toBe(403);
    const wrong = await agent.postForm('/settings/profile', { displayName: 'Forged', title: '', specialty: '', institution: '', bio: '', _csrf: 'forged-token' });
    expect(wrong.statusCode).toBe(403);
    expect((await app.services.accounts.findUserByHandle(person.handle))?.displayName).toBe(person.displayName);

    const stranger = newPerson();
    const register = await new Agent(app).postForm('/register', stranger, { csrf: false });
    expect(register.statusCode).toBe(403);
    expect(await app.services.accounts.findUserByHandle(stranger.handle)).toBeUndefined();
  });
});

describe('one-time sign-in links', () => {
  test('a sign-in link works exactly once, and its admin can then set a password', async () => {
    const { url } = await app.services.accounts.createAdminWithSignInLink('linkadmin', 'linkadmin@example.org', 'Link Admin', 'http://localhost');
    const path = new URL(url).pathname;

    const agent = new Agent(app);
    // Opening the link (as a mail scanner would) spends nothing; the button does.
    expect((await new Agent(app).get(path)).statusCode).toBe(200);
    const page = await agent.get(path);
    expect(page.body).toContain('Sign in with your one-time link');
    const res = await agent.postForm(path, {});
    expect(res.statusCode).toBe(303);
    expect(locationOf(res)).toMatch(/^\/settings/);
    const settings = await agent.get('/settings');
    expect(settings.statusCode).toBe(200);
    expect(settings.body).toContain('set a password below');
    expect(settings.body).toContain('Set a password');
    expect(settings.body).not.toContain('name="currentPassword"');

    const other = new Agent(app);
    await other.get(path);
    expect((await other.postForm(path, {})).statusCode).toBe(404);
    const stranger = new Agent(app);
    await stranger.get('/auth/link/not-a-real-token');
    expect((await stranger.postForm('/auth/link/not-a-real-token', {})).statusCode).toBe(404);

    const set = await agent.postForm('/settings/password', { newPassword: 'Granite-river-31-echo' });
    expect(set.statusCode).toBe(303);
    await signedIn('linkadmin', 'Granite-river-31-echo');
  });
});

describe('public profiles', () => {
  test("a profile lists the member's recent posts, each linking to its permalink with a plain excerpt", async () => {
    const { person } = await registered();
    const { accounts, spaces, forum } = app.services;
    const { user: adminUser } = await accounts.createAdminWithSignInLink('profileadmin', 'profileadmin@example.org', 'Profile Admin', 'http://localhost');
    const admin = userToViewer(adminUser);
    const space = await spaces.createSpace(admin, { name: 'Profile ward', description: '' });
    const board = await spaces.createBoard(admin, space.id, { name: 'Handover', description: '' });
    const author = userToViewer((await accounts.findUserByHandle(person.handle))!);
    const ref = await forum.createThread(author, { boardId: board.id, title: 'Night shift notes', body: 'A **plain** excerpt of the first post.' });

    const res = await new Agent(app).get(`/u/${person.handle}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="${postHref(ref.threadId, ref.slug, 1)}"`);
    expect(res.body).toContain('Night shift notes');
    expect(res.body).toContain('A plain excerpt of the first post.');
  });

  test("a profile lists the member's five newest entries and twenty newest posts, newest first", async () => {
    const admin = await createMember(app, { role: 'admin' });
    const writer = await createMember(app);
    const { board } = await createSpaceWithBoard(app, admin);
    for (let i = 1; i <= 6; i++) {
      const ref = await app.services.blogs.createDraft(writer.viewer, { title: `Profile entry ${i}`, body: `Entry body ${i}` });
      await app.services.blogs.publish(writer.viewer, ref.id);
    }
    for (let i = 1; i <= 21; i++) await createThread(app, writer, board.id, `Profile thread ${i}`);

    const res = await new Agent(app).get(`/u/${writer.handle}`);
    expect(res.statusCode).toBe(200);
    const listed = (prefix: string) => [...res.body.matchAll(new RegExp(`${prefix} (\\d+)(?!\\d)`, 'g'))].map((m) => Number(m[1]));
    expect(listed('Profile entry')).toEqual([6, 5, 4, 3, 2]);
    expect(listed('Profile thread')).toEqual(Array.from({ length: 20 }, (_, i) => 21 - i));
  });

  test('an unknown handle is a 404', async () => {
    expect((await new Agent(app).get('/u/nobody-at-all')).statusCode).toBe(404);
  });
});
