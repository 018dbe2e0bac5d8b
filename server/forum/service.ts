import type { Database } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { withGenericPlans } from '../../db/named-statement.ts';
import { CONTENT_PIPELINE_VERSION, renderMarkdown } from '../content/render-markdown.ts';
import { Conflict, Invalid, NotFound, throwIfInvalid, TooManyRequests } from '../errors.ts';
import { authorize, policyKey, viewerParameters, type MemberViewer, type Viewer } from '../policy/index.ts';
import { admitEdit, admitPost, queueHeldPost, type Admission, type SettingsSource } from '../moderation/admission.ts';
import { insertLog, viewerModeratesSpace } from '../moderation/queries.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { spaceFactsFrom, type SpacesService } from '../spaces/service.ts';
import { slugFrom } from '../text/slug.ts';
import * as q from './queries.ts';
import { mentionedHandles, mentionsOutsideQuotes, quotedPosts, quotedThreadIds } from './references.ts';
import { checkIdempotencyKey, cleanBody, cleanTitle, DRAFT_KEEP_DAYS, FORUM_LIMITS, POSTS_PER_PAGE, THREADS_PER_PAGE, type LatestList } from './rules.ts';

/** An edit that empties a post: removing it is a separate, deliberate act. */
const EMPTY_EDIT = 'A post cannot be empty. To take it down, delete it instead.';

export interface NewThreadInput {
  boardId: number;
  title: string;
  body: string;
  idempotencyKey?: string;
}

export interface ReplyInput {
  body: string;
  replyToPostId?: number;
  idempotencyKey?: string;
}

export interface EditInput {
  body: string;
  title?: string;
  /** The revision the author started editing from. */
  baseRevision: number;
}

export interface PostRef {
  threadId: number;
  slug: string;
  number: number;
  postId: number;
  /** Said to the author after posting, e.g. about mentions of people who cannot read the space. */
  warnings?: string[];
  /** Set when the post waits for a moderator's approval; says why, for the author. */
  held?: string;
  /** Mentioned members who cannot read the space: nobody among them was notified. */
  unnotifiedMentions?: string[];
}

/** What a post body says to the notifications: who it mentions and which posts it quotes. */
function newPostFacts(body: string) {
  return { mentioned: mentionsOutsideQuotes(body), quoted: quotedPosts(body) };
}

function pageCount(total: number, perPage: number): number {
  return Math.max(1, Math.ceil(total / perPage));
}

/**
 * The Markdown a quote of `post` starts with; the link brings readers back to the original, on its
 * page of the thread (a fragment alone reaches the server as page 1: only the script could follow it).
 */
export function quoteMarkdown(post: { number: number; bodySource: string; author: { handle: string } }, threadId: number, slug: string): string {
  const quoted = post.bodySource
    .split('\n')
    .map((line) => `> ${line}`.trimEnd())
    .join('\n');
  const page = Math.ceil(post.number / POSTS_PER_PAGE);
  return `> **@${post.author.handle}** [wrote](/t/${threadId}/${slug}${page > 1 ? `?page=${page}` : ''}#p${post.number}):\n>\n${quoted}\n\n`;
}

/**
 * The version of a thread page as an anonymous visitor sees it: equal versions mean equal pages
 * (for the same URL and code). Takes the rows a page is rendered from, or the cache's stamp query.
 */
export function threadPageVersion({ thread, board, space }: q.ThreadStamp): string {
  return JSON.stringify([
    thread.contentVersion,
    board.name,
    board.slug,
    board.archivedAt?.getTime() ?? null,
    space.name,
    space.slug,
    space.level,
    space.archivedAt?.getTime() ?? null,
  ]);
}

/** A thread page before its posts: the thread, its board and space, and how the viewer stands to them. */
export type ThreadPageHead = q.MemberThreadRow & { page: number; pages: number };

/** Posts of a page the caller holds already rendered; the service needs to know only how far they go. */
export interface SharedPosts {
  lastShown: number | undefined;
}

/** A visitor watches nothing. */
const NO_WATCH = Object.freeze({ thread: null, board: null, space: null });

