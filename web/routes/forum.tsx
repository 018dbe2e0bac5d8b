import { randomUUID } from 'node:crypto';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderMarkdown } from '../../server/content/render-markdown.ts';
import { Conflict, Invalid, NotFound } from '../../server/errors.ts';
import { FORUM_LIMITS } from '../../server/forum/rules.ts';
import { threadPageVersion, type PostRef, type ThreadPageHead } from '../../server/forum/service.ts';
import { watchStateOf } from '../../server/notifications/service.ts';
import { mayPostIn } from '../../server/spaces/service.ts';
import { requireMember, type Viewer } from '../../server/policy/index.ts';
import { chromeOf, pageContext } from '../context.ts';
import { renderFragment, sendPage } from '../render.tsx';
import { createThreadPostsCache, withoutFormToken, type SharedThreadPosts } from '../thread-posts-cache.ts';
import { boardHref, postHref, spaceHref, threadHref } from '../urls.ts';
import { relativeStableForMs } from '../views/components.tsx';
import type { ComposerState } from '../views/forum/composer.tsx';
import { DraftsPage } from '../views/forum/drafts-page.tsx';
import { BoardPage, canReplyIn, ComposePage, HomePage, RevisionsPage, SpacesPage, ThreadPage, ThreadPosts, threadDescription } from '../views/forum/pages.tsx';

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });
const Page = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) });
const Slug = Type.String({ maxLength: 200 });
// Generous caps: the service gives the precise message, and the form keeps the text.
const ComposerBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: FORUM_LIMITS.titleMax * 4 })),
  body: Type.String({ maxLength: FORUM_LIMITS.bodyMax * 2 }),
  idempotencyKey: Type.Optional(Type.String({ maxLength: 100 })),
  intent: Type.Optional(Type.String({ maxLength: 20 })),
  replyTo: Type.Optional(Type.String({ maxLength: 20 })),
  baseRevision: Type.Optional(Type.String({ maxLength: 20 })),
  /** The composer's draft revision when the page loaded ("0": none). */
  draftRevision: Type.Optional(Type.String({ maxLength: 20 })),
  /** Where a draft's Discard button on the drafts page returns to. */
  back: Type.Optional(Type.Literal('drafts')),
  _csrf: Type.Optional(Type.String()),
});

/**
 * How far behind the relative times ("5 min ago") of a thread page served from the anonymous cache
 * may be. Thirty posts written minutes apart change their words every couple of seconds between
 * them; exact words would mean rendering an active thread's page again every 2 s. Thirty seconds
 * is within the rounding the words already have at the minute scale ("17 min ago" is 16.5 to 17.5
 * minutes); the cost is that a post can say "just now" until it is 90 s old.
 */
const RELATIVE_TIME_LAG_MS = 30_000;

const freshComposer = (body = ''): ComposerState => ({ body, idempotencyKey: randomUUID(), errors: {} });

/** Form errors are re-rendered with what the person typed; anything else goes to the error handler. */
function formProblem(error: unknown): { status: number; refused: Pick<ComposerState, 'errors' | 'message' | 'see'> } {
  if (error instanceof Invalid) return { status: 422, refused: { errors: error.fields, message: error.message, see: error.see } };
  if (error instanceof Conflict) return { status: 409, refused: { errors: {}, message: error.message } };
  throw error;
}

