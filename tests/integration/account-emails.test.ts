import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { accountTokens, users } from '../../db/schema/index.ts';
import { hashToken } from '../../server/accounts/service.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { Agent, locationOf } from '../helpers/browser-session.ts';
import { createMember, PASSWORD, signedInAgent } from '../helpers/factories.ts';
import { eventually, linkToken, outboxTo } from '../helpers/mail.ts';

let app: TestApp;
let counter = 0;

beforeAll(async () => {
  app = await createTestApp({ PUBLIC_URL: 'https://rounds.example.org' });
});
afterAll(async () => app.close());

/** Registers through the form, as a visitor would; answers the signed-in agent and the address. */
async function register() {
  const handle = `mail${Date.now().toString(36)}${counter++}`;
  const email = `${handle}@example.org`;
  const agent = new Agent(app);
  const res = await agent.submit('/register', '/register', { handle, displayName: `Dr ${handle}`, email, password: PASSWORD });
  expect(res.statusCode).toBe(303);
  return { agent, handle, email };
}

async function userByHandle(handle: string) {
  const [user] = await app.database.db.select().from(users).where(eq(users.handle, handle));
  if (!user) throw new Error('no such user');
  return user;
}

/** The page's CSRF token differs per visitor; everything else must match. */
const withoutCsrf = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '');

describe('sign-up e-mail verification', () => {
  test('registering sends one verification e-mail, in text and HTML, with an absolute single-use link', async () => {
    const { email } = await register();
    const [message, ...others] = await outboxTo(app, email);
    expect(others).toEqual([]);
    expect(message!.kind).toBe('verify-email');
    expect(message!.subject).toBe('Confirm your e-mail address for Rounds');
    expect(message!.textBody).toMatch(/https:\/\/rounds\.example\.org\/verify-email\/[\w-]{20,}/);
    expect(message!.htmlBody).toMatch(/<a href="https:\/\/rounds\.example\.org\/verify-email\/[\w-]{20,}"/);
    // Only a hash of the token is kept.
    const token = linkToken(message!.textBody, '/verify-email/');
    const stored = await app.database.db.select().from(accountTokens).where(eq(accountTokens.tokenHash, hashToken(token)));
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored[0]!.expiresAt.getTime() - Date.now()).toBeGreaterThan(47 * 3_600_000);
  });

  test('the account says "e-mail not verified" until the link is followed; the link then works once', async () => {
    const { agent, email } = await register();
    expect((await agent.get('/settings')).body).toContain('E-mail not verified');
    const token = linkToken((await outboxTo(app, email))[0]!.textBody, '/verify-email/');

    // Opening the link (as a mail scanner would) spends nothing; the button does.
    expect((await agent.get(`/verify-email/${token}`)).statusCode).toBe(200);
    const res = await agent.postForm(`/verify-email/${token}`, {});
    expect(res.statusCode).toBe(303);
    const settings = await agent.open(locationOf(res));
    expect(settings.body).toContain('your e-mail address is confirmed');
    expect(settings.body).not.toContain('E-mail not verified');

    await agent.get(`/verify-email/${token}`);
    const again = await agent.postForm(`/verify-email/${token}`, {});
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain('used already or it expired');
  });

  test('a wrong or expired link verifies nothing', async () => {
    const { agent, handle, email } = await register();
    const token = linkToken((await outboxTo(app, email))[0]!.textBody, '/verify-email/');
    await agent.get(`/verify-email/${token}`);
    expect((await agent.postForm(`/verify-email/${token}x`, {})).statusCode).toBe(404);

    await app.database.db.update(accountTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(accountTokens.tokenHash, hashToken(token)));
    expect((await agent.postForm(`/verify-email/${token}`, {})).statusCode).toBe(404);
    expect((await userByHandle(handle)).emailVerifiedAt).toBeNull();
  });

  test('the link can be sent again from settings, a few times an hour', async () => {
    const { agent, email } = await register();
    await agent.get('/settings');
    expect((await agent.postForm('/settings/email/verify', {})).statusCode).toBe(303);
    expect((await agent.postForm('/settings/email/verify', {})).statusCode).toBe(303);
    const refused = await agent.postForm('/settings/email/verify', {});
    expect(refused.statusCode).toBe(429);
    expect(await outboxTo(app, email)).toHaveLength(3);
  });

});

