import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, Id, IdParams, Ok } from '../api/schemas.ts';
import { FORUM_LIMITS } from '../forum/rules.ts';
import { FLAG_REASONS } from '../moderation/service.ts';
import { requireMember } from '../policy/index.ts';
import { CommentOut, CommentRefOut, EntryOut, EntryRefOut, EntrySummaryOut, presentComment, presentCommentRef, presentEntry, presentEntrySummary, presentRef } from './presenters.ts';
import { BLOG_LIMITS } from './rules.ts';

// Capped a little above the real limits so the service answers with its own, clearer message.
const entryFields = {
  title: Type.String({ maxLength: BLOG_LIMITS.titleMax * 4 }),
  body: Type.String({ maxLength: BLOG_LIMITS.bodyMax * 2 }),
  summary: Type.Optional(Type.String({ maxLength: BLOG_LIMITS.summaryMax * 4 })),
  tags: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })])),
  visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('members'), Type.Literal('space')])),
  spaceId: Type.Optional(Type.Union([Id, Type.Null()])),
  commentsOpen: Type.Optional(Type.Boolean()),
  slug: Type.Optional(Type.String({ maxLength: 200 })),
};
const EntryBody = Type.Object(entryFields);
const SaveBody = Type.Object({ ...entryFields, baseRevision: Type.Integer({ minimum: 1 }) });
const Handle = Type.Object({ handle: Type.String({ minLength: 1, maxLength: 40 }) });
const FlagBody = Type.Object({ reason: Type.Union(FLAG_REASONS.map((r) => Type.Literal(r))), note: Type.Optional(Type.String({ maxLength: 4000 })) });
const FlagOut = Type.Object({ flagId: Type.Integer(), hidden: Type.Boolean() });

