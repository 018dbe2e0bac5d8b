import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { notifications, outboxMessages, users } from '../../db/schema/index.ts';
import { activityDigestItem, activityNotification, type Activity } from '../../server/mail/notification-content.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { crawl, fetcherFor, withoutEcho, type Exchange, type Fetcher } from '../helpers/crawl.ts';
import { createMember, PASSWORD, type TestMember } from '../helpers/factories.ts';
import { eventually, outboxTo } from '../helpers/mail.ts';

/*
 * The sweep (issue 3): a confidential space whose every name, text, old revision, ground rules and
 * the handle of a member who posts only there carry unique markers. Every kind of outsider then
 * (a) crawls every page reachable from the obvious starting points with their browser session,
 * (b) calls every GET route of the OpenAPI document with their token, path parameters filled with
 * every id, slug and handle the seed knows (the confidential ones included), and (c) asks for
 * every confidential URL directly, GET and HEAD. No marker may appear in any body or header, and
 * the confidential URLs answer 404 (never 403) — exactly as a URL that never existed does.
 *
 * An active member who accepted the rules runs the same sweep and must find every marker, so a
 * sweep that reaches nothing cannot pass. Everything is built through app.services, no mocks.
 */

/** Unique strings, two digits so none is a prefix of another; searched case-insensitively (slugs are lower case). */
const M = {
  spaceName: 'SWEEPMARK01',
  description: 'SWEEPMARK02',
  rules: 'SWEEPMARK03',
  boardA: 'SWEEPMARK04',
  boardB: 'SWEEPMARK05',
  threadTitle: 'SWEEPMARK06',
  threadBTitle: 'SWEEPMARK07',
  openingNow: 'SWEEPMARK08',
  /** The opening post's first version: only in its revision history. */
  openingOld: 'SWEEPMARK09',
  /** Handle (and so display name) of a member who posts only in the confidential space. */
  quietHandle: 'SWEEPMARK10',
  quietReply: 'SWEEPMARK11',
  /** A reply that @mentions the signed-in outsider. */
  mentionReply: 'SWEEPMARK12',
  threadBBody: 'SWEEPMARK13',
  /** Written by the member removed later, and by the member banned later. */
  removedAuthorReply: 'SWEEPMARK14',
  bannedAuthorReply: 'SWEEPMARK15',
  /** The thread's title before it was edited: only in the revision history. */
  titleOld: 'SWEEPMARK17',
  /** A post its author removed: nobody may read it any more, members included. */
  removedPost: 'SWEEPMARK16',
  /** A blog entry readable by the confidential space's members only: title (and so slug), body, tag, a comment. */
  entryTitle: 'SWEEPMARK18',
  entryBody: 'SWEEPMARK19',
  entryComment: 'SWEEPMARK20',
  entryTag: 'SWEEPMARK21',
  /** The insider's own draft (public once published, but not yet): theirs alone. */
  draftEntry: 'SWEEPMARK22',
  /** A comment on the entry by the member removed later (they then followed the entry). */
  entryCommentEarly: 'SWEEPMARK23',
  /** A reply the insider started in the confidential thread and has not posted: theirs alone. */
  insiderDraft: 'SWEEPMARK24',
  /** A reply the member removed later had started there: nobody reads it, its writer included. */
  removedDraft: 'SWEEPMARK25',
  /** A new thread the insider started writing on a confidential board (title and text): theirs alone. */
  insiderThreadDraft: 'SWEEPMARK26',
  /** The same by the member removed later: nobody reads it. */
  removedThreadDraft: 'SWEEPMARK27',
} as const;
type Label = keyof typeof M;
const LABEL_OF = new Map<string, Label>(Object.entries(M).map(([label, marker]) => [marker, label as Label]));
const MARKER_PATTERN = /SWEEPMARK\d\d/gi;

function markersIn(text: string): Label[] {
  const found = new Set<Label>();
  for (const match of text.matchAll(MARKER_PATTERN)) {
    const label = LABEL_OF.get(match[0].toUpperCase());
    if (!label) throw new Error(`unknown marker ${match[0]}`);
    found.add(label);
  }
  return [...found];
}

const OUTSIDERS = ['anonymous', 'nonMember', 'invited', 'removed', 'banned', 'otherSpaceMember', 'siteModerator', 'siteAdmin'] as const;
type Outsider = (typeof OUTSIDERS)[number];
type ViewerKind = Outsider | 'insider';

const MAX_CRAWL = 400;

let app: TestApp;
const people = {} as Record<Exclude<ViewerKind, 'anonymous'> | 'operator' | 'regular' | 'owner' | 'quiet' | 'otherOwner', TestMember>;
const seed = {
  ids: new Set<number>(),
  slugs: new Set<string>(),
  handles: new Set<string>(),
  conf: {} as {
    spaceId: number;
    slug: string;
    boards: { id: number; slug: string }[];
    threads: { id: number; slug: string; oldSlug?: string }[];
    /** Every post, with the index in `threads` of its thread. */
    posts: { id: number; thread: number }[];
    removedPostId: number;
    entry: { id: number; slug: string; handle: string; commentIds: number[] };
    draftId: number;
  },
  publicThreadId: 0,
};

const cookies = new Map<string, Record<string, string>>();

/** A browser session for `member`, made the way the sign-in form makes it (once per member: argon2 is slow). */
async function cookieOf(member: TestMember): Promise<Record<string, string>> {
  if (!cookies.has(member.handle)) {
    const { cookie } = await app.services.accounts.signIn(member.handle, PASSWORD, 'sweep');
    cookies.set(member.handle, { [cookie.name]: cookie.value });
  }
  return cookies.get(member.handle)!;
}

