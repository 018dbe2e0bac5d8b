import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Conflict, Invalid, NotFound } from '../../server/errors.ts';
import { presentItemDetail, presentLogLine, presentPublicLogLine, presentQueueItem } from '../../server/moderation/presenters.ts';
import { CURSOR_PATTERN, formatCursor, queueFilter } from '../../server/moderation/routes.ts';
import { decisionsForTarget } from '../../server/moderation/blog-targets.ts';
import { DECISIONS, type Decision, type SanctionInput } from '../../server/moderation/service.ts';
import { ModerationSettings, type WatchedWord } from '../../server/moderation/settings.ts';
import { isSiteStaff, requireMember, type MemberViewer } from '../../server/policy/index.ts';
import { pageContext } from '../context.ts';
import { sendPage } from '../render.tsx';
import { localPath, postHref, profileHref } from '../urls.ts';
import { ItemPage, type DecisionState, type DecisionValues } from '../views/moderation/item-page.tsx';
import { ModLogPage, PublicLogPage } from '../views/moderation/log-pages.tsx';
import { MemberRecordPage, type MemberFormKey, type MemberFormState } from '../views/moderation/member-record-page.tsx';
import { AuthorRequestPage, FlagPage, MyModerationPage, type FlagTarget, type FormState } from '../views/moderation/member-pages.tsx';
import { QueuePage, type QueuePageFilter } from '../views/moderation/queue-page.tsx';
import { ModerationSettingsPage, type SettingsState, type SettingsValues } from '../views/moderation/settings-page.tsx';
import { DECISION_LABELS, isFlagReason, ITEM_KINDS, type ItemKind } from '../views/moderation/words.ts';

/*
 * Moderation pages: flagging and the author's ways back (members), the queue, items and log
 * (whoever moderates something), the transparency page (everyone), settings (admins) and
 * sanctions (site staff). Every operation is the moderation service's; a refused form comes back
 * with what was typed.
 */

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });
const HandleParam = Type.Object({ handle: Type.String({ minLength: 1, maxLength: 60 }) });
const Csrf = { _csrf: Type.Optional(Type.String()) };
// Generous caps: the service gives the precise message, and the form keeps the text.
const Text = (max = 4000) => Type.Optional(Type.String({ maxLength: max }));
const FlagBody = Type.Object({ reason: Text(40), note: Text(), ...Csrf });
const NoteBody = Type.Object({ note: Text(), ...Csrf });
const ReasonBody = Type.Object({ reason: Text(), ...Csrf });
const DecisionBody = Type.Object({
  decision: Text(40),
  reason: Text(),
  body: Text(200_000),
  sanctionKind: Text(20),
  sanctionDays: Text(20),
  sanctionReason: Text(),
  ...Csrf,
});
const SanctionBody = Type.Object({ kind: Text(20), days: Text(20), reason: Text(), ...Csrf });
// Lenient: a GET form sends empty strings for "All"; anything unknown is simply ignored.
const QueueQuery = Type.Object({
  sort: Text(20),
  status: Text(20),
  kind: Text(40),
  reason: Text(40),
  space: Text(20),
  after: Text(80),
});
const LogQuery = Type.Object({ action: Text(40), actor: Text(60), subject: Text(60), before: Text(20) });
const SETTINGS_NUMBERS = ['holdFirstPosts', 'autoHideScore', 'newMemberPostsPerHour', 'memberPostsPerHour', 'newMemberLinksPerPost', 'newMemberMentionsPerPost', 'duplicateWindowMinutes'] as const;
/** Every on/off setting the schema has, so a new one shows up on the form without a change here. */
const SETTINGS_SWITCHES = Object.entries(ModerationSettings.properties)
  .filter(([, schema]) => (schema as { type?: string }).type === 'boolean')
  .map(([key]) => key);
const SettingsBody = Type.Object({
  ...Object.fromEntries(SETTINGS_NUMBERS.map((k) => [k, Text(20)])),
  ...Object.fromEntries(SETTINGS_SWITCHES.map((k) => [k, Text(10)])),
  watchedWords: Text(60_000),
  ...Csrf,
});

