import { randomUUID } from 'node:crypto';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { blogUrl, entryUrl } from '../../server/blogs/presenters.ts';
import { BLOG_LIMITS, isTag, readingMinutes, tagOf, type Tag } from '../../server/blogs/rules.ts';
import type { EntryInput, Visibility } from '../../server/blogs/service.ts';
import { plainExcerptOfHtml } from '../../server/content/render-markdown.ts';
import { Conflict, Forbidden, Invalid, TooManyRequests } from '../../server/errors.ts';
import { FLAG_REASONS } from '../../server/moderation/service.ts';
import { atomFeed } from '../../server/feeds/atom.ts';
import { ANONYMOUS, requireMember, type MemberViewer } from '../../server/policy/index.ts';
import { pageContext } from '../context.ts';
import { sendPage } from '../render.tsx';
import { CommentEditPage, type CommentEditState } from '../views/blogs/comment-edit-page.tsx';
import { BlogListPage, DeskPage, EditorPage, EntryPage, type CommentFormState, type EditorState, type EntryCard } from '../views/blogs/pages.tsx';

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });
const HandleParam = Type.Object({ handle: Type.String({ maxLength: 60 }) });
const EntryParams = Type.Object({ handle: Type.String({ maxLength: 60 }), slug: Type.String({ maxLength: 200 }) });
const TagParam = Type.Object({ tag: Type.String({ maxLength: 60 }) });
const Before = Type.Object({ before: Type.Optional(Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 })) });
const olderHref = (path: string, next: number | null) => (next === null ? undefined : `${path}?before=${next}`);
// Generous caps: the service gives the precise message, and the form keeps the text.
const EditorBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: BLOG_LIMITS.titleMax * 4 })),
  body: Type.Optional(Type.String({ maxLength: BLOG_LIMITS.bodyMax * 2 })),
  summary: Type.Optional(Type.String({ maxLength: BLOG_LIMITS.summaryMax * 4 })),
  tags: Type.Optional(Type.String({ maxLength: 1000 })),
  slug: Type.Optional(Type.String({ maxLength: 200 })),
  visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('members'), Type.Literal('space')])),
  spaceId: Type.Optional(Type.String({ maxLength: 20 })),
  commentsOpen: Type.Optional(Type.String({ maxLength: 5 })),
  publishAt: Type.Optional(Type.String({ maxLength: 40 })),
  utcOffset: Type.Optional(Type.String({ maxLength: 10 })),
  baseRevision: Type.Optional(Type.String({ maxLength: 20 })),
  /** A new entry's editor page: its autosaves and its Save button make one entry. */
  idempotencyKey: Type.Optional(Type.String({ maxLength: 64 })),
  intent: Type.Optional(Type.String({ maxLength: 20 })),
  _csrf: Type.Optional(Type.String()),
});
type EditorForm = Static<typeof EditorBody>;
const CommentBody = Type.Object({ body: Type.String({ maxLength: 100_000 }), parentId: Type.Optional(Type.String({ maxLength: 20 })), _csrf: Type.Optional(Type.String()) });
// The revision the form was opened at; a missing or damaged one reads as 0, which no comment has: a 409 that keeps the text.
const CommentEditBody = Type.Object({ body: Type.String({ maxLength: 100_000 }), baseRevision: Type.Optional(Type.String({ maxLength: 20 })), _csrf: Type.Optional(Type.String()) });