async function seedCommunity() {
  const { spaces, forum, membership } = app.services;
  people.operator = await createMember(app, { role: 'admin' });
  people.regular = await createMember(app);
  people.owner = await createMember(app);
  people.quiet = await createMember(app, { handle: `${M.quietHandle.toLowerCase()}-quiet` });
  people.insider = await createMember(app);
  people.nonMember = await createMember(app);
  people.invited = await createMember(app);
  people.removed = await createMember(app);
  people.banned = await createMember(app);
  people.otherOwner = await createMember(app);
  people.otherSpaceMember = await createMember(app);
  people.siteModerator = await createMember(app, { role: 'moderator' });
  people.siteAdmin = await createMember(app, { role: 'admin' });
  for (const p of Object.values(people)) seed.handles.add(p.handle);

  // Ordinary public and members-only content.
  const open = await spaces.createSpace(people.operator.viewer, { name: 'Open Ward', description: 'Anyone may read along.' });
  const general = await spaces.createBoard(people.operator.viewer, open.id, { name: 'General', description: 'Everything else.' });
  const lounge = await spaces.createSpace(people.operator.viewer, { name: 'Residents Room', description: 'Members of Rounds only.', level: 'members' });
  const rota = await spaces.createBoard(people.operator.viewer, lounge.id, { name: 'Rota', description: 'Swaps and cover.' });
  const handover = await forum.createThread(people.regular.viewer, { boardId: general.id, title: 'Handover tips', body: 'Use SBAR for every hand-off.' });
  await forum.reply(people.insider.viewer, handover.threadId, { body: 'We read it back aloud.' });
  const swaps = await forum.createThread(people.regular.viewer, { boardId: rota.id, title: 'Swap for Friday', body: 'Anyone free on Friday night?' });
  await forum.reply(people.insider.viewer, swaps.threadId, { body: 'I can take it.' });

  // The confidential space, its boards, members and content.
  const conf = await spaces.createSpace(people.owner.viewer, {
    name: `Balint circle ${M.spaceName}`,
    description: `Eight colleagues, every three weeks. ${M.description}`,
    level: 'confidential',
    joinPolicy: 'invite',
    rules: `Everything said here stays here.\n\n- Consistency\n- Accountability ${M.rules}`,
  });
  const boardA = await spaces.createBoard(people.owner.viewer, conf.id, { name: `Cases ${M.boardA}`, description: '' });
  const boardB = await spaces.createBoard(people.owner.viewer, conf.id, { name: `Wellbeing ${M.boardB}`, description: 'How we are doing.' });
  for (const who of ['quiet', 'insider', 'removed', 'banned'] as const) {
    await membership.inviteByHandle(people.owner.viewer, conf.id, people[who].handle);
    await membership.acceptInvitation(people[who].viewer, conf.id);
    await membership.acceptRules(people[who].viewer, conf.id, 1);
  }
  await membership.inviteByHandle(people.owner.viewer, conf.id, people.invited.handle);

  const threadA = await forum.createThread(people.owner.viewer, { boardId: boardA.id, title: `Night shift ${M.titleOld}`, body: `A case that stays with me. ${M.openingOld}` });
  const edited = await forum.edit(people.owner.viewer, threadA.postId, { title: `Night shift ${M.threadTitle}`, body: `A case that stays with me, revised. ${M.openingNow}`, baseRevision: 1 });
  const replies = [
    await forum.reply(people.quiet.viewer, threadA.threadId, { body: `Thank you for sharing. ${M.quietReply}`, replyToPostId: threadA.postId }),
    await forum.reply(people.insider.viewer, threadA.threadId, {
      body: `${M.mentionReply} — cc @${people.nonMember.handle}, who is not in this group, and @${people.removed.handle} and @${people.banned.handle}, who are (for now).`,
    }),
    await forum.reply(people.removed.viewer, threadA.threadId, { body: `Written before I was removed. ${M.removedAuthorReply}` }),
    await forum.reply(people.banned.viewer, threadA.threadId, { body: `Written before I was banned. ${M.bannedAuthorReply}` }),
  ];
  const gone = await forum.reply(people.insider.viewer, threadA.threadId, { body: `Said too much. ${M.removedPost}` });
  await forum.remove(people.insider.viewer, gone.postId);
  // After their posts there: posting in a thread ends its writer's draft.
  await forum.saveReplyDraft(people.insider.viewer, threadA.threadId, { body: `Not ready to say this yet. ${M.insiderDraft}` });
  await forum.saveReplyDraft(people.removed.viewer, threadA.threadId, { body: `Unsent, before I was removed. ${M.removedDraft}` });
  await forum.saveThreadDraft(people.insider.viewer, boardA.id, { title: `Next meeting ${M.insiderThreadDraft}`, body: `Agenda. ${M.insiderThreadDraft}` });
  await forum.saveThreadDraft(people.removed.viewer, boardA.id, { title: `My last case ${M.removedThreadDraft}`, body: `Unsent. ${M.removedThreadDraft}` });
  const threadB = await forum.createThread(people.quiet.viewer, { boardId: boardB.id, title: `Burnout ${M.threadBTitle}`, body: `How I noticed it. ${M.threadBBody}` });

  // Two members of the confidential space want notification e-mails (see E-mail below).
  for (const [who, choice] of [['insider', 'immediately'], ['quiet', 'daily']] as const) {
    await app.database.db.update(users).set({ emailVerifiedAt: new Date(), emailNotifications: choice }).where(eq(users.id, people[who].viewer.id));
  }

  // Blog entries: one for the confidential space's readers only, with comments; and a draft. Written
  // before the removal below: the member removed later commented first, so the later comment
  // notified them (they follow the entry) and the entry's author — the removed member's
  // notification must vanish with their access, and the author's e-mail must say nothing.
  const { blogs } = app.services;
  const entry = await blogs.createDraft(people.insider.viewer, {
    title: `A reflection ${M.entryTitle}`,
    body: `## What happened\n\nIt stayed with me. ${M.entryBody}`,
    summary: `In brief: ${M.entryBody}`,
    tags: [M.entryTag],
    visibility: 'space',
    spaceId: conf.id,
  });
  await blogs.publish(people.insider.viewer, entry.id);
  const earlyComment = await blogs.addComment(people.removed.viewer, entry.id, { body: `I know this feeling. ${M.entryCommentEarly}` });
  const entryComment = await blogs.addComment(people.quiet.viewer, entry.id, { body: `Thank you for writing this. ${M.entryComment}` });
  const draft = await blogs.createDraft(people.insider.viewer, { title: `Not yet ${M.draftEntry}`, body: `Half a thought. ${M.draftEntry}` });
  // A public entry, so the blog pages and feeds have something to show.
  const publicEntry = await blogs.createDraft(people.regular.viewer, { title: 'Handover, revisited', body: 'SBAR, again.', tags: 'handover' });
  await blogs.publish(people.regular.viewer, publicEntry.id);

  await membership.decide(people.owner.viewer, conf.id, people.removed.handle, 'remove');
  await membership.decide(people.owner.viewer, conf.id, people.banned.handle, 'ban');
  // An open invitation link and a pending lowering, so those paths exist too.
  const link = await membership.createInvitationLink(people.owner.viewer, conf.id);
  const lowering = await membership.changeLevel(people.owner.viewer, conf.id, 'members');
  expect(lowering.applied).toBe(false);

  // Another confidential space, whose member is an outsider to the first.
  const other = await spaces.createSpace(people.otherOwner.viewer, { name: 'Other peer group', description: 'Another circle.', level: 'confidential', rules: 'Keep it here.' });
  const otherBoard = await spaces.createBoard(people.otherOwner.viewer, other.id, { name: 'Talk', description: '' });
  await membership.inviteByHandle(people.otherOwner.viewer, other.id, people.otherSpaceMember.handle);
  await membership.acceptInvitation(people.otherSpaceMember.viewer, other.id);
  await membership.acceptRules(people.otherSpaceMember.viewer, other.id, 1);
  const otherThread = await forum.createThread(people.otherSpaceMember.viewer, { boardId: otherBoard.id, title: 'Other group talk', body: 'Nothing to see from outside.' });

  // A member of both pastes links to confidential posts into a public thread: bare links, no preview.
  const posts = [...[threadA.postId, ...replies.map((r) => r.postId), gone.postId].map((id) => ({ id, thread: 0 })), { id: threadB.postId, thread: 1 }];
  const pasted = await forum.createThread(people.insider.viewer, {
    boardId: general.id,
    title: 'Links from elsewhere',
    body: `See [this post](/p/${replies[0]!.postId}), [that thread](/t/${threadA.threadId}) and ${app.config.publicUrl}/p/${threadB.postId} for context.`,
  });
  seed.publicThreadId = pasted.threadId;

  // E-mail (issue 6): two members of the confidential space asked for notification e-mails (above,
  // before the comments on the insider's entry); what the composer makes of the space's activity
  // lands in the outbox, which the site admin crawls.
  const confActivity = (postId: number, headline: string, excerpt: string): Activity => ({
    space: { level: 'confidential', name: conf.name },
    headline,
    excerpt,
    url: `/t/${threadA.threadId}/${edited.slug}`,
    target: { postId },
  });
  await app.services.mail.queueNotificationEmail(
    people.insider.viewer.id,
    activityNotification(confActivity(replies[0]!.postId, `${people.quiet.viewer.displayName} replied to “Night shift ${M.threadTitle}” in ${M.boardA}`, M.quietReply)),
  );
  await app.services.mail.queueDigest(people.quiet.viewer.id, [
    activityDigestItem(confActivity(replies[1]!.postId, `A reply in “Night shift ${M.threadTitle}”`, M.mentionReply)),
    activityDigestItem(confActivity(threadB.postId, `New thread “Burnout ${M.threadBTitle}” in ${M.boardB}`, M.threadBBody)),
  ]);

  seed.conf = {
    spaceId: conf.id,
    slug: conf.slug,
    boards: [boardA, boardB].map((b) => ({ id: b.id, slug: b.slug })),
    threads: [
      { id: threadA.threadId, slug: edited.slug, oldSlug: threadA.slug },
      { id: threadB.threadId, slug: threadB.slug },
    ],
    posts,
    removedPostId: gone.postId,
    entry: { id: entry.id, slug: entry.slug, handle: people.insider.handle, commentIds: [earlyComment.id, entryComment.id] },
    draftId: draft.id,
  };
  for (const id of [entry.id, earlyComment.id, entryComment.id, draft.id, publicEntry.id]) seed.ids.add(id);
  seed.slugs.add(entry.slug);
  expect(threadA.slug).not.toBe(edited.slug);

  for (const space of [open, lounge, conf, other]) {
    seed.ids.add(space.id);
    seed.slugs.add(space.slug);
  }
  for (const board of [general, rota, boardA, boardB, otherBoard]) {
    seed.ids.add(board.id);
    seed.slugs.add(board.slug);
  }
  for (const ref of [handover, swaps, threadA, threadB, otherThread, pasted]) {
    seed.ids.add(ref.threadId);
    seed.ids.add(ref.postId);
  }
  for (const post of posts) seed.ids.add(post.id);
  seed.ids.add(link.id);
  // Ids that never existed, as a control.
  seed.ids.add(999_999);
  seed.slugs.add('no-such-slug');
}

