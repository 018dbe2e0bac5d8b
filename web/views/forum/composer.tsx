import type { ComponentChildren } from 'preact';
import type { SafeHtml } from '../../../server/content/safe-html.ts';
import type { SeeAlso } from '../../../server/errors.ts';
import { FORUM_LIMITS } from '../../../server/forum/rules.ts';
import type { PageContext } from '../../context.ts';
import { CsrfField, ErrorSummary, Field, Time } from '../components.tsx';
import { RenderedContent } from '../safe-html.tsx';

/**
 * Above a refused edit's form (a post's or a comment's), under the message that says to compare:
 * what is saved now, in a box the keyboard can reach and scroll.
 */
export function CurrentVersion(props: { title?: string | null; html: SafeHtml; editedAt: Date | null }) {
  return (
    <section class="replying-to" aria-labelledby="current-version-heading">
      <h2 id="current-version-heading" class="hint">
        The current version{props.editedAt && <>, saved <Time at={props.editedAt} /></>}:
      </h2>
      {props.title && <p class="current-title">{props.title}</p>}
      <RenderedContent html={props.html} region="The current version" />
    </section>
  );
}

export interface ComposerState {
  title?: string;
  body: string;
  idempotencyKey: string;
  errors: Record<string, string>;
  message?: string;
  /** A page that helps with the refusal (the earlier post a duplicate repeats). */
  see?: SeeAlso | undefined;
  preview?: SafeHtml;
  hidden?: Record<string, string>;
}

/**
 * Where a reply's draft is kept (`url`), and when it was last kept (null: there is none yet).
 * app.js keeps it as the member types; the Save draft button does the same without JavaScript.
 */
export interface DraftState {
  url: string;
  savedAt: Date | null;
  /** The kept draft's revision (0: none); sent back with each save, so one from elsewhere is not overwritten. */
  revision: number;
  /**
   * The post the kept reply answers, for the thread page's own box: it was started from that
   * post's Reply link, and posting it here still answers that post.
   */
  answers?: { id: number; number: number } | undefined;
}

/**
 * The one editor for threads, replies and edits. Preview works without JavaScript (a second
 * submit button re-renders this form with the rendered Markdown); app.js makes it live.
 */
export function Composer(props: {
  ctx: PageContext;
  action: string;
  state: ComposerState;
  withTitle: boolean;
  submitLabel: string;
  heading?: string;
  mentionable?: string;
  cancelHref?: string | undefined;
  draft?: DraftState | undefined;
  /** A page that is only this form: the cursor starts in it (not the thread page's reply box below the posts). */
  focus?: boolean;
  /** Shown under a refusal's message, before the fields (an edit refused: the current version). */
  aside?: ComponentChildren;
  bodyLabel?: string;
}) {
  const { state, draft } = props;
  // Not over a refusal's summary or a preview, which take the focus themselves.
  const focus = props.focus === true && state.preview === undefined && !state.message;
  return (
    <form method="post" action={props.action} class="composer" data-composer data-mentionable={props.mentionable} data-draft={draft?.url}>
      {props.heading && <h2>{props.heading}</h2>}
      <ErrorSummary message={state.message} see={state.see} />
      {props.aside}
      <CsrfField ctx={props.ctx} />
      <input type="hidden" name="idempotencyKey" value={state.idempotencyKey} />
      {draft && <input type="hidden" name="draftRevision" value={String(draft.revision)} />}
      {Object.entries(state.hidden ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      {draft?.answers && (
        // Ticked, the reply answers the post the draft was started from; cleared, the thread.
        <p class="hint composer-answers">
          <label>
            <input type="checkbox" name="replyTo" value={String(draft.answers.id)} checked />
            <span>
              Your draft answers <a href={`/p/${draft.answers.id}`}>post #{draft.answers.number}</a>, and so will the reply
            </span>
          </label>
        </p>
      )}
      {props.withTitle && (
        <Field name="title" label="Title" value={state.title ?? ''} error={state.errors.title} required maxLength={FORUM_LIMITS.titleMax} minLength={FORUM_LIMITS.titleMin} autofocus={focus && !state.title} />
      )}
      <Field
        name="body"
        label={props.bodyLabel ?? 'Message'}
        value={state.body}
        error={state.errors.body}
        multiline
        rows={10}
        autofocus={focus && !(props.withTitle && !state.title)}
        required
        maxLength={FORUM_LIMITS.bodyMax}
        hint="Markdown: **bold**, _italic_, > quote, - list, `code`, [link](https://…). Raw HTML is shown as text."
      />
      <div class="composer-actions">
        <button type="submit" name="intent" value="post" class="button">
          {props.submitLabel}
        </button>
        <button type="submit" name="intent" value="preview" class="button button-secondary" formnovalidate>
          Preview
        </button>
        {draft && (
          <button type="submit" name="intent" value="save-draft" class="button button-secondary" formaction={draft.url} formnovalidate data-draft-save>
            Save draft
          </button>
        )}
        {draft && (
          // Shown by app.js once a draft is kept; it asks first (app.js), as the text goes with it.
          <button
            type="submit"
            name="intent"
            value="discard-draft"
            class="button-link composer-discard"
            formaction={draft.url}
            formnovalidate
            hidden={draft.savedAt === null}
            data-draft-discard
            data-confirm="Discard this draft? The text in the box goes with it."
          >
            Discard draft
          </button>
        )}
        {/* With a draft kept as it is typed, leaving cancels nothing: the draft stays (Discard ends it). */}
        {props.cancelHref && (
          <a class="composer-cancel" href={props.cancelHref}>
            {draft ? 'Close' : 'Cancel'}
          </a>
        )}
      </div>
      {draft && (
        <p class="composer-draft-status">
          <span data-draft-status aria-live="polite">
            {draft.savedAt && (
              <>
                Draft saved <Time at={draft.savedAt} />. Only you can see it.
              </>
            )}
          </span>{' '}
          <a href="/drafts">Your drafts</a>
        </p>
      )}
      {/* After a server-side preview, focus lands on it (unless a refusal took it), so it is read out at once. */}
      <section class="preview" data-preview hidden={state.preview === undefined} tabIndex={-1} autoFocus={state.preview !== undefined && !state.message}>
        {/* Under the form's own h2 when it has one, else straight under the page's h1. */}
        {props.heading ? <h3 class="preview-label">Preview</h3> : <h2 class="preview-label">Preview</h2>}
        {state.preview !== undefined && <RenderedContent html={state.preview} />}
      </section>
    </form>
  );
}