function positiveInt(raw: string | undefined): number | undefined {
  if (!raw || !/^\d{1,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

/** Form errors are re-rendered with what the person typed; anything else goes to the error handler. */
function formProblem(error: unknown): { status: number; message: string; fields: Record<string, string> } {
  if (error instanceof Invalid) return { status: 422, message: error.message, fields: error.fields };
  if (error instanceof Conflict) return { status: 409, message: error.message, fields: {} };
  if (error instanceof TooManyRequests) return { status: 429, message: error.message, fields: {} };
  if (error instanceof Forbidden) return { status: 403, message: error.message, fields: {} };
  throw error;
}

function inputOf(form: EditorForm): EntryInput {
  const visibility: Visibility = form.visibility ?? 'public';
  return {
    title: form.title ?? '',
    body: form.body ?? '',
    summary: form.summary ?? '',
    tags: form.tags ?? '',
    visibility,
    spaceId: visibility === 'space' ? (positiveInt(form.spaceId) ?? null) : null,
    commentsOpen: form.commentsOpen === '1',
    ...(form.slug !== undefined ? { slug: form.slug } : {}),
  };
}

/**
 * `datetime-local` has no zone. With the script on, the form carries the browser's offset from UTC
 * at the chosen time (minutes, as `Date#getTimezoneOffset` gives it), so the author writes their own
 * time; without it the form says UTC.
 */
function publishAtOf(raw: string | undefined, utcOffset: string | undefined): Date | null | 'invalid' {
  if (!raw || raw.trim() === '') return null;
  const at = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(raw) ? raw : `${raw}Z`);
  if (Number.isNaN(at.getTime())) return 'invalid';
  const offset = zoneOf(utcOffset) === 'local' ? Number(utcOffset) : 0;
  return new Date(at.getTime() + offset * 60_000);
}

/** Offsets run from UTC−12 to UTC+14; anything else is not a browser's. */
const zoneOf = (utcOffset: string | undefined): 'utc' | 'local' =>
  utcOffset !== undefined && /^-?\d{1,3}$/.test(utcOffset) && Math.abs(Number(utcOffset)) <= 14 * 60 ? 'local' : 'utc';

function editorStateFrom(form: EditorForm, base: Partial<EditorState>): EditorState {
  return {
    ...base,
    title: form.title ?? '',
    body: form.body ?? '',
    summary: form.summary ?? '',
    tags: form.tags ?? '',
    slug: form.slug ?? base.slug ?? '',
    visibility: form.visibility ?? 'public',
    spaceId: form.spaceId ?? '',
    commentsOpen: form.commentsOpen === '1',
    publishAt: form.publishAt ?? '',
    publishAtZone: zoneOf(form.utcOffset),
    errors: {},
  };
}

/** Without a summary of the author's, a card opens with the entry's first words, as readers see them. */
const CARD_EXCERPT_CHARS = 200;

function toCard(row: {
  entry: { title: string; slug: string; summary: string; publishedAt: Date | null; bodySource: string; bodyHtml: string; visibility: Visibility };
  author: { handle: string; displayName: string };
  tags: Tag[];
  commentCount: number;
}): EntryCard {
  return {
    title: row.entry.title,
    href: entryUrl(row.author.handle, row.entry.slug),
    summary: row.entry.summary || plainExcerptOfHtml(row.entry.bodyHtml, CARD_EXCERPT_CHARS),
    author: row.author,
    publishedAt: row.entry.publishedAt,
    readingMinutes: readingMinutes(row.entry.bodySource),
    tags: row.tags,
    commentCount: row.commentCount,
    visibility: row.entry.visibility,
  };
}

export const blogPages: FastifyPluginAsyncTypebox = async (app) => {
  const { blogs, spaces, moderation } = app.services;

  // Atom feeds: read as an anonymous visitor whoever asks, so only public entries ever appear.
  function sendFeed(reply: FastifyReply, xml: string) {
    return reply.type('application/atom+xml; charset=utf-8').send(xml);
  }

  app.get('/blog/feed.atom', { config: { access: 'public' } }, async (_request, reply) => {
    const entries = await blogs.latest(ANONYMOUS);
    return sendFeed(reply, atomFeed({ origin: app.config.publicUrl, path: '/blog/feed.atom', htmlPath: '/blog', title: 'Rounds blogs', description: 'Latest public entries by members of Rounds.', entries }));
  });

  app.get('/blog/tags/:tag/feed.atom', { config: { access: 'public' }, schema: { params: TagParam } }, async (request, reply) => {
    const tag = request.params.tag;
    const entries = await blogs.latest(ANONYMOUS, { tag });
    const path = `/blog/tags/${encodeURIComponent(tag)}`;
    // Spelled as its newest public entry spells it, as the tag's page does for a visitor.
    const label = entries[0]?.tags.find((t) => t.slug === tag)?.label ?? tag;
    return sendFeed(reply, atomFeed({ origin: app.config.publicUrl, path: `${path}/feed.atom`, htmlPath: path, title: `Rounds blogs: #${label}`, description: `Public entries tagged #${label}.`, entries }));
  });

  app.get('/u/:handle/blog/feed.atom', { config: { access: 'public' }, schema: { params: HandleParam } }, async (request, reply) => {
    const { author, entries } = await blogs.blog(ANONYMOUS, request.params.handle);
    const path = blogUrl(author.handle);
    return sendFeed(reply, atomFeed({ origin: app.config.publicUrl, path: `${path}/feed.atom`, htmlPath: path, title: `${author.displayName}’s blog`, description: `Public entries by ${author.displayName} on Rounds.`, entries, since: author.createdAt }));
  });

  app.get('/blog', { config: { access: 'public' }, schema: { querystring: Before } }, async (request, reply) => {
    const { entries, next } = await blogs.latestPage(request.viewer, { before: request.query.before });
    return sendPage(
      reply,
      <BlogListPage
        ctx={pageContext(request, reply)}
        heading="Blogs"
        intro="Long-form writing by members."
        entries={entries.map(toCard)}
        showAuthor
        feed="/blog/feed.atom"
        crumbs={[{ label: 'Home', href: '/' }, { label: 'Blogs' }]}
        older={olderHref('/blog', next)}
      />,
    );
  });

  app.get('/blog/tags/:tag', { config: { access: 'public' }, schema: { params: TagParam, querystring: Before } }, async (request, reply) => {
    const tag = request.params.tag;
    // A tag as a person would type it in the address ("ECMO", "NHS England") leads to its page.
    const slug = isTag(tag) ? tag : tagOf(tag);
    if (slug !== null && slug !== tag) return reply.redirect(`/blog/tags/${slug}${request.query.before ? `?before=${request.query.before}` : ''}`, 301);
    const { entries, next, label } = await blogs.tagPage(request.viewer, tag, { before: request.query.before });
    return sendPage(
      reply,
      <BlogListPage
        ctx={pageContext(request, reply)}
        heading={`Entries tagged #${label}`}
        entries={entries.map(toCard)}
        showAuthor
        feed={`/blog/tags/${encodeURIComponent(tag)}/feed.atom`}
        crumbs={[{ label: 'Home', href: '/' }, { label: 'Blogs', href: '/blog' }, { label: `#${label}` }]}
        older={olderHref(`/blog/tags/${encodeURIComponent(tag)}`, next)}
      />,
    );
  });

  app.get('/u/:handle/blog', { config: { access: 'public' }, schema: { params: HandleParam, querystring: Before } }, async (request, reply) => {
    const { author, entries, next } = await blogs.blog(request.viewer, request.params.handle, { before: request.query.before });
    if (author.handle !== request.params.handle) return reply.redirect(blogUrl(author.handle), 301);
    const own = request.viewer.kind === 'member' && request.viewer.id === author.id;
    return sendPage(
      reply,
      <BlogListPage
        ctx={pageContext(request, reply)}
        heading={`${author.displayName}’s blog`}
        entries={entries.map(toCard)}
        showAuthor={false}
        feed={`${blogUrl(author.handle)}/feed.atom`}
        crumbs={[{ label: 'Blogs', href: '/blog' }, { label: author.displayName, href: `/u/${encodeURIComponent(author.handle)}` }, { label: 'Blog' }]}
        ownBlog={own}
        older={olderHref(blogUrl(author.handle), next)}
      />,
    );
  });

  async function renderEntry(request: FastifyRequest, reply: FastifyReply, handle: string, slug: string, commentState?: CommentFormState, status = 200) {
    const page = await blogs.entryPage(request.viewer, handle, slug);
    if (page.kind === 'moved') return reply.redirect(entryUrl(page.handle, page.slug), 301);
    if (page.author.handle !== handle) return reply.redirect(entryUrl(page.author.handle, page.entry.slug), 301);
    const viewerId = request.viewer.kind === 'member' ? request.viewer.id : null;
    const { entry } = page;
    return sendPage(
      reply,
      <EntryPage
        ctx={pageContext(request, reply)}
        canonical={`${app.config.publicUrl}${entryUrl(page.author.handle, entry.slug)}`}
        own={viewerId === entry.authorId}
        entry={{
          id: entry.id,
          title: entry.title,
          summary: entry.summary,
          bodyHtml: entry.bodyHtml,
          author: page.author,
          publishedAt: entry.publishedAt,
          status: entry.status,
          publishAt: entry.publishAt,
          live: page.live,
          visibility: entry.visibility,
          space: page.space && page.space.id !== null && page.space.name !== null ? { name: page.space.name } : null,
          moderationStatus: entry.moderationStatus,
          moderationNote: entry.moderationNote,
          commentsOpen: entry.commentsOpen,
          readingMinutes: page.readingMinutes,
          tags: page.tags,
          toc: page.toc,
        }}
        comments={page.comments.map((c) => ({ ...c, own: c.authorId === viewerId }))}
        commentState={commentState}
      />,
      status,
    );
  }

  app.get('/u/:handle/blog/:slug', { config: { access: 'public' }, schema: { params: EntryParams } }, async (request, reply) =>
    renderEntry(request, reply, request.params.handle, request.params.slug),
  );

  // A refused comment's page is answered at this address: reloaded, bookmarked or shared, it leads
  // back to the entry (which decides who may read it) instead of a dead end.
  app.get('/u/:handle/blog/:slug/comments', { config: { access: 'public' }, schema: { params: EntryParams } }, async (request, reply) =>
    reply.redirect(`${entryUrl(request.params.handle, request.params.slug)}#comments-heading`, 303),
  );

  app.post('/u/:handle/blog/:slug/comments', { config: { access: 'member' }, schema: { params: EntryParams, body: CommentBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const page = await blogs.entryPage(viewer, request.params.handle, request.params.slug);
    if (page.kind === 'moved') return reply.redirect(entryUrl(page.handle, page.slug), 303);
    const parentId = positiveInt(request.body.parentId);
    try {
      const created = await blogs.addComment(viewer, page.entry.id, { body: request.body.body, ...(parentId ? { parentId } : {}) });
      request.flash(created.held ? 'info' : 'success', created.held ?? 'Your comment is posted.');
      return reply.redirect(`${entryUrl(page.author.handle, page.entry.slug)}#c${created.id}`, 303);
    } catch (error) {
      const problem = formProblem(error);
      const state: CommentFormState = { body: request.body.body, message: problem.message, error: problem.fields.body ?? problem.message, ...(parentId ? { parentId } : {}) };
      return renderEntry(request, reply, page.author.handle, page.entry.slug, state, problem.status);
    }
  });

  app.post('/blog/comments/:id/delete', { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { entryId } = await blogs.removeComment(viewer, request.params.id);
    const entry = await blogs.entryById(viewer, entryId);
    request.flash('success', 'Your comment was removed.');
    return reply.redirect(entryUrl(entry.author.handle, entry.entry.slug), 303);
  });

  /**
   * The edit form of a comment, for its writer; anyone else who can read the comment is refused
   * (403, as for a post), and whoever cannot read it gets a 404.
   */
  async function renderCommentEdit(request: FastifyRequest, reply: FastifyReply, commentId: number, state: CommentEditState | undefined, status = 200) {
    const viewer = requireMember(request.viewer);
    const comment = await blogs.commentToEdit(viewer, commentId);
    const { entry, author } = await blogs.entryById(viewer, comment.entryId);
    return sendPage(
      reply,
      <CommentEditPage
        ctx={pageContext(request, reply)}
        comment={{ id: comment.id, status: comment.status }}
        entry={{ title: entry.title, href: entryUrl(author.handle, entry.slug), author: { displayName: author.displayName, blogHref: blogUrl(author.handle) } }}
        state={state ?? { body: comment.bodySource, baseRevision: comment.revision, errors: {} }}
      />,
      status,
    );
  }

  app.get('/blog/comments/:id/edit', { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) => renderCommentEdit(request, reply, request.params.id, undefined));

  app.post('/blog/comments/:id/edit', { config: { access: 'member' }, schema: { params: IdParam, body: CommentEditBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const id = request.params.id;
    const { body } = request.body;
    const baseRevision = positiveInt(request.body.baseRevision) ?? 0;
    try {
      const saved = await blogs.editComment(viewer, id, { body, baseRevision });
      const { entry, author } = await blogs.entryById(viewer, saved.entryId);
      request.flash('success', saved.revision === baseRevision ? 'Nothing changed, so nothing was saved.' : 'Your comment is saved.');
      return reply.redirect(`${entryUrl(author.handle, entry.slug)}#c${id}`, 303);
    } catch (error) {
      // Refused for what was typed (422) or for being stale (409): the form comes back with the text as typed.
      if (!(error instanceof Invalid) && !(error instanceof Conflict)) throw error;
      if (error instanceof Invalid) return renderCommentEdit(request, reply, id, { body, baseRevision, errors: error.fields, message: error.message }, 422);
      // Stale: beside the typed text, the version saved now; saving again from here replaces it knowingly.
      const current = await blogs.commentToEdit(viewer, id);
      return renderCommentEdit(
        request,
        reply,
        id,
        { body, baseRevision: current.revision, errors: {}, message: error.message, current: { bodyHtml: current.bodyHtml, revision: current.revision, editedAt: current.editedAt } },
        409,
      );
    }
  });

  app.post('/blog/:id/flag', { config: { access: 'member' }, schema: { params: IdParam, body: Type.Object({ reason: Type.Union(FLAG_REASONS.map((r) => Type.Literal(r))), _csrf: Type.Optional(Type.String()) }) } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const entry = await blogs.entryById(viewer, request.params.id);
    try {
      await moderation.flagBlog(viewer, { entryId: request.params.id }, { reason: request.body.reason });
      request.flash('success', 'Thank you: moderators will look at this entry.');
    } catch (error) {
      request.flash('error', formProblem(error).message);
    }
    return reply.redirect(entryUrl(entry.author.handle, entry.entry.slug), 303);
  });

  app.post('/blog/comments/:id/flag', { config: { access: 'member' }, schema: { params: IdParam, body: Type.Object({ reason: Type.Union(FLAG_REASONS.map((r) => Type.Literal(r))), _csrf: Type.Optional(Type.String()) }) } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { entryId } = await blogs.comment(viewer, request.params.id);
    const entry = await blogs.entryById(viewer, entryId);
    try {
      await moderation.flagBlog(viewer, { commentId: request.params.id }, { reason: request.body.reason });
      request.flash('success', 'Thank you: moderators will look at this comment.');
    } catch (error) {
      request.flash('error', formProblem(error).message);
    }
    return reply.redirect(`${entryUrl(entry.author.handle, entry.entry.slug)}#c${request.params.id}`, 303);
  });

  // The writing desk and the editor.

  app.get('/blog/drafts', { config: { access: 'member' } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const entries = await blogs.desk(viewer);
    return sendPage(reply, <DeskPage ctx={pageContext(request, reply)} entries={entries.map((e) => ({ ...e, href: entryUrl(viewer.handle, e.slug) }))} />);
  });

  async function editorSpaces(viewer: MemberViewer) {
    return (await spaces.directory(viewer)).map((s) => ({ id: s.id, name: s.name }));
  }

  async function renderEditor(request: FastifyRequest, reply: FastifyReply, state: EditorState, status = 200) {
    return sendPage(reply, <EditorPage ctx={pageContext(request, reply)} state={state} spaces={await editorSpaces(requireMember(request.viewer))} />, status);
  }

  app.get('/blog/new', { config: { access: 'member' } }, async (request, reply) =>
    renderEditor(request, reply, { title: '', body: '', summary: '', tags: '', slug: '', visibility: 'public', spaceId: '', commentsOpen: true, publishAt: '', publishAtZone: 'utc', idempotencyKey: randomUUID(), errors: {} }),
  );

  app.post('/blog/new', { config: { access: 'member' }, schema: { body: EditorBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const state = editorStateFrom(request.body, { idempotencyKey: request.body.idempotencyKey ?? randomUUID() });
    if (request.body.intent === 'preview') return renderEditor(request, reply, { ...state, preview: blogs.preview(state.body) });
    try {
      const ref = await blogs.createDraft(viewer, inputOf(request.body), { idempotencyKey: state.idempotencyKey });
      request.flash('success', 'Draft saved. Only you can see it until you publish it.');
      return reply.redirect(`/blog/${ref.id}/edit`, 303);
    } catch (error) {
      const problem = formProblem(error);
      return renderEditor(request, reply, { ...state, errors: problem.fields, message: problem.message }, problem.status);
    }
  });

  app.get('/blog/:id/edit', { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const found = await blogs.forEditing(viewer, request.params.id);
    const { entry } = found;
    return renderEditor(request, reply, {
      id: entry.id,
      title: entry.title,
      body: entry.bodySource,
      summary: entry.summary,
      // As their writer spelled them: saved back unchanged, they make the same tags.
      tags: found.tags.map((t) => t.label).join(', '),
      slug: entry.slug,
      visibility: entry.visibility,
      spaceId: entry.spaceId ? String(entry.spaceId) : '',
      commentsOpen: entry.commentsOpen,
      publishAt: entry.status === 'scheduled' && entry.publishAt ? entry.publishAt.toISOString().slice(0, 16) : '',
      publishAtZone: 'utc',
      baseRevision: entry.revision,
      status: entry.status,
      live: found.live,
      viewHref: entryUrl(viewer.handle, entry.slug),
      errors: {},
    });
  });

  app.post('/blog/:id/edit', { config: { access: 'member' }, schema: { params: IdParam, body: EditorBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const id = request.params.id;
    const current = await blogs.forEditing(viewer, id);
    const base: Partial<EditorState> = { id, status: current.entry.status, live: current.live, viewHref: entryUrl(viewer.handle, current.entry.slug), slug: current.entry.slug };
    const baseRevision = positiveInt(request.body.baseRevision) ?? current.entry.revision;
    const state = editorStateFrom(request.body, { ...base, baseRevision });
    const intent = request.body.intent ?? 'save';
    if (intent === 'preview') return renderEditor(request, reply, { ...state, preview: blogs.preview(state.body) });
    try {
      if (intent === 'unpublish') {
        await blogs.unpublish(viewer, id);
        request.flash('success', 'The entry is a draft again: only you can see it.');
        return reply.redirect(`/blog/${id}/edit`, 303);
      }
      // Publishing saves what is in the form first, so what goes out is what the author sees.
      const saved = await blogs.save(viewer, id, { ...inputOf(request.body), baseRevision });
      if (intent === 'publish') {
        const at = publishAtOf(request.body.publishAt, request.body.utcOffset);
        if (at === 'invalid') throw new Invalid('That publication time is not a date.', { publishAt: 'Use a date and time, e.g. 2030-01-31 09:00.' });
        const ref = at ? await blogs.schedule(viewer, id, at) : await blogs.publish(viewer, id);
        request.flash(ref.held ? 'info' : 'success', ref.held ?? (at ? 'Scheduled. It will appear at the time you chose.' : 'Published.'));
        return reply.redirect(at || ref.held ? `/blog/${id}/edit` : entryUrl(ref.handle, ref.slug), 303);
      }
      // Save keeps the text only: a time typed (or changed) but not scheduled must not look applied.
      const typed = current.live ? null : publishAtOf(request.body.publishAt, request.body.utcOffset);
      const stored = current.entry.status === 'scheduled' ? current.entry.publishAt : null;
      if (typed && (typed === 'invalid' || typed.getTime() !== stored?.getTime())) {
        request.flash('info', stored ? 'Saved. It stays scheduled for the time it had: to change the time, choose it again and press Schedule.' : 'Saved as a draft. To publish it at the time you chose, choose it again and press Schedule.');
      } else request.flash('success', 'Saved.');
      return reply.redirect(`/blog/${saved.id}/edit`, 303);
    } catch (error) {
      const problem = formProblem(error);
      const latest = await blogs.forEditing(viewer, id);
      // The typed text is kept; the form moves to the current revision, so saving again overwrites knowingly.
      return renderEditor(request, reply, { ...state, baseRevision: latest.entry.revision, status: latest.entry.status, live: latest.live, errors: problem.fields, message: problem.message }, problem.status);
    }
  });

  /** Live preview for the editor (JavaScript on): the entry pipeline, as readers will see it. */
  app.post('/blog/preview', { config: { access: 'member' }, schema: { body: Type.Object({ body: Type.String({ maxLength: BLOG_LIMITS.bodyMax * 2 }), _csrf: Type.Optional(Type.String()) }) } }, async (request) => ({
    html: blogs.preview(request.body.body),
  }));

  /**
   * A new entry's first autosave (JSON answer): makes the draft, or saves into the one its page
   * already made, and tells the script where the entry is edited and saved from now on.
   */
  app.post('/blog/autosave', { config: { access: 'member' }, schema: { body: EditorBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    if (!request.body.idempotencyKey) return reply.status(422).send({ error: { code: 'invalid', message: 'The form was damaged; reload the page.', fields: {} } });
    const ref = await blogs.createDraft(viewer, inputOf(request.body), { idempotencyKey: request.body.idempotencyKey, autosave: true });
    return { revision: ref.revision, savedAt: new Date().toISOString(), editUrl: `/blog/${ref.id}/edit`, autosaveUrl: `/blog/${ref.id}/autosave` };
  });

  /** Autosave from the editor's script (JSON answer). Same CSRF check as every form post. */
  app.post('/blog/:id/autosave', { config: { access: 'member' }, schema: { params: IdParam, body: EditorBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const baseRevision = positiveInt(request.body.baseRevision);
    if (baseRevision === undefined) return reply.status(422).send({ error: { code: 'invalid', message: 'The form was damaged; reload the page.', fields: {} } });
    const ref = await blogs.save(viewer, request.params.id, { ...inputOf(request.body), baseRevision }, { autosave: true });
    return { revision: ref.revision, savedAt: new Date().toISOString() };
  });

  app.post('/blog/:id/delete', { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    await blogs.remove(viewer, request.params.id);
    request.flash('success', 'The entry was deleted.');
    return reply.redirect('/blog/drafts', 303);
  });
};