beforeAll(async () => {
  const started = Date.now();
  app = await createTestApp();
  const built = Date.now();
  await seedCommunity();
  console.log(`sweep setup: app ${built - started} ms, seed ${Date.now() - built} ms`);
}, 120_000);
afterAll(async () => app?.close());

// Who may legitimately see which marker where: each exception is part of the product's design.

function allowedMarkers(viewer: ViewerKind, url: string): Set<Label> {
  const path = decodeURIComponent(url.split('?')[0]!).toLowerCase();
  const allowed = new Set<Label>();
  // A request that itself names the quiet member's handle (their profile, or a sign-in link back
  // to it) may answer with it; their profile must still list none of their posts. Any page that
  // merely links to that profile is caught, since its own URL does not name the handle.
  if (decodeURIComponent(url).toLowerCase().includes(people.quiet.handle.toLowerCase())) allowed.add('quietHandle');
  // Someone invited by handle learns the space's name, description and ground rules, to decide.
  if (viewer === 'invited' && (path === '/invitations' || path === '/api/v1/invitations')) {
    allowed.add('spaceName').add('description').add('rules');
  }
  // …and is notified of the invitation by the space's name.
  if (viewer === 'invited' && (path === '/notifications' || path === '/api/v1/notifications')) allowed.add('spaceName');
  // The development outbox shows the admin every e-mail's recipient, the quiet member's own
  // verification e-mail included: that the account exists, never what it said or where.
  if (viewer === 'siteAdmin' && path.startsWith('/admin/outbox')) allowed.add('quietHandle');
  // Site admins see that a confidential space exists, by name, level and member count.
  if (viewer === 'siteAdmin' && (path === '/admin' || path === '/api/v1/governance/spaces')) allowed.add('spaceName');
  return allowed;
}

