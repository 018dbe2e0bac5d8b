import type { PageContext } from '../../context.ts';
import { boardHref, threadHref } from '../../urls.ts';
import { Breadcrumbs, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';

export interface DraftsPageProps {
  ctx: PageContext;
  opened: { spaceSlug: string; spaceName: string; boardSlug: string; boardName: string; title: string; body: string; savedAt: Date }[];
  replies: { threadId: number; threadSlug: string; threadTitle: string; body: string; savedAt: Date }[];
}

const EXCERPT = 160;

/** The draft's first words, as typed (Markdown and all): enough to tell drafts apart. */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

/** Everything the member started writing and has not posted, to pick up where they left it. */
export function DraftsPage({ ctx, opened, replies }: DraftsPageProps) {
  const nothing = opened.length === 0 && replies.length === 0;
  return (
    <Layout ctx={ctx} title="Your drafts" noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Your drafts' }]} />
      <div class="drafts">
      <h1>Your drafts</h1>
      <p class="lead">What you started writing and have not posted. Only you can see it; each draft is kept until you post it or discard it.</p>
      {nothing && <p class="empty">Nothing unposted. A reply or a new thread you start writing is kept here until you post it.</p>}
      {opened.length > 0 && (
        <section aria-labelledby="opened-heading">
          <h2 id="opened-heading">New threads</h2>
          <ol class="recent-posts">
            {opened.map((d) => (
              <li>
                <a href={`${boardHref(d.spaceSlug, d.boardSlug)}/new`}>{d.title.trim() === '' ? 'Untitled thread' : d.title}</a> in {d.boardName} ({d.spaceName}) <Time at={d.savedAt} />
                {d.body.trim() !== '' && <p class="excerpt">{excerpt(d.body)}</p>}
              </li>
            ))}
          </ol>
        </section>
      )}
      {replies.length > 0 && (
        <section aria-labelledby="replies-heading">
          <h2 id="replies-heading">Replies</h2>
          <ol class="recent-posts">
            {replies.map((d) => (
              <li>
                <a href={`${threadHref(d.threadId, d.threadSlug)}#reply`}>Reply to {d.threadTitle}</a> <Time at={d.savedAt} />
                <p class="excerpt">{excerpt(d.body)}</p>
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
