import type { ComponentChildren } from 'preact';
import { trustedSafeHtml } from '../../../server/content/safe-html.ts';
import { POSTS_PER_PAGE } from '../../../server/forum/rules.ts';
import { AUTO_HIDDEN_NOTE, firstPosts } from '../../../server/moderation/notes.ts';
import type { FirstPostsHeld as FirstPostsHeldState } from '../../../server/moderation/service.ts';
import type { BoardRow, HomeSpaceRow, SpaceRow } from '../../../server/spaces/queries.ts';
import type { PostListRow, ThreadListRow } from '../../../server/forum/queries.ts';
import type { ThreadRow } from '../../../server/forum/queries.ts';
import { isSiteStaff, mayWrite, type Viewer } from '../../../server/policy/index.ts';
import type { PageContext } from '../../context.ts';
import { renderFragment, type RenderedFragment } from '../../render.tsx';
import { boardHref, postHref, profileHref, spaceHref, threadHref } from '../../urls.ts';
import { Badge, Breadcrumbs, Pagination, PostButton, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { Prerendered, RenderedContent } from '../safe-html.tsx';
import { SearchWithin } from '../search/search-within.tsx';
import { Composer, CurrentVersion, type ComposerState, type DraftState } from './composer.tsx';
import { RevisionDiff } from './revision-diff.tsx';
import { ThreadList, type UnreadCounts } from './thread-list.tsx';
import { WatchControl, type WatchState } from '../notifications/pages.tsx';
import { LevelLabel, SpaceBanner, type PendingLowering } from '../spaces/space-banner.tsx';

type SpaceWithBoards = HomeSpaceRow & { boards: readonly BoardRow[] };
type LatestRow = ThreadListRow & { boardName: string; boardSlug: string; spaceSlug: string; spaceLevel: SpaceRow['level'] };

export function BoardCards({ space, boards }: { space: Pick<SpaceRow, 'slug'>; boards: readonly BoardRow[] }) {
  if (boards.length === 0) return <p class="empty">No boards here yet.</p>;
  return (
    <ul class="board-list">
      {boards.map((b) => (
        <li class="board-card">
          <a class="board-name" href={boardHref(space.slug, b.slug)}>
            {b.name}
          </a>
          {b.description && <p class="board-description">{b.description}</p>}
          <p class="board-stats">
            {b.threadCount} {b.threadCount === 1 ? 'thread' : 'threads'} · {b.postCount} {b.postCount === 1 ? 'post' : 'posts'}
            {b.lastPostAt && (
              <>
                {' '}
                · last post <Time at={b.lastPostAt} />
              </>
            )}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** Other spaces listed by name on the home page; the rest are one click away on /spaces. */
const HOME_OTHER_SPACES = 24;

/**
 * Boards shown in a space's block on the home page, in the order its admins gave them; the rest are
 * one click away on the space's page. A large community's public space may hold dozens of boards:
 * listed whole, four such spaces made the home page 11,000 pixels tall before "More spaces".
 */
export const HOME_BOARDS_PER_SPACE = 8;

export interface HomeSpaces {
  yours: SpaceWithBoards[];
  open: SpaceWithBoards[];
  others: HomeSpaceRow[];
}

function SpaceBlockContent({ space, heading: Heading, boardLimit }: { space: SpaceWithBoards; heading: 'h2' | 'h3'; boardLimit?: number }) {
  const shown = boardLimit === undefined ? space.boards : space.boards.slice(0, boardLimit);
  const hidden = space.boards.length - shown.length;
  return (
    <>
      <div class="space-head">
        <Heading id={`space-${space.id}`}>
          <a href={spaceHref(space.slug)}>{space.name}</a>
        </Heading>
        <LevelLabel level={space.level} />
      </div>
      {space.description && <p class="space-description">{space.description}</p>}
      <BoardCards space={space} boards={shown} />
      {hidden > 0 && (
        <p class="space-more">
          <a href={spaceHref(space.slug)}>
            All {space.boards.length} boards in {space.name}
          </a>{' '}
          ({hidden} more)
        </p>
      )}
    </>
  );
}

/**
 * Space blocks rendered once per list of boards. The public spaces' lists are shared by every home
 * page for two seconds (server/spaces/public-boards.ts), and rendering their board cards — a
 * hundred on a large site — was most of a signed-in home page's work. Keyed by the list itself: a
 * list read for one request is rendered for that request and forgotten with it, and a shared one
 * is forgotten when the next read replaces it (its "5 min ago" is as old as its counters).
 */
const renderedBlocks = new WeakMap<readonly BoardRow[], Map<string, RenderedFragment>>();

function SpaceBlock({ space, heading, boardLimit }: { space: SpaceWithBoards; heading: 'h2' | 'h3'; boardLimit?: number }) {
  if (space.boards.length === 0) {
    return (
      <div class="space-block">
        <SpaceBlockContent space={space} heading={heading} />
      </div>
    );
  }
  let blocks = renderedBlocks.get(space.boards);
  if (!blocks) renderedBlocks.set(space.boards, (blocks = new Map()));
  const key = JSON.stringify([heading, boardLimit, space.id, space.slug, space.name, space.description, space.level]);
  let html = blocks.get(key);
  if (html === undefined) blocks.set(key, (html = renderFragment(<SpaceBlockContent space={space} heading={heading} {...(boardLimit === undefined ? {} : { boardLimit })} />)));
  return <Prerendered class="space-block" html={html} />;
}

function CreateSpaceButton({ ctx }: { ctx: PageContext }) {
  if (ctx.viewer.kind !== 'member') return null;
  return (
    <a class="button button-secondary button-small" href="/spaces/new">
      Create a space
    </a>
  );
}

export function HomePage({ ctx, spaces, latest, invitations }: { ctx: PageContext; spaces: HomeSpaces; latest: LatestRow[]; invitations: number }) {
  const member = ctx.viewer.kind === 'member';
  const shownOthers = spaces.others.slice(0, HOME_OTHER_SPACES);
  const total = spaces.yours.length + spaces.open.length + spaces.others.length;
  return (
    <Layout ctx={ctx} title="Rounds" description="A moderated forum and blogs for professional peer groups.">
      {invitations > 0 && (
        <p class="notice notice-info" role="status">
          You have {invitations === 1 ? 'an invitation' : `${invitations} invitations`} to join a space. <a href="/invitations">See {invitations === 1 ? 'it' : 'them'}</a>.
        </p>
      )}
      <div class="home-grid">
        <section aria-labelledby="spaces-heading">
          <div class="page-head">
            <h1 id="spaces-heading">Spaces</h1>
            <CreateSpaceButton ctx={ctx} />
          </div>
          {!member && spaces.open.length === 0 && <p class="empty">No spaces yet. An administrator can create the first one under Admin.</p>}
          {!member && spaces.open.map((space) => <SpaceBlock space={space} heading="h2" boardLimit={HOME_BOARDS_PER_SPACE} />)}
          {member && (
            <>
              {spaces.yours.length > 0 && (
                <>
                  <h2 class="home-section">Your spaces</h2>
                  {spaces.yours.map((space) => <SpaceBlock space={space} heading="h3" boardLimit={HOME_BOARDS_PER_SPACE} />)}
                </>
              )}
              {spaces.open.length > 0 && (
                <>
                  <h2 class="home-section">Open to everyone</h2>
                  {spaces.open.map((space) => <SpaceBlock space={space} heading="h3" boardLimit={HOME_BOARDS_PER_SPACE} />)}
                </>
              )}
              {shownOthers.length > 0 && (
                <>
                  <h2 class="home-section">More spaces</h2>
                  <ul class="space-links">
                    {shownOthers.map((space) => (
                      <li>
                        <a href={spaceHref(space.slug)}>{space.name}</a> <LevelLabel level={space.level} />
                      </li>
                    ))}
                  </ul>
                </>
              )}
              {total === 0 ? (
                <p class="empty">No spaces yet. Create one for your group, or ask an administrator for a public one.</p>
              ) : (
                <p>
                  <a href="/spaces">All {total} spaces you can see, with their boards</a>
                </p>
              )}
            </>
          )}
        </section>
        <section aria-labelledby="latest-heading" class="latest">
          <h2 id="latest-heading">Latest</h2>
          <ThreadList threads={latest} showBoard empty="Nothing posted yet." />
        </section>
      </div>
    </Layout>
  );
}

/** Every space the viewer may see, with its boards: the home page's "all spaces". */
export function SpacesPage({ ctx, directory }: { ctx: PageContext; directory: SpaceWithBoards[] }) {
  return (
    <Layout ctx={ctx} title="All spaces" description="Every space you can see on Rounds, with its boards.">
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'All spaces' }]} />
      <div class="page-head">
        <h1>All spaces</h1>
        <CreateSpaceButton ctx={ctx} />
      </div>
      {directory.length === 0 && <p class="empty">No spaces yet. An administrator can create the first one under Admin.</p>}
      {directory.map((space) => (
        <SpaceBlock space={space} heading="h2" />
      ))}
    </Layout>
  );
}

export function BoardPage(props: {
  ctx: PageContext;
  space: SpaceRow;
  board: BoardRow;
  threads: ThreadListRow[];
  page: number;
  pages: number;
  pending: PendingLowering | null;
  canPost: boolean;
  unread?: UnreadCounts;
  watch?: WatchState;
}) {
  const { ctx, space, board } = props;
  const archived = board.archivedAt !== null || space.archivedAt !== null;
  return (
    <Layout ctx={ctx} title={props.page > 1 ? `${board.name} (page ${props.page})` : board.name} description={board.description} noindex={space.level !== 'public'}>
      <div class="page-top">
        <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: space.name, href: spaceHref(space.slug) }, { label: board.name }]} />
        <SearchWithin field="board" id={board.id} label={board.name} />
      </div>
      <SpaceBanner space={space} pending={props.pending} />
      <div class="page-head">
        <div>
          <h1>{board.name}</h1>
          {board.description && <p class="lead">{board.description}</p>}
        </div>
        {archived ? (
          <Badge kind="locked">Archived — read only</Badge>
        ) : ctx.viewer.kind === 'member' ? (
          props.canPost ? (
            <a class="button" href={`${boardHref(space.slug, board.slug)}/new`}>
              New thread
            </a>
          ) : !mayWrite(ctx.viewer) ? (
            <a class="button button-secondary" href="/me/moderation">
              Why can’t I post?
            </a>
          ) : (
            <a class="button button-secondary" href={spaceHref(space.slug)}>
              {space.joinPolicy === 'request' ? 'Ask to join to post' : space.joinPolicy === 'invite' ? 'Members only: by invitation' : 'Join the space to post'}
            </a>
          )
        ) : (
          <a class="button button-secondary" href={`/signin?next=${encodeURIComponent(`${boardHref(space.slug, board.slug)}/new`)}`}>
            Sign in to post
          </a>
        )}
      </div>
      {props.watch && <WatchControl ctx={ctx} kind="board" id={board.id} state={props.watch} next={boardHref(space.slug, board.slug, props.page)} />}
      <ThreadList threads={props.threads} empty="No threads yet. Start the first one." {...(props.unread ? { unread: props.unread } : {})} />
      <Pagination page={props.page} pages={props.pages} href={(n) => boardHref(space.slug, board.slug, n)} />
    </Layout>
  );
}