export const blogsApi: FastifyPluginAsyncTypebox = async (app) => {
  const { blogs, moderation } = app.services;

  app.get(
    '/blog/entries',
    {
      config: { access: 'public' },
      schema: {
        tags: ['blogs'],
        summary: 'Latest blog entries you can read (before: the id of the last entry of the previous page)',
        querystring: Type.Object({ tag: Type.Optional(Type.String({ maxLength: 40 })), before: Type.Optional(Id) }),
        response: { 200: Type.Array(EntrySummaryOut), ...errorResponses },
      },
    },
    async (request) => (await blogs.latestPage(request.viewer, { tag: request.query.tag, before: request.query.before })).entries.map(presentEntrySummary),
  );

  app.get(
    '/users/:handle/blog',
    {
      config: { access: 'public' },
      schema: { tags: ['blogs'], summary: "A member's blog (before: the id of the last entry of the previous page)", params: Handle, querystring: Type.Object({ before: Type.Optional(Id) }), response: { 200: Type.Array(EntrySummaryOut), ...errorResponses } },
    },
    async (request) => (await blogs.blog(request.viewer, request.params.handle, { before: request.query.before })).entries.map(presentEntrySummary),
  );

  app.get(
    '/blog/drafts',
    {
      config: { access: 'member' },
      schema: {
        tags: ['blogs'],
        summary: 'Your own entries in every state',
        response: { 200: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String(), status: Type.String(), revision: Type.Optional(Type.Integer()), updatedAt: Type.String() })), ...errorResponses },
      },
    },
    async (request) => (await blogs.desk(requireMember(request.viewer))).map((e) => ({ id: e.id, title: e.title, status: e.live ? 'published' : e.status, updatedAt: e.updatedAt.toISOString() })),
  );

  app.post(
    '/blog/entries',
    { config: { access: 'member' }, schema: { tags: ['blogs'], summary: 'Start a draft', body: EntryBody, response: { 201: EntryRefOut, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(presentRef(await blogs.createDraft(requireMember(request.viewer), request.body))),
  );

  app.get(
    '/blog/entries/:id',
    { config: { access: 'public' }, schema: { tags: ['blogs'], params: IdParams, response: { 200: EntryOut, ...errorResponses } } },
    async (request) => presentEntry(await blogs.entryById(request.viewer, request.params.id)),
  );

  app.put(
    '/blog/entries/:id',
    {
      config: { access: 'member' },
      schema: { tags: ['blogs'], summary: 'Save your entry (409 if it changed since baseRevision; the previous version is kept)', params: IdParams, body: SaveBody, response: { 200: EntryRefOut, ...errorResponses } },
    },
    async (request) => presentRef(await blogs.save(requireMember(request.viewer), request.params.id, request.body)),
  );

  app.put(
    '/blog/entries/:id/autosave',
    {
      config: { access: 'member' },
      schema: { tags: ['blogs'], summary: 'Autosave your entry (409 if it changed since baseRevision)', params: IdParams, body: SaveBody, response: { 200: EntryRefOut, ...errorResponses } },
    },
    async (request) => presentRef(await blogs.save(requireMember(request.viewer), request.params.id, request.body, { autosave: true })),
  );

  app.post(
    '/blog/preview',
    {
      config: { access: 'member' },
      schema: { tags: ['blogs'], summary: 'Render an entry as readers will see it', body: Type.Object({ body: Type.String({ maxLength: BLOG_LIMITS.bodyMax * 2 }) }), response: { 200: Type.Object({ html: Type.String() }), ...errorResponses } },
    },
    async (request) => ({ html: blogs.preview(request.body.body) }),
  );

  app.post(
    '/blog/entries/:id/publish',
    { config: { access: 'member' }, schema: { tags: ['blogs'], summary: 'Publish now', params: IdParams, response: { 200: EntryRefOut, ...errorResponses } } },
    async (request) => presentRef(await blogs.publish(requireMember(request.viewer), request.params.id)),
  );

  app.post(
    '/blog/entries/:id/schedule',
    {
      config: { access: 'member' },
      schema: { tags: ['blogs'], summary: 'Publish at a later time', params: IdParams, body: Type.Object({ publishAt: Type.String({ format: 'date-time' }) }), response: { 200: EntryRefOut, ...errorResponses } },
    },
    async (request) => presentRef(await blogs.schedule(requireMember(request.viewer), request.params.id, new Date(request.body.publishAt))),
  );

  app.post(
    '/blog/entries/:id/unpublish',
    { config: { access: 'member' }, schema: { tags: ['blogs'], summary: 'Back to a draft', params: IdParams, response: { 200: EntryRefOut, ...errorResponses } } },
    async (request) => presentRef(await blogs.unpublish(requireMember(request.viewer), request.params.id)),
  );

  app.patch(
    '/blog/entries/:id/comments',
    {
      config: { access: 'member' },
      schema: { tags: ['blogs'], summary: 'Open or close comments on your entry', params: IdParams, body: Type.Object({ open: Type.Boolean() }), response: { 200: EntryRefOut, ...errorResponses } },
    },
    async (request) => presentRef(await blogs.setCommentsOpen(requireMember(request.viewer), request.params.id, request.body.open)),
  );

  app.delete(
    '/blog/entries/:id',
    { config: { access: 'member' }, schema: { tags: ['blogs'], summary: 'Delete your entry', params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await blogs.remove(requireMember(request.viewer), request.params.id);
      return { ok: true };
    },
  );

  app.get(
    '/blog/entries/:id/revisions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['blogs'],
        params: IdParams,
        response: { 200: Type.Array(Type.Object({ revision: Type.Integer(), title: Type.String(), body: Type.String(), createdAt: Type.String() })), ...errorResponses },
      },
    },
    async (request) => (await blogs.revisions(request.viewer, request.params.id)).map((r) => ({ revision: r.revision, title: r.title, body: r.bodySource, createdAt: r.createdAt.toISOString() })),
  );

  app.get(
    '/blog/entries/:id/comments',
    { config: { access: 'public' }, schema: { tags: ['blogs'], params: IdParams, response: { 200: Type.Array(CommentOut), ...errorResponses } } },
    async (request) => (await blogs.comments(request.viewer, request.params.id)).map(presentComment),
  );

  app.post(
    '/blog/entries/:id/comments',
    {
      config: { access: 'member' },
      schema: {
        tags: ['blogs'],
        summary: 'Comment on an entry (parentId: reply to a top-level comment)',
        params: IdParams,
        body: Type.Object({ body: Type.String({ maxLength: FORUM_LIMITS.bodyMax * 2 }), parentId: Type.Optional(Id) }),
        response: { 201: Type.Object({ id: Type.Integer(), held: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await blogs.addComment(requireMember(request.viewer), request.params.id, request.body);
      return reply.status(201).send({ id: created.id, held: created.held ?? null });
    },
  );

  app.patch(
    '/blog/comments/:id',
    {
      config: { access: 'member' },
      schema: {
        tags: ['blogs'],
        summary: 'Edit your comment (refused with 409 if it changed since baseRevision; the previous version is kept for moderators)',
        params: IdParams,
        body: Type.Object({ body: Type.String({ maxLength: FORUM_LIMITS.bodyMax * 2 }), baseRevision: Type.Integer({ minimum: 1 }) }),
        response: { 200: CommentRefOut, ...errorResponses },
      },
    },
    async (request) => {
      const viewer = requireMember(request.viewer);
      const ref = await blogs.editComment(viewer, request.params.id, request.body);
      const { entry, author } = await blogs.entryById(viewer, ref.entryId);
      return presentCommentRef(ref, { handle: author.handle, slug: entry.slug });
    },
  );

  app.delete(
    '/blog/comments/:id',
    { config: { access: 'member' }, schema: { tags: ['blogs'], summary: 'Remove your comment', params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await blogs.removeComment(requireMember(request.viewer), request.params.id);
      return { ok: true };
    },
  );

  app.post(
    '/blog/entries/:id/flags',
    { config: { access: 'member' }, schema: { tags: ['moderation'], summary: 'Flag a blog entry for moderators', params: IdParams, body: FlagBody, response: { 201: FlagOut, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await moderation.flagBlog(requireMember(request.viewer), { entryId: request.params.id }, request.body)),
  );

  app.post(
    '/blog/comments/:id/flags',
    { config: { access: 'member' }, schema: { tags: ['moderation'], summary: 'Flag a blog comment for moderators', params: IdParams, body: FlagBody, response: { 201: FlagOut, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await moderation.flagBlog(requireMember(request.viewer), { commentId: request.params.id }, request.body)),
  );
};