interface Leak {
  channel: string;
  request: string;
  status: number;
  where: 'body' | 'headers';
  markers: string[];
  excerpt: string;
}

function excerptAround(text: string, marker: string): string {
  const at = text.toUpperCase().indexOf(marker);
  return text.slice(Math.max(0, at - 120), at + 60).replace(/\s+/g, ' ');
}

/** Records markers in `exchange` beyond what `viewer` may see there; `echo` blanks out the URL the viewer sent. */
function inspect(viewer: ViewerKind, channel: string, exchange: Exchange, leaks: Leak[], found: Set<Label>, echo = false) {
  const allowed = allowedMarkers(viewer, exchange.url);
  for (const where of ['body', 'headers'] as const) {
    const raw = exchange[where];
    const text = echo ? withoutEcho(raw, exchange.url) : raw;
    const markers = markersIn(text);
    for (const m of markers) found.add(m);
    const unexpected = markers.filter((m) => !allowed.has(m));
    if (unexpected.length > 0) {
      leaks.push({
        channel,
        request: `${exchange.method} ${exchange.url}`,
        status: exchange.status,
        where,
        markers: unexpected.map((m) => `${M[m]} (${m})`),
        excerpt: excerptAround(text, M[unexpected[0]!]),
      });
    }
  }
}

function member(viewer: ViewerKind): TestMember | undefined {
  return viewer === 'anonymous' ? undefined : people[viewer];
}

/** Runs `work` over `items`, a few at a time (the app serves requests concurrently, as in production). */
async function inParallel<T>(items: T[], work: (item: T) => Promise<void>, width = 4): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

// (a) the crawl

async function crawlAs(viewer: ViewerKind, leaks: Leak[], found: Set<Label>) {
  const who = member(viewer);
  const fetch = fetcherFor(app, {}, who ? await cookieOf(who) : {});
  const profiles = [...seed.handles].filter((h) => h !== who?.handle).map((h) => `/u/${h}`);
  // Machine-readable copies too: none exist yet, and the crawl follows them once they do.
  const starts = ['/', '/admin', '/invitations', '/settings', '/drafts', '/sitemap.xml', '/robots.txt', '/feed', '/blog', '/blog/feed.atom', '/api/openapi.json', ...(who ? [`/u/${who.handle}`] : []), ...profiles];
  const statuses = new Map<number, number>();
  const result = await crawl(fetch, starts, {
    max: MAX_CRAWL,
    origins: [app.config.publicUrl],
    exclude: (path) => path === '/signout',
    onExchange: (exchange) => {
      statuses.set(exchange.status, (statuses.get(exchange.status) ?? 0) + 1);
      inspect(viewer, 'crawl', exchange, leaks, found);
    },
  });
  return { ...result, statuses };
}

// (b) every GET route of the OpenAPI document

let openApiPaths: string[] = [];

interface Known {
  ids: Iterable<number>;
  slugs: Iterable<string>;
  handles: Iterable<string>;
}

function fillPath(template: string, known: Known = { ids: seed.ids, slugs: [...seed.slugs, seed.conf.slug.toUpperCase()], handles: seed.handles }): string[] {
  const params = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const values = (name: string): string[] => {
    if (name === 'id' || name === 'linkId') return [...known.ids].map(String);
    if (name === 'slug') return [...known.slugs];
    if (name === 'handle') return [...known.handles, 'no-such-handle'];
    if (name === 'token') return ['not-a-real-invitation-token'];
    throw new Error(`The sweep does not know how to fill {${name}} in ${template}: teach it.`);
  };
  let urls = [template];
  for (const name of params) urls = urls.flatMap((url) => values(name).map((v) => url.replace(`{${name}}`, encodeURIComponent(v))));
  // Quoting into another space is its own channel.
  if (template.endsWith('/quote')) urls = urls.flatMap((url) => [url, `${url}?into=${seed.publicThreadId}`]);
  return urls;
}

async function apiSweepAs(viewer: ViewerKind, leaks: Leak[], found: Set<Label>) {
  const who = member(viewer);
  const fetch = fetcherFor(app, who ? who.auth : {});
  const urls = openApiPaths.flatMap((path) => fillPath(path));
  await inParallel(urls, async (url) => inspect(viewer, 'api', await fetch('GET', url), leaks, found, true));
  return urls.length;
}

// (c) every confidential URL, directly

interface Direct {
  url: string;
  /** The same URL with every confidential id and slug replaced by one that never existed. */
  ghost: string;
  /** Behind `access: 'member'`: anonymous visitors are sent to sign in before anything is looked up. */
  memberOnly: boolean;
}

