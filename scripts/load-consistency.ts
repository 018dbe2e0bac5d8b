import { randomBytes } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { boards, flags, postRevisions, posts, reviewItems, spaceMembers, threads, users } from '../db/schema/index.ts';
import { userToViewer } from '../server/accounts/service.ts';
import type { App } from '../server/app.ts';
import type { MemberViewer } from '../server/policy/index.ts';

/*
 * The load-and-consistency check (issue 7, "nothing lost"): many clients write through the HTTP
 * API at once while outsiders keep asking for a confidential space's content; afterwards every
 * acknowledged write must be in the database exactly once, the counters must equal a recount from
 * the rows, and no outsider may ever have been shown confidential text.
 *
 * Three phases, so a crash test can put a `kill -9` and a restart between them:
 *   prepareLoad  (needs the app's services on the database: members, tokens, spaces, boards)
 *   driveLoad    (HTTP only: the clients, the moderator and the outsiders' probes)
 *   verifyLoad   (the database, and HTTP probes again when a server is given)
 */

export interface LoadMember {
  id: string;
  handle: string;
  token: string;
}

export interface LoadFixtures {
  runId: string;
  /** Written into every confidential text: an outsider's answer containing it is a leak. */
  secret: string;
  posters: LoadMember[];
  /** A site moderator who also moderates the confidential space: decides review items in both. */
  moderator: LoadMember;
  outsiders: { name: string; authorization?: string; cookie?: string }[];
  boards: { id: number; confidential: boolean }[];
}

export type Outcome = { kind: 'ack'; status: number } | { kind: 'refused'; status: number } | { kind: 'unknown'; error: string };

interface WriteBase {
  client: number;
  member: string;
  outcome: Outcome;
}
export interface ThreadWrite extends WriteBase {
  idempotencyKey: string;
  boardId: number;
  confidential: boolean;
  text: string;
  threadId?: number;
  postId?: number;
}
export interface ReplyWrite extends WriteBase {
  idempotencyKey: string;
  threadId: number;
  confidential: boolean;
  text: string;
  postId?: number;
}
export interface EditWrite extends WriteBase {
  postId: number;
  baseRevision: number;
  text: string;
}
export interface FlagWrite extends WriteBase {
  postId: number;
  flagId?: number;
}
export interface DecisionWrite extends WriteBase {
  itemId: number;
  decision: string;
}

export interface LoadLedger {
  threads: ThreadWrite[];
  replies: ReplyWrite[];
  edits: EditWrite[];
  flags: FlagWrite[];
  decisions: DecisionWrite[];
  /** Requests sent twice at once with the same idempotency key, as a client retrying would. */
  retried: number;
  conflicts: number;
  probes: number;
  violations: string[];
}

export interface LoadOptions {
  clients: number;
  seconds: number;
  /** Stops the clients early (a crash test kills the server and wants the clients to notice and stop). */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /**
   * Keep going past `seconds` (up to four times as long) until at least this many threads, replies,
   * edits and flags were acknowledged, in both kinds of space: a small run on a slow machine must
   * still exercise every kind of write.
   */
  atLeast?: number;
}

const tag = () => randomBytes(6).toString('hex');

