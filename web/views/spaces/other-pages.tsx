import { trustedSafeHtml } from '../../../server/content/safe-html.ts';
import type { SpaceRow } from '../../../server/spaces/queries.ts';
import type { PageContext } from '../../context.ts';
import { profileHref } from '../../urls.ts';
import { Choice, CsrfField, ErrorSummary, Field } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { RenderedContent } from '../safe-html.tsx';
import { JoinPolicyChoice } from './join-policy-choice.tsx';
import { LevelLabel } from './space-banner.tsx';

export interface NewSpaceState {
  values: { name: string; description: string; level: string; joinPolicy: string; rules: string };
  errors: Record<string, string>;
  message?: string;
}

export function NewSpacePage({ ctx, state, allowPublic }: { ctx: PageContext; state: NewSpaceState; allowPublic: boolean }) {
  const v = state.values;
  const levels = [
    ...(allowPublic ? [{ value: 'public', label: 'Public', hint: 'Anyone can read it; search engines may index it.' }] : []),
    { value: 'members', label: 'Members only', hint: 'Any signed-in member of Rounds can read it; never indexed.' },
    { value: 'confidential', label: 'Confidential', hint: 'Only its own members can read it or know it exists. For peer groups whose rule is confidence.' },
  ];
  return (
    <Layout ctx={ctx} title="Create a space" noindex>
      <h1>Create a space</h1>
      <form method="post" action="/spaces/new" class="auth-form wide-form">
        <ErrorSummary message={state.message} />
        <CsrfField ctx={ctx} />
        <Field name="name" label="Name" value={v.name} error={state.errors.name} required maxLength={80} />
        <Field name="description" label="Description" value={v.description} error={state.errors.description} maxLength={500} hint="One or two sentences. Shown to whoever can see the space." />
        <Choice name="level" legend="Who can read it" value={v.level} error={state.errors.level} options={levels} />
        <JoinPolicyChoice value={v.joinPolicy} error={state.errors.joinPolicy} />
        <Field
          name="rules"
          label="Ground rules (Markdown)"
          value={v.rules}
          error={state.errors.rules}
          multiline
          rows={8}
          maxLength={10000}
          hint="E.g. we meet every three weeks; everything said here stays in confidence; we hold each other accountable. Members of a confidential space accept these before reading."
        />
        <button type="submit" class="button">
          Create space
        </button>
      </form>
    </Layout>
  );
}

type InvitedSpace = Pick<SpaceRow, 'id' | 'slug' | 'name' | 'description' | 'level' | 'rulesHtml'>;

export function InvitationsPage({ ctx, invitations }: { ctx: PageContext; invitations: (InvitedSpace & { inviterHandle: string | null; inviterName: string | null })[] }) {
  return (
    <Layout ctx={ctx} title="Your invitations" noindex>
      <h1>Your invitations</h1>
      {invitations.length === 0 && <p class="empty">You have no open invitations.</p>}
      {invitations.map((space) => (
        <section class="settings-section" aria-labelledby={`inv-${space.id}`}>
          <h2 id={`inv-${space.id}`}>
            {space.name} <LevelLabel level={space.level} />
          </h2>
          {space.inviterHandle && (
            <p class="hint">
              Invited by <a href={profileHref(space.inviterHandle)}>{space.inviterName}</a> (@{space.inviterHandle})
            </p>
          )}
          {space.description && <p>{space.description}</p>}
          {space.rulesHtml && (
            <details>
              <summary>Its ground rules</summary>
              <RenderedContent html={trustedSafeHtml(space.rulesHtml)} />
            </details>
          )}
          <div class="admin-actions">
            <form method="post" action={`/invitations/${space.id}/accept`} class="inline-form">
              <CsrfField ctx={ctx} />
              <button type="submit" class="button button-small">
                Accept
              </button>
            </form>
            <form method="post" action={`/invitations/${space.id}/decline`} class="inline-form">
              <CsrfField ctx={ctx} />
              <button type="submit" class="button button-small button-secondary">
                Decline
              </button>
            </form>
          </div>
        </section>
      ))}
    </Layout>
  );
}

export function InviteLinkPage({ ctx, space, action }: { ctx: PageContext; space: InvitedSpace; action: string }) {
  return (
    <Layout ctx={ctx} title={`Invitation to ${space.name}`} noindex>
      <section class="auth-page" aria-labelledby="invite-heading">
        <h1 id="invite-heading">You are invited to {space.name}</h1>
        <p>
          <LevelLabel level={space.level} /> {space.description}
        </p>
        {space.rulesHtml && (
          <div class="rules-text">
            <h2>Its ground rules</h2>
            <RenderedContent html={trustedSafeHtml(space.rulesHtml)} />
          </div>
        )}
        {ctx.viewer.kind === 'member' ? (
          <form method="post" action={action} class="auth-form">
            <CsrfField ctx={ctx} />
            <p class="hint">This link admits one person. Joining records you in the space's membership log.</p>
            <button type="submit" class="button">
              Join {space.name}
            </button>
          </form>
        ) : (
          <p class="notice notice-info">
            <a href={`/signin?next=${encodeURIComponent(action)}`}>Sign in</a> or <a href="/register">create an account</a>, then open this link again to join.
          </p>
        )}
      </section>
    </Layout>
  );
}
