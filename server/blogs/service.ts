import type { Database } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { findAuthorByHandle } from '../accounts/queries.ts';
import { CONTENT_PIPELINE_VERSION, headingOutline, renderLongform, renderMarkdown } from '../content/render-markdown.ts';
import { Conflict, Invalid, NotFound, throwIfInvalid } from '../errors.ts';
import { checkIdempotencyKey, cleanBody } from '../forum/rules.ts';
import { admitEdit, admitPost, type SettingsSource } from '../moderation/admission.ts';
import { queueHeldBlogTarget } from '../moderation/blog-targets.ts';
import { viewerModeratesSpace } from '../moderation/queries.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { authorize, type MemberViewer, type Viewer } from '../policy/index.ts';
import { spaceFacts, type SpacesService } from '../spaces/service.ts';
import { slugFrom } from '../text/slug.ts';
import * as q from './queries.ts';
import { cleanEntryBody, cleanEntryTitle, cleanSummary, cleanTags, ENTRIES_PER_PAGE, isTag, readingMinutes, TOC_MIN_HEADINGS, type Tag } from './rules.ts';

export type Visibility = 'public' | 'members' | 'space';

export interface EntryInput {
  title: string;
  body: string;
  summary?: string;
  /** As the writer spells them ("ECMO, NHS England", or a list): kept as labels beside their slugs (`cleanTags`). */
  tags?: string | string[];
  visibility?: Visibility;
  spaceId?: number | null;
  commentsOpen?: boolean;
  /** A new address for the entry; old ones keep redirecting. */
  slug?: string;
}

export interface SaveInput extends EntryInput {
  /** The revision the author started from: a save from an older one is refused (409) with the text kept. */
  baseRevision: number;
}

export interface EntryRef {
  id: number;
  slug: string;
  revision: number;
  handle: string;
  status: 'draft' | 'scheduled' | 'published';
  /** Set when the entry waits for a moderator; says why, for the author. */
  held?: string;
}

export interface CommentInput {
  body: string;
  parentId?: number;
}

const STALE =
  'This entry was saved somewhere else (another tab or device) since you opened it. Your text is kept below; compare it with the current version and save again.';

export interface CommentEditInput {
  body: string;
  /** The revision the writer started editing from: an edit from an older one is refused (409) with the text kept. */
  baseRevision: number;
}

/** What an edit of a comment leaves: where it is, and its revision now (unchanged by a no-op edit). */
export interface CommentEditRef {
  id: number;
  entryId: number;
  revision: number;
  editedAt: Date | null;
}

/** An edit that empties a comment: removing it is a separate, deliberate act (as for posts). */
const EMPTY_COMMENT_EDIT = 'A comment cannot be empty. To take it down, remove it instead.';
const STALE_COMMENT =
  'This comment was saved somewhere else (another tab or device) since you started editing it. Your text is kept below; compare it with the current version and save again.';

const AUTOSAVE_PUBLISHED = 'This entry is published or scheduled, so it is not saved as you type. Save to keep your changes.';

/** How often the sweep tidies scheduled entries whose time has come (reads never wait for it). */
export const SCHEDULE_SWEEP_MS = 60_000;

export type BlogsService = ReturnType<typeof createBlogsService>;