/** Members, tokens and places for a run, made through the app's own services (as the factories do). */
export async function prepareLoad(app: Pick<App, 'services'>, db: Database, options: { clients: number }): Promise<LoadFixtures> {
  const runId = tag();
  const secret = `CONFIDENTIAL-${runId}`;
  const { accounts, spaces } = app.services;
  const password = `load check password ${runId}`;
  const make = async (name: string, role: 'member' | 'moderator' | 'admin' = 'member'): Promise<{ member: LoadMember; viewer: MemberViewer }> => {
    const handle = `${name}${runId}`.slice(0, 30);
    const { user, cookie } = await accounts.register({ handle, displayName: `Load ${name}`, email: `${handle}@example.org`, password }, 'load-check');
    if (cookie) await accounts.sessions.invalidate(cookie.value);
    // Trust level 1: past the newcomers' pre-moderation, so every acknowledged post is published.
    await db.update(users).set({ role, trustLevel: 1 }).where(eq(users.id, user.id));
    const viewer = userToViewer({ ...user, role, trustLevel: 1 });
    const { token } = await accounts.createApiToken(viewer, 'load check');
    return { member: { id: user.id, handle, token }, viewer };
  };
  const admin = await make('ladmin', 'admin');
  // Two clients share each member, so their edits of the same post race and some must be refused.
  const posterCount = Math.max(2, Math.ceil(options.clients / 2));
  const posters: LoadMember[] = [];
  for (let i = 0; i < posterCount; i++) posters.push((await make(`lp${i}x`)).member);
  const moderator = await make('lmod', 'moderator');
  const strangerModerator = await make('lsmod', 'moderator');
  const stranger = await make('lstr');

  const open = await spaces.createSpace(admin.viewer, { name: `Load open ${runId}`, description: 'load check' });
  const closed = await spaces.createSpace(admin.viewer, { name: `Load closed ${runId}`, description: 'load check', level: 'confidential', joinPolicy: 'invite' });
  const boardRows: LoadFixtures['boards'] = [];
  for (const [space, confidential] of [[open, false], [open, false], [closed, true]] as const) {
    const board = await spaces.createBoard(admin.viewer, space.id, { name: `Board ${tag()}`, description: '' });
    boardRows.push({ id: board.id, confidential });
  }
  await db
    .insert(spaceMembers)
    .values([
      ...posters.map((p) => ({ spaceId: closed.id, userId: p.id, status: 'active' as const, rulesAcceptedVersion: closed.rulesVersion })),
      { spaceId: closed.id, userId: moderator.member.id, role: 'moderator' as const, status: 'active' as const, rulesAcceptedVersion: closed.rulesVersion },
    ]);
  const sessionCookie = async (who: { member: LoadMember }) => {
    const { cookie } = await accounts.signIn(who.member.handle, password, 'load-check');
    return `${cookie.name}=${cookie.value}`;
  };
  return {
    runId,
    secret,
    posters,
    moderator: moderator.member,
    outsiders: [
      { name: 'anonymous' },
      { name: 'a member who is not in the space', authorization: `Bearer ${stranger.member.token}`, cookie: await sessionCookie(stranger) },
      { name: 'a site moderator who is not in the space', authorization: `Bearer ${strangerModerator.member.token}`, cookie: await sessionCookie(strangerModerator) },
    ],
    boards: boardRows,
  };
}

interface Answer {
  status: number;
  text: string;
}

async function request(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, text: await response.text() };
}

function outcomeOf(answer: Answer | Error): Outcome {
  if (answer instanceof Error) return { kind: 'unknown', error: answer.message };
  if (answer.status >= 200 && answer.status < 300) return { kind: 'ack', status: answer.status };
  // A 5xx may come from a process dying half-way: the write's fate is unknown, not refused.
  if (answer.status >= 500) return { kind: 'unknown', error: `status ${answer.status}` };
  return { kind: 'refused', status: answer.status };
}

const attempt = (promise: Promise<Answer>) => promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

