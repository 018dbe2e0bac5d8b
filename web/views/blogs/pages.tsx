import type { SafeHtml } from '../../../server/content/safe-html.ts';
import { trustedSafeHtml } from '../../../server/content/safe-html.ts';
import { blogUrl, entryUrl, tagUrl } from '../../../server/blogs/presenters.ts';
import { BLOG_LIMITS, type Tag } from '../../../server/blogs/rules.ts';
import type { PageContext } from '../../context.ts';
import { profileHref } from '../../urls.ts';
import { Badge, Breadcrumbs, CsrfField, ErrorSummary, Field, PostButton, Time } from '../components.tsx';
import { FLAG_REASON_LABELS, FLAG_REASONS } from '../../../server/moderation/service.ts';
import { mayWrite } from '../../../server/policy/index.ts';
import { Layout } from '../layout.tsx';
import { RenderedContent } from '../safe-html.tsx';

export interface EntryCard {
  title: string;
  href: string;
  summary: string;
  author: { handle: string; displayName: string };
  publishedAt: Date | null;
  readingMinutes: number;
  tags: Tag[];
  commentCount: number;
  visibility: 'public' | 'members' | 'space';
}

const VISIBILITY_LABEL = { public: 'Public', members: 'Members only', space: 'Space members only' } as const;

/** Each tag as its writer spelled it, linked by its slug. */
function Tags({ tags }: { tags: Tag[] }) {
  if (tags.length === 0) return null;
  return (
    <ul class="tag-list" aria-label="Tags">
      {tags.map((t) => (
        <li>
          <a class="tag" href={tagUrl(t.slug)}>
            #{t.label}
          </a>
        </li>
      ))}
    </ul>
  );
}

export function EntryList({ entries, showAuthor, empty }: { entries: EntryCard[]; showAuthor: boolean; empty: string }) {
  if (entries.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ol class="entry-list">
      {entries.map((e) => (
        <li class="entry-card">
          <h2 class="entry-card-title">
            <a href={e.href}>{e.title}</a>
          </h2>
          <p class="entry-meta">
            {showAuthor && (
              <>
                <a href={blogUrl(e.author.handle)}>{e.author.displayName}</a> ·{' '}
              </>
            )}
            {e.publishedAt && <Time at={e.publishedAt} />} · {e.readingMinutes} min read · {e.commentCount} {e.commentCount === 1 ? 'comment' : 'comments'}
            {e.visibility !== 'public' && (
              <>
                {' '}
                <Badge kind="level">{VISIBILITY_LABEL[e.visibility]}</Badge>
              </>
            )}
          </p>
          {e.summary && <p class="entry-summary">{e.summary}</p>}
          <Tags tags={e.tags} />
        </li>
      ))}
    </ol>
  );
}

function FeedLink({ href, title }: { href: string; title: string }) {
  return <link rel="alternate" type="application/atom+xml" title={title} href={href} />;
}

export function BlogListPage(props: {
  ctx: PageContext;
  heading: string;
  intro?: string;
  entries: EntryCard[];
  showAuthor: boolean;
  feed: string;
  crumbs: { label: string; href?: string }[];
  ownBlog?: boolean;
  /** The next page of older entries, when there is one. */
  older?: string | undefined;
}) {
  return (
    <Layout ctx={props.ctx} title={props.heading} head={<FeedLink href={props.feed} title={`${props.heading} (Atom)`} />}>
      <Breadcrumbs items={props.crumbs} />
      <div class="page-head">
        <h1>{props.heading}</h1>
        {props.ctx.viewer.kind === 'member' && (
          <div class="page-actions">
            {props.ownBlog && (
              <a class="button button-secondary button-small" href="/blog/drafts">
                Your entries
              </a>
            )}
            <a class="button button-small" href="/blog/new">
              Write an entry
            </a>
          </div>
        )}
      </div>
      {props.intro && <p class="lead">{props.intro}</p>}
      <p class="hint">
        <a href={props.feed}>Atom feed</a> (public entries only)
      </p>
      <EntryList entries={props.entries} showAuthor={props.showAuthor} empty="No entries you can read yet." />
      {props.older && (
        <nav class="pagination" aria-label="More entries">
          <a href={props.older} rel="next">
            Older entries →
          </a>
        </nav>
      )}
    </Layout>
  );
}

export interface CommentView {
  id: number;
  parentId: number | null;
  author: { handle: string; displayName: string };
  bodyHtml: string;
  status: 'published' | 'held' | 'hidden';
  moderationNote: string;
  createdAt: Date;
  /** When its writer last changed it (null: never). */
  editedAt: Date | null;
  own: boolean;
}

