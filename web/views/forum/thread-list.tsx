import type { ThreadListRow } from '../../../server/forum/queries.ts';
import { boardHref, profileHref, threadHref } from '../../urls.ts';
import type { SpaceRow } from '../../../server/spaces/queries.ts';
import { Badge, Time } from '../components.tsx';
import { LevelLabel } from '../spaces/space-banner.tsx';

/** With its board and space's level when the list mixes places (the home page's latest threads). */
type Row = ThreadListRow & { boardName?: string; boardSlug?: string; spaceSlug?: string; spaceLevel?: SpaceRow['level'] };

/** Posts after the viewer's last read, per thread id (signed-in members, threads they have opened). */
export type UnreadCounts = Map<number, { unread: number; firstUnread: number }>;

export function ThreadList({ threads, showBoard = false, empty, unread }: { threads: Row[]; showBoard?: boolean; empty: string; unread?: UnreadCounts }) {
  if (threads.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ol class="thread-list">
      {threads.map((t) => {
        const replies = Math.max(0, t.postCount - 1);
        return (
          <li class={t.pinned ? 'thread-row pinned' : 'thread-row'}>
            <div class="thread-main">
              <a class="thread-title" href={threadHref(t.id, t.slug)}>
                {t.title}
              </a>
              {unread?.has(t.id) && (
                <a class="unread-count" href={`${threadHref(t.id, t.slug)}/unread`}>
                  {unread.get(t.id)!.unread} new
                  <span class="sr-only"> {unread.get(t.id)!.unread === 1 ? 'post' : 'posts'} since you last read</span>
                </a>
              )}
              <div class="thread-meta">
                {t.pinned && <Badge kind="pinned">Pinned</Badge>}
                {t.locked && <Badge kind="locked">Locked</Badge>}
                {/* As the space lists label it; most threads are public, and say nothing. */}
                {showBoard && t.spaceLevel && t.spaceLevel !== 'public' && <LevelLabel level={t.spaceLevel} />}
                {showBoard && t.boardName && t.spaceSlug && t.boardSlug && (
                  <a class="board-chip" href={boardHref(t.spaceSlug, t.boardSlug)}>
                    {t.boardName}
                  </a>
                )}
                <span>
                  by <a href={profileHref(t.authorHandle)}>{t.authorName}</a>
                </span>
              </div>
            </div>
            <div class="thread-stats">
              <span class="replies">
                <strong>{replies}</strong> {replies === 1 ? 'reply' : 'replies'}
              </span>
              <span class="last-post">
                {t.lastAuthorHandle && t.lastAuthorName ? (
                  <>
                    <a href={profileHref(t.lastAuthorHandle)}>{t.lastAuthorName}</a>{' '}
                    {/* The dot wraps with the time, never alone at a line's end. */}
                    <span class="nowrap">
                      · <Time at={t.lastPostAt} />
                    </span>
                  </>
                ) : (
                  <Time at={t.lastPostAt} />
                )}
              </span>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
