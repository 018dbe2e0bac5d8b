import { trustedSafeHtml } from '../../../server/content/safe-html.ts';
import type { SpaceFacts } from '../../../server/policy/index.ts';
import { refusalWords, type StandingRefusal } from '../../../server/spaces/membership.ts';
import type { BoardRow, SpaceRow } from '../../../server/spaces/queries.ts';
import type { PageContext } from '../../context.ts';
import { boardHref, spaceHref } from '../../urls.ts';
import { Breadcrumbs, CsrfField, ErrorSummary, Field, PostButton } from '../components.tsx';
import { BoardCards } from '../forum/pages.tsx';
import { Layout } from '../layout.tsx';
import { RenderedContent } from '../safe-html.tsx';
import { WatchControl, type WatchState } from '../notifications/pages.tsx';
import { LevelLabel, SpaceBanner, type PendingLowering } from './space-banner.tsx';
import { SearchWithin } from '../search/search-within.tsx';

const POLICY = { open: 'Anyone who can see it may join.', request: 'Members join by request, approved by its owners or moderators.', invite: 'Members join by invitation only.' } as const;

export interface SpacePageProps {
  ctx: PageContext;
  space: SpaceRow & { boards: BoardRow[]; archivedBoards: BoardRow[]; facts: SpaceFacts; rulesPending: boolean; ownerCount: number };
  pending: PendingLowering | null;
  join?: { message?: string; error?: string };
  /** The signed-in viewer's watch level for the space. */
  watch?: WatchState;
  /** The viewer's request was refused lately: when they may ask again. */
  refused?: StandingRefusal | null;
}

