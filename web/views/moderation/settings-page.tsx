import type { PageContext } from '../../context.ts';
import { Breadcrumbs, CsrfField, ErrorSummary, Field } from '../components.tsx';
import { Layout } from '../layout.tsx';

/** The settings form's values, as typed (numbers stay strings so a refused form shows them back). */
export interface SettingsValues {
  holdFirstPosts: string;
  autoHideScore: string;
  /** The on/off settings, by name (every boolean the settings schema has). */
  switches: Record<string, boolean>;
  newMemberPostsPerHour: string;
  memberPostsPerHour: string;
  newMemberLinksPerPost: string;
  newMemberMentionsPerPost: string;
  duplicateWindowMinutes: string;
  watchedWords: string;
}

export interface SettingsState {
  values: SettingsValues;
  errors: Record<string, string>;
  message?: string | undefined;
}

const SWITCH_LABELS: Record<string, string> = {
  nameModeratorsPublicly: 'Name the moderator on the public moderation log',
  holdRegistrations: 'New accounts wait for a site moderator’s approval before they can take part',
};

export function ModerationSettingsPage({ ctx, state }: { ctx: PageContext; state: SettingsState }) {
  const { values: v, errors: e } = state;
  return (
    <Layout ctx={ctx} title="Moderation settings" noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Admin', href: '/admin' }, { label: 'Moderation settings' }]} />
      <h1>Moderation settings</h1>
      <p class="lead">How new members are eased in, when flags hide a post, and which words the site watches for. Changes apply to the next post and are written to the log.</p>
      <form method="post" action="/admin/moderation" class="auth-form wide-form settings-form">
        <ErrorSummary message={state.message} />
        <CsrfField ctx={ctx} />
        <fieldset class="settings-group">
          <legend>New members</legend>
          <Field name="holdFirstPosts" label="Posts held for approval" hint="A new member’s first posts wait for a moderator. 0 turns this off." type="number" value={v.holdFirstPosts} error={e.holdFirstPosts} />
          <Field name="newMemberPostsPerHour" label="Posts per hour, new members" type="number" value={v.newMemberPostsPerHour} error={e.newMemberPostsPerHour} />
          <Field name="newMemberLinksPerPost" label="Links per post, new members" type="number" value={v.newMemberLinksPerPost} error={e.newMemberLinksPerPost} />
          <Field name="newMemberMentionsPerPost" label="Mentions per post, new members" type="number" value={v.newMemberMentionsPerPost} error={e.newMemberMentionsPerPost} />
        </fieldset>
        <fieldset class="settings-group">
          <legend>Everyone</legend>
          <Field name="memberPostsPerHour" label="Posts per hour, other members" type="number" value={v.memberPostsPerHour} error={e.memberPostsPerHour} />
          <Field name="duplicateWindowMinutes" label="Refuse the same text again within (minutes)" hint="0 turns this off." type="number" value={v.duplicateWindowMinutes} error={e.duplicateWindowMinutes} />
          <Field
            name="autoHideScore"
            label="Flag score that hides a post until review"
            hint="Each flag adds its weight (about 1; more from members whose flags were upheld). A moderator’s flag alone reaches it."
            type="number"
            value={v.autoHideScore}
            error={e.autoHideScore}
          />
        </fieldset>
        <fieldset class="settings-group">
          <legend>On or off</legend>
          {Object.entries(v.switches).map(([name, on]) => (
            <div class="field field-check">
              <label class="check">
                <input type="checkbox" name={name} value="true" checked={on} />
                <span>{SWITCH_LABELS[name] ?? name}</span>
              </label>
            </div>
          ))}
        </fieldset>
        <Field
          name="watchedWords"
          label="Watched words"
          hint="One per line: word => block, word => hold, or word => replace:replacement. Whole words, any case. Block refuses the post, hold sends it to the queue, replace swaps the text."
          value={v.watchedWords}
          error={e.watchedWords}
          multiline
          rows={8}
        />
        <div class="actions">
          <button type="submit" class="button">
            Save settings
          </button>
        </div>
      </form>
    </Layout>
  );
}