/**
 * What a held or hidden post says: to its author, why and what they can do; to moderators, a badge.
 * `canPost`: whether the viewer may write at all (a silenced member may not, so is offered no edit).
 */
function ModerationNotice({ post, mine, canPost }: { post: PostListRow; mine: boolean; canPost: boolean }) {
  if (post.deletedAt !== null || post.status === 'published') return null;
  const held = post.status === 'held';
  if (!mine) {
    return (
      <p class="mod-state" role="note">
        <Badge kind={held ? 'held' : 'hidden'}>{held ? 'Held for approval' : 'Hidden'}</Badge>{' '}
        {held ? 'Only its author and moderators see this post.' : 'Members do not see this post.'}{' '}
        <a href={`/mod/post/${post.id}`}>Open its review item</a>
      </p>
    );
  }
  return (
    <div class={held ? 'author-notice notice notice-info' : 'author-notice notice notice-warning'} role="note" aria-label={held ? 'Your post awaits approval' : 'Your post is hidden'}>
      <p class="author-notice-title">
        <strong>{held ? 'Waiting for approval: only you and the moderators can see this post.' : 'Hidden: other members cannot see this post.'}</strong>
      </p>
      {post.moderationNote && <p>{post.moderationNote}</p>}
      <p class="author-notice-actions">
        {canPost && <a href={`/p/${post.id}/edit`}>Edit the post</a>}
        {/* Hidden by members' flags, nobody has decided yet: there is nothing to appeal. */}
        {!held && post.moderationNote !== AUTO_HIDDEN_NOTE && (
          <>
            <a href={`/p/${post.id}/review`}>Ask for another review</a>
            <a href={`/p/${post.id}/appeal`}>Appeal the decision</a>
          </>
        )}
        <a href="/me/moderation">All your posts under review</a>
      </p>
    </div>
  );
}

