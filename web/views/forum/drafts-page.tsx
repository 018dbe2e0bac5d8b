import { plainExcerptOfHtml, renderMarkdown } from '../../../server/content/render-markdown.ts';
import { DRAFT_KEEP_DAYS } from '../../../server/forum/rules.ts';
import type { PageContext } from '../../context.ts';
import { boardHref, threadHref } from '../../urls.ts';
import { Breadcrumbs, PostButton, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';

export interface DraftsPageProps {
  ctx: PageContext;
  opened: { spaceSlug: string; spaceName: string; boardSlug: string; boardName: string; title: string; body: string; savedAt: Date }[];
  /** `replyTo`: the post the reply answers, while the member may read it (null: the thread, or a post gone from their sight). */
  replies: { threadId: number; threadSlug: string; threadTitle: string; body: string; savedAt: Date; replyTo: { id: number; number: number } | null }[];
}

const EXCERPT = 160;

/** The draft's first words as readers would see them (not the Markdown): enough to tell drafts apart. */
function excerpt(markdown: string): string {
  return plainExcerptOfHtml(renderMarkdown(markdown), EXCERPT);
}

/**
 * The whole text as typed, and a way to discard it from here: a draft's thread may since have been
 * locked or its board archived, and then no reply box shows it.
 */
function DraftActions({ ctx, body, action, label }: { ctx: PageContext; body: string; action: string; label: string }) {
  return (
    <div class="draft-actions">
      {body.trim() !== '' && (
        <details>
          <summary>Whole text</summary>
          <div class="draft-text">{body}</div>
        </details>
      )}
      <PostButton
        ctx={ctx}
        action={action}
        label="Discard"
        ariaLabel={`Discard ${label}`}
        class="button-link composer-discard"
        fields={{ intent: 'discard-draft', back: 'drafts', body: '' }}
        confirm={`Discard ${label}? Its text goes with it.`}
      />
    </div>
  );
}

/** Everything the member started writing and has not posted, to pick up where they left it. */
export function DraftsPage({ ctx, opened, replies }: DraftsPageProps) {
  const nothing = opened.length === 0 && replies.length === 0;
  return (
    <Layout ctx={ctx} title="Your drafts" noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Your drafts' }]} />
      <div class="drafts">
        <h1>Your drafts</h1>
        <p class="lead">What you started writing and have not posted. Only you can see it. A draft is kept until you post it or discard it, or for {DRAFT_KEEP_DAYS} days after you last changed it.</p>
        {nothing && <p class="empty">Nothing unposted. A reply or a new thread you start writing is kept here until you post it.</p>}
        {opened.length > 0 && (
          <section aria-labelledby="opened-heading">
            <h2 id="opened-heading">New threads</h2>
            <ol class="recent-posts">
              {opened.map((d) => {
                const title = d.title.trim() === '' ? 'Untitled thread' : d.title;
                return (
                  <li>
                    <a href={`${boardHref(d.spaceSlug, d.boardSlug)}/new`}>{title}</a> in {d.boardName} ({d.spaceName}) <Time at={d.savedAt} />
                    {d.body.trim() !== '' && <p class="excerpt">{excerpt(d.body)}</p>}
                    <DraftActions ctx={ctx} body={d.body} action={`${boardHref(d.spaceSlug, d.boardSlug)}/draft`} label={`the draft “${title}”`} />
                  </li>
                );
              })}
            </ol>
          </section>
        )}
        {replies.length > 0 && (
          <section aria-labelledby="replies-heading">
            <h2 id="replies-heading">Replies</h2>
            <ol class="recent-posts">
              {replies.map((d) => (
                <li>
                  {/* The thread's own reply box brings the draft back with the post it answers. */}
                  <a href={`${threadHref(d.threadId, d.threadSlug)}#reply`}>Reply to {d.threadTitle}</a>
                  {d.replyTo && (
                    <>
                      , answers <a href={`/p/${d.replyTo.id}`}>post #{d.replyTo.number}</a>
                    </>
                  )}{' '}
                  <Time at={d.savedAt} />
                  <p class="excerpt">{excerpt(d.body)}</p>
                  <DraftActions ctx={ctx} body={d.body} action={`/t/${d.threadId}/draft`} label={`the draft reply to “${d.threadTitle}”`} />
                </li>
              ))}
            </ol>
          </section>
        )}
        <p class="hint">
          Blog entries you have not published are on <a href="/blog/drafts">your blog’s drafts page</a>.
        </p>
      </div>
    </Layout>
  );
}
