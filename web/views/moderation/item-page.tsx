import { trustedSafeHtml } from '../../../server/content/safe-html.ts';
import type { presentItemDetail } from '../../../server/moderation/presenters.ts';
import type { Decision } from '../../../server/moderation/service.ts';
import type { PageContext } from '../../context.ts';
import { profileHref } from '../../urls.ts';
import { Badge, Breadcrumbs, CsrfField, ErrorSummary, Field, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { RenderedContent } from '../safe-html.tsx';
import { SanctionTable } from './member-pages.tsx';
import { DECISION_LABELS, decisionHint, formatScore, KIND_LABELS, NEEDS_REASON, reasonLabel, SANCTION_LABELS, type ItemKind } from './words.ts';

export type ItemView = ReturnType<typeof presentItemDetail>;

export interface DecisionValues {
  decision: string;
  reason: string;
  body: string;
  sanctionKind: string;
  sanctionDays: string;
  sanctionReason: string;
}

export interface DecisionState {
  values: DecisionValues;
  errors: Record<string, string>;
  message?: string | undefined;
  /** Another moderator decided first: the form is gone, what was typed is shown back. */
  conflict?: boolean;
}

export function ItemPage(props: {
  ctx: PageContext;
  item: ItemView;
  sanctions: { kind: 'warn' | 'silence' | 'suspend'; reason: string; until: Date | null; createdAt: Date; moderatorHandle: string; id: number }[];
  allowed: readonly Decision[];
  /** This moderator decided the item being appealed: another must decide. */
  excluded: boolean;
  /** Site staff may add a sanction on the author. */
  canSanction: boolean;
  state: DecisionState;
}) {
  const { ctx, item, state } = props;
  const kind = item.kind as ItemKind;
  const title = `${KIND_LABELS[kind] ?? item.kind} #${item.id}`;
  const open = item.status === 'open';
  return (
    <Layout ctx={ctx} title={title} noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Review queue', href: '/mod/queue' }, { label: title }]} />
      <div class="page-head">
        <div>
          <h1>{title}</h1>
          <p class="lead">
            {item.subject ? (
              <>
                About <a href={profileHref(item.subject.handle)}>{item.subject.displayName}</a> (@{item.subject.handle}) · <Since item={item} />
              </>
            ) : (
              <Since item={item} first />
            )}
          </p>
        </div>
        <div class="thread-flags">
          {item.autoHidden && <Badge kind="hidden">Auto-hidden</Badge>}
          <Badge kind={open ? 'held' : 'active'}>{open ? 'Open' : 'Decided'}</Badge>
        </div>
      </div>
      {state.conflict && (
        <div class="notice notice-error" role="alert" tabIndex={-1} autoFocus>
          <p>
            <strong>Another moderator got there first.</strong> {state.message}
          </p>
          {(state.values.reason || state.values.body) && (
            <div class="kept-text">
              <p>What you wrote, so nothing is lost:</p>
              {state.values.reason && <Field id="kept-reason" name="kept-reason" label="Your reason" value={state.values.reason} multiline rows={3} />}
              {state.values.body && state.values.decision === 'edit_keep' && <Field id="kept-body" name="kept-body" label="Your corrected text" value={state.values.body} multiline rows={6} />}
            </div>
          )}
        </div>
      )}
      {!open && (
        <p class="notice notice-success" role="status">
          Decided: <strong>{DECISION_LABELS[item.decision as Decision]?.label ?? item.decision}</strong>
          {item.decidedBy && <> by @{item.decidedBy}</>}
          {item.decisionReason && <> — “{item.decisionReason}”</>}
        </p>
      )}
      {item.restored && (
        <p class="notice notice-info" role="note">
          Brought back by @{item.restored.by} <Time at={new Date(item.restored.at)} /> — “{item.restored.reason}”
        </p>
      )}
      <div class="item-grid">
        <div class="item-main">
          {item.authorNote && (
            <section class="item-section" aria-labelledby="author-note-heading">
              <h2 id="author-note-heading">{kind === 'appeal' ? 'The author’s appeal' : 'The author’s note'}</h2>
              <blockquote class="author-note">{item.authorNote}</blockquote>
            </section>
          )}
          {item.flags.length > 0 && (
            <section class="item-section" aria-labelledby="flags-heading">
              <h2 id="flags-heading">
                Flags <span class="count">{item.flags.length}</span> <span class="hint">score {formatScore(item.score)}</span>
              </h2>
              <ul class="flag-list">
                {item.flags.map((f) => (
                  <li class={f.status === 'withdrawn' ? 'flag withdrawn' : 'flag'}>
                    <p class="flag-head">
                      <strong>{reasonLabel(f.reason)}</strong> · <a href={profileHref(f.flagger)}>@{f.flagger}</a> · weight {formatScore(f.weight)} · <Time at={new Date(f.createdAt)} />
                      {f.status !== 'open' && (
                        <>
                          {' '}
                          <Badge>{f.status}</Badge>
                        </>
                      )}
                    </p>
                    {f.note && <p class="flag-note">{f.note}</p>}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {item.post && (
            <section class="item-section" aria-labelledby="post-heading">
              <h2 id="post-heading">
                The post: <a href={item.post.url}>{item.post.threadTitle} #{item.post.number}</a>{' '}
                {item.post.status !== 'published' && <Badge kind={item.post.status}>{item.post.status === 'held' ? 'Held' : 'Hidden'}</Badge>}
              </h2>
              {item.post.note && (
                <p class="hint">
                  Its author was told: “{item.post.note}”
                </p>
              )}
              <div class="item-post">
                <RenderedContent html={trustedSafeHtml(item.post.bodyHtml)} />
              </div>
            </section>
          )}
          {item.blog && (
            <section class="item-section" aria-labelledby="blog-heading">
              <h2 id="blog-heading">
                {item.blog.kind === 'entry' ? 'The blog entry' : 'The comment, on'}: <a href={item.blog.url}>{item.blog.title}</a>{' '}
                {item.blog.status !== 'published' && <Badge kind={item.blog.status}>{item.blog.status === 'held' ? 'Held' : 'Hidden'}</Badge>}
              </h2>
              {item.blog.editedAt && <EditedNote item={item} editedAt={item.blog.editedAt} />}
              <div class="item-post">
                <RenderedContent html={trustedSafeHtml(item.blog.bodyHtml)} />
              </div>
            </section>
          )}
          {item.context.length > 1 && (
            <section class="item-section" aria-labelledby="context-heading">
              <h2 id="context-heading">Around it in the thread</h2>
              <ol class="context-list">
                {item.context.map((c) => (
                  <li class={item.post && c.number === item.post.number ? 'context-post target' : 'context-post'}>
                    <p class="context-head">
                      #{c.number} · @{c.author}
                      {item.post && c.number === item.post.number && <Badge kind="held">This post</Badge>}
                      {c.status !== 'published' && !c.removed && <Badge>{c.status}</Badge>}
                    </p>
                    {c.removed ? <p class="removed-note">Removed.</p> : <RenderedContent html={trustedSafeHtml(c.bodyHtml)} />}
                  </li>
                ))}
              </ol>
            </section>
          )}
          {item.revisions.length > 0 && (
            <section class="item-section" aria-labelledby="revisions-heading">
              <h2 id="revisions-heading">Earlier versions</h2>
              {item.revisions.map((r) => (
                <details class="revision-detail">
                  <summary>
                    Version {r.revision} by @{r.editor}, replaced <Time at={new Date(r.createdAt)} />
                  </summary>
                  <RenderedContent html={trustedSafeHtml(r.bodyHtml)} />
                </details>
              ))}
            </section>
          )}
        </div>
        <aside class="item-side" aria-label="The author’s record and the decision">
          {open && (
            <DecisionForm ctx={ctx} item={item} allowed={props.allowed} excluded={props.excluded} canSanction={props.canSanction} state={state} />
          )}
          {!open && item.post?.status === 'hidden' && <RestoreForm ctx={ctx} itemId={item.id} state={state} />}
          <section class="item-section" aria-labelledby="record-heading">
            <h2 id="record-heading">The author’s record</h2>
            {item.subject && (
              <p class="hint">
                Trust level {item.subject.trustLevel} · {item.subject.status} · joined <Time at={new Date(item.subject.joinedAt)} />
              </p>
            )}
            {props.sanctions.length === 0 ? <p class="empty">No warnings or sanctions.</p> : <SanctionTable sanctions={props.sanctions} showModerator />}
            {item.authorFlags.length > 0 && (
              <>
                <h3>Other flagged posts by this author</h3>
                <ul class="history-list">
                  {item.authorFlags.map((h) => (
                    <li>
                      <a href={`/mod/queue/${h.id}`}>Flagged #{h.id}</a>: {h.flagCount} {h.flagCount === 1 ? 'flag' : 'flags'},{' '}
                      {h.status === 'open' ? 'open' : (DECISION_LABELS[h.decision as Decision]?.label ?? h.decision ?? 'closed')}
                      {h.decisionReason && <> — “{h.decisionReason}”</>}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {item.history.filter((h) => h.id !== item.id).length > 0 && (
              <>
                <h3>Earlier decisions on this post</h3>
                <ul class="history-list">
                  {item.history
                    .filter((h) => h.id !== item.id)
                    .map((h) => (
                      <li>
                        <a href={`/mod/queue/${h.id}`}>
                          {KIND_LABELS[h.kind as ItemKind] ?? h.kind} #{h.id}
                        </a>
                        : {h.status === 'open' ? 'open' : (DECISION_LABELS[h.decision as Decision]?.label ?? h.decision ?? 'closed')}
                        {h.decisionReason && <> — “{h.decisionReason}”</>}
                      </li>
                    ))}
                </ul>
              </>
            )}
          </section>
        </aside>
      </div>
    </Layout>
  );
}

/**
 * A blog comment its writer changed: whether before or after it reached the queue. Changed after,
 * what the flags were about is in the earlier versions, not in the text shown.
 */
function EditedNote({ item, editedAt }: { item: ItemView; editedAt: string }) {
  const at = new Date(editedAt);
  if (at.getTime() <= new Date(item.createdAt).getTime()) {
    return (
      <p class="hint">
        Edited by its author <Time at={at} />, before it came here.
      </p>
    );
  }
  return (
    <p class="notice notice-info" role="note">
      <strong>Edited after it was {item.kind === 'flagged' ? 'flagged' : 'held for review'}</strong> (<Time at={at} />).{' '}
      {item.revisions.length > 0 ? 'What it said before is under “Earlier versions” below.' : ''}
    </p>
  );
}

/** How long an open item has waited; when a decided one came and went. */
function Since({ item, first = false }: { item: ItemView; first?: boolean }) {
  const open = item.status === 'open' || !item.decidedAt;
  const word = open ? 'waiting since' : 'opened';
  return (
    <>
      {first ? word[0]!.toUpperCase() + word.slice(1) : word} <Time at={new Date(item.createdAt)} />
      {!open && item.decidedAt && (
        <>
          , decided <Time at={new Date(item.decidedAt)} />
        </>
      )}
    </>
  );
}

/** A decided item whose post is still hidden: a moderator may bring it back, with a reason kept on the item and in the log. */
function RestoreForm({ ctx, itemId, state }: { ctx: PageContext; itemId: number; state: DecisionState }) {
  return (
    <section class="item-section decision" aria-labelledby="restore-heading">
      <h2 id="restore-heading">Bring the post back</h2>
      <form method="post" action={`/mod/queue/${itemId}/restore`} class="decision-form">
        <ErrorSummary message={state.errors.restoreReason ? state.message : undefined} />
        <CsrfField ctx={ctx} />
        <Field
          id="restore-reason"
          name="reason"
          label="Why it comes back"
          value={state.values.reason}
          error={state.errors.restoreReason}
          multiline
          rows={3}
          required
          hint="It goes in the moderation log and on this item, which stays decided. Its author is told the post is visible again."
        />
        <button type="submit" class="button button-secondary">
          Restore the post
        </button>
      </form>
    </section>
  );
}

function DecisionForm(props: { ctx: PageContext; item: ItemView; allowed: readonly Decision[]; excluded: boolean; canSanction: boolean; state: DecisionState }) {
  const { ctx, item, state } = props;
  const v = state.values;
  if (props.excluded) {
    return (
      <section class="item-section decision" aria-labelledby="decide-heading">
        <h2 id="decide-heading">Decision</h2>
        <p class="notice notice-info">This is an appeal of your own decision, so another moderator decides it.</p>
      </section>
    );
  }
  return (
    <section class="item-section decision" aria-labelledby="decide-heading">
      <h2 id="decide-heading">Decide</h2>
      <form method="post" action={`/mod/queue/${item.id}`} class="decision-form" data-decision-form>
        {!state.conflict && <ErrorSummary message={state.message} />}
        <CsrfField ctx={ctx} />
        <fieldset class={state.errors.decision ? 'field choice has-error' : 'field choice'}>
          <legend>Decision</legend>
          {props.allowed.map((d, i) => (
            <label class="choice-option">
              <input type="radio" name="decision" value={d} checked={v.decision === d} required data-key={String(i + 1)} />
              <span>
                <strong>
                  <kbd aria-hidden="true">{i + 1}</kbd> {DECISION_LABELS[d].label}
                </strong>{' '}
                <span class="hint">{decisionHint(item.kind, d)}</span>
              </span>
            </label>
          ))}
          {state.errors.decision && <p class="field-error">{state.errors.decision}</p>}
        </fieldset>
        <p class="hint keyboard-hint">
          Keyboard: <kbd>1</kbd>–<kbd>{props.allowed.length}</kbd> choose a decision and move to the reason.
        </p>
        <Field
          name="reason"
          label="Reason"
          hint={`Shown to the author. Required to ${props.allowed.filter((d) => NEEDS_REASON.includes(d)).map((d) => DECISION_LABELS[d].label.toLowerCase()).join(' or ') || 'explain'}.`}
          value={v.reason}
          error={state.errors.reason}
          multiline
          rows={3}
          maxLength={1000}
        />
        {item.kind === 'flagged' && item.post && (
          <details class="edit-keep" open={v.decision === 'edit_keep' || Boolean(state.errors.body)}>
            <summary>Corrected text (for “Edit and keep”)</summary>
            <Field name="body" label="Corrected text" hint="Markdown, as the author wrote it. Only used with “Edit and keep”." value={v.body} error={state.errors.body} multiline rows={8} />
          </details>
        )}
        {props.canSanction && (
          <details class="sanction-fields" open={v.sanctionKind !== '' || Boolean(state.errors.sanctionReason)}>
            <summary>Also sanction the author (optional)</summary>
            {/* One box, so the open details' indented border runs beside every field. */}
            <div>
              <SanctionFields values={{ kind: v.sanctionKind, days: v.sanctionDays, reason: v.sanctionReason }} errors={state.errors} prefix="sanction" withNone />
            </div>
          </details>
        )}
        <div class="actions">
          <button type="submit" class="button">
            Decide and go to the next item
          </button>
        </div>
      </form>
    </section>
  );
}

/** Kind, length and reason of a sanction; shared by the decision form and the member page. */
const DEFAULT_SANCTION_DAYS = '7';
const SANCTION_LENGTHS: [value: string, label: string][] = [
  ['1', '1 day'],
  ['3', '3 days'],
  ['7', '7 days'],
  ['30', '30 days'],
  ['90', '90 days'],
  ['365', 'A year'],
  ['until-lifted', 'Until a moderator lifts it'],
];

export function SanctionFields(props: { values: { kind: string; days: string; reason: string }; errors: Record<string, string>; prefix: string; withNone?: boolean }) {
  const { values, errors, prefix } = props;
  const name = (n: string) => (prefix ? `${prefix}${n[0]!.toUpperCase()}${n.slice(1)}` : n);
  return (
    <>
      <div class={errors[name('kind')] ? 'field has-error' : 'field'}>
        <label for={`f-${name('kind')}`}>Sanction</label>
        <select id={`f-${name('kind')}`} name={name('kind')}>
          {props.withNone && (
            <option value="" selected={values.kind === ''}>
              None
            </option>
          )}
          {(['warn', 'silence', 'suspend'] as const).map((k) => (
            <option value={k} selected={values.kind === k}>
              {k === 'warn' ? 'Warn' : k === 'silence' ? 'Silence (can read, cannot post)' : 'Suspend (signed out, cannot sign in)'}
            </option>
          ))}
        </select>
        {errors[name('kind')] && <p class="field-error">{errors[name('kind')]}</p>}
      </div>
      {/* A list, not a number field: an empty field meant "for ever", which a hurried moderator on a phone chose by accident. */}
      <div class={errors[name('days')] ? 'field has-error' : 'field'}>
        <label for={`f-${name('days')}`}>For how long</label>
        <p class="hint" id={`f-${name('days')}-hint`}>
          Silence and suspension only. {SANCTION_LABELS.warn}s have no length.
        </p>
        <select id={`f-${name('days')}`} name={name('days')} aria-describedby={`f-${name('days')}-hint`}>
          {SANCTION_LENGTHS.map(([value, label]) => (
            <option value={value} selected={(values.days || DEFAULT_SANCTION_DAYS) === value}>
              {label}
            </option>
          ))}
        </select>
        {errors[name('days')] && <p class="field-error">{errors[name('days')]}</p>}
      </div>
      <Field name={name('reason')} label="Reason for the sanction" hint="The member sees it." value={values.reason} error={errors[name('reason')]} multiline rows={2} maxLength={1000} />
    </>
  );
}