export function createBlogsService(db: Database, spaces: SpacesService, notifier: Notifier, readSettings: SettingsSource) {
  async function requireOwnEntry(viewer: MemberViewer, id: number) {
    const found = await q.findVisibleEntry(db, viewer, id);
    if (!found) throw new NotFound();
    authorize(viewer, { kind: 'blog.edit', entry: { authorId: found.entry.authorId } });
    return found;
  }

  /** Where an entry will be readable: a space entry needs a space the author may post in. */
  async function place(viewer: MemberViewer, visibility: Visibility, spaceId: number | null | undefined, fields: Record<string, string>): Promise<number | null> {
    if (visibility !== 'space') return null;
    if (!spaceId) {
      fields.spaceId = 'Choose the space whose members may read this entry.';
      return null;
    }
    const space = await spaces.spaceById(viewer, spaceId).catch(() => undefined);
    if (!space) {
      fields.spaceId = 'Choose a space you belong to.';
      return null;
    }
    authorize(viewer, { kind: 'space.post', space: await spaceFacts(db, viewer, space) });
    // A confidential space's members read it only after accepting its current ground rules, and the
    // author is no exception: saved there, the entry would be hidden from its own author.
    if ((await spaces.rulesGate(viewer, { spaceSlug: space.slug })) !== null) {
      fields.spaceId = `Accept the current ground rules of ${space.name} first (on its page): until then its entries are hidden from you too.`;
      return null;
    }
    return space.id;
  }

  async function freeSlug(authorId: string, wanted: string, exceptId: number | null): Promise<string> {
    for (let n = 1; n < 50; n++) {
      const slug = n === 1 ? wanted : `${wanted}-${n}`;
      if (!(await q.entrySlugTaken(db, authorId, slug, exceptId))) return slug;
    }
    return `${wanted}-${Date.now().toString(36)}`;
  }

  async function moderatesEntry(viewer: MemberViewer, entry: q.EntryRow): Promise<boolean> {
    return entry.visibility === 'space' && entry.spaceId !== null ? viewerModeratesSpace(db, viewer, entry.spaceId) : viewer.role !== 'member';
  }

  function ref(entry: q.EntryRow, handle: string, held?: string): EntryRef {
    return { id: entry.id, slug: entry.slug, revision: entry.revision, handle, status: entry.status, ...(held ? { held } : {}) };
  }

  /** Publishes now or at `at`, after the same admission as a forum post (rate limits, watched words, newcomers). */
  async function release(viewer: MemberViewer, id: number, at: Date | null): Promise<EntryRef> {
    const { entry } = await requireOwnEntry(viewer, id);
    const fields: Record<string, string> = {};
    if (entry.bodySource.trim().length === 0) fields.body = 'Write something before publishing.';
    throwIfInvalid(fields, 'The entry is empty: write something before publishing.');
    if (at !== null && at.getTime() <= Date.now()) throw new Invalid('Choose a time in the future, or publish now.', { publishAt: 'Choose a time in the future.' });
    const admission = await admitPost(db, db, await readSettings(), viewer, { body: entry.bodySource, moderates: await moderatesEntry(viewer, entry) });
    // A moderator's "hidden" stays: publishing again does not undo it.
    const moderationStatus = entry.moderationStatus === 'hidden' ? 'hidden' : admission.status;
    const now = new Date();
    const saved = await db.transaction(async (tx) => {
      const row = await q.updateEntry(tx, id, entry.revision, {
        status: at === null ? 'published' : 'scheduled',
        publishAt: at,
        publishedAt: at ?? (entry.status === 'published' && entry.publishedAt ? entry.publishedAt : now),
        bodySource: admission.body,
        bodyHtml: admission.body === entry.bodySource ? entry.bodyHtml : renderLongform(admission.body),
        renderVersion: CONTENT_PIPELINE_VERSION,
        moderationStatus,
        moderationNote: moderationStatus === 'held' ? admission.note : entry.moderationNote,
      });
      if (!row) throw new Conflict(STALE);
      if (moderationStatus === 'held' && entry.moderationStatus !== 'held') {
        await queueHeldBlogTarget(tx, { entryId: id, authorId: viewer.id, spaceId: entry.visibility === 'space' ? entry.spaceId : null, note: admission.note });
      }
      return row;
    });
    return ref(saved, viewer.handle, moderationStatus === 'held' ? admission.note : undefined);
  }

  async function authorByHandle(handle: string) {
    const author = await findAuthorByHandle(db, handle);
    if (!author) throw new NotFound();
    return author;
  }

  /** An entry's tags as readers see them (label) and find them (slug). */
  function tagsOf(rows: readonly { slug: string; label: string }[]): Tag[] {
    return rows.map(({ slug, label }) => ({ slug, label }));
  }

  async function withTags<T extends { entry: { id: number } }>(viewer: Viewer, rows: T[]) {
    const tags = await q.listTagsOfEntries(
      db,
      viewer,
      rows.map((r) => r.entry.id),
    );
    return rows.map((r) => ({ ...r, tags: tagsOf(tags.filter((t) => t.entryId === r.entry.id)) }));
  }

  /** One page of a list; `next` is the cursor of the following page, null on the last. */
  async function page(viewer: Viewer, filter: { authorId?: string; tag?: string | undefined }, options: { limit?: number; before?: number }) {
    const limit = options.limit ?? ENTRIES_PER_PAGE;
    if (options.before !== undefined) {
      // The cursor must be an entry this viewer can see in the list: otherwise it is a 404 like any other.
      const cursor = await q.findVisibleEntry(db, viewer, options.before);
      if (!cursor || !cursor.live) throw new NotFound();
    }
    const rows = await q.listVisibleEntries(db, viewer, { ...filter, limit: limit + 1, ...(options.before !== undefined ? { before: options.before } : {}) });
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    return { entries: await withTags(viewer, shown), next: rows.length > limit && last ? last.entry.id : null };
  }

  /**
   * Saves the author's text. An explicit save keeps the previous version as a revision; an
   * autosave only moves the draft forward. Both are compare-and-set on `baseRevision`.
   */
  async function save(viewer: MemberViewer, id: number, input: SaveInput, options: { autosave: boolean } = { autosave: false }): Promise<EntryRef> {
    const { entry } = await requireOwnEntry(viewer, id);
    // Readers never see an entry half written: once published or scheduled it changes when its
    // writer saves (as before, the replaced version is kept), never as they type.
    if (options.autosave && entry.status !== 'draft') throw new Invalid(AUTOSAVE_PUBLISHED);
    const fields: Record<string, string> = {};
    const title = cleanEntryTitle(input.title, fields);
    const typed = cleanEntryBody(input.body, fields);
    const summary = cleanSummary(input.summary, fields);
    const tags = input.tags === undefined ? undefined : cleanTags(input.tags, fields);
    const visibility = input.visibility ?? entry.visibility;
    const spaceId = await place(viewer, visibility, input.spaceId === undefined ? entry.spaceId : input.spaceId, fields);
    if (entry.status !== 'draft' && typed.trim().length === 0) fields.body = 'A published entry cannot be empty. Unpublish it first, or delete it.';
    let slug = entry.slug;
    if (input.slug !== undefined && input.slug.trim() !== '' && slugFrom(input.slug, entry.slug) !== entry.slug) {
      slug = slugFrom(input.slug, entry.slug);
      if (await q.entrySlugTaken(db, viewer.id, slug, id)) fields.slug = 'Another of your entries uses (or used) this address. Choose another.';
    }
    throwIfInvalid(fields);
    if (input.baseRevision !== entry.revision) throw new Conflict(STALE);
    // A draft is checked when it is published; a published or scheduled one, whenever it changes.
    const checked = entry.status !== 'draft' && typed !== entry.bodySource;
    const body = checked
      ? await admitEdit(db, await readSettings(), viewer, { body: typed, before: entry.bodySource, published: entry.moderationStatus === 'published', moderates: () => moderatesEntry(viewer, entry) })
      : typed;
    const textChanged = title !== entry.title || body !== entry.bodySource;
    try {
      const saved = await db.transaction(async (tx) => {
        if (!options.autosave && textChanged) {
          await q.insertEntryRevision(tx, { entryId: id, revision: entry.revision, title: entry.title, bodySource: entry.bodySource, bodyHtml: entry.bodyHtml, editorId: viewer.id });
        }
        const row = await q.updateEntry(tx, id, input.baseRevision, {
          title,
          slug,
          summary,
          bodySource: body,
          bodyHtml: body === entry.bodySource ? entry.bodyHtml : renderLongform(body),
          renderVersion: CONTENT_PIPELINE_VERSION,
          visibility,
          spaceId,
          commentsOpen: input.commentsOpen ?? entry.commentsOpen,
        });
        if (!row) throw new Conflict(STALE);
        if (slug !== entry.slug) await q.recordSlugChange(tx, viewer.id, id, entry.slug, slug);
        if (tags !== undefined) await q.replaceTags(tx, id, tags);
        return row;
      });
      return ref(saved, viewer.handle);
    } catch (error) {
      if (isUniqueViolation(error)) throw new Conflict(STALE);
      throw error;
    }
  }

  return {
    /** Exactly what readers will see: the entry pipeline, with heading anchors. */
    preview: (body: string) => renderLongform(body),

    save,

    /**
     * A new entry, as a draft. With the editor page's `idempotencyKey`, the page's first autosave
     * and its Save button (or a second autosave racing the first) make one entry: the later ones
     * save into it.
     */
    async createDraft(viewer: MemberViewer, input: EntryInput, options: { idempotencyKey?: string; autosave?: boolean } = {}): Promise<EntryRef> {
      authorize(viewer, { kind: 'blog.write' });
      const key = checkIdempotencyKey(options.idempotencyKey);
      // Requests from one page race (an autosave, a beacon as the tab closes, its Save button): they
      // do not know the entry's revision, and the later one's text wins. Two at once read the same
      // revision, so the one refused as stale reads it again.
      const saveInto = async (): Promise<EntryRef | undefined> => {
        for (let attempt = 1; ; attempt++) {
          const existing = key ? await q.findOwnEntryByKey(db, viewer.id, key) : undefined;
          if (!existing) return undefined;
          try {
            return await save(viewer, existing.id, { ...input, baseRevision: existing.revision }, { autosave: options.autosave ?? false });
          } catch (error) {
            if (!(error instanceof Conflict) || attempt === 3) throw error;
          }
        }
      };
      const earlier = await saveInto();
      if (earlier) return earlier;
      const fields: Record<string, string> = {};
      const title = cleanEntryTitle(input.title, fields);
      const body = cleanEntryBody(input.body, fields);
      const summary = cleanSummary(input.summary, fields);
      const tags = cleanTags(input.tags, fields);
      const visibility = input.visibility ?? 'public';
      const spaceId = await place(viewer, visibility, input.spaceId, fields);
      throwIfInvalid(fields);
      const slug = await freeSlug(viewer.id, slugFrom(input.slug?.trim() ? input.slug : title, 'entry'), null);
      let entry: q.EntryRow;
      try {
        entry = await db.transaction(async (tx) => {
          const row = await q.insertEntry(tx, {
            authorId: viewer.id,
            idempotencyKey: key,
            title,
            slug,
            summary,
            bodySource: body,
            bodyHtml: renderLongform(body),
            renderVersion: CONTENT_PIPELINE_VERSION,
            visibility,
            spaceId,
            commentsOpen: input.commentsOpen ?? true,
          });
          await q.replaceTags(tx, row.id, tags);
          return row;
        });
      } catch (error) {
        // Another request from the same page made it first (the key's unique index): save into it.
        const made = key && isUniqueViolation(error) ? await saveInto() : undefined;
        if (made) return made;
        throw error;
      }
      return ref(entry, viewer.handle);
    },

    publish: (viewer: MemberViewer, id: number) => release(viewer, id, null),

    schedule: (viewer: MemberViewer, id: number, at: Date) => release(viewer, id, at),

    /** Back to a draft: readers lose it (comments stay with it, hidden until it returns). */
    async unpublish(viewer: MemberViewer, id: number): Promise<EntryRef> {
      const { entry } = await requireOwnEntry(viewer, id);
      const row = await q.updateEntry(db, id, entry.revision, { status: 'draft', publishAt: null, publishedAt: null });
      if (!row) throw new Conflict(STALE);
      return ref(row, viewer.handle);
    },

    async remove(viewer: MemberViewer, id: number): Promise<void> {
      await requireOwnEntry(viewer, id);
      await q.softDeleteEntry(db, id);
    },

    async setCommentsOpen(viewer: MemberViewer, id: number, open: boolean): Promise<EntryRef> {
      const { entry } = await requireOwnEntry(viewer, id);
      const row = await q.updateEntry(db, id, entry.revision, { commentsOpen: open });
      if (!row) throw new Conflict(STALE);
      return ref(row, viewer.handle);
    },

    /** The entry for its author's editor. */
    async forEditing(viewer: MemberViewer, id: number) {
      const found = await requireOwnEntry(viewer, id);
      const [tags, revisions] = await Promise.all([q.listTagsOfEntries(db, viewer, [id]), q.listEntryRevisions(db, viewer, id)]);
      return { ...found, tags: tagsOf(tags), revisions };
    },

    /** An entry by its address; an old slug answers with the current one, to redirect. */
    async entryPage(viewer: Viewer, handle: string, slug: string) {
      const author = await authorByHandle(handle);
      const found = await q.findVisibleEntryBySlug(db, viewer, author.id, slug);
      if (!found) {
        const moved = await q.findVisibleEntryByOldSlug(db, viewer, author.id, slug);
        if (moved) return { kind: 'moved' as const, slug: moved.slug, handle: author.handle };
        throw new NotFound();
      }
      const [tags, comments] = await Promise.all([q.listTagsOfEntries(db, viewer, [found.entry.id]), found.live ? q.listVisibleComments(db, viewer, found.entry.id) : []]);
      const outline = headingOutline(found.entry.bodySource);
      return {
        kind: 'entry' as const,
        ...found,
        tags: tagsOf(tags),
        comments,
        readingMinutes: readingMinutes(found.entry.bodySource),
        toc: outline.length >= TOC_MIN_HEADINGS ? outline : [],
      };
    },

    async entryById(viewer: Viewer, id: number) {
      const found = await q.findVisibleEntry(db, viewer, id);
      if (!found) throw new NotFound();
      const tags = await q.listTagsOfEntries(db, viewer, [id]);
      return { ...found, tags: tagsOf(tags), readingMinutes: readingMinutes(found.entry.bodySource) };
    },

    /** A member's blog: their published entries this viewer may read, newest first, a page at a time. */
    async blog(viewer: Viewer, handle: string, options: { limit?: number; before?: number } = {}) {
      const author = await authorByHandle(handle);
      return { author, ...(await page(viewer, { authorId: author.id }, options)) };
    },

    /** The titles of a member's newest entries this viewer may read (their profile lists them). */
    entryTitlesByAuthor: (viewer: Viewer, authorId: string) => q.listEntryTitlesByAuthor(db, viewer, authorId),

    /** A page of the community's latest entries (optionally with one tag), and the cursor of the next. */
    async latestPage(viewer: Viewer, options: { tag?: string; before?: number } = {}) {
      if (options.tag !== undefined && !isTag(options.tag)) throw new NotFound();
      return page(viewer, { tag: options.tag }, options);
    },

    /**
     * A tag's page: its entries as `latestPage` lists them, and how the page spells the tag (the
     * newest of those entries' label; the slug itself when the viewer may read none).
     */
    async tagPage(viewer: Viewer, tag: string, options: { before?: number } = {}) {
      if (!isTag(tag)) throw new NotFound();
      const [listed, label] = await Promise.all([page(viewer, { tag }, options), q.findTagLabel(db, viewer, tag)]);
      return { ...listed, label: label ?? tag };
    },

    /** The community's latest entries, optionally with one tag. */
    async latest(viewer: Viewer, options: { tag?: string; limit?: number } = {}) {
      if (options.tag !== undefined && !isTag(options.tag)) throw new NotFound();
      const rows = await q.listVisibleEntries(db, viewer, { tag: options.tag, limit: options.limit ?? ENTRIES_PER_PAGE });
      return withTags(viewer, rows);
    },

    /** The author's own entries in every state. */
    desk: (viewer: MemberViewer) => q.listOwnEntries(db, viewer, 100),

    async comments(viewer: Viewer, id: number) {
      const found = await q.findVisibleEntry(db, viewer, id);
      if (!found) throw new NotFound();
      return found.live ? q.listVisibleComments(db, viewer, id) : [];
    },

    async revisions(viewer: Viewer, id: number) {
      const found = await q.findVisibleEntry(db, viewer, id);
      if (!found) throw new NotFound();
      return q.listEntryRevisions(db, viewer, id);
    },

    async addComment(viewer: MemberViewer, entryId: number, input: CommentInput): Promise<{ id: number; held?: string }> {
      const found = await q.findVisibleEntry(db, viewer, entryId);
      if (!found || !found.live) throw new NotFound();
      const { entry } = found;
      authorize(viewer, { kind: 'blog.comment', entry: { commentsOpen: entry.commentsOpen, authorId: entry.authorId } });
      if (entry.visibility === 'space' && entry.spaceId !== null) {
        const space = await spaces.spaceById(viewer, entry.spaceId);
        authorize(viewer, { kind: 'space.post', space: await spaceFacts(db, viewer, space) });
      }
      const fields: Record<string, string> = {};
      const body = cleanBody(input.body, fields);
      throwIfInvalid(fields);
      if (input.parentId !== undefined) {
        const parent = await q.findVisibleComment(db, viewer, input.parentId);
        if (!parent || parent.entryId !== entryId) throw new Invalid('The comment you replied to is not on this entry.');
        if (parent.parentId !== null) throw new Invalid('Replies go one level deep: reply to the first comment of the conversation.');
      }
      const admission = await admitPost(db, db, await readSettings(), viewer, { body, moderates: await moderatesEntry(viewer, entry) });
      return db.transaction(async (tx) => {
        const comment = await q.insertComment(tx, {
          entryId,
          authorId: viewer.id,
          parentId: input.parentId ?? null,
          bodySource: admission.body,
          bodyHtml: renderMarkdown(admission.body),
          renderVersion: CONTENT_PIPELINE_VERSION,
          status: admission.status,
          moderationNote: admission.note,
        });
        if (admission.status === 'held') {
          await queueHeldBlogTarget(tx, { commentId: comment.id, authorId: viewer.id, spaceId: entry.visibility === 'space' ? entry.spaceId : null, note: admission.note });
          return { id: comment.id, held: admission.note };
        }
        // Published at once: the entry's author and earlier commenters hear of it (a held one waits for approval).
        await notifier.newComment(tx, { commentId: comment.id, entryId, authorId: viewer.id });
        return { id: comment.id };
      });
    },

    async comment(viewer: Viewer, commentId: number) {
      const comment = await q.findVisibleComment(db, viewer, commentId);
      if (!comment) throw new NotFound();
      return comment;
    },

    /** A comment its writer may edit now: the edit form is refused up front, not after they typed. */
    async commentToEdit(viewer: MemberViewer, commentId: number) {
      const comment = await q.findVisibleComment(db, viewer, commentId);
      if (!comment) throw new NotFound();
      authorize(viewer, { kind: 'blog.editComment', comment: { authorId: comment.authorId, deleted: comment.deletedAt !== null } });
      return comment;
    },

    /**
     * Its writer changes a comment's text, as a post is edited: compare-and-set on `baseRevision`,
     * the replaced version kept in blog_comment_revisions (for moderators) in the same transaction.
     * The moderation status is untouched: a held or hidden comment stays held or hidden.
     */
    async editComment(viewer: MemberViewer, commentId: number, input: CommentEditInput): Promise<CommentEditRef> {
      const comment = await q.findVisibleComment(db, viewer, commentId);
      if (!comment) throw new NotFound();
      authorize(viewer, { kind: 'blog.editComment', comment: { authorId: comment.authorId, deleted: comment.deletedAt !== null } });
      const fields: Record<string, string> = {};
      const typed = cleanBody(input.body, fields, EMPTY_COMMENT_EDIT);
      throwIfInvalid(fields, fields.body);
      const stale = new Conflict(STALE_COMMENT);
      if (input.baseRevision !== comment.revision) throw stale;
      const unchanged: CommentEditRef = { id: comment.id, entryId: comment.entryId, revision: comment.revision, editedAt: comment.editedAt };
      if (typed === comment.bodySource) return unchanged;
      const body = await admitEdit(db, await readSettings(), viewer, {
        body: typed,
        before: comment.bodySource,
        published: comment.status === 'published',
        moderates: async () => {
          const found = await q.findVisibleEntry(db, viewer, comment.entryId);
          return found !== undefined && (await moderatesEntry(viewer, found.entry));
        },
      });
      try {
        return await db.transaction(async (tx) => {
          await q.insertCommentRevision(tx, { commentId, revision: comment.revision, bodySource: comment.bodySource, bodyHtml: comment.bodyHtml, editorId: viewer.id });
          const saved = await q.updateCommentBody(tx, commentId, input.baseRevision, { bodySource: body, bodyHtml: renderMarkdown(body), renderVersion: CONTENT_PIPELINE_VERSION });
          if (!saved) throw stale;
          return { ...unchanged, ...saved };
        });
      } catch (error) {
        // Two edits from the same revision: the second one's copy of it collides with the first's.
        if (isUniqueViolation(error)) throw stale;
        throw error;
      }
    },

    async removeComment(viewer: MemberViewer, commentId: number): Promise<{ entryId: number }> {
      const comment = await q.findVisibleComment(db, viewer, commentId);
      if (!comment) throw new NotFound();
      authorize(viewer, { kind: 'blog.deleteComment', comment: { authorId: comment.authorId } });
      await q.softDeleteComment(db, commentId);
      return { entryId: comment.entryId };
    },

    /**
     * Tidies scheduled entries whose time has come; they already read as published before this
     * runs. Each author is told once: the status changes once, in the transaction that notifies.
     */
    sweepScheduled: (): Promise<number> =>
      db.transaction(async (tx) => {
        const published = await q.publishDueEntries(tx);
        await notifier.entriesPublished(tx, published);
        return published.length;
      }),
  };
}
