import { trustedSafeHtml } from '../../../server/content/safe-html.ts';
import { FORUM_LIMITS } from '../../../server/forum/rules.ts';
import type { PageContext } from '../../context.ts';
import { Breadcrumbs, CsrfField, ErrorSummary, Field } from '../components.tsx';
import { CurrentVersion } from '../forum/composer.tsx';
import { Layout } from '../layout.tsx';

/** What the edit form holds: the text as typed (never lost on a refusal) and the revision it is based on. */
export interface CommentEditState {
  body: string;
  baseRevision: number;
  errors: Record<string, string>;
  message?: string;
  /** Set when the comment was saved elsewhere since the form was opened: the version saved now, to compare with. */
  current?: { bodyHtml: string; revision: number; editedAt: Date | null };
}

/**
 * The one page for changing a comment: its text, Save, and Cancel back to the comment on its
 * entry. Held or hidden comments stay so: the page says it, so nobody expects an edit to publish them.
 */
export function CommentEditPage(props: {
  ctx: PageContext;
  comment: { id: number; status: 'published' | 'held' | 'hidden' };
  entry: { title: string; href: string; author: { displayName: string; blogHref: string } };
  state: CommentEditState;
}) {
  const { ctx, comment, entry, state } = props;
  const back = `${entry.href}#c${comment.id}`;
  return (
    <Layout ctx={ctx} title="Edit your comment" noindex>
      <Breadcrumbs
        items={[
          { label: 'Blogs', href: '/blog' },
          { label: entry.author.displayName, href: entry.author.blogHref },
          { label: entry.title, href: back },
          { label: 'Edit comment' },
        ]}
      />
      <h1>Edit your comment</h1>
      <p class="hint">
        On <a href={back}>{entry.title}</a>.
        {comment.status === 'held' && ' It is still waiting for a moderator: editing it does not change that.'}
        {comment.status === 'hidden' && ' A moderator hid it: editing it does not bring it back.'}
      </p>
      <form method="post" action={`/blog/comments/${comment.id}/edit`} class="composer comment-edit">
        <ErrorSummary message={state.message} />
        {state.current && <CurrentVersion html={trustedSafeHtml(state.current.bodyHtml)} editedAt={state.current.editedAt} />}
        <CsrfField ctx={ctx} />
        <input type="hidden" name="baseRevision" value={String(state.baseRevision)} />
        <Field
          id="comment-edit-body"
          name="body"
          label={state.current ? 'Your text (not saved yet)' : 'Your comment'}
          value={state.body}
          error={state.errors.body}
          multiline
          rows={8}
          required
          maxLength={FORUM_LIMITS.bodyMax}
          autofocus={!state.message}
          hint="Markdown: **bold**, _italic_, > quote, - list, `code`, [link](https://…). Raw HTML is shown as text."
        />
        <div class="composer-actions">
          <button type="submit" class="button">
            Save
          </button>
          <a class="composer-cancel" href={back}>
            Cancel
          </a>
        </div>
      </form>
    </Layout>
  );
}