function directUrls(): Direct[] {
  const c = seed.conf;
  const G = { space: 'no-such-space', spaceId: 999_991, board: 'no-such-board', boardId: 999_992, thread: 999_993, threadSlug: 'no-such-thread', post: 999_994, entry: 999_995, comment: 999_996 };
  const list: Direct[] = [];
  const add = (url: string, ghost: string, memberOnly = false) => list.push({ url, ghost, memberOnly });
  for (const slug of [c.slug, c.slug.toUpperCase()]) {
    add(`/s/${slug}`, `/s/${G.space}`);
    add(`/s/${slug}/rules`, `/s/${G.space}/rules`);
    add(`/s/${slug}/rules?next=%2F`, `/s/${G.space}/rules?next=%2F`);
    add(`/s/${slug}/manage`, `/s/${G.space}/manage`, true);
    add(`/api/v1/spaces/${slug}`, `/api/v1/spaces/${G.space}`);
  }
  for (const board of c.boards) {
    add(`/s/${c.slug}/${board.slug}`, `/s/${G.space}/${G.board}`);
    add(`/s/${c.slug}/${board.slug}/new`, `/s/${G.space}/${G.board}/new`, true);
    add(`/api/v1/boards/${board.id}`, `/api/v1/boards/${G.boardId}`);
    add(`/api/v1/boards/${board.id}/threads`, `/api/v1/boards/${G.boardId}/threads`);
    add(`/api/v1/boards/${board.id}/watch`, `/api/v1/boards/${G.boardId}/watch`, true);
    add(`/mentionable?board=${board.id}&prefix=s`, `/mentionable?board=${G.boardId}&prefix=s`, true);
  }
  for (const part of ['members', 'log', 'invitation-links']) add(`/api/v1/spaces/${c.spaceId}/${part}`, `/api/v1/spaces/${G.spaceId}/${part}`, true);
  for (const thread of c.threads) {
    add(`/t/${thread.id}`, `/t/${G.thread}`);
    add(`/t/${thread.id}/${thread.slug}`, `/t/${G.thread}/${G.threadSlug}`);
    if (thread.oldSlug) add(`/t/${thread.id}/${thread.oldSlug}`, `/t/${G.thread}/${G.threadSlug}`);
    add(`/t/${thread.id}/x`, `/t/${G.thread}/x`);
    add(`/t/${thread.id}/reply`, `/t/${G.thread}/reply`, true);
    add(`/api/v1/threads/${thread.id}`, `/api/v1/threads/${G.thread}`);
    // Unread tracking, watching and mention autocomplete name a thread too.
    add(`/t/${thread.id}/${thread.slug}/unread`, `/t/${G.thread}/${G.threadSlug}/unread`);
    add(`/api/v1/threads/${thread.id}/watch`, `/api/v1/threads/${G.thread}/watch`, true);
    add(`/api/v1/threads/${thread.id}/mentionable?prefix=s`, `/api/v1/threads/${G.thread}/mentionable?prefix=s`, true);
    add(`/mentionable?thread=${thread.id}&prefix=s`, `/mentionable?thread=${G.thread}&prefix=s`, true);
  }
  for (const { id: post, thread: index } of c.posts) {
    const thread = c.threads[index]!;
    add(`/p/${post}`, `/p/${G.post}`);
    add(`/p/${post}/revisions`, `/p/${G.post}/revisions`);
    add(`/p/${post}/edit`, `/p/${G.post}/edit`, true);
    add(`/t/${thread.id}/reply?to=${post}&quote=1`, `/t/${G.thread}/reply?to=${G.post}&quote=1`, true);
    // Quoting a confidential post into a public thread, from a page and from the API.
    add(`/t/${seed.publicThreadId}/reply?to=${post}&quote=1`, `/t/${seed.publicThreadId}/reply?to=${G.post}&quote=1`, true);
    add(`/api/v1/posts/${post}`, `/api/v1/posts/${G.post}`);
    add(`/api/v1/posts/${post}/revisions`, `/api/v1/posts/${G.post}/revisions`);
    add(`/api/v1/posts/${post}/quote`, `/api/v1/posts/${G.post}/quote`, true);
    add(`/api/v1/posts/${post}/quote?into=${seed.publicThreadId}`, `/api/v1/posts/${G.post}/quote?into=${seed.publicThreadId}`, true);
  }
  const e = c.entry;
  add(`/u/${e.handle}/blog/${e.slug}`, `/u/${e.handle}/blog/no-such-entry`);
  add(`/blog/${e.id}/edit`, `/blog/${G.entry}/edit`, true);
  for (const part of ['', '/comments', '/revisions']) add(`/api/v1/blog/entries/${e.id}${part}`, `/api/v1/blog/entries/${G.entry}${part}`);
  // A comment's edit form, its writer's included: the member removed later wrote the early one.
  for (const comment of e.commentIds) add(`/blog/comments/${comment}/edit`, `/blog/comments/${G.comment}/edit`, true);
  return list;
}

/** What must not differ between a confidential URL and one that never existed. */
function comparable(exchange: Exchange): string {
  return withoutEcho(exchange.body, exchange.url).replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"');
}

interface DirectProblem {
  request: string;
  problem: string;
}