function PostCard(props: { ctx: PageContext; post: PostListRow; thread: ThreadRow; spaceId: number; canReply: boolean; ownFlag: number | undefined }) {
  const { ctx, post, thread } = props;
  const removed = post.deletedAt !== null;
  const mine = ctx.viewer.kind === 'member' && ctx.viewer.id === post.authorId;
  const classes = ['post', removed ? 'removed' : '', !removed && post.status !== 'published' ? `post-${post.status}` : ''].filter(Boolean).join(' ');
  return (
    <article class={classes} id={`p${post.number}`} aria-labelledby={`p${post.number}-author`}>
      {/* Unseen: what a screen reader's heading list offers to jump from post to post. */}
      <h2 class="sr-only">
        Post {post.number} by {post.author.displayName}
      </h2>
      <header class="post-head">
        <div class="post-author" id={`p${post.number}-author`}>
          <a href={profileHref(post.author.handle)} class="author-name">
            {post.author.displayName}
          </a>
          <span class="handle">@{post.author.handle}</span>
          {post.author.title && <span class="author-title">{post.author.title}</span>}
        </div>
        <div class="post-meta">
          {post.replyToNumber && post.replyToHandle && (
            <a class="reply-to" href={postHref(thread.id, thread.slug, post.replyToNumber)}>
              ↩ in reply to @{post.replyToHandle} #{post.replyToNumber}
            </a>
          )}
          <a class="permalink" href={postHref(thread.id, thread.slug, post.number)} aria-label={`Post ${post.number}, permalink`}>
            #{post.number}
          </a>
          <Time at={post.createdAt} />
          {post.editedAt && !removed && (
            <a class="edited" href={`/p/${post.id}/revisions`} title="See every version">
              edited
            </a>
          )}
        </div>
      </header>
      <ModerationNotice post={post} mine={mine} canPost={mayWrite(ctx.viewer)} />
      {removed ? (
        <p class="removed-note">{post.removedByModerator ? 'Post removed by a moderator.' : 'Post removed by author.'}</p>
      ) : (
        <RenderedContent html={trustedSafeHtml(post.bodyHtml)} />
      )}
      {!removed && ctx.viewer.kind === 'member' && (
        <footer class="post-actions">
          {props.canReply && post.status === 'published' && (
            <>
              {/* Named with their post, as Flag is: a screen reader's list of links says which post each acts on. */}
              <a href={`/t/${thread.id}/reply?to=${post.id}`} aria-label={`Reply to post ${post.number}`}>
                Reply
              </a>
              <a href={`/t/${thread.id}/reply?to=${post.id}&quote=1`} aria-label={`Quote post ${post.number}`}>
                Quote
              </a>
            </>
          )}
          {/* A silenced author may not change posts either (the policy's "writer"): no buttons that would fail. */}
          {mine && !thread.locked && mayWrite(ctx.viewer) && (
            <>
              <a href={`/p/${post.id}/edit`} aria-label={`Edit post ${post.number}`}>
                Edit
              </a>
              <PostButton
                ctx={ctx}
                action={`/p/${post.id}/delete`}
                label="Delete"
                ariaLabel={`Delete post ${post.number}`}
                confirm="Remove this post? A note that you removed it stays in its place."
              />
            </>
          )}
          {!mine && post.status === 'published' && props.ownFlag === undefined && (
            <a class="flag-link" href={`/p/${post.id}/flag`} aria-label={`Flag post ${post.number} for moderators`}>
              Flag
            </a>
          )}
          {!mine && props.ownFlag !== undefined && (
            <span class="own-flag">
              <span class="own-flag-text">You flagged this</span>
              <PostButton
                ctx={ctx}
                action={`/flags/${props.ownFlag}/withdraw`}
                fields={{ next: postHref(thread.id, thread.slug, post.number) }}
                label="Withdraw"
                confirm="Withdraw your flag on this post?"
              />
            </span>
          )}
        </footer>
      )}
    </article>
  );
}

