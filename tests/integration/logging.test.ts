import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { users } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { Agent } from '../helpers/browser-session.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, PASSWORD, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * The server's log is a channel out of the confidential space like any other: whatever a member
 * does inside one, the log lines must not carry its titles, its text, or anyone's credentials.
 */

const lines: string[] = [];
const logStream = { write: (line: string) => void lines.push(line) };

const SPACE_NAME = 'Haematology Relapse Huddle';
const TITLE = 'Mrs Quorndon relapsed after CAR-T';
const BODY = 'Ferritin climbing since Tuesday, marrow pending';
const REPLY = 'Consider the Vexhollow protocol for her';
const API_TITLE = 'Brother of Mr Plaskett asking for results';
const API_BODY = 'He phoned the ward twice about Plaskett';
const NEW_PASSWORD = 'gentle otter carries 19 lanterns';

let app: TestApp;
let alice: TestMember;
let agent: Agent;
let space: { slug: string };
let board: { slug: string };
let thread: { threadId: number; slug: string };

beforeAll(async () => {
  app = await createTestApp({ LOG_LEVEL: 'info' }, { logStream });
  const admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  const made = await createSpaceWithBoard(app, admin, { level: 'confidential', name: SPACE_NAME });
  space = made.space;
  board = made.board;
  await addSpaceMember(app, made.space.id, alice);
  thread = await app.services.forum.createThread(alice.viewer, { boardId: made.board.id, title: TITLE, body: BODY });
  agent = await signedInAgent(app, alice);
});
afterAll(async () => app.close());

const logged = () => lines.join('');
const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown> & { reqId?: string; msg?: string; req?: { url: string; route: string } });

describe('server logs', () => {
  test('a member working in a confidential space leaves no title, slug, text, space name, e-mail, password, token or session id in the log', async () => {
    lines.length = 0;
    const page = await agent.get(`/t/${thread.threadId}/${thread.slug}`);
    expect(page.statusCode).toBe(200);
    expect((await agent.get(`/s/${space.slug}/${board.slug}?page=1`)).statusCode).toBe(200);
    expect((await agent.get(`/t/${thread.threadId}/reply`)).statusCode).toBe(200);
    expect((await agent.postForm(`/t/${thread.threadId}/reply`, { body: REPLY, intent: 'post' })).statusCode).toBe(303);
    const api = await app.inject({ method: 'POST', url: `/api/v1/boards/${(await app.services.spaces.boardBySlugs(alice.viewer, space.slug, board.slug)).id}/threads`, headers: alice.auth, payload: { title: API_TITLE, body: API_BODY } });
    expect(api.statusCode, api.body).toBe(201);
    // An old link with a stale title, a sign-in link's token, a search of the site's text.
    await app.inject({ method: 'GET', url: `/t/${thread.threadId}/mrs-quorndon-old-title` });
    await app.inject({ method: 'GET', url: '/auth/link/Zq8LinkTokenSecretValue123' });
    await app.inject({ method: 'GET', url: `/nowhere/${thread.slug}?q=Quorndon` });
    // Signing in with an e-mail address and password, and changing the password.
    const visitor = new Agent(app);
    await visitor.get('/signin');
    const email = `${alice.handle}@example.org`;
    expect((await visitor.postForm('/signin', { login: email, password: PASSWORD, next: `/t/${thread.threadId}/${thread.slug}` })).statusCode).toBe(303);
    const registering = new Agent(app);
    await registering.get('/register');
    await registering.postForm('/register', { handle: 'newcomer42', displayName: 'Dr Newcomer', email: 'newcomer42@hospital.example', password: NEW_PASSWORD });

    const text = logged();
    expect(lines.length).toBeGreaterThan(20);
    const secrets = [
      TITLE, BODY, REPLY, API_TITLE, API_BODY, SPACE_NAME, thread.slug, space.slug, board.slug, 'quorndon', 'plaskett',
      email, 'newcomer42@hospital.example', PASSWORD, NEW_PASSWORD, alice.token, 'Zq8LinkTokenSecretValue123',
      ...agent.cookies.values(), ...visitor.cookies.values(), agent.csrf!,
    ];
    for (const secret of secrets) expect(text.toLowerCase(), `the log contains "${secret}"`).not.toContain(secret.toLowerCase());

    // What the log does say: the route and the ids, so a request can still be found and understood.
    const urls = records().filter((r) => r.msg === 'incoming request').map((r) => r.req!.url);
    expect(urls).toContain(`/t/${thread.threadId}/:slug`);
    expect(urls).toContain('/s/:space/:board?page');
    expect(urls).toContain('/auth/link/:token');
    expect(urls).toContain('(unmatched)');
  });

  test('every request line carries its request id, which the answer names in x-request-id', async () => {
    lines.length = 0;
    const res = await app.inject({ method: 'GET', url: '/' });
    const id = res.headers['x-request-id'];
    expect(typeof id).toBe('string');
    const mine = records().filter((r) => r.reqId === id);
    expect(mine.map((r) => r.msg)).toEqual(['incoming request', 'request completed']);
    expect(mine[0]!.req).toMatchObject({ method: 'GET', url: '/', route: '/' });
    // A caller's own id is kept when it is a plain token, so a proxy's id follows the request.
    const traced = await app.inject({ method: 'GET', url: '/', headers: { 'x-request-id': 'edge-7f3a' } });
    expect(traced.headers['x-request-id']).toBe('edge-7f3a');
    expect(records().some((r) => r.reqId === 'edge-7f3a')).toBe(true);
  });

  test('a failed database statement is logged with its kind and code, never with the values it carried', async () => {
    lines.length = 0;
    const failures: unknown[] = [];
    // A duplicate e-mail (PostgreSQL repeats the value in `detail`) and a bad cast (in the message).
    await app.database.db
      .insert(users)
      .values({ id: 'dupe-user', handle: 'dupe', displayName: 'Dupe', email: `${alice.handle}@example.org`, passwordHash: 'x' })
      .catch((error: unknown) => failures.push(error));
    await app.database.db.execute(sql`select ${BODY}::int`).catch((error: unknown) => failures.push(error));
    expect(failures).toHaveLength(2);
    for (const error of failures) app.log.error({ err: error }, 'request failed');
    const text = logged();
    expect(text).toContain('23505');
    expect(text).toContain('22P02');
    expect(text).toContain('users_email');
    for (const secret of [alice.handle, BODY]) expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
  });
});