async function directAs(viewer: ViewerKind, leaks: Leak[], found: Set<Label>, problems: DirectProblem[]) {
  const who = member(viewer);
  const cookie = who ? await cookieOf(who) : {};
  const page = fetcherFor(app, {}, cookie);
  const api = fetcherFor(app, who ? who.auth : {});
  const fetchFor = (url: string): Fetcher => (url.startsWith('/api/') ? api : page);
  // Many confidential URLs share a ghost (every post's is /p/999994): ask for each ghost once.
  const ghosts = new Map<string, Promise<Exchange>>();
  let requests = 0;
  const ghostOf = (method: 'GET' | 'HEAD', url: string) => {
    const key = `${method} ${url}`;
    if (!ghosts.has(key)) {
      requests++;
      ghosts.set(key, fetchFor(url)(method, url));
    }
    return ghosts.get(key)!;
  };
  const jobs = directUrls().flatMap((d) => (['GET', 'HEAD'] as const).map((method) => ({ d, method })));
  await inParallel(jobs, async ({ d, method }) => {
    {
      const [real, ghost] = [await fetchFor(d.url)(method, d.url), await ghostOf(method, d.ghost)];
      requests++;
      inspect(viewer, 'direct', real, leaks, found, true);
      const request = `${method} ${d.url}`;
      if (real.status === 403) problems.push({ request, problem: 'answered 403: existence is confidential, outsiders get 404' });
      const expected = viewer === 'anonymous' && d.memberOnly ? ghost.status : 404;
      if (real.status !== expected) problems.push({ request, problem: `answered ${real.status}, expected ${expected}` });
      if (real.status !== ghost.status) problems.push({ request, problem: `answered ${real.status} where a URL that never existed answers ${ghost.status}` });
      if (method === 'GET' && comparable(real) !== comparable(ghost)) {
        problems.push({ request, problem: `body differs from the one for ${d.ghost}: ${real.body.slice(0, 160)} | ${ghost.body.slice(0, 160)}` });
      }
    }
  });
  return requests;
}

beforeAll(async () => {
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  openApiPaths = Object.entries(doc.paths)
    .filter(([, operations]) => 'get' in operations)
    .map(([path]) => path);
  expect(openApiPaths.length).toBeGreaterThan(10);
});

describe('confidentiality sweep: outsiders find no trace of a confidential space', () => {
  test.each(OUTSIDERS)('%s', async (viewer) => {
    const started = Date.now();
    const leaks: Leak[] = [];
    const problems: DirectProblem[] = [];
    const found = new Set<Label>();
    const crawled = await crawlAs(viewer, leaks, found);
    const apiRequests = await apiSweepAs(viewer, leaks, found);
    const directRequests = await directAs(viewer, leaks, found, problems);
    console.log(
      `sweep ${viewer}: crawl ${crawled.requests} requests (${crawled.finished ? 'finished' : 'CUT SHORT'}; statuses ${JSON.stringify(Object.fromEntries(crawled.statuses))}), ` +
        `api ${apiRequests}, direct ${directRequests}; ${Date.now() - started} ms`,
    );
    expect(crawled.finished, `the crawl hit its limit of ${MAX_CRAWL} requests`).toBe(true);
    // It went somewhere: the home page, public spaces and their threads, profiles.
    expect(crawled.urls).toContain('/');
    expect(crawled.urls.some((u) => u.startsWith(`/t/${seed.publicThreadId}/`))).toBe(true);
    expect(leaks).toEqual([]);
    expect(problems).toEqual([]);
    // Hundreds of requests per viewer: on a busy two-core machine that outlasts the default timeout.
  }, 180_000);
});

describe('notifications from inside a confidential space', () => {
  test('the outsider mentioned from inside hears nothing, and the author is told; an insider’s notifications name the thread', async () => {
    const outsider = await app.services.notifications.list(people.nonMember.viewer);
    expect(markersIn(JSON.stringify(outsider))).toEqual([]);
    const insider = await app.services.notifications.list(people.owner.viewer);
    expect(markersIn(JSON.stringify(insider))).toContain('threadTitle');
    // The entry's author hears of the comments on it, by the entry's title.
    const entryAuthor = await app.services.notifications.list(people.insider.viewer);
    expect(entryAuthor.items.filter((i) => i.kind === 'blog_comment').map((i) => markersIn(i.text))).toEqual([['entryTitle']]);
    // The removed member followed the entry and was told of the later comment while still a member…
    const followed = await app.database.db
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.recipientId, people.removed.viewer.id), eq(notifications.kind, 'blog_comment_followed')));
    expect(followed).toHaveLength(1);
    // The removed and banned members were told of things in the space before; none of it shows now.
    for (const who of ['removed', 'banned'] as const) {
      const theirs = await app.services.notifications.list(people[who].viewer);
      expect(markersIn(JSON.stringify(theirs)), who).toEqual([]);
    }
  });
});

describe('e-mail: subjects and bodies about a confidential space carry none of it', () => {
  test('no e-mail carries a marker, except a member’s own handle in account mail to that member', async () => {
    // The e-mail the job writes for the comment on the insider's entry, beside the seed's own one.
    await eventually(
      async () => (await outboxTo(app, `${people.insider.handle}@example.org`)).filter((m) => m.kind === 'notification').length >= 2,
      'the e-mail about the comment on the confidential entry',
    );
    const rows = await app.database.db.select().from(outboxMessages);
    // The seed's own notification and digest are there (the composer ran), beside every verification
    // e-mail and whatever the notification job has written by now for the seed's replies.
    expect(rows.filter((r) => r.kind === 'notification' || r.kind === 'digest').length).toBeGreaterThanOrEqual(2);
    const leaks: string[] = [];
    for (const row of rows) {
      const text = JSON.stringify([row.subject, row.textBody, row.htmlBody, row.headers]);
      const own = row.userId === people.quiet.viewer.id && row.kind === 'verify-email';
      for (const marker of markersIn(text)) if (!(own && marker === 'quietHandle')) leaks.push(`${row.kind} to ${row.toAddress}: ${marker}`);
    }
    expect(leaks).toEqual([]);
  });

  test('the site admin reading the outbox, list and every message, finds nothing from the space', async () => {
    const page = fetcherFor(app, {}, await cookieOf(people.siteAdmin));
    const list = await page('GET', '/admin/outbox');
    expect(list.status).toBe(200);
    const ids = [...list.body.matchAll(/href="\/admin\/outbox\/(\d+)"/g)].map((m) => m[1]!);
    const rows = await app.database.db.select({ id: outboxMessages.id }).from(outboxMessages);
    expect(ids.length).toBe(rows.length);
    const leaks: Leak[] = [];
    for (const exchange of [list, ...(await Promise.all(ids.map((id) => page('GET', `/admin/outbox/${id}`))))]) {
      expect(exchange.status).toBe(200);
      inspect('siteAdmin', 'outbox', exchange, leaks, new Set());
    }
    expect(leaks).toEqual([]);
  });
});

