import { trustedSafeHtml } from '../../../server/content/safe-html.ts';
import { mayWrite } from '../../../server/policy/index.ts';
import type { PageContext } from '../../context.ts';
import { postHref, profileHref } from '../../urls.ts';
import { Badge, Breadcrumbs, CsrfField, ErrorSummary, Field, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { RenderedContent } from '../safe-html.tsx';
import { FLAG_REASON_LABELS, FLAG_REASONS, SANCTION_LABELS } from './words.ts';

/** A refused form comes back with what was typed, the message, and the fields at fault. */
export interface FormState<V> {
  values: V;
  errors: Record<string, string>;
  message?: string | undefined;
}

/** A profile is flagged for what its owner is or does, not for a post's faults (it has no board to be off-topic in). */
const PROFILE_REASON_HINTS: Record<string, string> = {
  spam: 'An account that exists to advertise or to post links.',
  abusive: 'The profile, or this member, insults, threatens or harasses people.',
  misinformation: 'Claims a title, specialty or institution that is not theirs.',
  confidentiality: 'The profile identifies a patient or repeats what was said in confidence.',
  other: 'Say what is wrong in the note below.',
};

const REASON_HINTS: Record<string, string> = {
  spam: 'Advertising, link farming, or the same text again and again.',
  abusive: 'Insults, threats or harassment of a person.',
  off_topic: 'Does not belong in this board or thread.',
  misinformation: 'Clinical advice that is unsafe or plainly false.',
  confidentiality: 'Identifies a patient or repeats what was said in confidence.',
  other: 'Say what is wrong in the note below.',
};

export type FlagTarget =
  | { kind: 'post'; id: number; number: number; threadId: number; threadSlug: string; threadTitle: string; authorName: string; bodyHtml: string }
  | { kind: 'member'; handle: string; displayName: string };

export function FlagPage({ ctx, target, state }: { ctx: PageContext; target: FlagTarget; state: FormState<{ reason: string; note: string }> }) {
  const what = target.kind === 'post' ? `post #${target.number}` : `the profile of ${target.displayName}`;
  const action = target.kind === 'post' ? `/p/${target.id}/flag` : `/u/${target.handle}/flag`;
  const back = target.kind === 'post' ? postHref(target.threadId, target.threadSlug, target.number) : profileHref(target.handle);
  return (
    <Layout ctx={ctx} title={`Flag ${what}`} noindex>
      <Breadcrumbs
        items={[
          { label: 'Home', href: '/' },
          target.kind === 'post' ? { label: target.threadTitle, href: back } : { label: target.displayName, href: back },
          { label: 'Flag' },
        ]}
      />
      <div class="narrow-page">
        <h1>Flag {what}</h1>
        {target.kind === 'post' ? (
          <p class="lead">
            Tell the moderators what is wrong. They see who flagged; the author does not. A flag from a member with a good record counts for more, and enough flags hide a
            post until a moderator looks.
          </p>
        ) : (
          <p class="lead">Tell the moderators what is wrong with this member's profile or conduct. They see who flagged; {target.displayName} does not.</p>
        )}
        {target.kind === 'post' && (
          <aside class="flag-target" aria-label="The post you are flagging" tabIndex={0}>
            <p class="hint">
              {target.authorName} wrote in “{target.threadTitle}”:
            </p>
            <RenderedContent html={trustedSafeHtml(target.bodyHtml)} />
          </aside>
        )}
        <form method="post" action={action} class="auth-form wide-form">
          <ErrorSummary message={state.message} />
          <CsrfField ctx={ctx} />
          <fieldset class={state.errors.reason ? 'field choice has-error' : 'field choice'}>
            <legend>What is wrong?</legend>
            {FLAG_REASONS.filter((reason) => target.kind === 'post' || reason in PROFILE_REASON_HINTS).map((reason) => (
              <label class="choice-option">
                <input type="radio" name="reason" value={reason} checked={state.values.reason === reason} required />
                <span>
                  <strong>{FLAG_REASON_LABELS[reason]}</strong> <span class="hint">{(target.kind === 'post' ? REASON_HINTS : PROFILE_REASON_HINTS)[reason]}</span>
                </span>
              </label>
            ))}
            {state.errors.reason && <p class="field-error">{state.errors.reason}</p>}
          </fieldset>
          <Field
            name="note"
            label="Note for the moderators"
            hint="Optional, except for “Something else”. Only moderators read it."
            value={state.values.note}
            error={state.errors.note}
            multiline
            rows={4}
            maxLength={1000}
          />
          <div class="actions">
            <button type="submit" class="button">
              Send flag
            </button>
            <a href={back}>Cancel</a>
          </div>
        </form>
      </div>
    </Layout>
  );
}

export interface AuthorRequestTarget {
  id: number;
  number: number;
  threadId: number;
  threadSlug: string;
  threadTitle: string;
  bodyHtml: string;
  moderationNote: string;
}

/** "Ask for another review" and "Appeal": the author's two ways back for a hidden post. */
export function AuthorRequestPage({ ctx, kind, post, state }: { ctx: PageContext; kind: 'review' | 'appeal'; post: AuthorRequestTarget; state: FormState<{ note: string }> }) {
  const review = kind === 'review';
  const title = review ? `Ask for another review of post #${post.number}` : `Appeal the decision on post #${post.number}`;
  const href = postHref(post.threadId, post.threadSlug, post.number);
  return (
    <Layout ctx={ctx} title={title} noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: post.threadTitle, href }, { label: review ? 'Another review' : 'Appeal' }]} />
      <div class="narrow-page">
        <h1>{title}</h1>
        {post.moderationNote && (
          <div class="notice notice-warning" role="note">
            {post.moderationNote}
          </div>
        )}
        {review ? (
          <p class="lead">
            Edited your post? A moderator will look at the new version. <a href={`/p/${post.id}/edit`}>Edit it first</a> if you have not yet: another review looks at a changed
            version.
          </p>
        ) : (
          <p class="lead">You can appeal once. A different moderator from the one who decided reads your appeal and decides again.</p>
        )}
        <aside class="flag-target" aria-label="Your post as it is now" tabIndex={0}>
          <p class="hint">Your post as it is now:</p>
          <RenderedContent html={trustedSafeHtml(post.bodyHtml)} />
        </aside>
        <form method="post" action={`/p/${post.id}/${kind}`} class="auth-form wide-form">
          <ErrorSummary message={state.message} />
          <CsrfField ctx={ctx} />
          <Field
            name="note"
            label={review ? 'What did you change? (optional)' : 'Why should the decision change?'}
            value={state.values.note}
            error={state.errors.note}
            required={!review}
            multiline
            rows={5}
            maxLength={1000}
          />
          <div class="actions">
            <button type="submit" class="button">
              {review ? 'Ask for another review' : 'Send appeal'}
            </button>
            <a href={href}>Back to the post</a>
          </div>
        </form>
      </div>
    </Layout>
  );
}