export function SpacePage({ ctx, space, pending, join, watch, refused }: SpacePageProps) {
  const m = space.facts.membership;
  const active = m?.status === 'active';
  const manager = active && (m.role === 'owner' || m.role === 'moderator');
  return (
    <Layout ctx={ctx} title={space.name} description={space.description} noindex={space.level !== 'public'}>
      <div class="page-top">
        <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: space.name }]} />
        <SearchWithin field="space" id={space.id} label={space.name} />
      </div>
      <SpaceBanner space={space} pending={pending} />
      <div class="page-head">
        <div>
          <h1>{space.name}</h1>
          {space.description && <p class="lead">{space.description}</p>}
          <p class="hint">
            {/* A private space's banner above already names its level. */}
            {space.level === 'public' && (
              <>
                <LevelLabel level={space.level} />{' '}
              </>
            )}
            {POLICY[space.joinPolicy]}
            {m && active && ` You are ${m.role === 'owner' ? 'an owner' : `a ${m.role}`} of this space.`}
          </p>
        </div>
        <div class="page-actions">
          {manager && (
            <a class="button button-secondary" href={`${spaceHref(space.slug)}/manage`}>
              {m?.role === 'owner' ? 'Manage space' : 'Manage members'}
            </a>
          )}
          {space.rulesVersion > 0 && !space.rulesPending && (
            <a class="button button-secondary" href={`${spaceHref(space.slug)}/rules`}>
              Ground rules
            </a>
          )}
        </div>
      </div>

      {watch && <WatchControl ctx={ctx} kind="space" id={space.id} state={watch} next={spaceHref(space.slug)} />}
      {space.rulesPending ? (
        <RulesToAccept ctx={ctx} space={space} next={spaceHref(space.slug)} />
      ) : (
        <>
          <BoardCards space={space} boards={space.boards} />
          {space.archivedBoards.length > 0 && (
            <section class="archived-boards" aria-labelledby="archived-heading">
              <h2 id="archived-heading">Archived boards</h2>
              <p class="hint">Kept for reading; they take no new posts.</p>
              <ul>
                {space.archivedBoards.map((b) => (
                  <li>
                    <a href={boardHref(space.slug, b.slug)}>{b.name}</a> <span class="hint">· {b.threadCount === 1 ? '1 thread' : `${b.threadCount} threads`}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}

      {ctx.viewer.kind === 'member' && (
        <section class="membership-box" aria-labelledby="membership-heading">
          <h2 id="membership-heading">Membership</h2>
          {active && m?.role === 'owner' && space.ownerCount === 1 ? (
            <p>
              You are this space’s only owner. To leave it, first <a href={`${spaceHref(space.slug)}/manage`}>hand it to another member</a>.
            </p>
          ) : active ? (
            <PostButton
              ctx={ctx}
              action={`${spaceHref(space.slug)}/leave`}
              label="Leave this space"
              class="button button-secondary button-small"
              confirm={
                space.level === 'confidential'
                  ? 'Leave this space? You will need a new invitation to read or post here again.'
                  : space.joinPolicy === 'open'
                    ? 'Leave this space? You can join again at any time.'
                    : 'Leave this space? To post here again you will need to ask, or be invited.'
              }
            />
          ) : m?.status === 'requested' ? (
            <>
              <p>Your request to join is waiting for the owners or moderators.</p>
              <PostButton ctx={ctx} action={`${spaceHref(space.slug)}/leave`} label="Withdraw my request" class="button button-secondary button-small" />
            </>
          ) : m?.status === 'invited' ? (
            <p>
              You are invited. <a href="/invitations">Accept the invitation</a>.
            </p>
          ) : m?.status === 'banned' ? (
            <p>You were banned from this space.</p>
          ) : space.joinPolicy === 'open' ? (
            <PostButton ctx={ctx} action={`${spaceHref(space.slug)}/join`} label="Join this space" class="button" />
          ) : space.joinPolicy === 'request' && refused && !join ? (
            <p>{refusalWords(refused)}</p>
          ) : space.joinPolicy === 'request' ? (
            <form method="post" action={`${spaceHref(space.slug)}/join`} class="join-form">
              <ErrorSummary message={join?.error} />
              <CsrfField ctx={ctx} />
              <Field name="message" label="A short note to the owners (optional)" value={join?.message ?? ''} maxLength={500} multiline rows={3} />
              <button type="submit" class="button">
                Ask to join
              </button>
            </form>
          ) : (
            <p>This space takes members by invitation only.</p>
          )}
        </section>
      )}
    </Layout>
  );
}

/** The ground rules with the button that accepts exactly the version shown. */
export function RulesToAccept({ ctx, space, next }: { ctx: PageContext; space: SpaceRow; next: string }) {
  return (
    <section class="rules-gate" aria-labelledby="rules-heading">
      <h2 id="rules-heading">Ground rules (version {space.rulesVersion})</h2>
      <p>Before you read anything in this space, please read its ground rules and accept them. Your acceptance is recorded.</p>
      <div class="rules-text">
        <RenderedContent html={trustedSafeHtml(space.rulesHtml)} />
      </div>
      <form method="post" action={`${spaceHref(space.slug)}/rules/accept`} class="inline-form">
        <CsrfField ctx={ctx} />
        <input type="hidden" name="version" value={String(space.rulesVersion)} />
        <input type="hidden" name="next" value={next} />
        <button type="submit" class="button">
          I have read and accept these ground rules
        </button>
      </form>
    </section>
  );
}

export function RulesPage({ ctx, space, mustAccept, next }: { ctx: PageContext; space: SpaceRow; mustAccept: boolean; next: string }) {
  return (
    <Layout ctx={ctx} title={`Ground rules · ${space.name}`} noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: space.name, href: spaceHref(space.slug) }, { label: 'Ground rules' }]} />
      <SpaceBanner space={space} />
      <h1>Ground rules of {space.name}</h1>
      {mustAccept ? (
        <RulesToAccept ctx={ctx} space={space} next={next} />
      ) : space.rulesVersion === 0 ? (
        <p class="empty">This space has no written ground rules.</p>
      ) : (
        <>
          <p class="hint">Version {space.rulesVersion}. You have accepted it.</p>
          <div class="rules-text">
            <RenderedContent html={trustedSafeHtml(space.rulesHtml)} />
          </div>
        </>
      )}
    </Layout>
  );
}