/** The range of posts a page shows when it shows none (pages about a thread other than its own). */
const NO_POSTS = { from: 0, to: 0 };

const CONFIDENTIAL_QUOTE = 'This quotes a post from a confidential space. What is said there stays there, so it cannot be quoted elsewhere.';

export { mentionedHandles, quotedPosts, quotedThreadIds };

export type ForumService = ReturnType<typeof createForumService>;

/**
 * A draft as the composer sends it: `idempotencyKey` is the form's (a form already posted keeps no
 * draft), `baseRevision` the draft's revision when the page loaded (0: none), absent from an API
 * client that does not ask to be told of saves from elsewhere.
 */
export interface DraftInput {
  body: string;
  idempotencyKey?: string | undefined;
  baseRevision?: number | undefined;
}

function draftOptions(input: DraftInput) {
  return { idempotencyKey: checkIdempotencyKey(input.idempotencyKey), baseRevision: input.baseRevision ?? null };
}

const SAVED_ELSEWHERE =
  'This draft was saved from another tab or device after this page was opened, so your text here was not saved over it. Copy what you need, then reload the page to see the other.';

function keptOrRefused(saved: q.DraftSaved | null): Exclude<q.DraftSaved, 'elsewhere'> {
  if (saved === null) throw new NotFound();
  if (saved === 'elsewhere') throw new Conflict(SAVED_ELSEWHERE);
  return saved;
}

/** A draft's text as a post's would be kept (a draft is refused only for being too long to post). */
function draftBody(raw: string): string {
  const body = raw.normalize('NFC').replace(/\r\n?/g, '\n');
  if (body.length > FORUM_LIMITS.bodyMax) {
    throw new Invalid(`Keep the post under ${FORUM_LIMITS.bodyMax.toLocaleString('en')} characters (it has ${body.length.toLocaleString('en')}).`, { body: 'Too long to keep as a draft.' });
  }
  return body;
}