/** Whether the viewer gets Reply links and the reply form. */
export function canReplyIn(viewer: Viewer, { space, board, thread, canPost }: { space: SpaceRow; board: BoardRow; thread: ThreadRow; canPost: boolean }): boolean {
  const archived = board.archivedAt !== null || space.archivedAt !== null;
  return viewer.kind === 'member' && canPost && !archived && (!thread.locked || isSiteStaff(viewer));
}

/** What a search result or link preview says about a thread page: the opening of its first post. */
export function threadDescription(posts: PostListRow[]): string | undefined {
  const first = posts[0];
  return first && first.number === 1 && !first.deletedAt ? first.bodySource.slice(0, 160) : undefined;
}

/** A page's posts, rendered apart from the page so that readers who see the same posts can share them. */
export function ThreadPosts(props: { ctx: PageContext; posts: PostListRow[]; thread: ThreadRow; spaceId: number; canReply: boolean; ownFlags?: Map<number, number> }) {
  // Post numbers never change, so a number this reader is not shown (hidden, or held for approval)
  // leaves a gap; a line in its place keeps the conversation and "in reply to #n" links readable.
  const first = props.posts[0];
  const pageStart = first ? Math.floor((first.number - 1) / POSTS_PER_PAGE) * POSTS_PER_PAGE + 1 : 1;
  let next = pageStart;
  // The thread's highest number (postCount) closes the page's last gap, after its last shown post.
  const pageLast = Math.min(props.thread.postCount, pageStart + POSTS_PER_PAGE - 1);
  return (
    <>
      {props.posts.map((post) => {
        const missing = post.number - next;
        next = post.number + 1;
        return (
          <>
            {missing > 0 && <PostGap from={post.number - missing} to={post.number - 1} />}
            <PostCard ctx={props.ctx} post={post} thread={props.thread} spaceId={props.spaceId} canReply={props.canReply} ownFlag={props.ownFlags?.get(post.id)} />
          </>
        );
      })}
      {first && next <= pageLast && <PostGap from={next} to={pageLast} />}
    </>
  );
}

