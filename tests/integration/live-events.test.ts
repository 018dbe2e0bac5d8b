import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sessions, spaceMembers } from '../../db/schema/index.ts';
import { MAX_STREAMS_PER_MEMBER } from '../../server/notifications/live.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, PASSWORD, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let base: string;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;

beforeAll(async () => {
  app = await createTestApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  bob = await createMember(app);
});
afterAll(async () => app.close());

async function cookieFor(member: TestMember): Promise<{ header: string; sessionId: string }> {
  const { cookie } = await app.services.accounts.signIn(member.handle, PASSWORD, 'vitest');
  return { header: `${cookie.name}=${cookie.value}`, sessionId: cookie.value };
}

/** An open event stream: every event received so far, raw text included, and a way to wait for more. */
interface Stream {
  status: number;
  headers: IncomingMessage['headers'];
  raw: () => string;
  events: () => { event: string; data: Record<string, number> }[];
  next: (event: string, count?: number) => Promise<Record<string, number>>;
  ended: Promise<void>;
  close: () => void;
}

function openStream(path: string, cookie?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } }, (res) => {
      let text = '';
      const waiters: (() => void)[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of waiters.splice(0)) w();
      });
      const ended = new Promise<void>((done) => res.on('end', done));
      const parse = () =>
        text
          .split('\n\n')
          .filter((block) => block.startsWith('event: '))
          .map((block) => {
            const [eventLine = '', dataLine = ''] = block.split('\n');
            return { event: eventLine.slice(7), data: JSON.parse(dataLine.slice(6)) as Record<string, number> };
          });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: () => text,
        events: parse,
        ended,
        close: () => req.destroy(),
        next(event, count = 1) {
          return new Promise((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`no "${event}" event #${count} in: ${text}`)), 5000);
            const check = () => {
              const found = parse().filter((e) => e.event === event);
              if (found.length >= count) {
                clearTimeout(timer);
                done(found[count - 1]!.data);
              } else waiters.push(check);
            };
            check();
          });
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('live events', () => {
  test('a new notification updates the count on an open stream, with ids and counts only', async () => {
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Live group' });
    await addSpaceMember(app, space.id, alice);
    await addSpaceMember(app, space.id, bob);
    const thread = await createThread(app, alice, board.id, 'Secret live title', 'Secret live body');
    const { header } = await cookieFor(bob);
    const stream = await openStream(`/events?thread=${thread.threadId}`, header);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.headers['cache-control']).toBe('private, no-store');
    expect(await stream.next('notifications')).toEqual({ unread: 0 });
    await app.services.forum.reply(alice.viewer, thread.threadId, { body: `Secret reply for @${bob.handle}` });
    expect(await stream.next('notifications', 2)).toEqual({ unread: 1 });
    expect(await stream.next('thread')).toEqual({ id: thread.threadId, postCount: 2 });
    expect(stream.raw()).not.toMatch(/Secret|Live group/);
    stream.close();
  });

  test('after removal from the space the open stream hears nothing more about the thread', async () => {
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Live removal' });
    await addSpaceMember(app, space.id, alice);
    await addSpaceMember(app, space.id, bob);
    const thread = await createThread(app, alice, board.id, 'Removal thread');
    const { header } = await cookieFor(bob);
    const stream = await openStream(`/events?thread=${thread.threadId}`, header);
    await stream.next('notifications');
    await app.database.db.update(spaceMembers).set({ status: 'removed' }).where(and(eq(spaceMembers.spaceId, space.id), eq(spaceMembers.userId, bob.viewer.id)));
    await app.services.forum.reply(alice.viewer, thread.threadId, { body: 'Said after bob left.' });
    // Another event on the same stream, later than the reply's: by then the thread event was judged.
    await app.services.notifications.markAllRead(bob.viewer);
    await app.database.db.execute(`select pg_notify('rounds_events', 'user:${bob.viewer.id}')`);
    await stream.next('notifications', 2);
    expect(stream.events().filter((e) => e.event === 'thread')).toEqual([]);
    stream.close();
  });

  test('a stream ends, saying so, once its session is gone', async () => {
    const { header, sessionId } = await cookieFor(bob);
    const stream = await openStream('/events', header);
    await stream.next('notifications');
    await app.database.db.delete(sessions).where(eq(sessions.id, sessionId));
    await app.database.db.execute(`select pg_notify('rounds_events', 'user:${bob.viewer.id}')`);
    await stream.ended;
    expect(stream.events().at(-1)).toEqual({ event: 'end', data: {} });
  });

  test('a stream ends as soon as its member signs out elsewhere (nothing else need happen)', async () => {
    const { header, sessionId } = await cookieFor(bob);
    const stream = await openStream('/events', header);
    await stream.next('notifications');
    await app.services.accounts.sessions.invalidate(sessionId);
    // Well before the next keep-alive (25 s), which would also have found the session gone.
    const outcome = await Promise.race([stream.ended.then(() => 'ended'), sleep(5000, 'still open')]);
    expect(outcome).toBe('ended');
    expect(stream.events().at(-1)).toEqual({ event: 'end', data: {} });
  });

  test(`a member keeps at most ${MAX_STREAMS_PER_MEMBER} streams open at once; closing one frees its place`, async () => {
    const carol = await createMember(app);
    const { header } = await cookieFor(carol);
    const streams = await Promise.all(Array.from({ length: MAX_STREAMS_PER_MEMBER }, () => openStream('/events', header)));
    expect(streams.map((s) => s.status)).toEqual(Array.from({ length: MAX_STREAMS_PER_MEMBER }, () => 200));
    const refused = await openStream('/events', header);
    expect(refused.status).toBe(429);
    await refused.ended;
    // Someone else is not affected.
    const other = await openStream('/events', (await cookieFor(bob)).header);
    expect(other.status).toBe(200);
    other.close();
    streams[0]!.close();
    let again: Stream | undefined;
    for (let attempt = 0; attempt < 50 && again?.status !== 200; attempt++) {
      again?.close();
      again = await openStream('/events', header);
      if (again.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(again?.status).toBe(200);
    for (const stream of [...streams, again!]) stream.close();
  });

  test('visitors cannot open a stream, and a thread the member cannot read is a 404', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/events' });
    expect([302, 303, 401]).toContain(anonymous.statusCode);
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Live closed' });
    await addSpaceMember(app, space.id, alice);
    const thread = await createThread(app, alice, board.id, 'Closed live');
    const { header } = await cookieFor(bob);
    const res = await app.inject({ method: 'GET', url: `/events?thread=${thread.threadId}`, headers: { cookie: header, accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(404);
    // A client that does not ask for a stream is not kept waiting on one.
    expect((await app.inject({ method: 'GET', url: '/events', headers: { cookie: header } })).statusCode).toBe(406);
  });
});