export function createForumService(db: Database, spaces: SpacesService, notifier: Notifier, readSettings: SettingsSource) {
  const anonymous = q.prepareAnonymousThreadReads(db);
  const members = q.prepareMemberThreadReads(db);
  const lists = q.prepareListReads(db);
  const writes = q.prepareWriteStatements(db);

  /**
   * A thread with its board and space, through the viewer's predicate, by the prepared statements;
   * with the member's own membership of the space (null for visitors and non-members).
   */
  async function visibleThread(viewer: Viewer, threadId: number, shown: { from: number; to: number } = NO_POSTS) {
    if (viewer.kind === 'anonymous') {
      const [found] = await anonymous.thread.execute({ id: threadId });
      return found && { ...found, membership: null, lastReadNumber: null, moderates: false, ownPostsInRange: false, ownWatch: NO_WATCH, draft: null };
    }
    const [found] = await members[viewer.role].thread.execute({ id: threadId, viewerId: viewer.id, ...shown });
    return found;
  }

  type PageOptions = { unreadNotifications?: boolean };
  type Read = ThreadPageHead & { notificationsRead: number };

  /**
   * A page of a thread; a member's reading of it is recorded, with their notifications about the
   * posts shown. `unreadNotifications: false` (the page's bell counted none) skips looking for those.
   * With `shared`, the caller is asked (once the viewer's access is checked) whether it holds the
   * page's posts already rendered for readers who see the same posts; then they are not read.
   */
  function threadPage(viewer: Viewer, threadId: number, page: number, options?: PageOptions): Promise<Read & { posts: q.PostListRow[]; shared?: undefined }>;
  function threadPage<Shared extends SharedPosts>(
    viewer: Viewer,
    threadId: number,
    page: number,
    options: PageOptions & { shared: (head: ThreadPageHead) => Shared | undefined },
  ): Promise<Read & ({ posts: q.PostListRow[]; shared?: undefined } | { posts?: undefined; shared: Shared })>;
  async function threadPage<Shared extends SharedPosts>(
    viewer: Viewer,
    threadId: number,
    page: number,
    { unreadNotifications = true, shared }: PageOptions & { shared?: (head: ThreadPageHead) => Shared | undefined } = {},
  ): Promise<Read & ({ posts: q.PostListRow[]; shared?: undefined } | { posts?: undefined; shared: Shared })> {
    const from = (page - 1) * POSTS_PER_PAGE + 1;
    const to = from + POSTS_PER_PAGE - 1;
    // The thread row (and its content_version) is read before the posts: a page stored under
    // that version can only be newer than it, never older.
    const found = await visibleThread(viewer, threadId, { from, to });
    if (!found) throw new NotFound();
    const pages = pageCount(found.thread.postCount, POSTS_PER_PAGE);
    if (page > pages) throw new NotFound('That page of the thread does not exist.');
    const head: ThreadPageHead = { ...found, page, pages };
    // This statement has just checked that the viewer may read the thread, at this version.
    const reused = viewer.kind === 'member' ? shared?.(head) : undefined;
    const posts = reused
      ? undefined
      : viewer.kind === 'anonymous'
        ? await anonymous.posts.execute({ id: threadId, from, to })
        : await members[viewer.role].posts.execute({ id: threadId, from, to, viewerId: viewer.id });
    const lastShown = posts ? posts[posts.length - 1]?.number : reused?.lastShown;
    let notificationsRead = 0;
    if (viewer.kind === 'member' && lastShown !== undefined) {
      // Re-reading what they have read before moves nothing (most visits to a thread one follows).
      if (lastShown > (found.lastReadNumber ?? 0)) await q.recordThreadRead(db, viewer.id, threadId, lastShown);
      if (unreadNotifications) notificationsRead = await notifier.threadRead(db, viewer.id, threadId, lastShown);
    }
    return posts ? { ...head, posts, notificationsRead } : { ...head, shared: reused as Shared, notificationsRead };
  }

  /**
   * Mentioning someone who cannot read the space notifies nobody (they could not read it); the
   * author is told, so they do not count on that person having seen it.
   */
  function mentionWarnings(space: { level: string }, outsiders: { handle: string; member: boolean }[]): string[] {
    return outsiders.map(({ handle, member }) =>
      member
        ? `@${handle} has not accepted this space's current ground rules yet: they cannot read your post and were not notified.`
        : space.level === 'confidential'
          ? `@${handle} is not a member of this confidential space: they cannot read your post and were not notified.`
          : `@${handle} cannot see this space and was not notified.`,
    );
  }

  /**
   * Admission for a new post. A double submit that lost the race to its twin would be refused as a
   * duplicate of it; with an idempotency key it gets the twin back instead.
   */
  async function admit<T>(
    viewer: MemberViewer,
    body: string,
    place: { moderates: boolean },
    existing: () => Promise<T | undefined>,
  ): Promise<{ admission: Admission } | { already: T }> {
    try {
      return { admission: await admitPost(db, db, await readSettings(), viewer, { body, moderates: place.moderates }) };
    } catch (error) {
      const twin = await existing();
      if (twin) return { already: twin };
      throw error;
    }
  }

  /** Refuses a body that quotes a confidential post into a different space. */
  async function checkQuotes(exec: Database, viewer: Viewer, body: string, targetSpaceId: number): Promise<void> {
    const sources = await q.findVisibleThreadSpaces(exec, viewer, quotedThreadIds(body));
    if (sources.some((s) => s.level === 'confidential' && s.spaceId !== targetSpaceId)) throw new Invalid(CONFIDENTIAL_QUOTE, { body: CONFIDENTIAL_QUOTE });
  }

  /**
   * Two submissions of one form raced: the loser returns what the winner created, whether it lost
   * on the idempotency key's unique index or in admission (which refuses the same text twice).
   */
  async function recover<T>(work: () => Promise<T>, existing: () => Promise<T | undefined>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error) || error instanceof Invalid || error instanceof TooManyRequests) {
        const found = await existing();
        if (found) return found;
      }
      throw error;
    }
  }

  return {
    async boardPage(viewer: Viewer, board: { id: number }, page: number) {
      const statements = lists[policyKey(viewer)];
      const [counted] = await statements.boardThreadCount.execute({ boardId: board.id, ...viewerParameters(viewer) });
      const total = counted?.n ?? 0;
      const pages = pageCount(total, THREADS_PER_PAGE);
      if (page > pages) throw new NotFound('That page of the board does not exist.');
      const parameters = { boardId: board.id, ...viewerParameters(viewer) };
      const threads =
        page === 1 ? await statements.boardThreads.first.execute(parameters) : await statements.boardThreads.later.execute({ ...parameters, offset: (page - 1) * THREADS_PER_PAGE });
      return { threads, page, pages, total };
    },

    latest: (viewer: Viewer, list: LatestList) => lists[policyKey(viewer)].latestThreads[list].execute(viewerParameters(viewer)),

    threadPage,

    /** The current version of a thread's pages for anonymous visitors; undefined when they may not read it. */
    async anonymousThreadVersion(threadId: number): Promise<string | undefined> {
      const [stamp] = await anonymous.stamp.execute({ id: threadId });
      return stamp && threadPageVersion(stamp);
    },

    async thread(viewer: Viewer, threadId: number) {
      const found = await visibleThread(viewer, threadId);
      if (!found) throw new NotFound();
      return found;
    },

    async post(viewer: Viewer, postId: number) {
      const post = await q.findVisiblePost(db, viewer, postId);
      if (!post) throw new NotFound();
      return post;
    },

    /** A post its author may edit now: the edit form is refused up front, not after the author typed. */
    async postToEdit(viewer: MemberViewer, postId: number) {
      const post = await q.findVisiblePost(db, viewer, postId);
      if (!post) throw new NotFound();
      authorize(viewer, { kind: 'post.edit', post: { authorId: post.authorId, deleted: post.deletedAt !== null, threadLocked: post.threadLocked } });
      return post;
    },

    /** Where post number `number` of a thread lives, for permalinks. */
    async locatePost(viewer: Viewer, threadId: number, number: number) {
      const found = await q.findVisiblePostByNumber(db, viewer, threadId, number);
      if (!found) throw new NotFound();
      return { page: Math.ceil(number / POSTS_PER_PAGE) };
    },

    /** Markdown quoting a post, for a reply in `intoThreadId` (a confidential post stays in its space). */
    async quote(viewer: Viewer, postId: number, intoThreadId?: number): Promise<{ markdown: string; threadId: number }> {
      const post = await q.findVisiblePost(db, viewer, postId);
      if (!post || post.deletedAt) throw new NotFound('That post cannot be quoted.');
      if (intoThreadId !== undefined && intoThreadId !== post.threadId) {
        const [from, into] = await Promise.all([q.findVisibleThreadSpaces(db, viewer, [post.threadId]), q.findVisibleThread(db, viewer, intoThreadId)]);
        if (!into) throw new NotFound();
        if (from[0]?.level === 'confidential' && from[0].spaceId !== into.space.id) throw new Invalid(CONFIDENTIAL_QUOTE);
      }
      return { markdown: quoteMarkdown(post, post.threadId, post.threadSlug), threadId: post.threadId };
    },

    async revisions(viewer: Viewer, postId: number) {
      const post = await q.findVisiblePost(db, viewer, postId);
      if (!post) throw new NotFound();
      // A removed post's history would bring back what its author took down.
      const history = post.deletedAt ? [] : await q.listRevisions(db, viewer, postId);
      return { post, history };
    },

    postsByAuthor: (viewer: Viewer, authorId: string) => q.listPostsByAuthor(db, viewer, authorId),

    async createThread(viewer: MemberViewer, input: NewThreadInput): Promise<PostRef> {
      const { board, space, moderates } = await spaces.postingBoard(viewer, input.boardId);
      authorize(viewer, { kind: 'thread.create', boardArchived: board.archivedAt !== null || board.space.archivedAt !== null });
      authorize(viewer, { kind: 'space.post', space });
      const fields: Record<string, string> = {};
      const title = cleanTitle(input.title, fields);
      const body = cleanBody(input.body, fields);
      throwIfInvalid(fields);
      await checkQuotes(db, viewer, body, board.spaceId);
      const key = checkIdempotencyKey(input.idempotencyKey);
      const existing = async () => {
        const found = key ? await q.findThreadByIdempotencyKey(db, viewer.id, key) : undefined;
        return found ? { threadId: found.id, slug: found.slug, number: 1, postId: found.postId } : undefined;
      };
      const already = await existing();
      if (already) return already;
      const admitted = await admit(viewer, body, { moderates }, existing);
      if ('already' in admitted) return admitted.already;
      const { admission } = admitted;
      const bodyHtml = renderMarkdown(admission.body);
      const created: PostRef & { outsiders?: { handle: string; member: boolean }[] } = await recover(
        () =>
          db.transaction(async (tx) => {
            const now = new Date();
            const { threadId, slug, postId } = await writes.insertThread(tx, {
              boardId: board.id,
              authorId: viewer.id,
              title,
              slug: slugFrom(title),
              idempotencyKey: key ?? null,
              bodySource: admission.body,
              bodyHtml,
              renderVersion: CONTENT_PIPELINE_VERSION,
              status: admission.status,
              moderationNote: admission.note,
              createdAt: now,
            });
            // The statement above also gave the author their watch of the thread.
            if (admission.status === 'held') await queueHeldPost(db, tx, { id: postId, authorId: viewer.id, spaceId: board.spaceId, note: admission.note });
            if (admission.status === 'published') {
              await notifier.newPost(tx, { ...newPostFacts(admission.body), postId, threadId, boardId: board.id, spaceId: board.spaceId, number: 1, authorId: viewer.id, replyToPostId: null });
            }
            const outsiders = await notifier.mentionedOutsiders(tx, board.spaceId, mentionsOutsideQuotes(admission.body));
            return { threadId, slug, number: 1, postId, outsiders };
          }),
        existing,
      );
      const held = admission.status === 'held' ? { held: admission.note } : {};
      const { outsiders = [], ...ref } = created;
      return { ...ref, ...held, warnings: mentionWarnings(board.space, outsiders), unnotifiedMentions: outsiders.map((o) => o.handle) };
    },

    /**
     * Keeps what a member has written of a reply so far, for them alone (see `q.saveReplyDraft`):
     * a tab closed, a battery gone flat or a session ended does not lose it. An empty body discards it.
     */
    async saveReplyDraft(viewer: MemberViewer, threadId: number, input: DraftInput & { replyToPostId?: number | undefined }) {
      const body = draftBody(input.body);
      return keptOrRefused(await q.saveReplyDraft(db, viewer, threadId, { body, replyToPostId: input.replyToPostId ?? null }, draftOptions(input)));
    },

    /** The member's unfinished reply in a thread they may read, if any. */
    replyDraft: (viewer: MemberViewer, threadId: number) => q.findReplyDraft(db, viewer, threadId),

    /** As `saveReplyDraft`, for a new thread on a board: title and body; both empty discard it. */
    async saveThreadDraft(viewer: MemberViewer, boardId: number, input: DraftInput & { title: string }) {
      const title = input.title.normalize('NFC');
      const body = draftBody(input.body);
      if (title.length > FORUM_LIMITS.titleMax) {
        throw new Invalid(`Keep the title under ${FORUM_LIMITS.titleMax} characters (it has ${title.length}).`, { title: 'Too long to keep as a draft.' });
      }
      return keptOrRefused(await q.saveThreadDraft(db, viewer, boardId, { title, body }, draftOptions(input)));
    },

    threadDraft: (viewer: MemberViewer, boardId: number) => q.findThreadDraft(db, viewer, boardId),

    /** Everything the member has started writing and not posted, where they may still read the place. */
    drafts: (viewer: MemberViewer) => q.listOwnDrafts(db, viewer),
    /** Ends drafts nobody has saved for `DRAFT_KEEP_DAYS`; run hourly by every process (deleting twice is harmless). */
    pruneOldDrafts: (now = new Date()) => q.pruneDrafts(db, new Date(now.getTime() - DRAFT_KEEP_DAYS * 86_400_000)),

    async reply(viewer: MemberViewer, threadId: number, input: ReplyInput): Promise<PostRef> {
      const fields: Record<string, string> = {};
      const body = cleanBody(input.body, fields);
      throwIfInvalid(fields);
      const key = checkIdempotencyKey(input.idempotencyKey);
      const existing = async () => {
        const found = key ? await q.findPostByIdempotencyKey(db, viewer.id, key) : undefined;
        if (!found) return undefined;
        const thread = await q.findVisibleThread(db, viewer, found.threadId);
        return thread ? { threadId: found.threadId, slug: thread.thread.slug, number: found.number, postId: found.id } : undefined;
      };
      const already = await existing();
      if (already) return already;
      // Read before the transaction: a read on another connection while holding one could starve the pool.
      const settings = await readSettings();
      return recover<PostRef>(
        () =>
          withGenericPlans(db, async (tx) => {
            // Every statement here looks rows up by key, and each is planned once (withGenericPlans):
            // the member's recent posts were planned for their values on every reply.
            // The lock's statement also says where the reply goes and whether its author moderates
            // there, which admission needs: asking before the transaction was one more round trip.
            const locked = await writes.lockVisibleThread(tx, viewer, threadId);
            if (!locked) throw new NotFound();
            const { thread } = locked;
            authorize(viewer, {
              kind: 'post.reply',
              thread: { locked: thread.locked, boardArchived: locked.boardArchived, authorId: thread.authorId },
            });
            authorize(viewer, { kind: 'space.post', space: spaceFactsFrom(locked.space, locked.membership) });
            const admission = await admitPost(db, tx, settings, viewer, { body, moderates: locked.moderates });
            await checkQuotes(tx, viewer, body, locked.space.id);
            if (input.replyToPostId !== undefined) {
              const target = await q.findVisiblePost(tx, viewer, input.replyToPostId);
              if (!target || target.threadId !== threadId) throw new Invalid('The post you replied to is not in this thread.');
            }
            const now = new Date();
            const number = thread.postCount + 1;
            const values = {
              threadId,
              number,
              authorId: viewer.id,
              bodySource: admission.body,
              bodyHtml: renderMarkdown(admission.body),
              renderVersion: CONTENT_PIPELINE_VERSION,
              replyToPostId: input.replyToPostId ?? null,
              idempotencyKey: key,
              status: admission.status,
              moderationNote: admission.note,
              createdAt: now,
            };
            let post: { id: number };
            if (admission.status === 'held') {
              post = await q.insertPost(tx, values);
              // The number is taken (numbers never change), but the thread shows no new activity until approval.
              await q.recordPostNumber(tx, threadId, number);
              await queueHeldPost(db, tx, { id: post.id, authorId: viewer.id, spaceId: locked.space.id, note: admission.note });
              await notifier.watchOnPosting(tx, viewer.id, threadId, false);
            } else {
              // The post, the thread's and the board's counters and the author's watch in one round trip.
              post = await writes.insertPublishedReply(tx, values, thread.boardId);
              await notifier.newPost(tx, {
                ...newPostFacts(admission.body),
                postId: post.id,
                threadId,
                boardId: thread.boardId,
                spaceId: locked.space.id,
                number,
                authorId: viewer.id,
                replyToPostId: input.replyToPostId ?? null,
              });
            }
            const outsiders = await notifier.mentionedOutsiders(tx, locked.space.id, mentionsOutsideQuotes(admission.body));
            const held = admission.status === 'held' ? { held: admission.note } : {};
            const warnings = mentionWarnings(locked.space, outsiders);
            return { threadId, slug: thread.slug, number, postId: post.id, ...held, warnings, unnotifiedMentions: outsiders.map((o) => o.handle) };
          }),
        async () => {
          const twin = await existing();
          return twin && { ...twin, warnings: [], unnotifiedMentions: [] };
        },
      );
    },

    async edit(viewer: MemberViewer, postId: number, input: EditInput): Promise<PostRef> {
      const post = await q.findVisiblePost(db, viewer, postId);
      if (!post) throw new NotFound();
      authorize(viewer, {
        kind: 'post.edit',
        post: { authorId: post.authorId, deleted: post.deletedAt !== null, threadLocked: post.threadLocked },
      });
      const fields: Record<string, string> = {};
      const typed = cleanBody(input.body, fields, EMPTY_EDIT);
      const title = post.number === 1 && input.title !== undefined ? cleanTitle(input.title, fields) : undefined;
      throwIfInvalid(fields);
      const stale = new Conflict(
        'A newer version of this post was saved while you were editing (in another tab or device, or by a moderator). Your text is kept below the current version: compare the two, then save again.',
      );
      if (input.baseRevision !== post.revision) throw stale;
      const titleChanged = title !== undefined && title !== post.threadTitle;
      const place = (await q.findVisibleThreadSpaces(db, viewer, [post.threadId]))[0];
      if (place) await checkQuotes(db, viewer, typed, place.spaceId);
      if (typed === post.bodySource && !titleChanged) return { threadId: post.threadId, slug: post.threadSlug, number: post.number, postId };
      const body = await admitEdit(db, await readSettings(), viewer, {
        body: typed,
        before: post.bodySource,
        published: post.status === 'published',
        moderates: async () => place !== undefined && (await viewerModeratesSpace(db, viewer, place.spaceId)),
      });
      const slug = titleChanged ? slugFrom(title) : post.threadSlug;
      try {
        await db.transaction(async (tx) => {
          await q.insertRevision(tx, {
            postId,
            revision: post.revision,
            title: post.number === 1 ? post.threadTitle : null,
            bodySource: post.bodySource,
            bodyHtml: post.bodyHtml,
            editorId: viewer.id,
          });
          const saved = await q.updatePostBody(tx, postId, input.baseRevision, {
            bodySource: body,
            bodyHtml: renderMarkdown(body),
            renderVersion: CONTENT_PIPELINE_VERSION,
          });
          if (!saved) throw stale;
          if (titleChanged) await q.updateThreadTitle(tx, post.threadId, title, slug);
          if (post.status === 'published') {
            const before = new Set(mentionsOutsideQuotes(post.bodySource));
            await notifier.mentionsAdded(tx, postId, mentionsOutsideQuotes(body).filter((h) => !before.has(h)));
          }
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw stale;
        throw error;
      }
      return { threadId: post.threadId, slug, number: post.number, postId };
    },

    async remove(viewer: MemberViewer, postId: number): Promise<PostRef> {
      const post = await q.findVisiblePost(db, viewer, postId);
      if (!post) throw new NotFound();
      authorize(viewer, {
        kind: 'post.delete',
        post: { authorId: post.authorId, deleted: post.deletedAt !== null, threadLocked: post.threadLocked },
      });
      await q.softDeletePost(db, postId);
      return { threadId: post.threadId, slug: post.threadSlug, number: post.number, postId };
    },

    async setThreadState(viewer: MemberViewer, threadId: number, state: { pinned?: boolean; locked?: boolean }): Promise<void> {
      authorize(viewer, { kind: 'thread.moderate' });
      if (state.pinned === undefined && state.locked === undefined) throw new Invalid('Say whether to pin or lock the thread.');
      const found = await q.findVisibleThread(db, viewer, threadId);
      if (!found) throw new NotFound();
      const opening = await q.findVisiblePostByNumber(db, viewer, threadId, 1);
      await db.transaction(async (tx) => {
        await q.setThreadFlags(tx, threadId, state);
        // Pins and locks are moderator actions: they belong in the moderation log with the rest. The
        // line names its thread through the opening post, so logs show the title only to whoever may
        // read the thread still (it was written into the reason before, where it stayed for everyone).
        for (const [flag, on] of Object.entries(state)) {
          if (on === undefined) continue;
          const action = flag === 'pinned' ? (on ? 'pin' : 'unpin') : on ? 'lock' : 'unlock';
          await insertLog(tx, { actorId: viewer.id, action, subjectId: found.thread.authorId, spaceId: found.space.id, postId: opening?.id ?? null, reason: '' });
        }
      });
    },
  };
}