export interface EntryView {
  id: number;
  title: string;
  summary: string;
  bodyHtml: string;
  author: { handle: string; displayName: string };
  publishedAt: Date | null;
  status: 'draft' | 'scheduled' | 'published';
  publishAt: Date | null;
  live: boolean;
  visibility: 'public' | 'members' | 'space';
  space: { name: string } | null;
  moderationStatus: 'published' | 'held' | 'hidden';
  moderationNote: string;
  commentsOpen: boolean;
  readingMinutes: number;
  tags: Tag[];
  toc: { id: string; text: string; level: number }[];
}

export interface CommentFormState {
  body: string;
  parentId?: number;
  message?: string;
  error?: string;
}

function CommentForm({ ctx, action, state, parentId, label }: { ctx: PageContext; action: string; state?: CommentFormState; parentId?: number; label: string }) {
  const id = parentId ? `comment-${parentId}` : 'comment-new';
  return (
    <form method="post" action={action} class="comment-form">
      <CsrfField ctx={ctx} />
      {parentId && <input type="hidden" name="parentId" value={String(parentId)} />}
      <Field id={id} name="body" label={label} value={state?.body ?? ''} error={state?.error} multiline rows={parentId ? 3 : 5} required maxLength={50_000} />
      <button type="submit" class="button button-small">
        {parentId ? 'Reply' : 'Comment'}
      </button>
    </form>
  );
}

function Comment({ ctx, c, replies, entry, canComment, action, formState }: { ctx: PageContext; c: CommentView; replies: CommentView[]; entry: EntryView; canComment: boolean; action: string; formState?: CommentFormState }) {
  return (
    <li class="comment" id={`c${c.id}`}>
      <article aria-label={`Comment by ${c.author.displayName}`}>
        <p class="comment-meta">
          <a href={profileHref(c.author.handle)}>{c.author.displayName}</a> <Time at={c.createdAt} />
          {c.editedAt && (
            <span class="edited">
              edited <Time at={c.editedAt} />
            </span>
          )}
          {c.author.handle === entry.author.handle && <Badge>Author</Badge>}
          {c.status !== 'published' && <Badge kind="warning">{c.status === 'held' ? 'Waiting for approval' : 'Hidden'}</Badge>}
        </p>
        {c.status !== 'published' && c.moderationNote && <p class="notice notice-info">{c.moderationNote}</p>}
        <RenderedContent html={trustedSafeHtml(c.bodyHtml)} />
        {c.own && (
          <div class="comment-actions">
            {/* A div: Remove is a form, which a paragraph cannot hold. A silenced writer may not change comments either (the policy's "writer"): no link that would fail. */}
            {mayWrite(ctx.viewer) && (
              <>
                <a href={`/blog/comments/${c.id}/edit`}>
                  Edit<span class="sr-only"> your comment</span>
                </a>{' '}
              </>
            )}
            <PostButton ctx={ctx} action={`/blog/comments/${c.id}/delete`} label="Remove" ariaLabel="Remove your comment" confirm="Remove your comment?" />
          </div>
        )}
        {!c.own && ctx.viewer.kind === 'member' && c.status === 'published' && (
          <details class="flag-box">
            <summary>Report</summary>
            <ReportForm ctx={ctx} action={`/blog/comments/${c.id}/flag`} fieldId={`flag-c${c.id}`} />
          </details>
        )}
      </article>
      {replies.length > 0 && (
        <ol class="comment-replies">
          {replies.map((r) => (
            <Comment ctx={ctx} c={r} replies={[]} entry={entry} canComment={false} action={action} />
          ))}
        </ol>
      )}
      {canComment && c.parentId === null && (
        <details class="reply-box" open={formState?.parentId === c.id}>
          <summary>Reply</summary>
          <CommentForm ctx={ctx} action={action} parentId={c.id} label={`Reply to ${c.author.displayName}`} state={formState?.parentId === c.id ? formState : undefined} />
        </details>
      )}
    </li>
  );
}