function PostGap({ from, to }: { from: number; to: number }) {
  const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return (
    <p class="post-gap">
      {numbers.map((n) => (
        <span id={`p${n}`} />
      ))}
      {from === to ? `#${from} is not shown` : `#${from}–#${to} are not shown`}: hidden by the moderators, or waiting for their approval.
    </p>
  );
}

export interface ThreadPageProps {
  ctx: PageContext;
  space: SpaceRow;
  board: BoardRow;
  thread: ThreadRow;
  /** The page's posts, rendered by ThreadPosts (for this viewer, or for every reader who sees the same). */
  postsHtml: RenderedFragment;
  description: string | undefined;
  page: number;
  pages: number;
  composer: ComposerState;
  pending: PendingLowering | null;
  canPost: boolean;
  /** The signed-in viewer's watch level for this thread. */
  watch?: WatchState;
  /** Set when this member's posts wait for a moderator (their first N): said above the reply form. */
  heldFirstPosts?: FirstPostsHeldState | null;
  /** A member's reply draft in this thread (kept as they type). */
  draft?: DraftState | undefined;
}

export function ThreadPage(props: ThreadPageProps) {
  const { ctx, space, board, thread } = props;
  const archived = board.archivedAt !== null || space.archivedAt !== null;
  const staff = isSiteStaff(ctx.viewer);
  return (
    <Layout
      ctx={ctx}
      title={props.page > 1 ? `${thread.title} (page ${props.page})` : thread.title}
      description={props.description}
      noindex={space.level !== 'public'}
    >
      <div class="page-top">
        <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: space.name, href: spaceHref(space.slug) }, { label: board.name, href: boardHref(space.slug, board.slug) }, { label: thread.title }]} />
        <SearchWithin field="thread" id={thread.id} label={thread.title} />
      </div>
      <SpaceBanner space={space} pending={props.pending} />
      <div class="page-head thread-head">
        <h1>{thread.title}</h1>
        <div class="thread-flags">
          {thread.pinned && <Badge kind="pinned">Pinned</Badge>}
          {thread.locked && <Badge kind="locked">Locked</Badge>}
        </div>
      </div>
      {staff && (
        <div class="mod-tools" role="group" aria-label="Moderator tools">
          <PostButton ctx={ctx} action={`/t/${thread.id}/moderate`} label={thread.pinned ? 'Unpin' : 'Pin'} fields={{ pinned: thread.pinned ? 'false' : 'true' }} class="button button-small button-secondary" />
          <PostButton ctx={ctx} action={`/t/${thread.id}/moderate`} label={thread.locked ? 'Unlock' : 'Lock'} fields={{ locked: thread.locked ? 'false' : 'true' }} class="button button-small button-secondary" />
        </div>
      )}
      <Pagination page={props.page} pages={props.pages} href={(n) => threadHref(thread.id, thread.slug, n)} />
      <Prerendered
        html={props.postsHtml}
        class="posts"
        data-live-thread={ctx.viewer.kind === 'member' ? String(thread.id) : undefined}
        data-post-count={String(thread.postCount)}
        data-last-page={props.page === props.pages ? 'true' : undefined}
      />
      {/* Present from the start, so a screen reader announces the link app.js puts here when replies arrive. */}
      {ctx.viewer.kind === 'member' && <div class="live-region" role="status" data-live-region />}
      <Pagination page={props.page} pages={props.pages} href={(n) => threadHref(thread.id, thread.slug, n)} />
      {/* After the posts, where a reader decides to follow the thread (as Discourse's topic footer): above them it pushed the first post down a phone's screen. */}
      {props.watch && <WatchControl ctx={ctx} kind="thread" id={thread.id} state={props.watch} next={threadHref(thread.id, thread.slug, props.page)} />}
      {thread.locked && !staff ? (
        <p class="notice notice-info" role="status">
          This thread is locked: it takes no new replies.
        </p>
      ) : archived ? (
        <p class="notice notice-info">This board is archived: it can be read but takes no new replies.</p>
      ) : ctx.viewer.kind === 'member' && !mayWrite(ctx.viewer) ? (
        <p class="notice notice-info">
          Your account is silenced: you can read, but not post or reply, for now. <a href="/me/moderation">See why, and until when</a>.
        </p>
      ) : ctx.viewer.kind === 'member' && !props.canPost ? (
        <p class="notice notice-info">
          Only members of this space can reply.{' '}
          {space.joinPolicy === 'invite' ? (
            'It takes members by invitation.'
          ) : (
            <>
              <a href={spaceHref(space.slug)}>{space.joinPolicy === 'request' ? 'Ask to join the space' : 'Join the space'}</a> to take part.
            </>
          )}
        </p>
      ) : ctx.viewer.kind === 'member' ? (
        <div id="reply">
          {props.heldFirstPosts && <FirstPostsHeld {...props.heldFirstPosts} />}
          <Composer
            ctx={ctx}
            action={`/t/${thread.id}/reply`}
            state={props.composer}
            withTitle={false}
            submitLabel="Post reply"
            heading="Reply"
            mentionable={`/mentionable?thread=${thread.id}`}
            draft={props.draft}
          />
        </div>
      ) : (
        <p class="notice notice-info">
          <a href={`/signin?next=${encodeURIComponent(threadHref(thread.id, thread.slug, props.page))}`}>Sign in</a> or{' '}
          <a href={`/register?next=${encodeURIComponent(threadHref(thread.id, thread.slug, props.page))}`}>join</a> to reply.
        </p>
      )}
    </Layout>
  );
}

