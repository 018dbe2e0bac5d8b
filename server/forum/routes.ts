import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { renderMarkdown } from '../content/render-markdown.ts';
import { errorResponses, Id, IdParams, Ok, PageQuery } from '../api/schemas.ts';
import { NotFound } from '../errors.ts';
import { requireMember } from '../policy/index.ts';
import { presentSpace, SpaceOut } from '../spaces/presenters.ts';
import { PostOut, presentPost, presentThreadSummary, threadUrl, ThreadSummaryOut } from './presenters.ts';
import { FORUM_LIMITS } from './rules.ts';

// Bodies are capped a little above the real limits so the service can answer with its own, clearer message.
const Title = Type.String({ maxLength: FORUM_LIMITS.titleMax * 4 });
const Body = Type.String({ maxLength: FORUM_LIMITS.bodyMax * 2 });
const IdempotencyKey = Type.Optional(Type.String({ maxLength: FORUM_LIMITS.idempotencyKey }));
const PostRefOut = Type.Object({ threadId: Type.Integer(), postId: Type.Integer(), number: Type.Integer(), url: Type.String(), warnings: Type.Array(Type.String()), unnotifiedMentions: Type.Array(Type.String(), { description: 'Mentioned members who cannot read the space: nobody among them was notified' }) });

const refUrl = (ref: { threadId: number; slug: string; number: number }) => `${threadUrl(ref.threadId, ref.slug)}#p${ref.number}`;