export function EntryPage(props: { ctx: PageContext; entry: EntryView; comments: CommentView[]; canonical: string; own: boolean; commentState?: CommentFormState; flagged?: boolean }) {
  const { ctx, entry } = props;
  const href = entryUrl(entry.author.handle, '');
  const action = `${props.canonical.replace(/^https?:\/\/[^/]+/, '')}/comments`;
  // Only a public entry that anyone can read carries preview tags; anything else says nothing and asks not to be indexed.
  const isPublic = entry.visibility === 'public' && entry.live && entry.moderationStatus === 'published';
  const head = isPublic ? (
    <>
      <link rel="canonical" href={props.canonical} />
      <meta property="og:type" content="article" />
      <meta property="og:title" content={entry.title} />
      <meta property="og:url" content={props.canonical} />
      {entry.summary && <meta property="og:description" content={entry.summary} />}
      <meta property="og:site_name" content="Rounds" />
      {entry.publishedAt && <meta property="article:published_time" content={entry.publishedAt.toISOString()} />}
    </>
  ) : undefined;
  const tops = props.comments.filter((c) => c.parentId === null || !props.comments.some((p) => p.id === c.parentId));
  const canComment = ctx.viewer.kind === 'member' && entry.live && entry.commentsOpen;
  return (
    <Layout ctx={ctx} title={entry.title} description={isPublic ? entry.summary || undefined : undefined} noindex={!isPublic} head={head}>
      <Breadcrumbs items={[{ label: 'Blogs', href: '/blog' }, { label: entry.author.displayName, href: href.replace(/\/$/, '') }, { label: entry.title }]} />
      <article class="blog-entry" aria-labelledby="entry-title">
        <header class="entry-head">
          <h1 id="entry-title">{entry.title}</h1>
          <p class="entry-meta">
            By <a href={profileHref(entry.author.handle)}>{entry.author.displayName}</a>
            {entry.publishedAt && entry.live && (
              <>
                {' '}
                · <Time at={entry.publishedAt} />
              </>
            )}{' '}
            · {entry.readingMinutes} min read
            {entry.visibility !== 'public' && (
              <>
                {' '}
                <Badge kind="level">{entry.visibility === 'space' && entry.space ? `Members of ${entry.space.name}` : VISIBILITY_LABEL[entry.visibility]}</Badge>
              </>
            )}
          </p>
          {!entry.live && (
            <p class="notice notice-info" role="status">
              {entry.status === 'scheduled' && entry.publishAt ? (
                <>
                  Scheduled: readers see this entry from <Time at={entry.publishAt} absolute />.
                </>
              ) : (
                'Draft: only you can see this.'
              )}
            </p>
          )}
          {entry.moderationStatus !== 'published' && <p class="notice notice-warning">{entry.moderationNote || 'This entry is waiting for a moderator.'}</p>}
          <Tags tags={entry.tags} />
          {props.own && (
            <p class="entry-actions">
              <a class="button button-secondary button-small" href={`/blog/${entry.id}/edit`}>
                Edit
              </a>
            </p>
          )}
        </header>
        {entry.toc.length > 0 && (
          <nav class="toc" aria-labelledby="toc-heading">
            <h2 id="toc-heading">Contents</h2>
            <ol>
              {entry.toc.map((h) => (
                <li class={`toc-level-${h.level}`}>
                  <a href={`#${h.id}`}>{h.text}</a>
                </li>
              ))}
            </ol>
          </nav>
        )}
        <RenderedContent html={trustedSafeHtml(entry.bodyHtml)} class="prose entry-body" />
      </article>
      {ctx.viewer.kind === 'member' && !props.own && entry.live && (
        <details class="flag-box">
          <summary>Report this entry</summary>
          <ReportForm ctx={ctx} action={`/blog/${entry.id}/flag`} fieldId="flag-reason" />
        </details>
      )}
      {entry.live && (
        <section class="comments" aria-labelledby="comments-heading">
          <h2 id="comments-heading">
            {props.comments.length} {props.comments.length === 1 ? 'comment' : 'comments'}
          </h2>
          {props.commentState?.message && <ErrorSummary message={props.commentState.message} />}
          {tops.length > 0 && (
            <ol class="comment-list">
              {tops.map((c) => (
                <Comment ctx={ctx} c={c} replies={props.comments.filter((r) => r.parentId === c.id)} entry={entry} canComment={canComment} action={action} formState={props.commentState} />
              ))}
            </ol>
          )}
          {!entry.commentsOpen && <p class="hint">The author has closed comments.</p>}
          {canComment && <CommentForm ctx={ctx} action={action} label="Add a comment" state={props.commentState?.parentId === undefined ? props.commentState : undefined} />}
          {ctx.viewer.kind === 'anonymous' && entry.commentsOpen && (
            <p class="hint">
              <a href={`/signin?next=${encodeURIComponent(ctx.path)}`}>Sign in</a> to comment.
            </p>
          )}
        </section>
      )}
    </Layout>
  );
}