/** Said before a new member writes, when their first posts wait for a moderator. */
function FirstPostsHeld({ count, waiting }: FirstPostsHeldState) {
  const first = firstPosts(count);
  return (
    <p class="notice notice-info">
      {waiting > 0
        ? `${waiting === 1 ? 'Your earlier post is' : `${waiting} of your posts are`} still waiting for a moderator. Until a new member’s ${first} approved, what they post next waits too.`
        : `Welcome! A new member’s ${first} checked by a moderator before others see ${count === 1 ? 'it' : 'them'}: yours will appear once approved.`}
    </p>
  );
}

export function ComposePage(props: {
  ctx: PageContext;
  title: string;
  crumbs: { label: string; href?: string }[];
  action: string;
  state: ComposerState;
  withTitle: boolean;
  submitLabel: string;
  context?: { author: string; html: string } | undefined;
  /** Said above the form (a draft that now answers another post). */
  notice?: ComponentChildren;
  /** After a refused edit (saved elsewhere since the form was opened): what is saved now, beside the text typed. */
  current?: { title: string | null; html: string; editedAt: Date | null } | undefined;
  status?: number;
  /** Where the composer's @ list asks for handles. */
  mentionable?: string;
  /** Set when this member's posts wait for a moderator (their first N): said before they write. */
  heldFirstPosts?: FirstPostsHeldState | null;
  draft?: DraftState | undefined;
}) {
  return (
    <Layout ctx={props.ctx} title={props.title} noindex>
      <Breadcrumbs items={props.crumbs} />
      <h1>{props.title}</h1>
      {props.heldFirstPosts && <FirstPostsHeld {...props.heldFirstPosts} />}
      {props.notice && (
        <p class="notice notice-info" role="status">
          {props.notice}
        </p>
      )}
      {props.context && (
        <aside class="replying-to">
          <p class="hint">Replying to {props.context.author}:</p>
          <RenderedContent html={trustedSafeHtml(props.context.html)} region={`The post by ${props.context.author}`} />
        </aside>
      )}
      <Composer
        ctx={props.ctx}
        action={props.action}
        state={props.state}
        withTitle={props.withTitle}
        submitLabel={props.submitLabel}
        // Cancel goes back to where the breadcrumbs say the page came from (the thread, the post, the board).
        cancelHref={props.crumbs.filter((c) => c.href !== undefined).at(-1)?.href}
        {...(props.mentionable ? { mentionable: props.mentionable } : {})}
        draft={props.draft}
        focus
        {...(props.current
          ? {
              bodyLabel: 'Your text (not saved yet)',
              // Under the refusal's message, which says to compare the two.
              aside: <CurrentVersion title={props.current.title} html={trustedSafeHtml(props.current.html)} editedAt={props.current.editedAt} />,
            }
          : {})}
      />
    </Layout>
  );
}

