import { trustedSafeHtml } from '../../../server/content/safe-html.ts';
import { isSiteStaff } from '../../../server/policy/index.ts';
import type { PageContext } from '../../context.ts';
import type { SpaceRow } from '../../../server/spaces/queries.ts';
import { Badge, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { RenderedContent } from '../safe-html.tsx';
import { LevelLabel } from '../spaces/space-banner.tsx';

export interface ProfileView {
  handle: string;
  displayName: string;
  title: string;
  specialty: string;
  institution: string;
  role: 'member' | 'moderator' | 'admin';
  joinedAt: Date;
  /** The stored bio, rendered by the content pipeline when it was saved; empty when there is none. */
  bioHtml: string;
}

export interface RecentPost {
  href: string;
  threadTitle: string;
  number: number;
  createdAt: Date;
  excerpt: string;
  /** Its space's level: the list mixes every place the viewer may read, and labels the private ones. */
  spaceLevel: SpaceRow['level'];
}

const MONTH_YEAR = new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });

export interface RecentEntry {
  title: string;
  href: string;
  publishedAt: Date | null;
}

export function ProfilePage({ ctx, profile, posts, entries }: { ctx: PageContext; profile: ProfileView; posts: RecentPost[]; entries: RecentEntry[] }) {
  const own = ctx.viewer.kind === 'member' && ctx.viewer.handle === profile.handle;
  const facts = [profile.title, profile.specialty, profile.institution].filter((f) => f !== '');
  return (
    <Layout ctx={ctx} title={`${profile.displayName} (@${profile.handle})`}>
      <article class="profile" aria-labelledby="profile-name">
        <header class="page-head profile-head">
          <div>
            <h1 id="profile-name">{profile.displayName}</h1>
            <p class="handle">@{profile.handle}</p>
          </div>
          {profile.role !== 'member' && <Badge kind={`role-${profile.role}`}>{profile.role === 'admin' ? 'Administrator' : 'Moderator'}</Badge>}
        </header>
        {facts.length > 0 && <p class="lead">{facts.join(' · ')}</p>}
        <p class="hint">
          Member since <time datetime={profile.joinedAt.toISOString()}>{MONTH_YEAR.format(profile.joinedAt)}</time>
        </p>
        {own && (
          <p class="profile-actions">
            <a href="/settings#profile">Edit your profile</a>
            <a href="/drafts">Your unposted drafts</a>
          </p>
        )}
        {!own && ctx.viewer.kind === 'member' && (
          <p class="profile-actions">
            <a class="flag-link" href={`/u/${profile.handle}/flag`}>
              Flag this profile
            </a>
            {isSiteStaff(ctx.viewer) && profile.role === 'member' && <a href={`/u/${profile.handle}/moderate`}>Moderate: record, warn, silence, suspend</a>}
          </p>
        )}
        {profile.bioHtml !== '' && (
          <section aria-labelledby="bio-heading">
            <h2 id="bio-heading">About</h2>
            <RenderedContent html={trustedSafeHtml(profile.bioHtml)} />
          </section>
        )}
        <section aria-labelledby="blog-heading">
          <h2 id="blog-heading">Blog</h2>
          {entries.length === 0 ? (
            <p class="empty">No entries you can see yet.</p>
          ) : (
            <ol class="recent-posts">
              {entries.map((e) => (
                <li>
                  <a href={e.href}>{e.title}</a> {e.publishedAt && <Time at={e.publishedAt} />}
                </li>
              ))}
            </ol>
          )}
          <p>
            <a href={`/u/${encodeURIComponent(profile.handle)}/blog`}>{own ? 'Your blog' : `${profile.displayName}’s blog`}</a>
          </p>
        </section>
        <section aria-labelledby="posts-heading">
          <h2 id="posts-heading">Recent posts</h2>
          {posts.length === 0 ? (
            <p class="empty">No posts you can see yet.</p>
          ) : (
            <ol class="recent-posts">
              {posts.map((p) => (
                <li>
                  <a href={p.href}>
                    {p.threadTitle} #{p.number}
                  </a>{' '}
                  {p.spaceLevel !== 'public' && (
                    <>
                      <LevelLabel level={p.spaceLevel} />{' '}
                    </>
                  )}
                  <Time at={p.createdAt} />
                  {p.excerpt && <p class="excerpt">{p.excerpt}</p>}
                </li>
              ))}
            </ol>
          )}
        </section>
      </article>
    </Layout>
  );
}