export interface EditorState {
  id?: number;
  title: string;
  body: string;
  summary: string;
  tags: string;
  slug: string;
  visibility: 'public' | 'members' | 'space';
  spaceId: string;
  commentsOpen: boolean;
  /** As the datetime field shows it: in UTC (as stored) or in the author's time zone (as typed, with the script on). */
  publishAt: string;
  publishAtZone: 'utc' | 'local';
  baseRevision?: number;
  /** A new entry's page: its autosaves and its Save button make one entry. */
  idempotencyKey?: string;
  status?: 'draft' | 'scheduled' | 'published';
  live?: boolean;
  viewHref?: string;
  errors: Record<string, string>;
  message?: string;
  preview?: SafeHtml;
}

export function EditorPage({ ctx, state, spaces }: { ctx: PageContext; state: EditorState; spaces: { id: number; name: string }[] }) {
  const action = state.id ? `/blog/${state.id}/edit` : '/blog/new';
  const title = state.id ? `Edit “${state.title || 'entry'}”` : 'Write an entry';
  return (
    <Layout ctx={ctx} title={title} noindex>
      <Breadcrumbs items={[{ label: 'Blogs', href: '/blog' }, { label: 'Your entries', href: '/blog/drafts' }, { label: state.id ? 'Edit' : 'New entry' }]} />
      <div class="page-head">
        <h1>{title}</h1>
        {state.status && (
          <Badge kind="level">{state.live ? 'Published' : state.status === 'scheduled' ? 'Scheduled' : 'Draft'}</Badge>
        )}
      </div>
      {state.viewHref && (
        <p class="hint">
          <a href={state.viewHref}>View the entry</a>
        </p>
      )}
      {/* Kept as it is typed only while nobody reads it: a published or scheduled entry changes when its writer saves. */}
      <form
        method="post"
        action={action}
        class="composer blog-editor"
        data-composer
        data-preview-url="/blog/preview"
        data-autosave={!state.id ? '/blog/autosave' : state.status === 'draft' ? `/blog/${state.id}/autosave` : undefined}
      >
        <ErrorSummary message={state.message} />
        <CsrfField ctx={ctx} />
        {/* A new entry has no revision until its first autosave makes it; the script fills it in then. */}
        <input type="hidden" name="baseRevision" value={state.baseRevision === undefined ? '' : String(state.baseRevision)} data-revision />
        {!state.id && state.idempotencyKey && <input type="hidden" name="idempotencyKey" value={state.idempotencyKey} />}
        {/* At the top, where a writer looks: beside Save it sat a long text box below the words being typed. */}
        {/* The link waits until there is a draft to find there (a new entry's first autosave makes one). */}
        <p class="autosave-status hint">
          <span data-autosave-status aria-live="polite">
            {state.id && state.status !== 'draft' && (state.live ? 'Readers see your changes when you save them.' : 'Your changes are kept when you save them.')}
          </span>{' '}
          <a href="/blog/drafts" data-drafts-link hidden={!state.id || state.status !== 'draft'}>
            Your entries
          </a>
        </p>
        <Field name="title" label="Title" value={state.title} error={state.errors.title} required maxLength={BLOG_LIMITS.titleMax} autofocus={!state.id && !state.title && !state.message} />
        <Field name="summary" label="Summary (optional)" value={state.summary} error={state.errors.summary} maxLength={BLOG_LIMITS.summaryMax} hint="One or two sentences shown in lists and link previews of public entries." />
        <Field
          name="body"
          label="Entry"
          value={state.body}
          error={state.errors.body}
          multiline
          rows={18}
          maxLength={BLOG_LIMITS.bodyMax}
          hint="Markdown: ## headings, **bold**, _italic_, > quote, - list, `code`, [link](https://…). Three or more headings get a table of contents."
        />
        <Field name="tags" label="Tags (optional)" value={state.tags} error={state.errors.tags} hint="Up to eight, separated by commas." maxLength={400} />
        {state.id && <Field name="slug" label="Address" value={state.slug} error={state.errors.slug} hint="The last part of the entry’s address. Old addresses keep working." maxLength={80} />}
        <fieldset class="field">
          <legend>Who can read it</legend>
          {(['public', 'members', 'space'] as const).map((v) => (
            <label class="radio">
              <input type="radio" name="visibility" value={v} checked={state.visibility === v} /> {v === 'public' ? 'Anyone (public, in feeds)' : v === 'members' ? 'Signed-in members' : 'Members of one space'}
            </label>
          ))}
          <div class={state.errors.spaceId ? 'field has-error' : 'field'}>
            <label for="f-spaceId">Space</label>
            <select id="f-spaceId" name="spaceId" aria-describedby={state.errors.spaceId ? 'f-spaceId-error' : undefined}>
              <option value="">—</option>
              {spaces.map((s) => (
                <option value={String(s.id)} selected={state.spaceId === String(s.id)}>
                  {s.name}
                </option>
              ))}
            </select>
            {state.errors.spaceId && (
              <p class="field-error" id="f-spaceId-error">
                {state.errors.spaceId}
              </p>
            )}
          </div>
        </fieldset>
        <label class="checkbox">
          <input type="checkbox" name="commentsOpen" value="1" checked={state.commentsOpen} /> Allow comments
        </label>
        {state.id && !state.live && (
          <div data-local-time>
            <Field
              name="publishAt"
              label="Publish later at"
              type="datetime-local"
              value={state.publishAt}
              error={state.errors.publishAt}
              hint={`In ${state.publishAtZone === 'local' ? 'your time zone' : 'UTC'}. Leave empty to publish now.`}
            />
            {/* The browser's offset from UTC at the chosen time, set by the script as the form is sent; without it the time is UTC. */}
            <input type="hidden" name="utcOffset" value="" data-zone={state.publishAtZone} />
          </div>
        )}
        <div class="composer-actions">
          <button type="submit" name="intent" value="save" class="button">
            Save
          </button>
          <button type="submit" name="intent" value="preview" class="button button-secondary" formnovalidate>
            Preview
          </button>
          {state.id && !state.live && (
            <button type="submit" name="intent" value="publish" class="button button-secondary">
              {state.publishAt ? 'Schedule' : 'Publish'}
            </button>
          )}
          {/* A new entry can be published once its first autosave has made it (app.js shows this then). */}
          {!state.id && (
            <button type="submit" name="intent" value="publish" class="button button-secondary" hidden data-publish-once-saved>
              Publish
            </button>
          )}
          {state.id && (state.live || state.status === 'scheduled') && (
            <button type="submit" name="intent" value="unpublish" class="button button-secondary">
              Back to draft
            </button>
          )}
        </div>
        <section class="preview" data-preview hidden={state.preview === undefined}>
          <h2 class="preview-label">Preview: what readers see</h2>
          {state.preview !== undefined && <RenderedContent html={state.preview} class="prose entry-body" />}
        </section>
      </form>
      {state.id && (
        <p>
          <PostButton ctx={ctx} action={`/blog/${state.id}/delete`} label="Delete this entry" class="button button-danger button-small" confirm="Delete this entry for good?" />
        </p>
      )}
    </Layout>
  );
}

