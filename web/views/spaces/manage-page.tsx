import type { MembershipService } from '../../../server/spaces/membership.ts';
import type { PageContext } from '../../context.ts';
import { profileHref, spaceHref } from '../../urls.ts';
import { Badge, Breadcrumbs, CsrfField, ErrorSummary, Field, PostButton, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { JoinPolicyChoice } from './join-policy-choice.tsx';
import { LevelLabel, SpaceBanner } from './space-banner.tsx';

type Roster = Awaited<ReturnType<MembershipService['roster']>>;

export interface ManageState {
  /** The section a refused form came from, its message and what was typed. */
  problem?: { section: string; message: string; values: Record<string, string> };
  /** A new invitation link, shown once. */
  newLink?: string;
}

const LEVEL_ORDER = ['public', 'members', 'confidential'] as const;
const LEVEL_NAMES = { public: 'Public', members: 'Members only', confidential: 'Confidential' } as const;

export function ManagePage({ ctx, roster, state }: { ctx: PageContext; roster: Roster; state: ManageState }) {
  const { space, members, invitations, log, pendingChange, ownerIds } = roster;
  const base = `${spaceHref(space.slug)}/manage`;
  const me = ctx.viewer.kind === 'member' ? ctx.viewer.id : '';
  const owner = roster.facts.membership?.role === 'owner';
  const problem = (section: string) => (state.problem?.section === section ? state.problem : undefined);
  const requests = members.filter((m) => m.status === 'requested');
  const current = members.filter((m) => m.status === 'active' || m.status === 'invited');
  const former = members.filter((m) => m.status === 'banned');
  // Site staff do not moderate confidential spaces, and nobody decides flags on their own posts.
  const deciders = current.filter((m) => m.status === 'active' && (m.role === 'owner' || m.role === 'moderator'));
  const loneModerator = space.level === 'confidential' && deciders.length === 1;
  return (
    <Layout ctx={ctx} title={`Manage · ${space.name}`} noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: space.name, href: spaceHref(space.slug) }, { label: 'Manage' }]} />
      <SpaceBanner space={space} pending={pendingChange ? { toLevel: pendingChange.toLevel, effectiveAt: pendingChange.effectiveAt } : null} />
      <h1>Manage {space.name}</h1>

      {requests.length > 0 && (
        <section class="settings-section" aria-labelledby="requests-heading">
          <h2 id="requests-heading">Requests to join</h2>
          <ul class="member-list">
            {requests.map((m) => (
              <li class="member-row">
                <span>
                  <a href={profileHref(m.handle)}>{m.displayName}</a> <span class="handle">@{m.handle}</span>
                  {m.requestMessage && <span class="request-message">“{m.requestMessage}”</span>}
                </span>
                <span class="admin-actions">
                  <PostButton ctx={ctx} action={`${base}/decide`} fields={{ handle: m.handle, decision: 'approve' }} label="Approve" class="button button-small" />
                  <PostButton ctx={ctx} action={`${base}/decide`} fields={{ handle: m.handle, decision: 'refuse' }} label="Refuse" class="button button-small button-secondary" />
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="settings-section" aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite</h2>
        <form method="post" action={`${base}/invite`} class="admin-form">
          <ErrorSummary message={problem('invite')?.message} />
          <CsrfField ctx={ctx} />
          <Field id="invite-handle" name="handle" label="Member's handle" value={problem('invite')?.values.handle ?? ''} required maxLength={31} hint="They will see the invitation when they next visit Rounds." />
          <button type="submit" class="button button-small">
            Invite
          </button>
        </form>
        <h3>Invitation links</h3>
        <p class="hint">Each link admits one person and expires after a week. Send it privately.</p>
        {state.newLink && (
          <div class="notice notice-success" role="status">
            <label for="new-link">New invitation link — copy it now, it is shown only once:</label>
            <input id="new-link" class="token-value" readOnly value={state.newLink} />
          </div>
        )}
        <PostButton ctx={ctx} action={`${base}/links`} label="Create an invitation link" class="button button-small button-secondary" />
        {invitations.length > 0 && (
          <ul class="member-list">
            {invitations.map((i) => (
              <li class="member-row">
                <span>
                  Link made by @{i.createdBy} <Time at={i.createdAt} />, expires {i.expiresAt.toISOString().slice(0, 10)}
                </span>
                <PostButton ctx={ctx} action={`${base}/links/${i.id}/revoke`} label="Revoke" class="button button-small button-secondary" />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="settings-section" aria-labelledby="members-heading">
        <h2 id="members-heading">Members ({current.filter((m) => m.status === 'active').length})</h2>
        <ErrorSummary message={problem('members')?.message} />
        {loneModerator && (
          <p class="hint" data-lone-moderator>
            {deciders[0]?.userId === me ? 'You are' : `@${deciders[0]?.handle} is`} this space’s only moderator, so flags on{' '}
            {deciders[0]?.userId === me ? 'your' : 'their'} own posts wait until there is another. Make a member you trust a moderator.
          </p>
        )}
        <ul class="member-list">
          {current.map((m) => (
            <li class="member-row">
              <span>
                <a href={profileHref(m.handle)}>{m.displayName}</a> <span class="handle">@{m.handle}</span> <Badge kind={m.role === 'member' ? undefined : `role-${m.role === 'owner' ? 'admin' : 'moderator'}`}>{m.role}</Badge>
                {m.status === 'invited' && <Badge>invited</Badge>}
                {space.level === 'confidential' && m.status === 'active' && m.rulesAcceptedVersion < space.rulesVersion && <Badge>rules not yet accepted</Badge>}
              </span>
              {m.userId !== me && m.role !== 'owner' && (
                <span class="admin-actions">
                  {owner && m.status === 'active' && (
                    <PostButton
                      ctx={ctx}
                      action={`${base}/role`}
                      fields={{ handle: m.handle, role: m.role === 'moderator' ? 'member' : 'moderator' }}
                      label={m.role === 'moderator' ? 'Make member' : 'Make moderator'}
                      class="button button-small button-secondary"
                    />
                  )}
                  {owner && m.status === 'active' && (
                    <PostButton ctx={ctx} action={`${base}/transfer`} fields={{ handle: m.handle }} label="Hand over ownership" class="button button-small button-secondary" confirm={`Make @${m.handle} the owner? You will stay on as a moderator.`} />
                  )}
                  <PostButton ctx={ctx} action={`${base}/decide`} fields={{ handle: m.handle, decision: 'remove' }} label={m.status === 'invited' ? 'Withdraw invitation' : 'Remove'} class="button button-small button-secondary" confirm={`Remove @${m.handle} from this space?`} />
                  <PostButton ctx={ctx} action={`${base}/decide`} fields={{ handle: m.handle, decision: 'ban' }} label="Ban" class="button button-small button-secondary" confirm={`Ban @${m.handle}? They lose access at once and cannot rejoin.`} />
                </span>
              )}
              {owner && m.role === 'owner' && m.userId !== me && ownerIds.length > 1 && (
                <PostButton ctx={ctx} action={`${base}/role`} fields={{ handle: m.handle, role: 'moderator' }} label="Make moderator" class="button button-small button-secondary" />
              )}
            </li>
          ))}
        </ul>
        {former.length > 0 && (
          <>
            <h3>Banned</h3>
            <ul class="member-list">
              {former.map((m) => (
                <li class="member-row">
                  <span>
                    {m.displayName} <span class="handle">@{m.handle}</span>
                  </span>
                  <PostButton ctx={ctx} action={`${base}/decide`} fields={{ handle: m.handle, decision: 'unban' }} label="Lift ban" class="button button-small button-secondary" />
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      {owner && (
        <section class="settings-section" aria-labelledby="details-heading">
          <h2 id="details-heading">Name and joining</h2>
          <form method="post" action={`${base}/details`} class="admin-form">
            <ErrorSummary message={problem('details')?.message} />
            <CsrfField ctx={ctx} />
            <Field
              id="space-name"
              name="name"
              label="Name"
              value={problem('details')?.values.name ?? space.name}
              required
              maxLength={80}
              hint="Its address stays the same when you rename it, so links people saved keep working."
            />
            <Field
              id="space-description"
              name="description"
              label="Description"
              value={problem('details')?.values.description ?? space.description}
              maxLength={500}
              hint="Shown to whoever can see the space."
            />
            {space.level === 'confidential' ? (
              <p class="hint">People join by invitation only: nobody outside can see a confidential space.</p>
            ) : (
              <>
                <JoinPolicyChoice value={problem('details')?.values.joinPolicy ?? space.joinPolicy} />
                {space.joinPolicy === 'open' && (
                  <p class="hint">
                    In an open space anyone may post without joining. By request or by invitation, only members post: people who posted here without joining will have to
                    ask, or be invited, to post again.
                  </p>
                )}
              </>
            )}
            <button type="submit" class="button button-small">
              Save
            </button>
          </form>
        </section>
      )}

      {owner && (
        <section class="settings-section" aria-labelledby="boards-heading">
          <h2 id="boards-heading">Boards</h2>
          {roster.boards.length === 0 && <p class="empty">No boards yet: add one so members have somewhere to post.</p>}
          <ul class="member-list">
            {roster.boards.map((b) => (
              <li class="member-row">
                <span>
                  <a href={`${spaceHref(space.slug)}/${b.slug}`}>{b.name}</a>
                  {b.archivedAt && <Badge>archived</Badge>}
                </span>
                <PostButton ctx={ctx} action={`${base}/boards/${b.id}/archive`} fields={{ archived: b.archivedAt ? 'false' : 'true' }} label={b.archivedAt ? 'Unarchive' : 'Archive'} class="button button-small button-secondary" />
              </li>
            ))}
          </ul>
          <form method="post" action={`${base}/boards`} class="admin-form">
            <ErrorSummary message={problem('boards')?.message} />
            <CsrfField ctx={ctx} />
            <Field id="board-name" name="name" label="New board name" value={problem('boards')?.values.name ?? ''} required maxLength={80} />
            <Field id="board-description" name="description" label="Description" value={problem('boards')?.values.description ?? ''} maxLength={500} />
            <button type="submit" class="button button-small">
              Add board
            </button>
          </form>
        </section>
      )}

      {owner && (
        <section class="settings-section" aria-labelledby="rules-heading">
          <h2 id="rules-heading">Ground rules</h2>
          <p class="hint">
            Version {space.rulesVersion}. {space.level === 'confidential' ? 'When you change them, every member must accept the new version before reading on.' : 'Shown to members on the space page.'}
          </p>
          <form method="post" action={`${base}/rules`} class="admin-form">
            <ErrorSummary message={problem('rules')?.message} />
            <CsrfField ctx={ctx} />
            <Field id="rules-text" name="rules" label="Ground rules (Markdown)" value={problem('rules')?.values.rules ?? space.rulesSource} multiline rows={8} maxLength={10000} />
            <button type="submit" class="button button-small">
              Save ground rules
            </button>
          </form>
        </section>
      )}

      {owner && (
        <section class="settings-section" aria-labelledby="level-heading">
          <h2 id="level-heading">Confidentiality</h2>
          <ErrorSummary message={problem('level')?.message} />
          <p>
            This space is <LevelLabel level={space.level} />. Raising the level applies at once. Lowering it needs every owner's confirmation and applies a week later, announced on every page of the space, because members posted under the stricter promise.
          </p>
          {pendingChange ? (
            <div class="pending-change">
              <p>
                Proposed: make this space <strong>{LEVEL_NAMES[pendingChange.toLevel]}</strong>. Confirmed by {ownerIds.filter((id) => pendingChange.confirmedBy.includes(id)).length} of {ownerIds.length} owners.
                {pendingChange.effectiveAt && ` Applies on ${pendingChange.effectiveAt.toISOString().slice(0, 10)}.`}
              </p>
              {!pendingChange.confirmedBy.includes(me) && <PostButton ctx={ctx} action={`${base}/level/confirm`} label="Confirm the change" class="button button-small" />}
              <PostButton ctx={ctx} action={`${base}/level/cancel`} label="Cancel the change" class="button button-small button-secondary" />
            </div>
          ) : (
            <div class="admin-actions">
              {LEVEL_ORDER.filter((l) => l !== space.level && (l !== 'public' || (ctx.viewer.kind === 'member' && ctx.viewer.role === 'admin'))).map((level) => (
                <PostButton
                  ctx={ctx}
                  action={`${base}/level`}
                  fields={{ level }}
                  label={LEVEL_ORDER.indexOf(level) > LEVEL_ORDER.indexOf(space.level) ? `Raise to ${LEVEL_NAMES[level]}` : `Propose lowering to ${LEVEL_NAMES[level]}`}
                  class="button button-small button-secondary"
                  confirm={
                    level === 'confidential' && space.joinPolicy !== 'invite'
                      ? `Change this space to ${LEVEL_NAMES[level]}? People will join by invitation only: nobody outside will see it.`
                      : `Change this space to ${LEVEL_NAMES[level]}?`
                  }
                />
              ))}
            </div>
          )}
        </section>
      )}

      <section class="settings-section" aria-labelledby="log-heading">
        <h2 id="log-heading">Membership log</h2>
        <p class="hint">Visible to this space's owners and moderators only.</p>
        {log.length === 0 ? (
          <p class="empty">Nothing yet.</p>
        ) : (
          <ol class="space-log">
            {log.map((entry) => (
              <li>
                <Time at={entry.createdAt} /> — {entry.actorHandle ? `@${entry.actorHandle}` : 'Rounds'} {entry.action}
                {entry.subjectHandle && entry.subjectHandle !== entry.actorHandle ? ` @${entry.subjectHandle}` : ''}
                {entry.detail ? ` (${entry.detail})` : ''}
              </li>
            ))}
          </ol>
        )}
      </section>
    </Layout>
  );
}