describe('change of address', () => {
  async function confirmChange(agent: Agent, token: string) {
    await agent.get(`/change-email/${token}`);
    return agent.postForm(`/change-email/${token}`, {});
  }

  test('a new address needs the current password, and the account keeps its address until the link sent to the new one is followed', async () => {
    const { agent, email, handle } = await register();
    const oldToken = linkToken((await outboxTo(app, email))[0]!.textBody, '/verify-email/');
    await agent.get('/settings');
    const newEmail = `new-${email}`;
    const wrong = await agent.postForm('/settings/email', { email: newEmail, currentPassword: 'not my password at all' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('Your current password is not right.');
    expect(wrong.body).toContain(`value="${newEmail}"`);
    expect(await outboxTo(app, newEmail)).toEqual([]);

    const res = await agent.postForm('/settings/email', { email: newEmail, currentPassword: PASSWORD });
    expect(res.statusCode).toBe(303);
    const settings = (await agent.open(locationOf(res))).body;
    expect(settings).toContain(`We sent a link to ${newEmail}. Your address changes when you follow it.`);
    expect(settings).toContain(`You asked to change your address to <strong>${newEmail}</strong>`);
    // Nothing moved yet: a typo in the new address must not take the account's mail elsewhere.
    expect((await userByHandle(handle)).email).toBe(email);
    const [confirmation, ...more] = await outboxTo(app, newEmail);
    expect(more).toEqual([]);
    expect(confirmation!.kind).toBe('confirm-email-change');
    expect(confirmation!.sensitive).toBe(true);
    expect(confirmation!.textBody).toMatch(/https:\/\/rounds\.example\.org\/change-email\/[\w-]{20,}/);
    const notice = (await outboxTo(app, email)).at(-1)!;
    expect(notice.kind).toBe('email-change-requested');
    expect(notice.textBody).toContain(newEmail);

    // Opening the link (as a mail scanner would) changes nothing; the button does.
    const token = linkToken(confirmation!.textBody, '/change-email/');
    const page = await agent.get(`/change-email/${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<strong>${newEmail}</strong>`);
    expect((await userByHandle(handle)).email).toBe(email);
    const confirmed = await agent.postForm(`/change-email/${token}`, {});
    expect(confirmed.statusCode).toBe(303);
    expect((await agent.open(locationOf(confirmed))).body).toContain(`Your e-mail address is now ${newEmail}.`);
    const user = await userByHandle(handle);
    expect(user.email).toBe(newEmail);
    // Following the link proved the new address.
    expect(user.emailVerifiedAt).not.toBeNull();
    expect((await outboxTo(app, email)).at(-1)!.kind).toBe('email-changed');

    // Spent, and the verification link sent to the old address no longer confirms anything.
    expect((await confirmChange(agent, token)).statusCode).toBe(404);
    await agent.get(`/verify-email/${oldToken}`);
    expect((await agent.postForm(`/verify-email/${oldToken}`, {})).statusCode).toBe(404);
  });

  test('while a change waits, password resets still go to the current address only', async () => {
    const { agent, email } = await register();
    await agent.get('/settings');
    const newEmail = `typo-${email}`;
    expect((await agent.postForm('/settings/email', { email: newEmail, currentPassword: PASSWORD })).statusCode).toBe(303);
    await new Agent(app).submit('/forgot-password', '/forgot-password', { email: newEmail });
    await new Agent(app).submit('/forgot-password', '/forgot-password', { email });
    await eventually(async () => (await outboxTo(app, email)).find((m) => m.kind === 'reset-password'), 'the reset e-mail');
    expect((await outboxTo(app, newEmail)).map((m) => m.kind)).toEqual(['confirm-email-change']);
  });

  test('asking again replaces the first link, and cancelling makes the last one useless', async () => {
    const { agent, email, handle } = await register();
    await agent.get('/settings');
    const first = `first-${email}`;
    const second = `second-${email}`;
    await agent.postForm('/settings/email', { email: first, currentPassword: PASSWORD });
    await agent.postForm('/settings/email', { email: second, currentPassword: PASSWORD });
    const firstToken = linkToken((await outboxTo(app, first))[0]!.textBody, '/change-email/');
    const secondToken = linkToken((await outboxTo(app, second))[0]!.textBody, '/change-email/');
    expect((await confirmChange(agent, firstToken)).statusCode).toBe(404);
    expect((await agent.get('/settings')).body).toContain(`<strong>${second}</strong>`);

    const cancelled = await agent.postForm('/settings/email/cancel', {});
    expect(cancelled.statusCode).toBe(303);
    const settings = (await agent.open(locationOf(cancelled))).body;
    expect(settings).toContain('The change of address is cancelled');
    expect(settings).not.toContain('You asked to change your address');
    expect((await confirmChange(agent, secondToken)).statusCode).toBe(404);
    expect((await userByHandle(handle)).email).toBe(email);
  });

  test('a member may ask only a few times an hour', async () => {
    const { agent, email } = await register();
    await agent.get('/settings');
    for (const n of [1, 2, 3]) expect((await agent.postForm('/settings/email', { email: `n${n}-${email}`, currentPassword: PASSWORD })).statusCode).toBe(303);
    const refused = await agent.postForm('/settings/email', { email: `n4-${email}`, currentPassword: PASSWORD });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('several times in the last hour');
    expect(refused.body).toContain(`value="n4-${email}"`);
    expect(await outboxTo(app, `n4-${email}`)).toEqual([]);
  });

  test('an address another account took in the meantime is refused when the link is followed, and nothing changes', async () => {
    const { agent, email, handle } = await register();
    await agent.get('/settings');
    const wanted = `wanted-${email}`;
    await agent.postForm('/settings/email', { email: wanted, currentPassword: PASSWORD });
    const token = linkToken((await outboxTo(app, wanted))[0]!.textBody, '/change-email/');
    const other = new Agent(app);
    expect((await other.submit('/register', '/register', { handle: `w${handle}`.slice(0, 30), displayName: 'Dr Other', email: wanted, password: PASSWORD })).statusCode).toBe(303);

    const res = await confirmChange(agent, token);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Another account has used that e-mail address since you asked for the change.');
    expect((await userByHandle(handle)).email).toBe(email);
  });
});

describe('password reset', () => {
  async function requestReset(address: string) {
    const visitor = new Agent(app);
    return visitor.submit('/forgot-password', '/forgot-password', { email: address });
  }

  test('"Forgot password?" is offered on the sign-in page', async () => {
    expect((await new Agent(app).get('/signin')).body).toContain('href="/forgot-password"');
  });

  test('the answer is the same whether or not an account uses the address; only a real account gets an e-mail', async () => {
    const member = await createMember(app);
    const known = `${member.handle}@example.org`;
    const unknown = `nobody-${member.handle}@example.org`;
    // The unknown address first: the queue runs jobs in order, so once the known address's e-mail
    // exists, the other request has been handled too.
    const b = await requestReset(unknown);
    const a = await requestReset(known);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(withoutCsrf(a.body).replace(known, 'ADDRESS')).toBe(withoutCsrf(b.body).replace(unknown, 'ADDRESS'));
    expect(a.body).toContain('If an account uses that address');
    const reset = await eventually(async () => (await outboxTo(app, known)).find((m) => m.kind === 'reset-password'), 'the reset e-mail');
    expect(reset.subject).toBe('Reset your Rounds password');
    expect(await outboxTo(app, unknown)).toEqual([]);
  });

  test('the link sets a new password once, ends every session, and works within an hour only', async () => {
    const member = await createMember(app);
    const address = `${member.handle}@example.org`;
    const signedIn = await signedInAgent(app, member);
    expect((await signedIn.get('/settings')).statusCode).toBe(200);

    await requestReset(address);
    const message = await eventually(async () => (await outboxTo(app, address)).find((m) => m.kind === 'reset-password'), 'the reset e-mail');
    const token = linkToken(message.textBody, '/reset-password/');
    const [stored] = await app.database.db.select().from(accountTokens).where(eq(accountTokens.tokenHash, hashToken(token)));
    expect(stored!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);

    const visitor = new Agent(app);
    const form = await visitor.get(`/reset-password/${token}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`@${member.handle}`);
    const weak = await visitor.postForm(`/reset-password/${token}`, { newPassword: 'short' });
    expect(weak.statusCode).toBe(422);

    const done = await visitor.postForm(`/reset-password/${token}`, { newPassword: 'a brand new passphrase 77' });
    expect(done.statusCode).toBe(303);
    expect(locationOf(done)).toBe('/signin');
    // The session signed in before the reset is over.
    const after = await signedIn.get('/settings');
    expect(after.statusCode).toBe(303);
    expect(locationOf(after)).toMatch(/^\/signin/);
    await expect(app.services.accounts.signIn(member.handle, PASSWORD, 'vitest')).rejects.toThrow();
    await expect(app.services.accounts.signIn(member.handle, 'a brand new passphrase 77', 'vitest')).resolves.toBeTruthy();
    // Following the link proved the address.
    expect((await userByHandle(member.handle)).emailVerifiedAt).not.toBeNull();

    // Used once.
    expect((await visitor.get(`/reset-password/${token}`)).statusCode).toBe(404);
    await visitor.get('/forgot-password'); // a page with a form, for a fresh CSRF token
    expect((await visitor.postForm(`/reset-password/${token}`, { newPassword: 'yet another passphrase 88' })).statusCode).toBe(404);
  });

  test('an expired or wrong link is refused', async () => {
    const member = await createMember(app);
    const address = `${member.handle}@example.org`;
    await requestReset(address);
    const message = await eventually(async () => (await outboxTo(app, address)).find((m) => m.kind === 'reset-password'), 'the reset e-mail');
    const token = linkToken(message.textBody, '/reset-password/');
    expect((await new Agent(app).get(`/reset-password/not-${token}`)).statusCode).toBe(404);
    await app.database.db.update(accountTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(accountTokens.tokenHash, hashToken(token)));
    const visitor = new Agent(app);
    expect((await visitor.get(`/reset-password/${token}`)).statusCode).toBe(404);
    await visitor.get('/forgot-password');
    expect((await visitor.postForm(`/reset-password/${token}`, { newPassword: 'a brand new passphrase 77' })).statusCode).toBe(404);
    await expect(app.services.accounts.signIn(member.handle, PASSWORD, 'vitest')).resolves.toBeTruthy();
  });

  test('one address gets at most three reset e-mails an hour, and the answer does not change when it stops', async () => {
    const member = await createMember(app);
    const address = `${member.handle}@example.org`;
    for (let i = 0; i < 5; i++) {
      expect((await requestReset(address)).statusCode).toBe(200);
      // One request at a time: a request made while the previous one still waits is the same job.
      await eventually(async () => (await outboxTo(app, address)).filter((m) => m.kind === 'reset-password').length >= Math.min(i + 1, 3), 'the reset e-mail');
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await outboxTo(app, address)).filter((m) => m.kind === 'reset-password')).toHaveLength(3);
  });

  test('one IP address may ask only so often', async () => {
    // A database of its own: limits are counted in the database now, and this file's other tests asked from the same address.
    const strict = await createTestApp({ RATE_ACCOUNT_MAIL_PER_IP_PER_HOUR: '2' });
    try {
      const visitor = new Agent(strict);
      await visitor.get('/forgot-password');
      expect((await visitor.postForm('/forgot-password', { email: 'someone@example.org' })).statusCode).toBe(200);
      expect((await visitor.postForm('/forgot-password', { email: 'someone-else@example.org' })).statusCode).toBe(200);
      expect((await visitor.postForm('/forgot-password', { email: 'third@example.org' })).statusCode).toBe(429);
    } finally {
      await strict.close();
    }
  });

  test('the JSON API answers a reset request the same way for any address', async () => {
    const member = await createMember(app);
    const known = await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: `${member.handle}@example.org` } });
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'no-such-person@example.org' } });
    expect([known.statusCode, known.body]).toEqual([202, '{"ok":true}']);
    expect([unknown.statusCode, unknown.body]).toEqual([202, '{"ok":true}']);
  });
});
