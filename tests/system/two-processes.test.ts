import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDatabase } from '../../db/client.ts';
import { threadUrl } from '../../server/forum/presenters.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { TestApp } from '../helpers/app.ts';
import { csrfTokenIn, storeCookies } from '../helpers/browser-session.ts';
import { emptyPostgresDatabase } from '../helpers/database.ts';
import { createMember, createSpaceWithBoard, createThread, PASSWORD, type TestMember } from '../helpers/factories.ts';
import { startServer, stopGracefully, type RunningServer } from '../helpers/server-process.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp-sink.ts';

/*
 * Two real server processes on one PostgreSQL database, as two replicas behind a load balancer:
 * whatever one process does, the other must see — sessions, rate limits, live events, background
 * jobs and the anonymous page cache all go through the database. Every assertion is made over
 * HTTP (and, for e-mail, on what an SMTP server received); the database is only read for the
 * outbox and the job queue's progress, and written only to seed members and a space.
 *
 * PostgreSQL only: the embedded database (PGlite) belongs to one process, so two processes on one
 * database cannot exist there. CI runs the suite on PostgreSQL too (.ci/run), so this runs there.
 */

const postgresUrl = process.env.DATABASE_URL;

/** The per-IP sign-in limit both processes are given: small, so a test can reach it. */
const SIGNIN_LIMIT = 5;
/** How long a test waits for something another process does (an event, a job); not a timing claim. */
const WAIT_MS = 15_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  // Each cleanup runs even when an earlier one fails: no child process or database is left behind.
  const errors: unknown[] = [];
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch((error: unknown) => errors.push(error));
  if (errors.length > 0) throw errors[0];
}, 60_000);