/** The draft revision a composer loaded with ("0" when it had none); undefined when the form carries none. */
function draftRevisionOf(body: { draftRevision?: string | undefined }): number | undefined {
  const raw = body.draftRevision;
  return raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

function positiveInt(raw: string | undefined): number | undefined {
  if (!raw || !/^\d{1,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

export const forumPages: FastifyPluginAsyncTypebox = async (app) => {
  const { forum, spaces, moderation, notifications } = app.services;
  const sharedPosts = createThreadPostsCache();
  app.anonymousPages.versionCheck('thread', (id) => forum.anonymousThreadVersion(id));

  app.get('/', { config: { access: 'public' } }, async (request, reply) => {
    const viewer = request.viewer;
    const [home, latest, invitations] = await Promise.all([
      spaces.home(viewer),
      forum.latest(viewer, 'home'),
      viewer.kind === 'member' ? app.services.membership.openInvitationCount(viewer) : 0,
    ]);
    return sendPage(reply, <HomePage ctx={pageContext(request, reply)} spaces={home} latest={latest} invitations={invitations} />);
  });

  app.get('/spaces', { config: { access: 'public' } }, async (request, reply) =>
    sendPage(reply, <SpacesPage ctx={pageContext(request, reply)} directory={await spaces.directory(request.viewer)} />),
  );

  /**
   * A member of a confidential space who has not accepted its current ground rules gets the rules
   * instead of a 404. Everyone else keeps getting the 404: existence stays confidential.
   */
  async function rulesFirst<T>(request: FastifyRequest, reply: FastifyReply, target: { spaceSlug?: string; threadId?: number }, work: () => Promise<T>) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      const slug = await spaces.rulesGate(request.viewer, target);
      if (!slug) throw error;
      return reply.redirect(`/s/${slug}/rules?next=${encodeURIComponent(request.url)}`, 303);
    }
  }

  app.get(
    '/s/:space/:board',
    { config: { access: 'public' }, schema: { params: Type.Object({ space: Slug, board: Slug }), querystring: Page } },
    async (request, reply) =>
      rulesFirst(request, reply, { spaceSlug: request.params.space }, async () => {
        const board = await spaces.boardBySlugs(request.viewer, request.params.space, request.params.board);
        const viewer = request.viewer;
        const [result, facts] = await Promise.all([forum.boardPage(viewer, board, request.query.page ?? 1), spaces.pageFacts(viewer, board.space, board.membership)]);
        const watch = viewer.kind === 'member' ? watchStateOf('board', board.ownWatch) : undefined;
        const unread = viewer.kind === 'member' ? await notifications.unreadCounts(viewer, result.threads.map((t) => t.id)) : undefined;
        return sendPage(
          reply,
          <BoardPage ctx={pageContext(request, reply)} space={board.space} board={board} threads={result.threads} page={result.page} pages={result.pages} {...facts} {...(unread ? { unread } : {})} {...(watch ? { watch } : {})} />,
        );
      }),
  );

  async function renderNewThread(
    request: FastifyRequest,
    reply: FastifyReply,
    spaceSlug: string,
    boardSlug: string,
    state: ComposerState | ((draft: { title: string; body: string } | undefined) => ComposerState),
    status = 200,
  ) {
    const viewer = requireMember(request.viewer);
    const board = await spaces.boardBySlugs(viewer, spaceSlug, boardSlug);
    const [heldFirstPosts, draft] = await Promise.all([moderation.firstPostsHeld(viewer), forum.threadDraft(viewer, board.id)]);
    return sendPage(
      reply,
      <ComposePage
        ctx={pageContext(request, reply)}
        heldFirstPosts={heldFirstPosts}
        title={`New thread in ${board.name}`}
        crumbs={[{ label: 'Home', href: '/' }, { label: board.space.name, href: spaceHref(board.space.slug) }, { label: board.name, href: boardHref(board.space.slug, board.slug) }, { label: 'New thread' }]}
        action={`${boardHref(board.space.slug, board.slug)}/new`}
        state={typeof state === 'function' ? state(draft) : state}
        withTitle
        submitLabel="Start thread"
        mentionable={`/mentionable?board=${board.id}`}
        draft={{ url: `${boardHref(board.space.slug, board.slug)}/draft`, savedAt: draft?.savedAt ?? null, revision: draft?.revision ?? 0 }}
      />,
      status,
    );
  }

  app.get('/s/:space/:board/new', { config: { access: 'member' }, schema: { params: Type.Object({ space: Slug, board: Slug }) } }, async (request, reply) =>
    renderNewThread(request, reply, request.params.space, request.params.board, (draft) => ({ ...freshComposer(draft?.body), title: draft?.title ?? '' })),
  );

  app.get('/drafts', { config: { access: 'member' } }, async (request, reply) => {
    const { opened, replies } = await forum.drafts(requireMember(request.viewer));
    return sendPage(reply, <DraftsPage ctx={pageContext(request, reply)} opened={opened} replies={replies} />);
  });

  /** Keeps (or ends) the member's unfinished new thread on the board, as /t/:id/draft does a reply. */
  app.post(
    '/s/:space/:board/draft',
    { config: { access: 'member' }, schema: { params: Type.Object({ space: Slug, board: Slug }), body: ComposerBody } },
    async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const { title = '', body, idempotencyKey, intent } = request.body;
      const discard = intent === 'discard-draft';
      const board = await spaces.boardBySlugs(viewer, request.params.space, request.params.board);
      const baseRevision = draftRevisionOf(request.body);
      return keepDraft(
        request,
        reply,
        discard,
        () => forum.saveThreadDraft(viewer, board.id, { title: discard ? '' : title, body: discard ? '' : body, idempotencyKey, baseRevision }),
        request.body.back === 'drafts' ? '/drafts' : `${boardHref(board.space.slug, board.slug)}/new`,
        (refused, status) => renderNewThread(request, reply, request.params.space, request.params.board, { title, body, idempotencyKey: idempotencyKey ?? randomUUID(), ...refused }, status),
      );
    },
  );

  app.post(
    '/s/:space/:board/new',
    { config: { access: 'member' }, schema: { params: Type.Object({ space: Slug, board: Slug }), body: ComposerBody } },
    async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const { title = '', body, idempotencyKey = randomUUID(), intent } = request.body;
      const state: ComposerState = { title, body, idempotencyKey, errors: {} };
      if (intent === 'preview') return renderNewThread(request, reply, request.params.space, request.params.board, { ...state, preview: renderMarkdown(body) });
      const board = await spaces.boardBySlugs(viewer, request.params.space, request.params.board);
      try {
        const ref = await forum.createThread(viewer, { boardId: board.id, title, body, idempotencyKey });
        flashPosted(request, ref);
        return reply.redirect(threadHref(ref.threadId, ref.slug), 303);
      } catch (error) {
        const problem = formProblem(error);
        return renderNewThread(request, reply, request.params.space, request.params.board, { ...state, ...problem.refused }, problem.status);
      }
    },
  );

  /** The posts shown on which the viewer could have an open flag (not their own, not removed). */
  function flaggable(viewer: Viewer, shown: { id: number; authorId: string; deletedAt: Date | null }[]): number[] {
    return viewer.kind === 'member' ? shown.filter((p) => p.authorId !== viewer.id && p.deletedAt === null).map((p) => p.id) : [];
  }

  /** The viewer's open flags on those posts, so each says "You flagged this" with a Withdraw button. */
  async function ownFlagsOn(viewer: Viewer, postIds: number[]): Promise<Map<number, number>> {
    if (viewer.kind !== 'member' || postIds.length === 0) return new Map();
    return moderation.ownFlagsOnPosts(viewer, postIds);
  }

  /** Said to the author after posting: a held post waits for a moderator before others see it. */
  function flashPosted(request: FastifyRequest, ref: PostRef) {
    // Why it was held is said once, in the note on the post itself.
    if (ref.held) request.flash('info', 'Your post is waiting for approval: a moderator checks it before others see it. The note on your post says why.');
    for (const warning of ref.warnings ?? []) request.flash('info', warning);
  }

  app.get('/t/:id', { config: { access: 'public' }, schema: { params: IdParam } }, async (request, reply) => {
    const { thread } = await forum.thread(request.viewer, request.params.id);
    return reply.redirect(threadHref(thread.id, thread.slug), 301);
  });

  app.get(
    '/t/:id/:slug',
    { config: { access: 'public' }, schema: { params: Type.Object({ id: IdParam.properties.id, slug: Slug }), querystring: Page } },
    async (request, reply) =>
      rulesFirst(request, reply, { threadId: request.params.id }, async () => {
        const page = request.query.page ?? 1;
        const viewer = request.viewer;
        // The header's bell was counted before this page read anything: with nothing unread there is
        // nothing to mark read, and when the page did read some, the bell is counted again below.
        const chrome = chromeOf(request);
        const unreadNotifications = chrome?.notificationCount !== 0;
        let shareKey: string | undefined;
        const read = await forum.threadPage<SharedThreadPosts>(viewer, request.params.id, page, {
          unreadNotifications,
          shared: (head: ThreadPageHead) => {
            shareKey = sharedPosts.keyFor(head, canReplyIn(viewer, { ...head, canPost: mayPostIn(viewer, head.space, head.membership) }));
            return shareKey === undefined ? undefined : sharedPosts.get(shareKey);
          },
        });
        // Titles change; the id is what identifies a thread, so an old slug redirects to the current one.
        if (read.thread.slug !== request.params.slug) return reply.redirect(threadHref(read.thread.id, read.thread.slug, page), 301);
        const [facts, ownFlags] = await Promise.all([
          spaces.pageFacts(viewer, read.space, read.membership),
          read.shared ? ownFlagsOn(viewer, read.shared.flaggable) : ownFlagsOn(viewer, flaggable(viewer, read.posts)),
        ]);
        const watch = viewer.kind === 'member' ? watchStateOf('thread', read.ownWatch) : undefined;
        // A shared rendering says "Flag" where this reader has flagged: their page is their own after all.
        const result = read.shared && ownFlags.size > 0 ? await forum.threadPage(viewer, request.params.id, page, { unreadNotifications: false }) : read;
        const bell = viewer.kind === 'member' && read.notificationsRead > 0 ? await notifications.unreadCount(viewer) : undefined;
        if (chrome && bell !== undefined) chrome.notificationCount = bell;
        const ctx = pageContext(request, reply);
        const canReply = canReplyIn(viewer, { ...result, canPost: facts.canPost });
        // A query only for a member still at trust level 0, and only when the site holds first posts.
        const heldFirstPosts = canReply && viewer.kind === 'member' ? await moderation.firstPostsHeld(viewer) : null;
        let posts: SharedThreadPosts;
        if (result.shared) posts = result.shared;
        else {
          const keepAs = ownFlags.size === 0 ? shareKey : undefined;
          const html = renderFragment(
            <ThreadPosts ctx={keepAs !== undefined ? withoutFormToken(ctx) : ctx} posts={result.posts} thread={result.thread} spaceId={result.space.id} canReply={canReply} ownFlags={ownFlags} />,
          );
          posts = { html, lastShown: result.posts.at(-1)?.number, description: threadDescription(result.posts), flaggable: flaggable(viewer, result.posts) };
          // It prints "5 min ago": it may be kept only while those words stay (nearly) true.
          const now = Date.now();
          const maxAgeMs = Math.min(...result.posts.map((post) => relativeStableForMs(post.createdAt, now))) + RELATIVE_TIME_LAG_MS;
          if (keepAs !== undefined) sharedPosts.remember(keepAs, posts, maxAgeMs);
          // Rendered from the anonymous statements: the cache may keep it until the thread's version changes.
          if (viewer.kind === 'anonymous') reply.pageVersion = { kind: 'thread', id: result.thread.id, version: threadPageVersion(result), maxAgeMs };
        }
        return sendPage(
          reply,
          <ThreadPage
            ctx={ctx}
            {...result}
            {...facts}
            postsHtml={posts.html}
            description={posts.description}
            composer={freshComposer(result.draft?.body)}
            heldFirstPosts={heldFirstPosts}
            draft={
              viewer.kind === 'member'
                ? { url: `/t/${result.thread.id}/draft`, savedAt: result.draft ? new Date(result.draft.savedAt) : null, revision: result.draft?.revision ?? 0, answers: result.draft?.replyTo ?? undefined }
                : undefined
            }
            {...(watch ? { watch } : {})}
          />,
        );
      }),
  );

  async function renderReply(
    request: FastifyRequest,
    reply: FastifyReply,
    threadId: number,
    replyToPostId: number | undefined,
    state: ComposerState | ((draft: string | undefined) => ComposerState),
    status = 200,
  ) {
    const viewer = requireMember(request.viewer);
    const { thread, board, space } = await forum.thread(viewer, threadId);
    const [heldFirstPosts, draft] = await Promise.all([moderation.firstPostsHeld(viewer), forum.replyDraft(viewer, thread.id)]);
    // A post the draft names, while the viewer may still read it.
    const readable = (postId: number) =>
      forum.post(viewer, postId).catch((error: unknown) => {
        if (error instanceof NotFound) return undefined;
        throw error;
      });
    // Without a post named, the one the draft answers ("Reply" on #5, closed, and come back).
    const kept = draft?.replyToPostId ?? null;
    const parent = replyToPostId ? await forum.post(viewer, replyToPostId) : kept ? await readable(kept) : undefined;
    const replyTo = parent && parent.threadId === thread.id && !parent.deletedAt ? parent : undefined;
    // A draft written for the thread or another post, opened from this post's Reply link: its
    // saves will answer this post now, which is said, with the way back.
    const earlier = draft && replyToPostId !== undefined && kept !== replyToPostId ? (kept === null ? 'thread' : await readable(kept)) : undefined;
    const moved =
      earlier === 'thread' ? (
        <>
          Your draft below was written as a reply to the thread; posting it here answers post #{replyTo?.number} instead.{' '}
          <a href={`/t/${thread.id}/reply`}>Reply to the thread instead</a>
        </>
      ) : earlier && earlier.threadId === thread.id ? (
        <>
          Your draft below was written in answer to post #{earlier.number}; posting it here answers post #{replyTo?.number} instead.{' '}
          <a href={`/t/${thread.id}/reply?to=${earlier.id}`}>Answer post #{earlier.number} instead</a>
        </>
      ) : undefined;
    const composer = typeof state === 'function' ? state(draft?.body) : state;
    return sendPage(
      reply,
      <ComposePage
        ctx={pageContext(request, reply)}
        heldFirstPosts={heldFirstPosts}
        title={`Reply: ${thread.title}`}
        crumbs={[{ label: 'Home', href: '/' }, { label: space.name, href: spaceHref(space.slug) }, { label: board.name, href: boardHref(space.slug, board.slug) }, { label: thread.title, href: threadHref(thread.id, thread.slug) }, { label: 'Reply' }]}
        action={`/t/${thread.id}/reply`}
        state={{ ...composer, hidden: replyTo ? { replyTo: String(replyTo.id) } : {} }}
        draft={{ url: `/t/${thread.id}/draft`, savedAt: draft?.savedAt ?? null, revision: draft?.revision ?? 0 }}
        withTitle={false}
        submitLabel="Post reply"
        mentionable={`/mentionable?thread=${thread.id}`}
        context={replyTo ? { author: `@${replyTo.author.handle} (#${replyTo.number})`, html: replyTo.bodyHtml } : undefined}
        notice={replyTo ? moved : undefined}
      />,
      status,
    );
  }

  app.get(
    '/t/:id/reply',
    { config: { access: 'member' }, schema: { params: IdParam, querystring: Type.Object({ to: Type.Optional(IdParam.properties.id), quote: Type.Optional(Type.String({ maxLength: 5 })) }) } },
    async (request, reply) => {
      const { to, quote } = request.query;
      // A quote is built from a post the viewer can read (the policy decides), never from client text.
      const quoted = to && quote ? (await forum.quote(request.viewer, to, request.params.id)).markdown : '';
      // What they had started comes first; a quote picked now goes under it, unless it is there already.
      return renderReply(request, reply, request.params.id, to, (draft) =>
        freshComposer(draft === undefined ? quoted : quoted && !draft.includes(quoted.trim()) ? `${draft}\n\n${quoted}` : draft),
      );
    },
  );

  app.post('/t/:id/reply', { config: { access: 'member' }, schema: { params: IdParam, body: ComposerBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { body, idempotencyKey = randomUUID(), intent } = request.body;
    const replyToPostId = positiveInt(request.body.replyTo);
    const state: ComposerState = { body, idempotencyKey, errors: {} };
    if (intent === 'preview') return renderReply(request, reply, request.params.id, replyToPostId, { ...state, preview: renderMarkdown(body) });
    try {
      const ref = await forum.reply(viewer, request.params.id, { body, idempotencyKey, ...(replyToPostId ? { replyToPostId } : {}) });
      flashPosted(request, ref);
      return reply.redirect(postHref(ref.threadId, ref.slug, ref.number), 303);
    } catch (error) {
      const problem = formProblem(error);
      return renderReply(request, reply, request.params.id, replyToPostId, { ...state, ...problem.refused }, problem.status);
    }
  });

  /**
   * Keeps (or, with intent=discard-draft, ends) the member's reply draft. app.js sends the composer
   * here as the member types and reads JSON; the composer's Save draft and Discard draft buttons
   * send it without JavaScript and come back to the thread (the drafts page's Discard, to it).
   */
  app.post('/t/:id/draft', { config: { access: 'member' }, schema: { params: IdParam, body: ComposerBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { body, idempotencyKey, intent } = request.body;
    const discard = intent === 'discard-draft';
    const baseRevision = draftRevisionOf(request.body);
    const replyToPostId = positiveInt(request.body.replyTo);
    return keepDraft(
      request,
      reply,
      discard,
      () => forum.saveReplyDraft(viewer, request.params.id, { body: discard ? '' : body, replyToPostId, idempotencyKey, baseRevision }),
      request.body.back === 'drafts' ? '/drafts' : `/t/${request.params.id}#reply`,
      (refused, status) => renderReply(request, reply, request.params.id, replyToPostId, { body, idempotencyKey: idempotencyKey ?? randomUUID(), ...refused }, status),
    );
  });

  /**
   * A draft kept from the composer: JSON for app.js ({kept, savedAt, revision} or {kept: false,
   * why}), or a redirect with a message for the no-JavaScript buttons. Too long, or saved from
   * elsewhere since the page loaded: refused with the text kept, the stored draft left as it was.
   */
  async function keepDraft(
    request: FastifyRequest,
    reply: FastifyReply,
    discard: boolean,
    save: () => Promise<{ savedAt: Date; revision: number } | 'posted' | 'ended'>,
    back: string,
    refuse: (refused: Pick<ComposerState, 'errors' | 'message'>, status: number) => Promise<FastifyReply>,
  ) {
    const json = request.headers.accept?.startsWith('application/json') === true;
    let saved: Awaited<ReturnType<typeof save>>;
    try {
      saved = await save();
    } catch (error) {
      // Too long, or saved since from another tab or device: refused, with the text kept.
      if (!(error instanceof Invalid) && !(error instanceof Conflict)) throw error;
      if (json) return reply.status(error.status).send({ error: { code: error.code, message: error.message, fields: error instanceof Invalid ? error.fields : {} } });
      return refuse({ errors: error instanceof Invalid ? error.fields : {}, message: error.message }, error.status);
    }
    if (json) return typeof saved === 'object' ? { kept: true, savedAt: saved.savedAt.toISOString(), revision: saved.revision } : { kept: false, why: saved };
    if (saved === 'posted') request.flash('info', 'That was posted already, so it was not kept as a draft.');
    else if (saved === 'ended') request.flash('success', discard ? 'Draft discarded.' : 'There was nothing to keep, so no draft is kept.');
    else request.flash('success', 'Draft saved. Only you can see it; it is here whenever you come back.');
    return reply.redirect(back, 303);
  }

  app.post(
    '/t/:id/moderate',
    {
      config: { access: 'moderator' },
      schema: { params: IdParam, body: Type.Object({ pinned: Type.Optional(Type.Boolean()), locked: Type.Optional(Type.Boolean()), _csrf: Type.Optional(Type.String()) }) },
    },
    async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const { pinned, locked } = request.body;
      await forum.setThreadState(viewer, request.params.id, { ...(pinned === undefined ? {} : { pinned }), ...(locked === undefined ? {} : { locked }) });
      const { thread } = await forum.thread(viewer, request.params.id);
      request.flash('success', pinned !== undefined ? (pinned ? 'Thread pinned.' : 'Thread unpinned.') : locked ? 'Thread locked.' : 'Thread unlocked.');
      return reply.redirect(threadHref(thread.id, thread.slug), 303);
    },
  );

  app.get('/p/:id', { config: { access: 'public' }, schema: { params: IdParam } }, async (request, reply) => {
    const post = await forum.post(request.viewer, request.params.id);
    return reply.redirect(postHref(post.threadId, post.threadSlug, post.number), 301);
  });

  /**
   * `conflict`: the edit was refused as saved elsewhere since the form was opened. The typed text
   * stays in the form, the version saved now is shown above it, and the form now builds on that
   * version, so Save keeps what was typed once the writer has compared the two.
   */
  async function renderEdit(request: FastifyRequest, reply: FastifyReply, postId: number, state: ComposerState | undefined, status = 200, conflict = false) {
    const post = await forum.postToEdit(requireMember(request.viewer), postId);
    const { space, board } = await forum.thread(request.viewer, post.threadId);
    const initial: ComposerState = state ?? { body: post.bodySource, idempotencyKey: randomUUID(), errors: {}, ...(post.number === 1 ? { title: post.threadTitle } : {}) };
    const baseRevision = conflict ? String(post.revision) : (state?.hidden?.baseRevision ?? String(post.revision));
    return sendPage(
      reply,
      <ComposePage
        ctx={pageContext(request, reply)}
        title={`Edit post #${post.number}`}
        crumbs={[
          { label: 'Home', href: '/' },
          { label: space.name, href: spaceHref(space.slug) },
          { label: board.name, href: boardHref(space.slug, board.slug) },
          { label: post.threadTitle, href: postHref(post.threadId, post.threadSlug, post.number) },
          { label: 'Edit' },
        ]}
        action={`/p/${post.id}/edit`}
        state={{ ...initial, hidden: { baseRevision } }}
        current={conflict ? { title: post.number === 1 ? post.threadTitle : null, html: post.bodyHtml, editedAt: post.editedAt } : undefined}
        withTitle={post.number === 1}
        submitLabel="Save changes"
      />,
      status,
    );
  }

  app.get('/p/:id/edit', { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) => renderEdit(request, reply, request.params.id, undefined));

  app.post('/p/:id/edit', { config: { access: 'member' }, schema: { params: IdParam, body: ComposerBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { body, title, intent, idempotencyKey = randomUUID() } = request.body;
    const baseRevision = positiveInt(request.body.baseRevision) ?? 0;
    const state: ComposerState = { body, idempotencyKey, errors: {}, hidden: { baseRevision: String(baseRevision) }, ...(title !== undefined ? { title } : {}) };
    if (intent === 'preview') return renderEdit(request, reply, request.params.id, { ...state, preview: renderMarkdown(body) });
    try {
      const ref = await forum.edit(viewer, request.params.id, { body, baseRevision, ...(title !== undefined ? { title } : {}) });
      request.flash('success', 'Your changes are saved.');
      return reply.redirect(postHref(ref.threadId, ref.slug, ref.number), 303);
    } catch (error) {
      const problem = formProblem(error);
      return renderEdit(request, reply, request.params.id, { ...state, ...problem.refused }, problem.status, error instanceof Conflict);
    }
  });

  app.post('/p/:id/delete', { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) => {
    const ref = await forum.remove(requireMember(request.viewer), request.params.id);
    request.flash('success', 'Your post was removed. A note stays in its place so replies still make sense.');
    return reply.redirect(postHref(ref.threadId, ref.slug, ref.number), 303);
  });

  app.get('/p/:id/revisions', { config: { access: 'public' }, schema: { params: IdParam } }, async (request, reply) => {
    const { post, history } = await forum.revisions(request.viewer, request.params.id);
    return sendPage(reply, <RevisionsPage ctx={pageContext(request, reply)} post={post} history={history} />);
  });

  /** Live preview for the composer (JavaScript on); same pipeline as posting. */
  app.post('/preview', { config: { access: 'member' }, schema: { body: Type.Object({ body: Type.String({ maxLength: FORUM_LIMITS.bodyMax * 2 }), _csrf: Type.Optional(Type.String()) }) } }, async (request) => ({
    html: renderMarkdown(request.body.body),
  }));
};