/** Runs the clients, the moderator and the outsiders against `baseUrl` for `seconds`. */
export async function driveLoad(baseUrl: string, fixtures: LoadFixtures, options: LoadOptions): Promise<LoadLedger> {
  const ledger: LoadLedger = { threads: [], replies: [], edits: [], flags: [], decisions: [], retried: 0, conflicts: 0, probes: 0, violations: [] };
  const deadline = Date.now() + options.seconds * 1000;
  const hardDeadline = Date.now() + options.seconds * 4000;
  const acked = (writes: WriteBase[]) => writes.filter((w) => w.outcome.kind === 'ack').length;
  const enough = () => {
    const minimum = options.atLeast ?? 0;
    if (minimum === 0) return true;
    const both = ledger.threads.some((t) => t.confidential && t.outcome.kind === 'ack') && ledger.threads.some((t) => !t.confidential && t.outcome.kind === 'ack');
    return both && ledger.retried > 0 && [ledger.threads, ledger.replies, ledger.edits, ledger.flags].every((writes) => acked(writes) >= minimum);
  };
  const running = () => !options.signal?.aborted && (Date.now() < deadline || (Date.now() < hardDeadline && !enough()));
  // What the clients know exists: acknowledged threads and posts (with the board's confidentiality).
  const knownThreads: { id: number; confidential: boolean }[] = [];
  const knownPosts: { id: number; author: string; confidential: boolean; threadId: number }[] = [];
  let sequence = 0;
  const text = (confidential: boolean, what: string) => `${what} ${++sequence} of run ${fixtures.runId} [load:${fixtures.runId}:${sequence}]${confidential ? ` ${fixtures.secret}` : ''}`;

  const client = async (index: number) => {
    const member = fixtures.posters[index % fixtures.posters.length]!;
    const auth = { authorization: `Bearer ${member.token}` };
    const revisions = new Map<number, number>();
    const send = async (method: string, path: string, body: unknown, retry: boolean) => {
      if (!retry) return [await attempt(request(baseUrl, method, path, auth, body))];
      ledger.retried++;
      return Promise.all([attempt(request(baseUrl, method, path, auth, body)), attempt(request(baseUrl, method, path, auth, body))]);
    };
    // One acknowledged answer is enough; two must name the same record (the retry found the first).
    const settle = (answers: (Answer | Error)[]) => {
      const acked = answers.filter((a): a is Answer => !(a instanceof Error) && a.status >= 200 && a.status < 300);
      return { outcome: acked[0] ? outcomeOf(acked[0]) : outcomeOf(answers.find((a) => !(a instanceof Error)) ?? answers[0]!), bodies: acked.map((a) => JSON.parse(a.text) as Record<string, unknown>) };
    };

    while (running()) {
      const roll = Math.random();
      if (roll < 0.15 || knownThreads.length === 0) {
        const board = pick(fixtures.boards)!;
        const body = text(board.confidential, 'Opening post');
        const key = `load-${fixtures.runId}-${tag()}`;
        const retry = Math.random() < 0.2;
        const { outcome, bodies } = settle(await send('POST', `/api/v1/boards/${board.id}/threads`, { title: `Load thread ${sequence}`, body, idempotencyKey: key }, retry));
        const ids = new Set(bodies.map((b) => `${b.threadId as number}/${b.postId as number}`));
        if (ids.size > 1) ledger.violations.push(`a retried thread submission (key ${key}) was answered with different threads or posts: ${[...ids].join(', ')}`);
        const threadId = bodies[0]?.threadId as number | undefined;
        const postId = bodies[0]?.postId as number | undefined;
        ledger.threads.push({ client: index, member: member.id, outcome, idempotencyKey: key, boardId: board.id, confidential: board.confidential, text: body, threadId, postId });
        if (threadId) knownThreads.push({ id: threadId, confidential: board.confidential });
        if (postId) {
          knownPosts.push({ id: postId, author: member.id, confidential: board.confidential, threadId: threadId! });
          revisions.set(postId, 1);
        }
      } else if (roll < 0.6) {
        const thread = pick(knownThreads)!;
        const body = text(thread.confidential, 'Reply');
        const key = `load-${fixtures.runId}-${tag()}`;
        const retry = Math.random() < 0.2;
        const { outcome, bodies } = settle(await send('POST', `/api/v1/threads/${thread.id}/posts`, { body, idempotencyKey: key }, retry));
        const ids = new Set(bodies.map((b) => b.postId as number));
        if (ids.size > 1) ledger.violations.push(`a retried reply (key ${key}) was answered with two different posts: ${[...ids].join(', ')}`);
        const postId = bodies[0]?.postId as number | undefined;
        ledger.replies.push({ client: index, member: member.id, outcome, idempotencyKey: key, threadId: thread.id, confidential: thread.confidential, text: body, postId });
        if (postId) {
          knownPosts.push({ id: postId, author: member.id, confidential: thread.confidential, threadId: thread.id });
          revisions.set(postId, 1);
        }
      } else if (roll < 0.85) {
        const own = knownPosts.filter((p) => p.author === member.id);
        const post = pick(own);
        if (!post) continue;
        const baseRevision = revisions.get(post.id) ?? 1;
        const body = text(post.confidential, 'Edited');
        const [answer] = await send('PATCH', `/api/v1/posts/${post.id}`, { body, baseRevision }, false);
        const outcome = outcomeOf(answer!);
        ledger.edits.push({ client: index, member: member.id, outcome, postId: post.id, baseRevision, text: body });
        if (outcome.kind === 'ack') revisions.set(post.id, baseRevision + 1);
        else if (outcome.kind === 'refused' && outcome.status === 409) {
          // Someone (the other client on this member) saved first: read the current revision, as the edit form would.
          ledger.conflicts++;
          const current = await attempt(request(baseUrl, 'GET', `/api/v1/posts/${post.id}`, auth));
          if (!(current instanceof Error) && current.status === 200) revisions.set(post.id, (JSON.parse(current.text) as { revision: number }).revision);
        }
      } else {
        const post = pick(knownPosts.filter((p) => p.author !== member.id));
        if (!post) continue;
        const [answer] = await send('POST', `/api/v1/posts/${post.id}/flags`, { reason: 'off_topic', note: `load ${fixtures.runId}` }, false);
        const outcome = outcomeOf(answer!);
        const flagId = outcome.kind === 'ack' ? ((JSON.parse((answer as Answer).text) as { flagId: number }).flagId) : undefined;
        ledger.flags.push({ client: index, member: member.id, outcome, postId: post.id, flagId });
      }
    }
  };

  const moderator = async () => {
    const auth = { authorization: `Bearer ${fixtures.moderator.token}` };
    while (running()) {
      const queue = await attempt(request(baseUrl, 'GET', '/api/v1/mod/queue?sort=age', auth));
      if (queue instanceof Error || queue.status !== 200) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const items = (JSON.parse(queue.text) as { items: { id: number; kind: string }[] }).items.filter((item) => item.kind === 'flagged').slice(0, 3);
      if (items.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      for (const item of items) {
        if (!running()) break;
        const decision = Math.random() < 0.2 ? 'hide' : Math.random() < 0.5 ? 'keep' : 'dismiss';
        const answer = await attempt(request(baseUrl, 'POST', `/api/v1/mod/queue/${item.id}/decision`, auth, { decision, reason: 'load check' }));
        ledger.decisions.push({ client: -1, member: fixtures.moderator.id, outcome: outcomeOf(answer), itemId: item.id, decision });
      }
    }
  };

  const prober = async () => {
    while (running()) {
      const found = await probeOutsiders(baseUrl, fixtures, knownThreads.filter((t) => t.confidential).slice(-5), knownPosts.filter((p) => p.confidential).slice(-5));
      ledger.probes += found.probes;
      ledger.violations.push(...found.violations);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const progress = setInterval(() => options.log?.(`  ${ledger.threads.length} threads, ${ledger.replies.length} replies, ${ledger.edits.length} edits, ${ledger.flags.length} flags, ${ledger.decisions.length} decisions so far`), 5_000);
  try {
    await Promise.all([...Array.from({ length: options.clients }, (_, i) => client(i)), moderator(), prober()]);
  } finally {
    clearInterval(progress);
  }
  return ledger;
}

/**
 * Outsiders (anonymous, a member not in the space, a site moderator not in the space) ask for the
 * confidential threads and posts, through the API and the pages, and for the lists that might
 * mention them: any 200 for a confidential record, or the secret anywhere, is a violation.
 */
export async function probeOutsiders(
  baseUrl: string,
  fixtures: LoadFixtures,
  confidentialThreads: { id: number }[],
  confidentialPosts: { id: number }[],
): Promise<{ probes: number; violations: string[] }> {
  const violations: string[] = [];
  let probes = 0;
  const confidentialBoard = fixtures.boards.find((b) => b.confidential)!;
  for (const outsider of fixtures.outsiders) {
    const api: Record<string, string> = outsider.authorization ? { authorization: outsider.authorization } : {};
    const page: Record<string, string> = outsider.cookie ? { cookie: outsider.cookie } : {};
    const targets: { path: string; headers: Record<string, string>; mustNotBe200: boolean }[] = [
      ...confidentialThreads.flatMap((t) => [
        { path: `/api/v1/threads/${t.id}`, headers: api, mustNotBe200: true },
        { path: `/t/${t.id}`, headers: page, mustNotBe200: true },
      ]),
      ...confidentialPosts.flatMap((p) => [
        { path: `/api/v1/posts/${p.id}`, headers: api, mustNotBe200: true },
        { path: `/api/v1/posts/${p.id}/revisions`, headers: api, mustNotBe200: true },
        { path: `/p/${p.id}`, headers: page, mustNotBe200: true },
      ]),
      { path: `/api/v1/boards/${confidentialBoard.id}/threads`, headers: api, mustNotBe200: true },
      { path: '/api/v1/latest', headers: api, mustNotBe200: false },
      { path: '/', headers: page, mustNotBe200: false },
      ...(outsider.name.includes('moderator') ? [{ path: '/api/v1/mod/queue', headers: api, mustNotBe200: false }, { path: '/mod/queue', headers: page, mustNotBe200: false }] : []),
    ];
    for (const target of targets) {
      const answer = await attempt(request(baseUrl, 'GET', target.path, target.headers));
      if (answer instanceof Error) continue; // the server may be down (crash test); nothing was shown
      probes++;
      if (target.mustNotBe200 && answer.status === 200) violations.push(`${outsider.name} got 200 for ${target.path}`);
      if (answer.text.includes(fixtures.secret)) violations.push(`${outsider.name} was shown confidential text at ${target.path} (status ${answer.status})`);
    }
  }
  return { probes, violations };
}

/** Every check on the rows after the run; `baseUrl` (a running server) adds the outsiders' probes once more. */
export async function verifyLoad(db: Database, fixtures: LoadFixtures, ledger: LoadLedger, baseUrl?: string): Promise<string[]> {
  const violations: string[] = [];
  const memberIds = fixtures.posters.map((p) => p.id);
  const rows = memberIds.length
    ? await db
        .select({ id: posts.id, threadId: posts.threadId, number: posts.number, authorId: posts.authorId, key: posts.idempotencyKey, body: posts.bodySource, revision: posts.revision })
        .from(posts)
        .where(inArray(posts.authorId, memberIds))
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byKey = new Map<string, typeof rows>();
  for (const row of rows) if (row.key) byKey.set(`${row.authorId}|${row.key}`, [...(byKey.get(`${row.authorId}|${row.key}`) ?? []), row]);
  const history = rows.length
    ? await db
        .select({ postId: postRevisions.postId, revision: postRevisions.revision, body: postRevisions.bodySource })
        .from(postRevisions)
        .where(inArray(postRevisions.postId, rows.map((r) => r.id)))
    : [];
  // Each post's text at each revision: the saved history plus the current body.
  const versions = new Map<number, Map<number, string>>();
  for (const h of history) versions.set(h.postId, (versions.get(h.postId) ?? new Map<number, string>()).set(h.revision, h.body));
  for (const r of rows) versions.set(r.id, (versions.get(r.id) ?? new Map<number, string>()).set(r.revision, r.body));
  const firstText = (postId: number) => versions.get(postId)?.get(1);

  const threadRows = await db
    .select({ id: threads.id, boardId: threads.boardId, key: threads.idempotencyKey, authorId: threads.authorId })
    .from(threads)
    .where(inArray(threads.boardId, fixtures.boards.map((b) => b.id)));
  const threadsByKey = new Map<string, number[]>();
  for (const t of threadRows) if (t.key) threadsByKey.set(`${t.authorId}|${t.key}`, [...(threadsByKey.get(`${t.authorId}|${t.key}`) ?? []), t.id]);

  for (const write of ledger.threads) {
    const found = threadsByKey.get(`${write.member}|${write.idempotencyKey}`) ?? [];
    if (found.length > 1) violations.push(`thread submission ${write.idempotencyKey} is stored ${found.length} times`);
    if (write.outcome.kind === 'ack') {
      if (found.length !== 1 || found[0] !== write.threadId) violations.push(`acknowledged thread ${write.threadId} (key ${write.idempotencyKey}) is not stored exactly once`);
      const opening = rows.find((r) => r.threadId === write.threadId && r.number === 1);
      if (!opening || firstText(opening.id) !== write.text) violations.push(`acknowledged thread ${write.threadId} has no opening post with the text it was sent`);
    } else if (write.outcome.kind === 'refused' && found.length > 0) {
      violations.push(`thread submission ${write.idempotencyKey} was refused (${write.outcome.status}) but stored as thread ${found[0]}`);
    }
  }
  for (const write of ledger.replies) {
    const found = byKey.get(`${write.member}|${write.idempotencyKey}`) ?? [];
    if (found.length > 1) violations.push(`reply ${write.idempotencyKey} is stored ${found.length} times`);
    if (write.outcome.kind === 'ack') {
      const row = write.postId ? byId.get(write.postId) : undefined;
      if (found.length !== 1 || !row || row.threadId !== write.threadId || firstText(row.id) !== write.text) {
        violations.push(`acknowledged reply ${write.postId} (key ${write.idempotencyKey}) is not stored exactly once with its text in thread ${write.threadId}`);
      }
    } else if (write.outcome.kind === 'refused' && found.length > 0) {
      violations.push(`reply ${write.idempotencyKey} was refused (${write.outcome.status}) but stored as post ${found[0]!.id}`);
    }
  }
  // Edits: each acknowledged one is the text of exactly the revision it created, and a post's
  // current text is its highest acknowledged edit unless an edit of unknown fate went in after it.
  const editsByPost = new Map<number, EditWrite[]>();
  for (const edit of ledger.edits) editsByPost.set(edit.postId, [...(editsByPost.get(edit.postId) ?? []), edit]);
  for (const [postId, edits] of editsByPost) {
    const row = byId.get(postId);
    const texts = versions.get(postId) ?? new Map<number, string>();
    for (const edit of edits) {
      const stored = [...texts.values()].filter((body) => body === edit.text).length;
      if (edit.outcome.kind === 'ack' && (texts.get(edit.baseRevision + 1) !== edit.text || stored !== 1)) {
        violations.push(`acknowledged edit of post ${postId} (from revision ${edit.baseRevision}) is not revision ${edit.baseRevision + 1} exactly once`);
      }
      if (edit.outcome.kind === 'refused' && stored > 0) violations.push(`edit of post ${postId} was refused (${edit.outcome.status}) but its text is stored`);
    }
    const acked = edits.filter((e) => e.outcome.kind === 'ack').sort((a, b) => b.baseRevision - a.baseRevision)[0];
    const unknownAfter = edits.some((e) => e.outcome.kind === 'unknown' && (!acked || e.baseRevision >= acked.baseRevision + 1));
    if (row && acked && !unknownAfter && (row.revision !== acked.baseRevision + 1 || row.body !== acked.text)) {
      violations.push(`post ${postId} reads revision ${row.revision}, not the last acknowledged edit (revision ${acked.baseRevision + 1})`);
    }
    if (row && texts.size !== row.revision) violations.push(`post ${postId} is at revision ${row.revision} but ${texts.size} versions are stored`);
  }
  const flagged = ledger.flags.filter((f) => f.outcome.kind === 'ack').map((f) => f.flagId!);
  if (flagged.length) {
    const stored = await db
      .select({ id: flags.id, item: reviewItems.id })
      .from(flags)
      .leftJoin(reviewItems, eq(reviewItems.id, flags.itemId))
      .where(inArray(flags.id, flagged));
    if (stored.length !== new Set(flagged).size) violations.push(`${new Set(flagged).size - stored.length} acknowledged flags are missing`);
    // A flag is written with its review item in one transaction: one without the other is half a write.
    const orphans = stored.filter((flag) => flag.item === null).map((flag) => flag.id);
    if (orphans.length) violations.push(`flags without their review item: ${orphans.join(', ')}`);
  }
  const decided = ledger.decisions.filter((d) => d.outcome.kind === 'ack').map((d) => d.itemId);
  if (decided.length) {
    const stored = await db.select({ id: reviewItems.id, status: reviewItems.status }).from(reviewItems).where(inArray(reviewItems.id, decided));
    const open = stored.filter((item) => item.status === 'open').map((item) => item.id);
    if (stored.length !== new Set(decided).size || open.length) violations.push(`acknowledged decisions whose review items are missing or still open: ${open.join(', ') || '(missing)'}`);
  }

  violations.push(...(await recountViolations(db, fixtures.boards.map((b) => b.id))));
  if (baseUrl) {
    const confidentialBoard = fixtures.boards.find((b) => b.confidential)!.id;
    const secretThreads = threadRows.filter((t) => t.boardId === confidentialBoard);
    const secretPosts = rows.filter((r) => secretThreads.some((t) => t.id === r.threadId));
    const found = await probeOutsiders(baseUrl, fixtures, secretThreads.slice(-20), secretPosts.slice(-20));
    violations.push(...found.violations);
  }
  return violations;
}

/**
 * Counters against a recount from the rows: a thread's post_count is the highest post number it
 * handed out and (nothing is held in the load) its number of posts, its last post is its newest
 * post; a board's thread and post counts are its rows. A post must never be without its thread's activity.
 */
export async function recountViolations(db: Database, boardIds: number[]): Promise<string[]> {
  if (boardIds.length === 0) return [];
  const violations: string[] = [];
  const ids = sql.join(boardIds.map((id) => sql`${id}`), sql`, `);
  const threadDrift = rowsOf<{ id: number; post_count: number; numbers: number; posts: number; last_post_at: string; newest: string; last_author: string; newest_author: string }>(await db.execute(sql`
    select t.id, t.post_count, coalesce(max(p.number), 0)::integer as numbers, count(p.id)::integer as posts,
           t.last_post_at::text as last_post_at, max(p.created_at)::text as newest,
           t.last_post_author_id as last_author,
           (select p2.author_id from ${posts} p2 where p2.thread_id = t.id order by p2.number desc limit 1) as newest_author
    from ${threads} t left join ${posts} p on p.thread_id = t.id
    where t.board_id in (${ids})
    group by t.id
    having t.post_count <> coalesce(max(p.number), 0) or t.post_count <> count(p.id)
        or t.last_post_at is distinct from max(p.created_at)
        or t.last_post_author_id is distinct from (select p2.author_id from ${posts} p2 where p2.thread_id = t.id order by p2.number desc limit 1)`));
  for (const row of threadDrift) {
    violations.push(`thread ${row.id}: post_count ${row.post_count}, highest number ${row.numbers}, ${row.posts} posts; last post ${row.last_post_at} by ${row.last_author}, newest ${row.newest} by ${row.newest_author}`);
  }
  const boardDrift = rowsOf<{ id: number; thread_count: number; threads: number; post_count: number; posts: number; last_post_at: string | null; newest: string | null }>(await db.execute(sql`
    select b.id, b.thread_count, b.post_count, b.last_post_at::text as last_post_at,
           (select count(*) from ${threads} t where t.board_id = b.id)::integer as threads,
           (select count(*) from ${posts} p join ${threads} t on t.id = p.thread_id where t.board_id = b.id)::integer as posts,
           (select max(p.created_at) from ${posts} p join ${threads} t on t.id = p.thread_id where t.board_id = b.id)::text as newest
    from ${boards} b where b.id in (${ids})`));
  for (const row of boardDrift) {
    if (row.thread_count !== row.threads || row.post_count !== row.posts) {
      violations.push(`board ${row.id}: thread_count ${row.thread_count} for ${row.threads} threads, post_count ${row.post_count} for ${row.posts} posts`);
    }
    if (row.last_post_at !== row.newest) violations.push(`board ${row.id}: last post at ${row.last_post_at}, but its newest post was written at ${row.newest}`);
  }
  return violations;
}

/** drizzle's `execute` answers with `{ rows }` on node-postgres and PGlite alike; typed loosely by the drivers. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

export interface LoadSummary {
  fixtures: LoadFixtures;
  ledger: LoadLedger;
  violations: string[];
  text: string;
}

export function summarise(fixtures: LoadFixtures, ledger: LoadLedger, violations: string[], seconds: number): LoadSummary {
  const count = (writes: WriteBase[]) => {
    const by = { ack: 0, refused: 0, unknown: 0 };
    const statuses = new Map<number, number>();
    for (const w of writes) {
      by[w.outcome.kind]++;
      if (w.outcome.kind === 'refused') statuses.set(w.outcome.status, (statuses.get(w.outcome.status) ?? 0) + 1);
    }
    const refusals = [...statuses].map(([status, n]) => `${n}× ${status}`).join(', ');
    return `${by.ack} acknowledged, ${by.refused} refused${refusals ? ` (${refusals})` : ''}, ${by.unknown} unknown`;
  };
  const all = [...ledger.violations, ...violations];
  const lines = [
    `Load check over ${seconds} s:`,
    `  threads   ${count(ledger.threads)}`,
    `  replies   ${count(ledger.replies)}`,
    `  edits     ${count(ledger.edits)} (${ledger.conflicts} conflicts answered 409)`,
    `  flags     ${count(ledger.flags)}`,
    `  decisions ${count(ledger.decisions)}`,
    `  ${ledger.retried} submissions sent twice at once with one idempotency key; ${ledger.probes} outsider requests for confidential content`,
    all.length === 0 ? 'No violations: every acknowledged write is stored exactly once, counters match a recount, nothing confidential reached an outsider.' : `${all.length} VIOLATIONS:`,
    ...all.slice(0, 50).map((v) => `  - ${v}`),
  ];
  return { fixtures, ledger, violations: all, text: lines.join('\n') };
}

/** The whole check against a server at `baseUrl` whose database the caller can also reach. */
export async function runLoadCheck(app: Pick<App, 'services'>, db: Database, baseUrl: string, options: LoadOptions): Promise<LoadSummary> {
  const fixtures = await prepareLoad(app, db, options);
  const ledger = await driveLoad(baseUrl, fixtures, options);
  const violations = await verifyLoad(db, fixtures, ledger, baseUrl);
  return summarise(fixtures, ledger, violations, options.seconds);
}

