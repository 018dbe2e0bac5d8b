import type { PageContext } from '../../context.ts';
import { profileHref } from '../../urls.ts';
import { Badge, Breadcrumbs, CsrfField, ErrorSummary, Field, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { SanctionFields } from './item-page.tsx';
import { SanctionTable, type MyModeration } from './member-pages.tsx';

export interface MemberRecordView {
  handle: string;
  displayName: string;
  role: 'member' | 'moderator' | 'admin';
  status: 'active' | 'silenced' | 'suspended';
  statusUntil: Date | null;
  statusReason: string;
  trustLevel: number;
  flagsAgreed: number;
  flagsDisagreed: number;
  createdAt: Date;
}

export type MemberFormKey = 'sanction' | 'lift' | 'purge';

export interface MemberFormState {
  form: MemberFormKey;
  values: Record<string, string>;
  errors: Record<string, string>;
  message?: string | undefined;
}

/** Site staff only: a member's standing, and the forms to warn, silence, suspend, lift or purge. */
export function MemberRecordPage(props: { ctx: PageContext; member: MemberRecordView; sanctions: (MyModeration['sanctions'][number] & { moderatorHandle: string })[]; state?: MemberFormState | undefined }) {
  const { ctx, member, state } = props;
  const problem = (form: MemberFormKey) => (state?.form === form ? state : undefined);
  const sanction = problem('sanction');
  const lift = problem('lift');
  const purge = problem('purge');
  const base = `/u/${member.handle}`;
  const sanctionable = member.role === 'member';
  return (
    <Layout ctx={ctx} title={`Moderate ${member.displayName}`} noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: member.displayName, href: profileHref(member.handle) }, { label: 'Moderate' }]} />
      <h1>Moderate {member.displayName}</h1>
      <p class="lead">
        @{member.handle} · joined <Time at={member.createdAt} /> · trust level {member.trustLevel} · flags upheld {member.flagsAgreed}, declined {member.flagsDisagreed}
      </p>
      <p>
        Status: <Badge kind={member.status === 'active' ? 'active' : 'danger'}>{member.status}</Badge>
        {member.statusUntil && (
          <>
            {' '}
            until <Time at={member.statusUntil} absolute />
          </>
        )}
        {member.statusReason && <> — “{member.statusReason}”</>}
      </p>
      <section class="settings-section" aria-labelledby="record-heading">
        <h2 id="record-heading">Warnings and sanctions</h2>
        {props.sanctions.length === 0 ? <p class="empty">None so far.</p> : <SanctionTable sanctions={props.sanctions} showModerator />}
        <p>
          <a href={`/mod/log?subject=${encodeURIComponent(member.handle)}`}>Everything about @{member.handle} in the moderation log</a>
        </p>
      </section>
      {!sanctionable ? (
        <p class="notice notice-info">Moderators and administrators are not sanctioned from here; change their role first.</p>
      ) : (
        <>
          <section class="settings-section" id="sanction" aria-labelledby="sanction-heading">
            <h2 id="sanction-heading">Warn, silence or suspend</h2>
            <p class="hint">A warning is a note on the record. A silenced member can read but not post. A suspended member is signed out and cannot sign in until it ends.</p>
            <form method="post" action={`${base}/sanction`} class="admin-form">
              <ErrorSummary message={sanction?.message} />
              <CsrfField ctx={ctx} />
              <SanctionFields
                values={{ kind: sanction?.values.kind ?? 'warn', days: sanction?.values.days ?? '', reason: sanction?.values.reason ?? '' }}
                errors={sanction?.errors ?? {}}
                prefix=""
              />
              <button type="submit" class="button button-small">
                Apply sanction
              </button>
            </form>
          </section>
          {member.status !== 'active' && (
            <section class="settings-section" id="lift" aria-labelledby="lift-heading">
              <h2 id="lift-heading">Lift the {member.status === 'silenced' ? 'silence' : 'suspension'}</h2>
              <form method="post" action={`${base}/lift`} class="admin-form">
                <ErrorSummary message={lift?.message} />
                <CsrfField ctx={ctx} />
                <Field id="lift-reason" name="reason" label="Reason (optional, for the log)" value={lift?.values.reason ?? ''} error={lift?.errors.reason} multiline rows={2} maxLength={1000} />
                <button type="submit" class="button button-small button-secondary">
                  Lift it now
                </button>
              </form>
            </section>
          )}
          <section class="settings-section" id="purge" aria-labelledby="purge-heading">
            <h2 id="purge-heading">Purge a spammer</h2>
            <p class="hint">Removes every post by @{member.handle} in the places you moderate, closes their open items and suspends the account. One step, written to the log.</p>
            <form method="post" action={`${base}/purge`} class="admin-form" data-confirm={`Remove every post by @${member.handle} and suspend the account?`}>
              <ErrorSummary message={purge?.message} />
              <CsrfField ctx={ctx} />
              <Field id="purge-reason" name="reason" label="Reason (for the log)" value={purge?.values.reason ?? ''} error={purge?.errors.reason} required multiline rows={2} maxLength={1000} />
              <button type="submit" class="button button-small button-danger">
                Remove everything and suspend
              </button>
            </form>
          </section>
        </>
      )}
    </Layout>
  );
}