export function DeskPage({
  ctx,
  entries,
}: {
  ctx: PageContext;
  entries: { id: number; title: string; status: string; live: boolean; publishAt: Date | null; updatedAt: Date; href: string; moderationStatus: string }[];
}) {
  return (
    <Layout ctx={ctx} title="Your entries" noindex>
      <div class="page-head">
        <h1>Your entries</h1>
        <a class="button button-small" href="/blog/new">
          Write an entry
        </a>
      </div>
      {entries.length === 0 ? (
        <p class="empty">Nothing yet. Your drafts will wait here.</p>
      ) : (
        <ol class="entry-list">
          {entries.map((e) => (
            <li class="entry-card">
              <h2 class="entry-card-title">
                <a href={`/blog/${e.id}/edit`}>{e.title}</a>
              </h2>
              <p class="entry-meta">
                <Badge kind="level">{e.live ? 'Published' : e.status === 'scheduled' ? 'Scheduled' : 'Draft'}</Badge>
                {e.moderationStatus !== 'published' && <Badge kind="warning">{e.moderationStatus === 'held' ? 'Waiting for approval' : 'Hidden'}</Badge>}
                {!e.live && e.status === 'scheduled' && e.publishAt && (
                  <>
                    {' '}
                    for <Time at={e.publishAt} absolute />
                  </>
                )}{' '}
                · changed <Time at={e.updatedAt} /> · <a href={e.href}>view</a>
              </p>
            </li>
          ))}
        </ol>
      )}
    </Layout>
  );
}

/** A one-step report of an entry or comment: the moderation reasons that need no note ("something else" does). */
function ReportForm({ ctx, action, fieldId }: { ctx: PageContext; action: string; fieldId: string }) {
  return (
    <form method="post" action={action} class="inline-form">
      <CsrfField ctx={ctx} />
      <label for={fieldId}>Reason</label>{' '}
      <select id={fieldId} name="reason">
        {FLAG_REASONS.filter((reason) => reason !== 'other').map((reason) => (
          <option value={reason}>{FLAG_REASON_LABELS[reason]}</option>
        ))}
      </select>{' '}
      <button type="submit" class="button button-small button-secondary">
        Report
      </button>
    </form>
  );
}