export const forumApi: FastifyPluginAsyncTypebox = async (app) => {
  const { forum, spaces } = app.services;

  app.get(
    '/latest',
    { config: { access: 'public' }, schema: { tags: ['forum'], summary: 'Latest activity you can read', response: { 200: Type.Array(ThreadSummaryOut) } } },
    async (request) => (await forum.latest(request.viewer, 'api')).map(presentThreadSummary),
  );

  app.get(
    '/boards/:id/threads',
    {
      config: { access: 'public' },
      schema: {
        tags: ['forum'],
        params: IdParams,
        querystring: PageQuery,
        response: { 200: Type.Object({ page: Type.Integer(), pages: Type.Integer(), total: Type.Integer(), threads: Type.Array(ThreadSummaryOut) }), ...errorResponses },
      },
    },
    async (request) => {
      const board = await spaces.boardById(request.viewer, request.params.id);
      const result = await forum.boardPage(request.viewer, board, request.query.page ?? 1);
      return { page: result.page, pages: result.pages, total: result.total, threads: result.threads.map(presentThreadSummary) };
    },
  );

  app.post(
    '/boards/:id/threads',
    {
      config: { access: 'member' },
      schema: {
        tags: ['forum'],
        summary: 'Start a thread',
        params: IdParams,
        body: Type.Object({ title: Title, body: Body, idempotencyKey: IdempotencyKey }),
        response: { 201: PostRefOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const ref = await forum.createThread(requireMember(request.viewer), { boardId: request.params.id, ...request.body });
      return reply.status(201).send({ threadId: ref.threadId, postId: ref.postId, number: ref.number, url: refUrl(ref), warnings: ref.warnings ?? [], unnotifiedMentions: ref.unnotifiedMentions ?? [] });
    },
  );

  app.get(
    '/threads/:id',
    {
      config: { access: 'public' },
      schema: {
        tags: ['forum'],
        params: IdParams,
        querystring: PageQuery,
        response: {
          200: Type.Object({
            id: Type.Integer(),
            title: Type.String(),
            url: Type.String(),
            pinned: Type.Boolean(),
            locked: Type.Boolean(),
            postCount: Type.Integer(),
            board: Type.Object({ id: Type.Integer(), name: Type.String() }),
            space: SpaceOut,
            page: Type.Integer(),
            pages: Type.Integer(),
            posts: Type.Array(PostOut),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const result = await forum.threadPage(request.viewer, request.params.id, request.query.page ?? 1);
      const { thread } = result;
      return {
        id: thread.id,
        title: thread.title,
        url: threadUrl(thread.id, thread.slug),
        pinned: thread.pinned,
        locked: thread.locked,
        postCount: thread.postCount,
        board: { id: result.board.id, name: result.board.name },
        space: presentSpace(result.space),
        page: result.page,
        pages: result.pages,
        posts: result.posts.map((p) => presentPost(p, thread.slug)),
      };
    },
  );

  app.patch(
    '/threads/:id',
    {
      config: { access: 'moderator' },
      schema: {
        tags: ['forum'],
        summary: 'Pin or lock a thread',
        params: IdParams,
        body: Type.Object({ pinned: Type.Optional(Type.Boolean()), locked: Type.Optional(Type.Boolean()) }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await forum.setThreadState(requireMember(request.viewer), request.params.id, request.body);
      return { ok: true };
    },
  );

  app.post(
    '/threads/:id/posts',
    {
      config: { access: 'member' },
      schema: {
        tags: ['forum'],
        summary: 'Reply in a thread',
        params: IdParams,
        body: Type.Object({ body: Body, replyToPostId: Type.Optional(Id), idempotencyKey: IdempotencyKey }),
        response: { 201: PostRefOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const ref = await forum.reply(requireMember(request.viewer), request.params.id, request.body);
      return reply.status(201).send({ threadId: ref.threadId, postId: ref.postId, number: ref.number, url: refUrl(ref), warnings: ref.warnings ?? [], unnotifiedMentions: ref.unnotifiedMentions ?? [] });
    },
  );

  // Drafts: what a member has started writing and not posted, kept for them alone (the pages keep
  // them as they type). Read and written through the member's visibility of the thread or board:
  // a place they cannot read answers 404, as one that does not exist.
  const DraftKept = Type.Union([
    Type.Object({ kept: Type.Literal(true), savedAt: Type.String({ format: 'date-time' }), revision: Type.Integer() }),
    Type.Object({
      kept: Type.Literal(false),
      why: Type.Union([Type.Literal('posted'), Type.Literal('ended')], { description: 'posted: the idempotencyKey is on a post already (the draft was sent); ended: empty, so none is kept' }),
    }),
  ]);
  const kept = (saved: { savedAt: Date; revision: number } | 'posted' | 'ended') =>
    typeof saved === 'object' ? { kept: true as const, savedAt: saved.savedAt.toISOString(), revision: saved.revision } : { kept: false as const, why: saved };
  const BaseRevision = Type.Optional(
    Type.Integer({ minimum: 0, description: 'The revision you last read (0: none). When given, a draft saved since from elsewhere is not overwritten: 409.' }),
  );

  app.get(
    '/me/drafts',
    {
      config: { access: 'member' },
      schema: {
        tags: ['forum'],
        summary: 'Your unposted replies and new threads, newest first',
        response: {
          200: Type.Object({
            threads: Type.Array(Type.Object({ boardId: Type.Integer(), boardName: Type.String(), spaceName: Type.String(), title: Type.String(), body: Type.String(), savedAt: Type.String({ format: 'date-time' }) })),
            replies: Type.Array(
              Type.Object({
                threadId: Type.Integer(),
                threadTitle: Type.String(),
                url: Type.String(),
                body: Type.String(),
                replyToPostId: Type.Union([Type.Integer(), Type.Null()], { description: 'The post it answers, while you may read it; null: the thread' }),
                replyToNumber: Type.Union([Type.Integer(), Type.Null()], { description: "That post's number in its thread" }),
                savedAt: Type.String({ format: 'date-time' }),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { opened, replies } = await forum.drafts(requireMember(request.viewer));
      return {
        threads: opened.map((d) => ({ boardId: d.boardId, boardName: d.boardName, spaceName: d.spaceName, title: d.title, body: d.body, savedAt: d.savedAt.toISOString() })),
        replies: replies.map((d) => ({
          threadId: d.threadId,
          threadTitle: d.threadTitle,
          url: threadUrl(d.threadId, d.threadSlug),
          body: d.body,
          replyToPostId: d.replyTo?.id ?? null,
          replyToNumber: d.replyTo?.number ?? null,
          savedAt: d.savedAt.toISOString(),
        })),
      };
    },
  );

  app.get(
    '/threads/:id/draft',
    {
      config: { access: 'member' },
      schema: {
        tags: ['forum'],
        summary: 'Your unposted reply in a thread (404 when none)',
        params: IdParams,
        response: {
          200: Type.Object({ body: Type.String(), replyToPostId: Type.Union([Type.Integer(), Type.Null()], { description: 'The post it answers; null: the thread' }), revision: Type.Integer(), savedAt: Type.String({ format: 'date-time' }) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const draft = await forum.replyDraft(requireMember(request.viewer), request.params.id);
      if (!draft) throw new NotFound('You have no draft in that thread.');
      return { body: draft.body, replyToPostId: draft.replyToPostId, revision: draft.revision, savedAt: draft.savedAt.toISOString() };
    },
  );

  app.put(
    '/threads/:id/draft',
    {
      config: { access: 'member' },
      schema: {
        tags: ['forum'],
        summary: 'Keep your unposted reply in a thread (an empty body discards it); posting in the thread ends it',
        params: IdParams,
        body: Type.Object({
          body: Body,
          replyToPostId: Type.Optional(Type.Integer({ minimum: 1, description: 'The post of this thread it answers, as the reply will (kept only if it is one); left out: the thread' })),
          idempotencyKey: IdempotencyKey,
          baseRevision: BaseRevision,
        }),
        response: { 200: DraftKept, ...errorResponses },
      },
    },
    async (request) => kept(await forum.saveReplyDraft(requireMember(request.viewer), request.params.id, request.body)),
  );

  app.delete(
    '/threads/:id/draft',
    { config: { access: 'member' }, schema: { tags: ['forum'], summary: 'Discard your unposted reply in a thread', params: IdParams, response: { 200: DraftKept, ...errorResponses } } },
    async (request) => kept(await forum.saveReplyDraft(requireMember(request.viewer), request.params.id, { body: '' })),
  );

  app.get(
    '/boards/:id/draft',
    {
      config: { access: 'member' },
      schema: {
        tags: ['forum'],
        summary: 'Your unposted new thread on a board (404 when none)',
        params: IdParams,
        response: { 200: Type.Object({ title: Type.String(), body: Type.String(), revision: Type.Integer(), savedAt: Type.String({ format: 'date-time' }) }), ...errorResponses },
      },
    },
    async (request) => {
      const draft = await forum.threadDraft(requireMember(request.viewer), request.params.id);
      if (!draft) throw new NotFound('You have no draft on that board.');
      return { title: draft.title, body: draft.body, revision: draft.revision, savedAt: draft.savedAt.toISOString() };
    },
  );

  app.put(
    '/boards/:id/draft',
    {
      config: { access: 'member' },
      schema: {
        tags: ['forum'],
        summary: 'Keep your unposted new thread on a board (empty title and body discard it); starting a thread there ends it',
        params: IdParams,
        body: Type.Object({ title: Title, body: Body, idempotencyKey: IdempotencyKey, baseRevision: BaseRevision }),
        response: { 200: DraftKept, ...errorResponses },
      },
    },
    async (request) => kept(await forum.saveThreadDraft(requireMember(request.viewer), request.params.id, request.body)),
  );

  app.delete(
    '/boards/:id/draft',
    { config: { access: 'member' }, schema: { tags: ['forum'], summary: 'Discard your unposted new thread on a board', params: IdParams, response: { 200: DraftKept, ...errorResponses } } },
    async (request) => kept(await forum.saveThreadDraft(requireMember(request.viewer), request.params.id, { title: '', body: '' })),
  );

  app.get(
    '/posts/:id',
    { config: { access: 'public' }, schema: { tags: ['forum'], params: IdParams, response: { 200: PostOut, ...errorResponses } } },
    async (request) => {
      const post = await forum.post(request.viewer, request.params.id);
      return presentPost(post, post.threadSlug);
    },
  );

  app.patch(
    '/posts/:id',
    {
      config: { access: 'member' },
      schema: {
        tags: ['forum'],
        summary: 'Edit your post (refused with 409 if it changed since baseRevision)',
        params: IdParams,
        body: Type.Object({ body: Body, title: Type.Optional(Title), baseRevision: Type.Integer({ minimum: 1 }) }),
        response: { 200: PostRefOut, ...errorResponses },
      },
    },
    async (request) => {
      const ref = await forum.edit(requireMember(request.viewer), request.params.id, request.body);
      return { threadId: ref.threadId, postId: ref.postId, number: ref.number, url: refUrl(ref), warnings: ref.warnings ?? [], unnotifiedMentions: ref.unnotifiedMentions ?? [] };
    },
  );

  app.delete(
    '/posts/:id',
    { config: { access: 'member' }, schema: { tags: ['forum'], summary: 'Remove your post', params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await forum.remove(requireMember(request.viewer), request.params.id);
      return { ok: true };
    },
  );

  app.get(
    '/posts/:id/revisions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['forum'],
        params: IdParams,
        response: {
          200: Type.Array(Type.Object({ revision: Type.Integer(), title: Type.Union([Type.String(), Type.Null()]), body: Type.String(), bodyHtml: Type.String(), createdAt: Type.String() })),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { history } = await forum.revisions(request.viewer, request.params.id);
      return history.map((r) => ({ revision: r.revision, title: r.title, body: r.bodySource, bodyHtml: r.bodyHtml, createdAt: r.createdAt.toISOString() }));
    },
  );

  app.get(
    '/posts/:id/quote',
    {
      config: { access: 'member' },
      schema: {
        tags: ['forum'],
        summary: 'Markdown that quotes a post (into: the thread it will be posted in; confidential posts stay in their space)',
        params: IdParams,
        querystring: Type.Object({ into: Type.Optional(Id) }),
        response: { 200: Type.Object({ markdown: Type.String() }), ...errorResponses },
      },
    },
    async (request) => ({ markdown: (await forum.quote(request.viewer, request.params.id, request.query.into)).markdown }),
  );

  app.post(
    '/preview',
    {
      config: { access: 'member' },
      schema: { tags: ['forum'], summary: 'Render Markdown as it would be posted', body: Type.Object({ body: Body }), response: { 200: Type.Object({ html: Type.String() }), ...errorResponses } },
    },
    async (request) => ({ html: renderMarkdown(request.body.body) }),
  );
};