async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string): Promise<T> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`waited ${WAIT_MS / 1000} s in vain for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A browser with one cookie jar for both processes (cookies do not depend on the port), as a
 * browser behind a load balancer would be: requests are sent to whichever server the test says.
 */
class Browser {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;

  async get(url: string): Promise<{ status: number; location: string | null; body: string }> {
    const res = await fetch(url, { headers: this.headers(), redirect: 'manual' });
    return this.remember(res);
  }

  async postForm(url: string, fields: Record<string, string>): Promise<{ status: number; location: string | null; body: string }> {
    const form = new URLSearchParams(fields);
    if (this.csrf !== undefined) form.set('_csrf', this.csrf);
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    return this.remember(res);
  }

  headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return cookie ? { 'user-agent': 'two-processes-test', cookie } : { 'user-agent': 'two-processes-test' };
  }

  private async remember(res: Response) {
    storeCookies(this.cookies, res.headers.getSetCookie());
    const body = await res.text();
    if ((res.headers.get('content-type') ?? '').startsWith('text/html')) this.csrf = csrfTokenIn(body) ?? this.csrf;
    return { status: res.status, location: res.headers.get('location'), body };
  }
}

/** Signs in through the sign-in page of `baseUrl`, as a browser does (CSRF token, then the form). */
async function signIn(browser: Browser, baseUrl: string, handle: string): Promise<void> {
  const page = await browser.get(`${baseUrl}/signin`);
  expect(page.status).toBe(200);
  const answer = await browser.postForm(`${baseUrl}/signin`, { login: handle, password: PASSWORD, next: '/settings' });
  expect(answer.status, answer.body.slice(0, 500)).toBe(303);
}

interface StreamEvent {
  event: string;
  data: Record<string, number>;
}

/** `GET /events` as EventSource would ask for it; the events read so far, and how to stop reading. */
async function openEventStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: StreamEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, number> });
      }
    }
  })().catch(() => {});
  return {
    events,
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

/** The outbox id a delivered e-mail carries in its Message-ID (`<outbox-<id>.<time>@host>`, see server/mail/service.ts). */
const outboxIdOf = (mail: ReceivedMail) => Number(/^Message-ID:\s*<outbox-(\d+)\./im.exec(mail.data)?.[1] ?? NaN);

describe.runIf(postgresUrl)('two app processes on one PostgreSQL database behave as one', () => {
  let a: RunningServer;
  let b: RunningServer;
  let sink: SmtpSink;
  let databaseUrl: string;
  let database: pg.Client;
  let admin: TestMember;
  let author: TestMember;
  let replier: TestMember;
  let reader: TestMember;
  let streamedThread: { id: number; url: string };
  let cachedThread: { id: number; url: string };
  /** How many members the seeding registered (each one's verification e-mail is queued by the test process, which runs no jobs). */
  let seeded = 0;

  beforeAll(async () => {
    const fresh = await emptyPostgresDatabase(postgresUrl!);
    cleanups.push(() => fresh.drop());
    databaseUrl = fresh.url;
    sink = await startSmtpSink();
    cleanups.push(() => sink.close());

    // Both at once on the empty database, as two replicas start after a deploy: both migrate at
    // start-up (one waits for the other's lock), both create the job queue's tables and queues.
    const env = (name: string): Record<string, string> => ({
      RATE_SIGNIN_PER_IP_PER_MINUTE: String(SIGNIN_LIMIT),
      RATE_REGISTER_PER_IP_PER_HOUR: '100',
      // Off in tests by default; on here, for long enough that only an event can make a page stale.
      ANON_CACHE_MS: '60000',
      SMTP_URL: sink.url,
      // The envelope sender tells which process delivered an e-mail.
      MAIL_FROM: `Rounds ${name} <${name}@rounds.test>`,
    });
    const started = await Promise.allSettled(
      ['a', 'b'].map((name) => startServer({ databaseUrl }, { env: env(name), onStart: (server) => cleanups.push(() => stopGracefully(server)) })),
    );
    const failed = started.filter((s) => s.status === 'rejected');
    if (failed.length > 0) throw new Error(`a server did not start: ${failed.map((f) => String(f.reason)).join('\n')}`);
    [a, b] = started.map((s) => (s as PromiseFulfilledResult<RunningServer>).value) as [RunningServer, RunningServer];

    // Members, a space and threads, seeded through the services by an app in this process that
    // runs no job worker (its queued e-mails must be delivered by the servers), closed afterwards.
    const seedDatabase = await createDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 3 });
    const seedApp = await buildApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory://', JOBS_WORK: '0' }), seedDatabase);
    try {
      await seedApp.ready();
      const app = Object.assign(seedApp, { database: seedDatabase }) as unknown as TestApp;
      admin = await createMember(app, { role: 'admin' });
      author = await createMember(app);
      replier = await createMember(app);
      reader = await createMember(app);
      seeded = 4;
      const { board } = await createSpaceWithBoard(app, admin);
      const first = await createThread(app, author, board.id, 'A thread streamed live on the other process');
      streamedThread = { id: first.threadId, url: threadUrl(first.threadId, first.slug) };
      const second = await createThread(app, author, board.id, 'A thread cached for visitors on the other process');
      cachedThread = { id: second.threadId, url: threadUrl(second.threadId, second.slug) };
    } finally {
      await seedApp.close();
      await seedDatabase.close();
    }

    database = new pg.Client({ connectionString: databaseUrl });
    await database.connect();
    cleanups.push(() => database.end());
  }, 120_000);

  /** A reply through process A's JSON API, as `replier`. */
  async function replyOnA(threadId: number, body: string) {
    const res = await fetch(`${a.baseUrl}/api/v1/threads/${threadId}/posts`, {
      method: 'POST',
      headers: { ...replier.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ body }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { postId: number; number: number };
  }

  test('a session started on A is valid on B, and signing out on B ends it on A', async () => {
    const browser = new Browser();
    // The control: without a session, the settings page sends a visitor to sign in.
    const before = await browser.get(`${b.baseUrl}/settings`);
    expect(before.status).toBe(303);
    expect(before.location).toMatch(/^\/signin/);

    await signIn(browser, a.baseUrl, reader.handle);
    const sessionCookie = new Map(browser.cookies);
    const onB = await browser.get(`${b.baseUrl}/settings`);
    expect(onB.status).toBe(200);
    expect(onB.body).toContain(`@${reader.handle}`);

    // The sign-out form of B's page, with B's CSRF token.
    expect(browser.csrf).toBeDefined();
    const out = await browser.postForm(`${b.baseUrl}/signout`, {});
    expect(out.status).toBe(303);

    // The old cookie, replayed on A (as a second tab, or a copied cookie, would): the session is
    // gone there too, as soon as A has heard the database announce it (A remembered the session
    // from the sign-in's redirect; the announcement takes milliseconds, a browser's next click more).
    const replay = new Browser();
    for (const [name, value] of sessionCookie) replay.cookies.set(name, value);
    const onA = await eventually(async () => {
      const answer = await replay.get(`${a.baseUrl}/settings`);
      return answer.status === 303 && answer;
    }, 'A to refuse the signed-out session');
    expect(onA.location).toMatch(/^\/signin/);
  });

  test('a reply posted through A reaches a live stream on B: the thread event and the author’s notification', async () => {
    const browser = new Browser();
    await signIn(browser, b.baseUrl, author.handle);
    const stream = await openEventStream(`${b.baseUrl}/events?thread=${streamedThread.id}`, browser.headers());
    try {
      // The stream's first event is the current count: from then on B is listening for this member.
      await eventually(() => stream.events.some((e) => e.event === 'notifications'), 'the stream’s first event');
      expect(stream.events).toEqual([{ event: 'notifications', data: { unread: 0 } }]);

      await replyOnA(streamedThread.id, 'A reply posted through process A.');
      await eventually(
        () => stream.events.some((e) => e.event === 'thread' && e.data.id === streamedThread.id && e.data.postCount === 2),
        `B's stream to announce the reply (events so far: ${JSON.stringify(stream.events)})`,
      );
      await eventually(
        () => stream.events.some((e) => e.event === 'notifications' && e.data.unread === 1),
        `B's stream to announce the author's notification (events so far: ${JSON.stringify(stream.events)})`,
      );
    } finally {
      await stream.close();
    }
  });

  test('the sign-in limit per IP counts requests to both processes together', async () => {
    // Alternating A, B, A, B…: were each process counting its own, all 2 × SIGNIN_LIMIT would be let through.
    const statuses: number[] = [];
    for (let i = 0; i < 2 * SIGNIN_LIMIT; i++) {
      const server = i % 2 === 0 ? a : b;
      const res = await fetch(`${server.baseUrl}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // A different unknown login each time: the per-account failure limit stays out of it.
        body: JSON.stringify({ login: `nobody-${i}`, password: 'not the password' }),
      });
      statuses.push(res.status);
    }
    const refused = statuses.map((status) => status === 429);
    expect(refused, `statuses: ${statuses.join(', ')}`).toEqual(statuses.map((_, i) => i >= SIGNIN_LIMIT));
  });

  test('each queued e-mail is delivered once with both processes’ workers running, including those queued by a process that runs none', async () => {
    // Registrations through both processes at once, each queuing a verification e-mail.
    const handles = ['ra', 'rb', 'rc', 'rd', 're', 'rf'].map((h) => `${h}${Date.now().toString(36)}`);
    const answers = await Promise.all(
      handles.map((handle, i) =>
        fetch(`${(i % 2 === 0 ? a : b).baseUrl}/api/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ handle, displayName: `Dr ${handle}`, email: `${handle}@example.org`, password: PASSWORD }),
        }).then((res) => res.status),
      ),
    );
    expect(answers).toEqual(handles.map(() => 201));

    // Every e-mail sent and no mail job left to run: any second delivery would have reached the sink by then.
    const outbox = await eventually(async () => {
      const { rows } = await database.query<{ id: number; to_address: string; status: string }>('select id::int as id, to_address, status from outbox_messages order by id');
      const { rows: jobs } = await database.query<{ waiting: number }>(
        "select count(*)::int as waiting from pgboss.job where name = 'mail.send' and state in ('created', 'retry', 'active')",
      );
      return rows.length >= seeded + handles.length && rows.every((row) => row.status === 'sent') && jobs[0]!.waiting === 0 && rows;
    }, 'every queued e-mail to be sent');

    const deliveries = new Map<number, ReceivedMail[]>();
    for (const mail of sink.received) deliveries.set(outboxIdOf(mail), [...(deliveries.get(outboxIdOf(mail)) ?? []), mail]);
    const counts = outbox.map((row) => ({ to: row.to_address, deliveries: deliveries.get(row.id)?.length ?? 0 }));
    expect(counts).toEqual(outbox.map((row) => ({ to: row.to_address, deliveries: 1 })));
    // Nothing the outbox does not know about (e.g. a message id the pattern failed to read).
    expect(sink.received).toHaveLength(outbox.length);
    for (const handle of handles) expect(outbox.filter((row) => row.to_address === `${handle}@example.org`)).toHaveLength(1);
    // Every delivery came from one of the two servers (the seeding app in this process runs no worker).
    const senders = new Set(sink.received.map((mail) => mail.from));
    expect([...senders].every((from) => from === 'a@rounds.test' || from === 'b@rounds.test'), [...senders].join(', ')).toBe(true);
  });

  test('a thread page cached for visitors on B shows a reply posted through A', async () => {
    const page = `${b.baseUrl}${cachedThread.url}`;
    const first = await fetch(page);
    expect(first.status).toBe(200);
    await first.text();
    const second = await fetch(page);
    // The premise: B answers visitors from its cache, so only an event from A can make it render again.
    expect(second.headers.get('x-cache')).toBe('hit');
    const marker = `Posted through A while B kept the page (${Date.now().toString(36)})`;
    expect(await second.text()).not.toContain(marker);

    await replyOnA(cachedThread.id, marker);
    // At once in practice (B hears A's commit before the test's next request); polled, as the
    // notification travels on its own connection.
    await eventually(async () => (await (await fetch(page)).text()).includes(marker), `B's cached page to show the reply posted through A`);
  });
});