describe('the sweep can fail: an active member who accepted the rules finds every marker', () => {
  test('insider', async () => {
    const leaks: Leak[] = [];
    const found = new Set<Label>();
    const crawled = await crawlAs('insider', leaks, found);
    const apiRequests = await apiSweepAs('insider', leaks, found);
    console.log(`sweep insider: crawl ${crawled.requests} requests (${crawled.finished ? 'finished' : 'CUT SHORT'}), api ${apiRequests}`);
    expect(crawled.finished).toBe(true);
    const everything = (Object.keys(M) as Label[]).filter((l) => !['removedPost', 'removedDraft', 'removedThreadDraft'].includes(l));
    expect([...found].sort()).toEqual(everything.sort());
    // …except what its author removed: not even members read it again, nor its history; nor
    // another member's unsent reply.
    expect(found.has('removedPost')).toBe(false);
    expect(found.has('removedDraft')).toBe(false);
    expect(found.has('removedThreadDraft')).toBe(false);
    // The direct URLs are real: a member gets each of them (404 only for quoting the removed post).
    const page = fetcherFor(app, {}, await cookieOf(people.insider));
    const api = fetcherFor(app, people.insider.auth);
    const missing: string[] = [];
    for (const d of directUrls()) {
      const res = await (d.url.startsWith('/api/') ? api : page)('GET', d.url);
      const quotesRemoved = d.url.includes(`${seed.conf.removedPostId}/quote`) || d.url.includes(`to=${seed.conf.removedPostId}&quote=1`);
      if (res.status === 404 && !quotesRemoved) missing.push(d.url);
    }
    expect(missing).toEqual([]);
  }, 180_000);
});

describe('after a space’s level changes', () => {
  const R = { name: 'RAISEMARK01', board: 'RAISEMARK02', title: 'RAISEMARK03', body: 'RAISEMARK04' };
  const pattern = /RAISEMARK\d\d/gi;

  /** The raised space's own ids and slugs (the rest were swept above), and the handles of its posters. */
  let known: Known;

  async function sweepRaised(viewer: 'anonymous' | 'nonMember' | 'siteModerator', urls: string[]) {
    const who = member(viewer);
    const fetch = fetcherFor(app, {}, who ? await cookieOf(who) : {});
    const api = fetcherFor(app, who ? who.auth : {});
    const seen: string[] = [];
    const note = (exchange: Exchange, echo: boolean) => {
      const text = `${exchange.headers}\n${echo ? withoutEcho(exchange.body, exchange.url) : exchange.body}`;
      for (const match of text.matchAll(pattern)) seen.push(`${match[0]} in ${exchange.method} ${exchange.url}`);
    };
    const starts = ['/', '/invitations', ...[...seed.handles].map((h) => `/u/${h}`)];
    await crawl(fetch, starts, { max: MAX_CRAWL, origins: [app.config.publicUrl], exclude: (p) => p === '/signout', onExchange: (e) => note(e, false) });
    await inParallel(openApiPaths.flatMap((path) => fillPath(path, known)), async (url) => note(await api('GET', url), true));
    const statuses: Record<string, number> = {};
    for (const url of urls) {
      const res = await (url.startsWith('/api/') ? api : fetch)('GET', url);
      statuses[url] = res.status;
      note(res, true);
    }
    return { seen, statuses };
  }

  test('a members-only space raised to confidential disappears for non-members at once', async () => {
    const { spaces, forum, membership } = app.services;
    const owner = people.regular;
    const journal = await spaces.createSpace(owner.viewer, { name: `Journal club ${R.name}`, description: 'Papers we read.', level: 'members', joinPolicy: 'open' });
    const board = await spaces.createBoard(owner.viewer, journal.id, { name: `Papers ${R.board}`, description: '' });
    const thread = await forum.createThread(owner.viewer, { boardId: board.id, title: `This week ${R.title}`, body: `A trial worth reading. ${R.body}` });
    await membership.join(people.insider.viewer, journal.id);
    const reply = await forum.reply(people.insider.viewer, thread.threadId, { body: `Agreed. ${R.body}` });
    known = { ids: [journal.id, board.id, thread.threadId, thread.postId, reply.postId], slugs: [journal.slug, board.slug], handles: [owner.handle, people.insider.handle] };
    const urls = [
      `/s/${journal.slug}`,
      `/s/${journal.slug}/${board.slug}`,
      `/t/${thread.threadId}/${thread.slug}`,
      `/p/${reply.postId}`,
      `/p/${thread.postId}/revisions`,
      `/api/v1/spaces/${journal.slug}`,
      `/api/v1/boards/${board.id}/threads`,
      `/api/v1/threads/${thread.threadId}`,
      `/api/v1/posts/${reply.postId}`,
    ];

    // Before: members-only, so a signed-in non-member reads it (the sweep sees the markers) and anonymous does not.
    const before = await sweepRaised('nonMember', urls);
    expect(before.seen.length).toBeGreaterThan(0);
    expect(Object.values(before.statuses).every((s) => s === 200 || s === 301)).toBe(true);
    expect((await sweepRaised('anonymous', urls)).seen).toEqual([]);

    const raised = await membership.changeLevel(owner.viewer, journal.id, 'confidential');
    expect(raised.applied).toBe(true);

    for (const viewer of ['nonMember', 'siteModerator', 'anonymous'] as const) {
      const after = await sweepRaised(viewer, urls);
      expect(after.seen, viewer).toEqual([]);
      expect(after.statuses, viewer).toEqual(Object.fromEntries(urls.map((u) => [u, 404])));
    }
    // Its members still read it.
    expect((await app.inject({ method: 'GET', url: `/api/v1/threads/${thread.threadId}`, headers: people.insider.auth })).statusCode).toBe(200);
  });
});