export interface MyModeration {
  posts: { postId: number; number: number; status: string; moderationNote: string; createdAt: Date; threadId: number; threadTitle: string; threadSlug: string; reviewPending: boolean; appealUsed: boolean }[];
  sanctions: { id: number; kind: 'warn' | 'silence' | 'suspend'; reason: string; until: Date | null; createdAt: Date }[];
  status: string;
  statusUntil: Date | null;
  statusReason: string;
}

export function MyModerationPage({ ctx, mine }: { ctx: PageContext; mine: MyModeration }) {
  return (
    <Layout ctx={ctx} title="Your posts under review" noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Settings', href: '/settings' }, { label: 'Your posts under review' }]} />
      <h1>Your posts under review</h1>
      <p class="lead">Posts of yours that wait for a moderator or that a moderator hid, what they said, and anything moderators decided about your account.</p>
      {mine.status !== 'active' && (
        <div class="notice notice-warning" role="status">
          <strong>
            Your account is {mine.status}
            {mine.statusUntil ? (
              <>
                {' '}
                until <Time at={mine.statusUntil} absolute />
              </>
            ) : (
              ' until a moderator lifts it'
            )}
            .
          </strong>{' '}
          {mine.statusReason && <>Reason: “{mine.statusReason}”</>}
        </div>
      )}
      <section aria-labelledby="mine-posts-heading" class="settings-section">
        <h2 id="mine-posts-heading">Posts</h2>
        {mine.posts.length === 0 ? (
          <p class="empty">Nothing of yours is held or hidden.</p>
        ) : (
          <ul class="mine-list">
            {mine.posts.map((p) => (
              <li class="mine-item">
                <div class="mine-head">
                  <a href={postHref(p.threadId, p.threadSlug, p.number)}>
                    {p.threadTitle} #{p.number}
                  </a>
                  <Badge kind={p.status === 'held' ? 'held' : 'hidden'}>{p.status === 'held' ? 'Waiting for approval' : 'Hidden'}</Badge>
                  <Time at={p.createdAt} />
                </div>
                {p.moderationNote && <p>{p.moderationNote}</p>}
                <p class="author-notice-actions">
                  {mayWrite(ctx.viewer) && <a href={`/p/${p.postId}/edit`}>Edit</a>}
                  {p.status === 'hidden' && p.reviewPending && <span>A moderator is looking at it now.</span>}
                  {p.status === 'hidden' && !p.reviewPending && (
                    <>
                      <a href={`/p/${p.postId}/review`}>Ask for another review</a>
                      {p.appealUsed ? <span>Your one appeal has been used.</span> : <a href={`/p/${p.postId}/appeal`}>Appeal</a>}
                    </>
                  )}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="mine-sanctions-heading" class="settings-section">
        <h2 id="mine-sanctions-heading">Warnings and sanctions</h2>
        {mine.sanctions.length === 0 ? (
          <p class="empty">None. Thank you for keeping Rounds a good place.</p>
        ) : (
          <SanctionTable sanctions={mine.sanctions} />
        )}
      </section>
    </Layout>
  );
}

export function SanctionTable({ sanctions, showModerator }: { sanctions: (MyModeration['sanctions'][number] & { moderatorHandle?: string })[]; showModerator?: boolean }) {
  return (
    <div class="table-scroll">
      <table class="data-table">
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">Reason</th>
            <th scope="col">Given</th>
            <th scope="col">Ends</th>
            {showModerator && <th scope="col">By</th>}
          </tr>
        </thead>
        <tbody>
          {sanctions.map((s) => (
            <tr>
              <td>
                <Badge kind={s.kind === 'warn' ? 'warning' : 'danger'}>{SANCTION_LABELS[s.kind]}</Badge>
              </td>
              <td>{s.reason}</td>
              <td>
                <Time at={s.createdAt} />
              </td>
              <td>{s.kind === 'warn' ? '—' : s.until ? <Time at={s.until} absolute /> : 'When lifted'}</td>
              {showModerator && <td>{s.moderatorHandle ? `@${s.moderatorHandle}` : ''}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
