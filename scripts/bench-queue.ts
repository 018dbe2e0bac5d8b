import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from './load-generator.ts';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { createDatabase } from '../db/client.ts';
import { createAccountsService, userToViewer } from '../server/accounts/service.ts';
import { REMEMBER_NOTHING } from '../server/events/member-cache.ts';
import { createSessionManager } from '../server/accounts/sessions.ts';
import { buildServer, PRODUCTION_NODE_ARGS } from './build.ts';
import { CommandError, countOption, parseOptions, queryRows, redactUrl, runCommand } from './operator-command.ts';

/*
 * `npm run bench:queue -- [--items 10000] [--duration 10] [--connections 50]`
 *
 * The review queue with many open items: seeds a fresh PostgreSQL database (`rounds_bench_queue`
 * unless DATABASE_URL says otherwise) with one flagged post per item, starts the server as its own
 * process in production mode, and load-tests the queue's first page and a deep keyset page as a
 * site moderator, through the JSON API and the HTML page.
 */

const USAGE = 'usage: npm run bench:queue -- [--items 10000] [--duration 10] [--connections 50]';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function recreateDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect().catch((error: Error) => {
    throw new CommandError(`could not connect to PostgreSQL at ${redactUrl(adminUrl.toString())}: ${error.message}`);
  });
  try {
    await admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`);
    await admin.query(`create database ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
}

async function waitForServer(url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new CommandError(`the server was not ready within 60 s:\n${output()}`);
}

runCommand(async () => {
  const options = parseOptions(process.argv.slice(2), { values: ['items', 'duration', 'connections'], flags: [] }, USAGE);
  const items = countOption(options.values, 'items', 10_000, 1, 1_000_000, USAGE);
  const duration = countOption(options.values, 'duration', 10, 1, 600, USAGE);
  const connections = countOption(options.values, 'connections', 50, 1, 1000, USAGE);
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rounds_bench_queue';

  await recreateDatabase(databaseUrl);
  const database = await createDatabase({ databaseUrl, dataDir: '' });
  let token: string;
  let cookie: string;
  try {
    await database.migrate();
    const { db } = database;
    const sessions = createSessionManager(db, { idleDays: 14, absoluteDays: 90, secureCookies: false });
    const accounts = createAccountsService(db, sessions, REMEMBER_NOTHING, { signInFailuresPerAccount: 1000, signInFailureWindowMinutes: 15 });
    const password = 'queue bench password 2026';
    const { user: moderator } = await accounts.register({ handle: 'benchmod', displayName: 'Bench Moderator', email: 'benchmod@example.org', password }, 'bench');
    await db.execute(sql`update users set role = 'moderator' where id = ${moderator.id}`);
    token = (await accounts.createApiToken({ ...userToViewer(moderator), role: 'moderator' }, 'bench')).token;
    const signedIn = await accounts.signIn('benchmod', password, 'bench');
    cookie = `${signedIn.cookie.name}=${signedIn.cookie.value}`;

    const started = Date.now();
    // Plain SQL keeps seeding to seconds: one space, one board, N members' threads, each opening post flagged.
    await db.execute(sql`insert into spaces (name, slug, description, position) values ('Queue bench', 'queue-bench', '', 1)`);
    await db.execute(sql`insert into boards (space_id, name, slug, description, position) select id, 'Flagged', 'flagged', '', 1 from spaces where slug = 'queue-bench'`);
    await db.execute(sql`insert into users (id, handle, display_name, email, trust_level)
      select 'u' || g, 'writer' || g, 'Writer ' || g, 'writer' || g || '@example.org', 1 from generate_series(1, 500) g`);
    await db.execute(sql`insert into threads (board_id, author_id, title, slug, post_count, last_post_author_id)
      select (select id from boards where slug = 'flagged'), 'u' || (1 + g % 500), 'Flagged thread ' || g, 'flagged-thread-' || g, 1, 'u' || (1 + g % 500)
      from generate_series(1, ${items}) g`);
    await db.execute(sql`insert into posts (thread_id, number, author_id, body_source, body_html, render_version)
      select t.id, 1, t.author_id, 'Body of ' || t.title, '<p>Body of ' || t.title || '</p>', 1 from threads t`);
    await db.execute(sql`insert into review_items (kind, post_id, subject_id, space_id, score, flag_count, created_at)
      select 'flagged', p.id, p.author_id, (select id from spaces where slug = 'queue-bench'), (p.id % 97) / 10.0, 1, now() - (p.id || ' seconds')::interval from posts p`);
    await db.execute(sql`insert into flags (item_id, post_id, subject_id, flagger_id, reason, weight)
      select r.id, r.post_id, r.subject_id, 'u' || (1 + (r.id + 7) % 500), (array['spam','abusive','off_topic','misinformation'])[1 + r.id % 4]::flag_reason, 1 from review_items r`);
    await db.execute(sql`analyze`);
    const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from review_items where status = 'open'`);
    console.log(`seeded ${count?.n ?? 0} open review items in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await database.close();
  }

  const port = 3900 + Math.floor(Math.random() * 90);
  const env = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', SESSION_SECRET: 'queue-bench-secret-that-is-long-enough-1234567890', LOG_LEVEL: 'warn', INSECURE_COOKIES: '1' };
  // As `npm start` runs it: the compiled bundle, built from this checkout.
  await buildServer();
  const child = spawn(process.execPath, PRODUCTION_NODE_ARGS, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForServer(`${base}/readyz`, () => output);
    const first = (await (await fetch(`${base}/api/v1/mod/queue`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: unknown[]; next: string | null };
    if (first.items.length === 0 || !first.next) throw new CommandError(`the queue answered no items:\n${JSON.stringify(first).slice(0, 300)}`);
    // A cursor deep in the queue: the 200th page by priority, reached by following `next`.
    let deep = first.next;
    for (let i = 0; i < 200 && deep; i++) {
      const page = (await (await fetch(`${base}/api/v1/mod/queue?after=${deep}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { next: string | null };
      deep = page.next ?? deep;
    }
    const targets = [
      { name: 'queue API, first page by priority', path: '/api/v1/mod/queue', headers: { authorization: `Bearer ${token}` } },
      { name: 'queue API, page ~200 by priority (keyset)', path: `/api/v1/mod/queue?after=${deep}`, headers: { authorization: `Bearer ${token}` } },
      { name: 'queue API, oldest first, filtered by reason', path: '/api/v1/mod/queue?sort=age&reason=misinformation', headers: { authorization: `Bearer ${token}` } },
      { name: 'queue page (HTML), first page', path: '/mod/queue', headers: { cookie } },
    ];
    // One moderator working the queue (1 connection) is the everyday case; 50 is a stress test.
    console.log(`\n${items.toLocaleString('en')} open items · ${duration} s each\n`);
    console.log('| what | connections | requests/s | p50 ms | p99 ms | non-2xx |\n|---|---:|---:|---:|---:|---:|');
    for (const target of targets) {
      for (const load of [1, connections]) {
        const result = await autocannon({ url: `${base}${target.path}`, connections: load, duration, headers: target.headers });
        const non2xx = result.non2xx + result.errors;
        console.log(`| ${target.name} | ${load} | ${Math.round(result.requests.average).toLocaleString('en')} | ${result.latency.p50} | ${result.latency.p99} | ${non2xx} |`);
        if (non2xx > 0) throw new CommandError(`${target.name} answered ${non2xx} errors or non-2xx responses`);
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
});