type QueueKind = Parameters<typeof queueFilter>[0]['kind'];

function positiveInt(raw: string | undefined): number | undefined {
  if (!raw || !/^\d{1,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

/** Form errors are re-rendered with what the person typed; anything else goes to the error handler. */
function formProblem(error: unknown): { status: number; message: string; fields: Record<string, string>; conflict: boolean } {
  if (error instanceof Invalid) return { status: 422, message: error.message, fields: error.fields, conflict: false };
  if (error instanceof Conflict) return { status: 409, message: error.message, fields: {}, conflict: true };
  throw error;
}

/** Days of a silence or suspension: "until-lifted" (or nothing, from a hand-made form) means until a moderator lifts it. */
function parseDays(raw: string | undefined, field: string, errors: Record<string, string>): number | undefined {
  const text = (raw ?? '').trim();
  if (text === '' || text === 'until-lifted') return undefined;
  const days = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(days >= 1 && days <= 3650)) errors[field] = 'Choose a length from the list: from 1 to 3650 days, or until a moderator lifts it.';
  return days;
}

function sanctionKind(raw: string | undefined): SanctionInput['kind'] | undefined {
  return raw === 'warn' || raw === 'silence' || raw === 'suspend' ? raw : undefined;
}

/** `word => action[:replacement]`, one a line, for the settings textarea. */
export function formatWatchedWords(words: WatchedWord[]): string {
  return words.map((w) => `${w.word} => ${w.action}${w.action === 'replace' ? `:${w.replacement}` : ''}`).join('\n');
}

export function parseWatchedWords(text: string): { words: WatchedWord[]; error?: string } {
  const words: WatchedWord[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const match = /^(.+?)\s*=>\s*(block|hold|replace)(?::(.*))?$/i.exec(line);
    if (!match) return { words, error: `Line ${index + 1} (“${line.slice(0, 60)}”) should read “word => block”, “word => hold” or “word => replace:replacement”.` };
    const word = match[1]!.trim();
    const action = match[2]!.toLowerCase() as WatchedWord['action'];
    const replacement = (match[3] ?? '').trim();
    if (word.length > 100 || replacement.length > 100) return { words, error: `Line ${index + 1}: keep words and replacements under 100 characters.` };
    if (action !== 'replace' && match[3] !== undefined) return { words, error: `Line ${index + 1}: only “replace” takes a replacement.` };
    words.push({ word, action, replacement });
  }
  if (words.length > 500) return { words, error: 'Up to 500 watched words.' };
  return { words };
}

export const moderationPages: FastifyPluginAsyncTypebox = async (app) => {
  const { moderation, forum, accounts, spaces } = app.services;

  // Flagging a post

  async function renderFlagPost(request: FastifyRequest, reply: FastifyReply, postId: number, state: FormState<{ reason: string; note: string }>, status = 200) {
    const post = await forum.post(request.viewer, postId);
    if (post.deletedAt) throw new NotFound('That post was removed.');
    const target: FlagTarget = {
      kind: 'post',
      id: post.id,
      number: post.number,
      threadId: post.threadId,
      threadSlug: post.threadSlug,
      threadTitle: post.threadTitle,
      authorName: post.author.displayName,
      bodyHtml: post.bodyHtml,
    };
    return sendPage(reply, <FlagPage ctx={pageContext(request, reply)} target={target} state={state} />, status);
  }

  app.get('/p/:id/flag', { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const post = await forum.post(viewer, request.params.id);
    if (post.authorId === viewer.id) {
      request.flash('info', 'That is your own post: edit or delete it instead of flagging it.');
      return reply.redirect(postHref(post.threadId, post.threadSlug, post.number), 303);
    }
    return renderFlagPost(request, reply, post.id, { values: { reason: '', note: '' }, errors: {} });
  });

  app.post('/p/:id/flag', { config: { access: 'member' }, schema: { params: IdParam, body: FlagBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const values = { reason: request.body.reason ?? '', note: request.body.note ?? '' };
    if (!isFlagReason(values.reason)) {
      return renderFlagPost(request, reply, request.params.id, { values, errors: { reason: 'Choose what is wrong.' }, message: 'Choose what is wrong with the post.' }, 422);
    }
    try {
      // Where the post was, read before flagging: a flag that hides it leaves its place in the thread
      // (a line says a post is not shown), unless it opened the thread, which then is gone too.
      const post = await forum.post(viewer, request.params.id).catch(() => undefined);
      const result = await moderation.flagPost(viewer, request.params.id, { reason: values.reason, note: values.note });
      request.flash(
        'success',
        result.waits
          ? `Thank you. The post’s author is the only moderator here, so your flag waits until the space has another moderator. The author does not see your flag.${result.hidden ? ' The post is hidden meanwhile.' : ''}`
          : result.hidden
            ? 'Thank you. The post is hidden until a moderator reviews it.'
            : 'Thank you. A moderator will look at the post.',
      );
      return reply.redirect(post && !(result.hidden && post.number === 1) ? postHref(post.threadId, post.threadSlug, post.number) : '/', 303);
    } catch (error) {
      const problem = formProblem(error);
      return renderFlagPost(request, reply, request.params.id, { values, errors: problem.fields, message: problem.message }, problem.status);
    }
  });

  app.post('/flags/:id/withdraw', { config: { access: 'member' }, schema: { params: IdParam, body: Type.Object({ next: Text(500), ...Csrf }) } }, async (request, reply) => {
    await moderation.withdrawFlag(requireMember(request.viewer), request.params.id);
    request.flash('success', 'Your flag is withdrawn.');
    return reply.redirect(localPath(request.body.next), 303);
  });

  // Flagging a profile

  async function renderFlagMember(request: FastifyRequest, reply: FastifyReply, handle: string, state: FormState<{ reason: string; note: string }>, status = 200) {
    const user = await accounts.findUserByHandle(handle);
    if (!user) throw new NotFound();
    return sendPage(reply, <FlagPage ctx={pageContext(request, reply)} target={{ kind: 'member', handle: user.handle, displayName: user.displayName }} state={state} />, status);
  }

  app.get('/u/:handle/flag', { config: { access: 'member' }, schema: { params: HandleParam } }, async (request, reply) =>
    renderFlagMember(request, reply, request.params.handle, { values: { reason: '', note: '' }, errors: {} }),
  );

  app.post('/u/:handle/flag', { config: { access: 'member' }, schema: { params: HandleParam, body: FlagBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const values = { reason: request.body.reason ?? '', note: request.body.note ?? '' };
    if (!isFlagReason(values.reason)) {
      return renderFlagMember(request, reply, request.params.handle, { values, errors: { reason: 'Choose what is wrong.' }, message: 'Choose what is wrong with the profile.' }, 422);
    }
    try {
      await moderation.flagMember(viewer, request.params.handle, { reason: values.reason, note: values.note });
      request.flash('success', 'Thank you. A site moderator will look at the profile.');
      return reply.redirect(profileHref(request.params.handle), 303);
    } catch (error) {
      const problem = formProblem(error);
      return renderFlagMember(request, reply, request.params.handle, { values, errors: problem.fields, message: problem.message }, problem.status);
    }
  });

  // The author's ways back: another review after editing, and one appeal

  for (const kind of ['review', 'appeal'] as const) {
    async function render(request: FastifyRequest, reply: FastifyReply, postId: number, state: FormState<{ note: string }>, status = 200) {
      const viewer = requireMember(request.viewer);
      const post = await forum.post(viewer, postId);
      // Only the author has a way back to offer; to anyone else the page does not exist.
      if (post.authorId !== viewer.id || post.deletedAt) throw new NotFound();
      const target = { id: post.id, number: post.number, threadId: post.threadId, threadSlug: post.threadSlug, threadTitle: post.threadTitle, bodyHtml: post.bodyHtml, moderationNote: post.moderationNote };
      return sendPage(reply, <AuthorRequestPage ctx={pageContext(request, reply)} kind={kind} post={target} state={state} />, status);
    }

    app.get(`/p/:id/${kind}`, { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) =>
      render(request, reply, request.params.id, { values: { note: '' }, errors: {} }),
    );

    app.post(`/p/:id/${kind}`, { config: { access: 'member' }, schema: { params: IdParam, body: NoteBody } }, async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const note = request.body.note ?? '';
      try {
        if (kind === 'review') await moderation.requestReview(viewer, request.params.id, note);
        else await moderation.appeal(viewer, request.params.id, note);
        request.flash('success', kind === 'review' ? 'Sent. A moderator will look at your edited post.' : 'Your appeal is sent. A different moderator will decide.');
        const post = await forum.post(viewer, request.params.id);
        return reply.redirect(postHref(post.threadId, post.threadSlug, post.number), 303);
      } catch (error) {
        const problem = formProblem(error);
        return render(request, reply, request.params.id, { values: { note }, errors: problem.fields, message: problem.message }, problem.status);
      }
    });
  }

  app.get('/me/moderation', { config: { access: 'member' } }, async (request, reply) => {
    const mine = await moderation.mine(requireMember(request.viewer));
    return sendPage(reply, <MyModerationPage ctx={pageContext(request, reply)} mine={mine} />);
  });

  // The queue

  app.get('/mod/queue', { config: { access: 'moderator' }, schema: { querystring: QueueQuery } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const query = request.query;
    const filter: QueuePageFilter = {
      sort: query.sort === 'age' ? 'age' : 'priority',
      status: query.status === 'decided' ? 'decided' : 'open',
      kind: ITEM_KINDS.includes(query.kind as ItemKind) ? (query.kind as ItemKind) : undefined,
      reason: isFlagReason(query.reason) ? query.reason : undefined,
      space: positiveInt(query.space),
    };
    const after = query.after && new RegExp(CURSOR_PATTERN).test(query.after) ? query.after : undefined;
    const [result, visibleSpaces] = await Promise.all([
      moderation.queue(viewer, queueFilter({ ...filter, kind: filter.kind as QueueKind, reason: isFlagReason(filter.reason) ? filter.reason : undefined, after })),
      spaces.spaceNames(viewer),
    ]);
    return sendPage(
      reply,
      <QueuePage
        ctx={pageContext(request, reply)}
        items={result.items.map(presentQueueItem)}
        filter={filter}
        paged={after !== undefined}
        next={formatCursor(result.next)}
        elsewhere={result.elsewhere}
        spaces={visibleSpaces}
      />,
    );
  });

  const emptyDecision = (): DecisionValues => ({ decision: '', reason: '', body: '', sanctionKind: '', sanctionDays: '', sanctionReason: '' });

  async function renderItem(request: FastifyRequest, reply: FastifyReply, itemId: number, state: DecisionState | undefined, status = 200) {
    const viewer = requireMember(request.viewer);
    const detail = await moderation.item(viewer, itemId);
    const open = detail.item.status === 'open';
    const allowed: readonly Decision[] = open ? decisionsForTarget((DECISIONS as Record<string, readonly Decision[]>)[detail.item.kind] ?? [], detail.item) : [];
    const initial: DecisionState = state ?? { values: { ...emptyDecision(), body: detail.post?.bodySource ?? '' }, errors: {} };
    return sendPage(
      reply,
      <ItemPage
        ctx={pageContext(request, reply)}
        item={presentItemDetail(detail, allowed)}
        sanctions={detail.sanctions}
        allowed={allowed}
        excluded={detail.item.excludedModeratorId === viewer.id}
        canSanction={isSiteStaff(viewer) && detail.subject?.role === 'member' && detail.subject.id !== viewer.id}
        state={initial}
      />,
      status,
    );
  }

  app.get('/mod/queue/:id', { config: { access: 'moderator' }, schema: { params: IdParam } }, async (request, reply) => renderItem(request, reply, request.params.id, undefined));

  // A hidden post's way to the item that hid it (or the newest about it), from the thread page.
  app.get('/mod/post/:id', { config: { access: 'moderator' }, schema: { params: IdParam } }, async (request, reply) =>
    reply.redirect(`/mod/queue/${await moderation.latestItemForPost(requireMember(request.viewer), request.params.id)}`, 303),
  );

  app.post(
    '/mod/queue/:id/restore',
    { config: { access: 'moderator' }, schema: { params: IdParam, body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 4000 })), ...Csrf }) } },
    async (request, reply) => {
      const reason = request.body.reason ?? '';
      try {
        await moderation.restoreHidden(requireMember(request.viewer), request.params.id, reason);
      } catch (error) {
        const problem = formProblem(error);
        // The reason refused: the form again, with it. Anything else (restored meanwhile, still open) is said on the item.
        if (problem.fields.restoreReason) {
          return renderItem(request, reply, request.params.id, { values: { ...emptyDecision(), reason }, errors: problem.fields, message: problem.message }, problem.status);
        }
        if (problem.status === 404) throw error;
        request.flash('error', problem.message);
        return reply.redirect(`/mod/queue/${request.params.id}`, 303);
      }
      request.flash('success', 'The post is visible again; its author is told.');
      return reply.redirect(`/mod/queue/${request.params.id}`, 303);
    },
  );

  app.post('/mod/queue/:id', { config: { access: 'moderator' }, schema: { params: IdParam, body: DecisionBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const b = request.body;
    const values: DecisionValues = {
      decision: b.decision ?? '',
      reason: b.reason ?? '',
      body: b.body ?? '',
      sanctionKind: b.sanctionKind ?? '',
      sanctionDays: b.sanctionDays ?? '',
      sanctionReason: b.sanctionReason ?? '',
    };
    const errors: Record<string, string> = {};
    const decision = values.decision in DECISION_LABELS ? (values.decision as Decision) : undefined;
    if (!decision) errors.decision = 'Choose a decision.';
    const kind = sanctionKind(values.sanctionKind);
    const days = kind && kind !== 'warn' ? parseDays(values.sanctionDays, 'sanctionDays', errors) : undefined;
    if (!decision || Object.keys(errors).length > 0) {
      return renderItem(request, reply, request.params.id, { values, errors, message: errors.decision ?? 'Please correct the marked fields.' }, 422);
    }
    try {
      const sanction: SanctionInput | undefined = kind && isSiteStaff(viewer) ? { kind, reason: values.sanctionReason, ...(days ? { days } : {}) } : undefined;
      await moderation.decide(viewer, request.params.id, { decision, reason: values.reason, ...(decision === 'edit_keep' ? { body: values.body } : {}), ...(sanction ? { sanction } : {}) });
    } catch (error) {
      const problem = formProblem(error);
      return renderItem(request, reply, request.params.id, { values, errors: problem.fields, message: problem.message, conflict: problem.conflict }, problem.status);
    }
    const next = await moderation.queue(viewer, queueFilter({ sort: 'priority', status: 'open' }));
    const upcoming = next.items.find((i) => i.id !== request.params.id);
    // The sanction, when there was one, is confirmed too: on a phone it is easy to doubt it went with the decision.
    const sanctioned = !isSiteStaff(viewer) || !kind ? '' : kind === 'warn' ? ' The author is warned.' : ` The author is ${kind === 'silence' ? 'silenced' : 'suspended'} ${days ? `for ${days} ${days === 1 ? 'day' : 'days'}` : 'until a moderator lifts it'}.`;
    const done = `Decided: ${DECISION_LABELS[decision].label}.${sanctioned}`;
    if (!upcoming) {
      request.flash('success', `${done} The queue is empty.`);
      return reply.redirect('/mod/queue', 303);
    }
    request.flash('success', `${done} Here is the next item.`);
    return reply.redirect(`/mod/queue/${upcoming.id}`, 303);
  });

  // The log

  app.get('/mod/log', { config: { access: 'moderator' }, schema: { querystring: LogQuery } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const filter = { action: (request.query.action ?? '').trim(), actor: (request.query.actor ?? '').trim().replace(/^@/, ''), subject: (request.query.subject ?? '').trim().replace(/^@/, '') };
    const before = positiveInt(request.query.before);
    const lines = await moderation.log(viewer, {
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.actor ? { actorHandle: filter.actor } : {}),
      ...(filter.subject ? { subjectHandle: filter.subject } : {}),
      ...(before ? { before } : {}),
    });
    return sendPage(reply, <ModLogPage ctx={pageContext(request, reply)} lines={lines.map(presentLogLine)} filter={filter} paged={before !== undefined} more={lines.length >= 50} />);
  });

  app.get('/moderation', { config: { access: 'public' }, schema: { querystring: Type.Object({ before: Text(20) }) } }, async (request, reply) => {
    const before = positiveInt(request.query.before);
    const rows = await moderation.publicLog(before ? { before } : {});
    // An author's words to the moderators (review requests, appeals) are theirs, not the public's.
    const lines = rows.filter((row) => row.action !== 'review_request' && row.action !== 'appeal').map(presentPublicLogLine);
    return sendPage(reply, <PublicLogPage ctx={pageContext(request, reply)} lines={lines} paged={before !== undefined} more={rows.length >= 50} />);
  });

  // Site settings (admins)

  function settingsValues(s: ModerationSettings): SettingsValues {
    return {
      holdFirstPosts: String(s.holdFirstPosts),
      autoHideScore: String(s.autoHideScore),
      switches: Object.fromEntries(SETTINGS_SWITCHES.map((k) => [k, (s as Record<string, unknown>)[k] === true])),
      newMemberPostsPerHour: String(s.newMemberPostsPerHour),
      memberPostsPerHour: String(s.memberPostsPerHour),
      newMemberLinksPerPost: String(s.newMemberLinksPerPost),
      newMemberMentionsPerPost: String(s.newMemberMentionsPerPost),
      duplicateWindowMinutes: String(s.duplicateWindowMinutes),
      watchedWords: formatWatchedWords(s.watchedWords),
    };
  }

  async function renderSettings(request: FastifyRequest, reply: FastifyReply, state: SettingsState | undefined, status = 200) {
    const initial = state ?? { values: settingsValues(await moderation.settings()), errors: {} };
    return sendPage(reply, <ModerationSettingsPage ctx={pageContext(request, reply)} state={initial} />, status);
  }

  app.get('/admin/moderation', { config: { access: 'admin' } }, async (request, reply) => renderSettings(request, reply, undefined));

  app.post('/admin/moderation', { config: { access: 'admin' }, schema: { body: SettingsBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const body = request.body as Record<string, string | undefined>;
    const values: SettingsValues = {
      ...(Object.fromEntries(SETTINGS_NUMBERS.map((k) => [k, body[k] ?? ''])) as Omit<SettingsValues, 'switches' | 'watchedWords'>),
      switches: Object.fromEntries(SETTINGS_SWITCHES.map((k) => [k, body[k] === 'true'])),
      watchedWords: body.watchedWords ?? '',
    };
    // The stored settings are read leniently (a bad value falls back to its default), so the form
    // checks every number against the schema's bounds and says which one is out of range.
    const errors: Record<string, string> = {};
    const numbers: Record<string, number> = {};
    for (const key of SETTINGS_NUMBERS) {
      const schema = ModerationSettings.properties[key] as unknown as { minimum: number; maximum: number; type: string };
      const text = values[key].trim();
      const n = text === '' ? NaN : Number(text);
      const whole = schema.type === 'integer';
      if (!Number.isFinite(n) || (whole && !Number.isInteger(n)) || n < schema.minimum || n > schema.maximum) {
        errors[key] = `Give a ${whole ? 'whole number' : 'number'} from ${schema.minimum} to ${schema.maximum}.`;
      } else numbers[key] = n;
    }
    const watched = parseWatchedWords(values.watchedWords);
    if (watched.error) errors.watchedWords = watched.error;
    if (Object.keys(errors).length > 0) return renderSettings(request, reply, { values, errors, message: 'Please correct the marked fields. Nothing was saved.' }, 422);
    // Merged over the stored settings, so a setting this form does not show is kept as it is.
    await moderation.updateSettings(viewer, { ...(await moderation.settings()), ...numbers, ...values.switches, watchedWords: watched.words });
    request.flash('success', 'Moderation settings saved.');
    return reply.redirect('/admin/moderation', 303);
  });

  // A member's record and sanctions (site staff; the service refuses space moderators)

  async function renderRecord(request: FastifyRequest, reply: FastifyReply, handle: string, state: MemberFormState | undefined, status = 200) {
    const record = await moderation.memberRecord(requireMember(request.viewer), handle);
    return sendPage(reply, <MemberRecordPage ctx={pageContext(request, reply)} member={record.member} sanctions={record.sanctions} state={state} />, status);
  }

  async function memberForm(request: FastifyRequest, reply: FastifyReply, handle: string, form: MemberFormKey, values: Record<string, string>, run: () => Promise<string>) {
    try {
      request.flash('success', await run());
      return reply.redirect(`/u/${encodeURIComponent(handle)}/moderate`, 303);
    } catch (error) {
      const problem = formProblem(error);
      return renderRecord(request, reply, handle, { form, values, errors: problem.fields, message: problem.message }, problem.status);
    }
  }

  app.get('/u/:handle/moderate', { config: { access: 'moderator' }, schema: { params: HandleParam } }, async (request, reply) => renderRecord(request, reply, request.params.handle, undefined));

  app.post('/u/:handle/sanction', { config: { access: 'moderator' }, schema: { params: HandleParam, body: SanctionBody } }, async (request, reply) => {
    const viewer: MemberViewer = requireMember(request.viewer);
    const { handle } = request.params;
    const values = { kind: request.body.kind ?? '', days: request.body.days ?? '', reason: request.body.reason ?? '' };
    const errors: Record<string, string> = {};
    const kind = sanctionKind(values.kind);
    if (!kind) errors.kind = 'Choose warn, silence or suspend.';
    const days = kind && kind !== 'warn' ? parseDays(values.days, 'days', errors) : undefined;
    if (!kind || Object.keys(errors).length > 0) return renderRecord(request, reply, handle, { form: 'sanction', values, errors, message: 'Please correct the marked fields.' }, 422);
    return memberForm(request, reply, handle, 'sanction', values, async () => {
      await moderation.sanction(viewer, handle, { kind, reason: values.reason, ...(days ? { days } : {}) });
      return kind === 'warn' ? `@${handle} is warned.` : kind === 'silence' ? `@${handle} is silenced.` : `@${handle} is suspended and signed out everywhere.`;
    });
  });

  app.post('/u/:handle/lift', { config: { access: 'moderator' }, schema: { params: HandleParam, body: ReasonBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { handle } = request.params;
    const values = { reason: request.body.reason ?? '' };
    return memberForm(request, reply, handle, 'lift', values, async () => {
      await moderation.liftSanction(viewer, handle, values.reason);
      return `@${handle} can post again.`;
    });
  });

  app.post('/u/:handle/purge', { config: { access: 'moderator' }, schema: { params: HandleParam, body: ReasonBody } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const { handle } = request.params;
    const values = { reason: request.body.reason ?? '' };
    return memberForm(request, reply, handle, 'purge', values, async () => {
      const { removed } = await moderation.purgeSpammer(viewer, handle, values.reason);
      return `Removed ${removed} ${removed === 1 ? 'post' : 'posts'} by @${handle} and suspended the account.`;
    });
  });
};