describe('search: nothing in the confidential space can be found from outside', () => {
  /** Markers in text search reads: titles and bodies of threads, posts, entries, comments. */
  const SEARCHABLE: Label[] = [
    'threadTitle',
    'threadBTitle',
    'openingNow',
    'quietReply',
    'mentionReply',
    'threadBBody',
    'removedAuthorReply',
    'bannedAuthorReply',
    'entryTitle',
    'entryBody',
    'entryComment',
  ];
  /** Nobody finds these: revisions are not searched, and a removed post is gone for everyone. */
  const NEVER: Label[] = ['openingOld', 'titleOld', 'removedPost'];

  interface Found {
    total: number;
    results: unknown[];
    filters: Record<string, { id: number; name: string | null } | null>;
  }

  async function searchAs(viewer: ViewerKind, query: string) {
    const who = member(viewer);
    const api = await fetcherFor(app, who ? who.auth : {})('GET', `/api/v1/search?${query}`);
    const page = await fetcherFor(app, {}, who ? await cookieOf(who) : {})('GET', `/search?${query}`);
    return { api, json: JSON.parse(api.body) as Found, page };
  }

  /** A page or answer with the viewer's own query taken out (it is echoed in the form and title). */
  const withoutQuery = (text: string, word: string) => text.split(word).join('<query>');

  test.each(OUTSIDERS)('%s finds no marker by searching for it, and counts none', async (viewer) => {
    const leaks: string[] = [];
    for (const label of [...SEARCHABLE, ...NEVER, 'draftEntry', 'insiderDraft', 'removedDraft', 'insiderThreadDraft', 'removedThreadDraft', 'spaceName', 'boardA', 'entryTag'] as Label[]) {
      const word = M[label].toLowerCase();
      for (const kind of ['', '&kind=thread', '&kind=post', '&kind=entry', '&kind=comment']) {
        const { api, json, page } = await searchAs(viewer, `q=${word}${kind}`);
        if (api.status !== 200 || json.total !== 0 || json.results.length !== 0) leaks.push(`api ${word}${kind}: ${api.status} total ${json.total}`);
        if (page.status !== 200) leaks.push(`page ${word}${kind}: ${page.status}`);
        for (const [channel, text] of [['api', `${api.headers}\n${api.body}`], ['page', `${page.headers}\n${page.body}`]] as const) {
          const found = markersIn(withoutQuery(text, word));
          if (found.length > 0) leaks.push(`${channel} ${word}${kind}: ${found.join(', ')}`);
        }
        if (!page.body.includes('No results')) leaks.push(`page ${word}${kind}: does not say "No results"`);
      }
    }
    // Words that are in the confidential texts and elsewhere too: the count is the same as for a
    // viewer who could never have read them (the public thread and entry only).
    const common = await searchAs(viewer, 'q=case%20or%20thank%20or%20stays%20or%20reflection');
    expect(common.json.total, viewer).toBe(0);
    const quiet = await searchAs(viewer, `q=thank&author=${people.quiet.handle}`);
    expect(quiet.json.total, viewer).toBe(0);
    expect(leaks).toEqual([]);
  });

  test.each(OUTSIDERS)('%s: a filter on a confidential space, board or thread answers exactly like one on a place that never existed', async (viewer) => {
    const c = seed.conf;
    const pairs = [
      ['space', c.spaceId, 999_991],
      ...c.boards.map((b) => ['board', b.id, 999_992] as const),
      ...c.threads.map((t) => ['thread', t.id, 999_993] as const),
    ] as const;
    for (const [field, real, ghost] of pairs) {
      for (const q of ['case', 'handover', 'night or shift or burnout']) {
        const a = await searchAs(viewer, `q=${encodeURIComponent(q)}&${field}=${real}`);
        const b = await searchAs(viewer, `q=${encodeURIComponent(q)}&${field}=${ghost}`);
        expect(a.api.status).toBe(b.api.status);
        expect({ ...a.json, filters: {} }, `${field}=${real} ${q}`).toEqual({ ...b.json, filters: {} });
        expect(a.json.filters[field], field).toEqual({ id: real, name: null });
        expect(a.page.status).toBe(b.page.status);
        const normalise = (body: string, id: number) => body.split(`"${id}"`).join('"ID"').split(`#${id}`).join('#ID').replace(/name="_csrf" value="[^"]*"/g, '');
        expect(normalise(withoutEcho(a.page.body, a.page.url), real), `${field}=${real} ${q}`).toBe(normalise(withoutEcho(b.page.body, b.page.url), ghost));
        expect(markersIn(a.page.body)).toEqual([]);
      }
    }
  });

  test('an active member who accepted the rules finds each of them, and still not what is gone or only in old revisions', async () => {
    const missing: string[] = [];
    for (const label of [...SEARCHABLE, 'draftEntry'] as Label[]) {
      const word = M[label].toLowerCase();
      const { json, page } = await searchAs('insider', `q=${word}`);
      if (json.total < 1 || markersIn(JSON.stringify(json.results)).length === 0) missing.push(`api ${label}`);
      if (!page.body.includes('<mark>')) missing.push(`page ${label}`);
    }
    expect(missing).toEqual([]);
    for (const label of NEVER) expect((await searchAs('insider', `q=${M[label].toLowerCase()}`)).json.total, label).toBe(0);
    const inSpace = await searchAs('insider', `q=case&space=${seed.conf.spaceId}`);
    expect(inSpace.json.filters.space?.name).toContain(M.spaceName);
    expect(inSpace.json.total).toBeGreaterThan(0);
  });
});