export function RevisionsPage(props: {
  ctx: PageContext;
  post: { id: number; number: number; threadId: number; threadSlug: string; threadTitle: string; bodyHtml: string; revision: number; editedAt: Date | null; createdAt: Date };
  history: { revision: number; title: string | null; bodyHtml: string; createdAt: Date }[];
}) {
  const { ctx, post } = props;
  return (
    <Layout ctx={ctx} title={`Versions of post #${post.number}`} noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: post.threadTitle, href: postHref(post.threadId, post.threadSlug, post.number) }, { label: 'Versions' }]} />
      <h1>Versions of post #{post.number}</h1>
      <section class="revision current">
        <h2>
          Current (version {post.revision}) · <Time at={post.editedAt ?? post.createdAt} />
        </h2>
        <RenderedContent html={trustedSafeHtml(post.bodyHtml)} />
      </section>
      {props.history.map((r, i) => {
        // History runs newest first: the version that replaced this one is the current post or the one above.
        const next = i === 0 ? { bodyHtml: post.bodyHtml, title: post.number === 1 ? post.threadTitle : null } : props.history[i - 1]!;
        return (
          <section class="revision">
            <h2>
              Version {r.revision} · replaced <Time at={r.createdAt} />
            </h2>
            <details class="revision-changes" open={i === 0}>
              <summary>What changed in version {r.revision + 1}</summary>
              <div>
                <RevisionDiff before={r} after={next} />
              </div>
            </details>
            {r.title && <p class="revision-title">Title: {r.title}</p>}
            <RenderedContent html={trustedSafeHtml(r.bodyHtml)} />
          </section>
        );
      })}
    </Layout>
  );
}
