import type { Database, Executor } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { withGenericPlans } from '../../db/named-statement.ts';
import { deleteSessionsOfUser } from '../accounts/queries.ts';
import type { MemberCache } from '../events/member-cache.ts';
import { CONTENT_PIPELINE_VERSION, renderMarkdown } from '../content/render-markdown.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { cleanBody } from '../forum/rules.ts';
import type { ModerationOutcome, Notifier } from '../notifications/notifier.ts';
import { ANONYMOUS, authorize, isSiteStaff, type MemberViewer } from '../policy/index.ts';
import { rememberedSettings, SETTINGS_CHANGED } from './admission.ts';
import { blogTargetDetail, blogTargetOf, blogTargetRevisions, decideBlogItem, flagBlogTarget, restoreAutoHidden, type BlogTarget } from './blog-targets.ts';
import { AUTO_HIDDEN_NOTE, autoHideReason, hiddenNote } from './notes.ts';
import * as q from './queries.ts';
import { MODERATION_SETTINGS_KEY, parseModerationSettings, type ModerationSettings } from './settings.ts';
import { refreshTrust } from './promotion.ts';
import { flagWeight } from './trust.ts';

export const FLAG_REASONS = ['spam', 'abusive', 'off_topic', 'misinformation', 'confidentiality', 'other'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];

export const FLAG_REASON_LABELS: Record<FlagReason, string> = {
  spam: 'Spam',
  abusive: 'Abusive or harassing',
  off_topic: 'Off-topic',
  misinformation: 'Misinformation (clinically unsafe or false)',
  confidentiality: 'Confidentiality breach',
  other: 'Something else',
};

/** What a moderator can decide, by item kind. */
export const DECISIONS = {
  flagged: ['keep', 'hide', 'delete', 'dismiss', 'edit_keep'],
  held_post: ['approve', 'reject'],
  review_request: ['restore', 'keep_hidden', 'delete'],
  appeal: ['restore', 'keep_hidden', 'delete'],
  registration: ['approve', 'reject'],
} as const;
export type Decision = (typeof DECISIONS)[keyof typeof DECISIONS][number];

export interface SanctionInput {
  kind: 'warn' | 'silence' | 'suspend';
  /** Days a silence or suspension lasts; none means until lifted. */
  days?: number;
  reason: string;
}

export interface DecisionInput {
  decision: Decision;
  /** Said to the author (and on the public log for public content). */
  reason: string;
  /** The corrected text, for `edit_keep`. */
  body?: string;
  sanction?: SanctionInput;
}

export interface FlagInput {
  reason: FlagReason;
  note?: string;
}

const NOTE_MAX = 1000;
const QUEUE_PAGE = 25;

function cleanNote(raw: string | undefined, field: string, required: string | null): string {
  const note = (raw ?? '').normalize('NFC').trim();
  if (required && note.length === 0) throw new Invalid(required, { [field]: required });
  if (note.length > NOTE_MAX) throw new Invalid(`Keep it under ${NOTE_MAX} characters.`, { [field]: `Keep it under ${NOTE_MAX} characters.` });
  return note;
}

/** The plain-words note an author sees on a post a moderator took down. */

/**
 * A newcomer's next post will wait: how many first posts are checked, and how many of theirs wait
 * already when that is why (0 while the next one is still among the first).
 */
export interface FirstPostsHeld {
  count: number;
  waiting: number;
}

export type ModerationService = ReturnType<typeof createModerationService>;

/** What must follow a sanction in its transaction: the account e-mails tell a suspended member why (they are signed out). */
export interface ModerationEvents {
  suspended?(tx: Executor, member: { userId: string; until: Date | null }): Promise<void>;
}

export function createModerationService(db: Database, notifier: Notifier, remembered: MemberCache, events: ModerationEvents = {}) {
  const statements = q.moderationStatements(db);
  const readSettings = rememberedSettings(db, remembered);
  async function requireModeratedItem(exec: Executor, viewer: MemberViewer, itemId: number, lock: boolean) {
    const item = await q.findVisibleItem(exec, viewer, itemId, lock);
    if (!item) throw new NotFound();
    return item;
  }

  async function applySanction(tx: Executor, moderator: MemberViewer, subjectId: string, sanction: SanctionInput, itemId: number | null, spaceId: number | null) {
    // Sanctions act on the whole account: site staff only (a space's own moderators ban from their space).
    authorize(moderator, { kind: 'user.sanction' });
    if (subjectId === moderator.id) throw new Invalid('You cannot sanction yourself.');
    const reason = cleanNote(sanction.reason, 'sanctionReason', 'Give the member a reason for the sanction; they will see it.');
    const until = sanction.kind !== 'warn' && sanction.days ? new Date(Date.now() + sanction.days * 86_400_000) : null;
    await q.insertSanction(tx, { userId: subjectId, kind: sanction.kind, reason, until, moderatorId: moderator.id, itemId });
    if (sanction.kind === 'silence') await q.setMemberStatus(tx, subjectId, { status: 'silenced', statusUntil: until, statusReason: reason });
    if (sanction.kind === 'suspend') {
      await q.setMemberStatus(tx, subjectId, { status: 'suspended', statusUntil: until, statusReason: reason });
      // Signed out everywhere now; sign-in and API tokens refuse a suspended account until it ends.
      await deleteSessionsOfUser(tx, subjectId);
      await events.suspended?.(tx, { userId: subjectId, until });
    }
    await q.insertLog(tx, {
      actorId: moderator.id,
      action: sanction.kind,
      subjectId,
      spaceId,
      itemId,
      reason,
      detail: { until: until?.toISOString() ?? null },
    });
  }

  /**
   * The author learns what became of their content (a flag kept without effect says nothing to
   * them), and each flagger what became of their flag; the notifier checks each can still read it.
   */
  async function notifyOutcome(
    tx: Executor,
    moderator: MemberViewer,
    item: { id: number; kind: string; subjectId: string; autoHidden: boolean; entryId: number | null },
    post: { id: number; threadId: number } | undefined,
    decision: Decision,
    flagged: { flaggerIds: string[]; verdict: 'agreed' | 'disagreed' | 'dismissed' } | undefined,
  ) {
    if (item.kind === 'registration') return;
    const about = post ? { threadId: post.threadId, postId: post.id } : { blogEntryId: item.entryId };
    if (!post && item.entryId === null) return;
    const quiet = (decision === 'keep' || decision === 'dismiss') && !item.autoHidden;
    if (!quiet) await notifier.moderatedContent(tx, { recipientId: item.subjectId, actorId: moderator.id, reviewItemId: item.id, outcome: decision as ModerationOutcome, ...about });
    if (!flagged) return;
    for (const flaggerId of flagged.flaggerIds) {
      await notifier.flagOutcome(tx, { recipientId: flaggerId, actorId: moderator.id, reviewItemId: item.id, outcome: flagged.verdict, ...about });
    }
  }

  return {
    /** As this process last read them, until they change (see `rememberedSettings`). */
    settings: readSettings,

    /**
     * How many of a new member's first posts wait for a moderator, if this member's next one would
     * (the compose pages say so before they write). Admission decides for real, with the place's
     * moderators exempt; this is the site-wide rule, so a space's own moderator may be told in vain.
     */
    async firstPostsHeld(viewer: MemberViewer): Promise<FirstPostsHeld | null> {
      const { holdFirstPosts } = await readSettings();
      if (holdFirstPosts === 0 || viewer.role !== 'member' || viewer.trustLevel > 0) return null;
      const own = await q.countOwnPosts(db, viewer.id);
      if (own.published >= holdFirstPosts) return null;
      return { count: holdFirstPosts, waiting: own.published + own.held >= holdFirstPosts ? own.held : 0 };
    },

    /** Site staff, or an owner or moderator of at least one space: who may open the moderator screens. */
    moderatesAnything: async (viewer: MemberViewer): Promise<boolean> => isSiteStaff(viewer) || (await q.moderatesAnySpace(db, viewer.id)),

    async updateSettings(viewer: MemberViewer, input: unknown): Promise<ModerationSettings> {
      authorize(viewer, { kind: 'site.manage' });
      const settings = parseModerationSettings(input);
      await db.transaction(async (tx) => {
        await q.writeSetting(tx, MODERATION_SETTINGS_KEY, settings, viewer.id);
        await q.insertLog(tx, { actorId: viewer.id, action: 'settings', reason: 'Moderation settings changed', detail: { holdFirstPosts: settings.holdFirstPosts, autoHideScore: settings.autoHideScore, watchedWords: settings.watchedWords.length } });
      });
      // Obeyed by this process's next post, not only once the change is heard.
      remembered.forget(SETTINGS_CHANGED);
      return settings;
    },

    /**
     * A member flags a post they can read. Crossing the threshold hides it at once, pending review.
     * `waits`: nobody but the post's author moderates its place (a confidential space with one
     * moderator), so the flag waits until someone else does; the flagger is told.
     */
    async flagPost(viewer: MemberViewer, postId: number, input: FlagInput): Promise<{ flagId: number; hidden: boolean; waits: boolean }> {
      const post = await statements.findPostForModeration(db, viewer, postId);
      if (!post || post.deletedAt) throw new NotFound('That post cannot be flagged.');
      if (post.authorId === viewer.id) throw new Invalid('You cannot flag your own post. Edit or delete it instead.');
      authorize(viewer, { kind: 'content.flag' });
      const note = cleanNote(input.note, 'note', input.reason === 'other' ? 'Say what is wrong: “something else” needs a few words.' : null);
      const settings = await readSettings();
      const facts = await statements.findFlaggerFacts(db, viewer.id);
      const weight = flagWeight({ trustLevel: facts?.trustLevel ?? 0, flagsAgreed: facts?.flagsAgreed ?? 0, flagsDisagreed: facts?.flagsDisagreed ?? 0, moderates: post.moderates }, settings.autoHideScore);
      try {
        const flagged = await db.transaction(async (tx) => {
          const item = await statements.flagPostItem(tx, { postId, subjectId: post.authorId, spaceId: post.spaceId, weight });
          const flag = await statements.insertFlag(tx, { itemId: item.id, postId, subjectId: post.authorId, flaggerId: viewer.id, reason: input.reason, note, weight });
          let hidden = false;
          if (weight > 0 && item.score >= settings.autoHideScore && post.status === 'published' && !item.autoHidden) {
            await q.setPostState(tx, postId, 'hidden', AUTO_HIDDEN_NOTE);
            await q.markAutoHidden(tx, item.id);
            await q.insertLog(tx, { actorId: null, action: 'auto_hide', postId, subjectId: post.authorId, spaceId: post.spaceId, itemId: item.id, reason: autoHideReason(item.score, settings.autoHideScore) });
            // The author hears of it at once, without learning who flagged (no actor).
            await notifier.moderatedContent(tx, { recipientId: post.authorId, actorId: null, reviewItemId: item.id, outcome: 'auto_hide', threadId: post.threadId, postId });
            hidden = true;
          }
          return { flagId: flag.id, hidden };
        });
        return { ...flagged, waits: !post.someoneElseDecides };
      } catch (error) {
        if (isUniqueViolation(error)) throw new Conflict('You have already flagged this post. You can withdraw your flag from the post.');
        throw error;
      }
    },

    /** A member flags another member's profile; it goes to the site's moderators. */
    async flagMember(viewer: MemberViewer, handle: string, input: FlagInput): Promise<{ flagId: number }> {
      const member = await q.findMemberByHandle(db, handle);
      if (!member) throw new NotFound();
      if (member.id === viewer.id) throw new Invalid('You cannot flag your own profile.');
      authorize(viewer, { kind: 'content.flag' });
      const note = cleanNote(input.note, 'note', input.reason === 'other' ? 'Say what is wrong: “something else” needs a few words.' : null);
      const settings = await readSettings();
      const facts = await statements.findFlaggerFacts(db, viewer.id);
      const weight = flagWeight({ trustLevel: facts?.trustLevel ?? 0, flagsAgreed: facts?.flagsAgreed ?? 0, flagsDisagreed: facts?.flagsDisagreed ?? 0, moderates: isSiteStaff(viewer) }, settings.autoHideScore);
      try {
        return await db.transaction(async (tx) => {
          const item = await q.openItemForMember(tx, 'flagged', member.id);
          const flag = await statements.insertFlag(tx, { itemId: item.id, subjectId: member.id, flaggerId: viewer.id, reason: input.reason, note, weight });
          await statements.addToItemScore(tx, item.id, weight, 1);
          return { flagId: flag.id };
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new Conflict('You have already flagged this profile.');
        throw error;
      }
    },

    /** A member flags a blog entry or comment they can read (see blog-targets.ts). */
    async flagBlog(viewer: MemberViewer, target: BlogTarget, input: FlagInput): Promise<{ flagId: number; hidden: boolean }> {
      authorize(viewer, { kind: 'content.flag' });
      const note = cleanNote(input.note, 'note', input.reason === 'other' ? 'Say what is wrong: “something else” needs a few words.' : null);
      return flagBlogTarget(db, readSettings, viewer, target, { reason: input.reason, note });
    },

    ownFlagOnPost: (viewer: MemberViewer, postId: number) => q.findOwnOpenFlag(db, viewer.id, { postId }),

    /**
     * The viewer's open flags on the posts of a page, by post id. Most members have no open flag on
     * any post, which this process remembers until one of their flags changes (`flags:<id>`,
     * migration 0018): their thread pages then skip the read.
     */
    async ownFlagsOnPosts(viewer: MemberViewer, postIds: number[]): Promise<Map<number, number>> {
      if (postIds.length === 0) return new Map();
      const any = await remembered.remember(`open-flags:${viewer.id}`, () => q.hasOwnOpenPostFlag(db, viewer.id), (value) => ({ value, until: `flags:${viewer.id}` }));
      if (!any) return new Map();
      const rows = await q.findOwnOpenFlagsOnPosts(db, viewer.id, postIds);
      return new Map(rows.flatMap((r) => (r.postId === null ? [] : [[r.postId, r.id] as const])));
    },

    /** The viewer's open flag on a member's profile, so the profile can offer to withdraw it. */
    async ownFlagOnMember(viewer: MemberViewer, handle: string) {
      const member = await q.findMemberByHandle(db, handle);
      return member ? q.findOwnOpenFlag(db, viewer.id, { subjectId: member.id }) : undefined;
    },

    /** Takes back one's own open flag. An item left with no flags closes, and what it hid comes back. */
    async withdrawFlag(viewer: MemberViewer, flagId: number): Promise<void> {
      await db.transaction(async (tx) => {
        const flag = await q.withdrawOwnFlag(tx, viewer.id, flagId);
        if (!flag) throw new NotFound('You have no open flag with that number.');
        const item = await statements.addToItemScore(tx, flag.itemId, -flag.weight, -1);
        if (item.status !== 'open' || (await q.countOpenFlagsOfItem(tx, item.id)) > 0) return;
        await q.decideItem(tx, item.id, { decision: 'withdrawn', decisionReason: 'Every flag was withdrawn.', decidedById: viewer.id, targetRevision: null });
        const blogTarget = blogTargetOf(item);
        if (item.autoHidden && blogTarget) {
          await restoreAutoHidden(tx, blogTarget);
          await q.insertLog(tx, { actorId: null, action: 'restore', ...blogTarget, subjectId: item.subjectId, spaceId: item.spaceId, itemId: item.id, reason: 'Every flag was withdrawn.' });
        }
        if (item.autoHidden && item.postId !== null) {
          await q.setPostState(tx, item.postId, 'published', '');
          await q.insertLog(tx, { actorId: null, action: 'restore', postId: item.postId, subjectId: item.subjectId, spaceId: item.spaceId, itemId: item.id, reason: 'Every flag was withdrawn.' });
        }
      });
    },

    /** A page of the queue, with how many items wait in confidential spaces this viewer does not moderate. */
    async queue(viewer: MemberViewer, filter: Omit<q.QueueFilter, 'limit'>) {
      // Planned for its values, the page's statement cost PostgreSQL 1.6-7 ms of planning on every
      // page for ~1.3 ms of running, and the kept plan is the same walk of the sort's index (one
      // text per filter shape, so each shape keeps its own).
      const { rows, elsewhere, membershipRequests } = await withGenericPlans(db, async (tx) => ({
        rows: await q.listQueue(db, tx, viewer, { ...filter, limit: QUEUE_PAGE + 1 }),
        elsewhere: isSiteStaff(viewer) ? await q.countOpenItemsElsewhere(db, tx, viewer) : 0,
        membershipRequests: filter.after || filter.status === 'decided' ? [] : await q.listMembershipRequests(db, tx, viewer),
      }));
      const items = rows.slice(0, QUEUE_PAGE);
      const last = items[items.length - 1];
      const next = rows.length > QUEUE_PAGE && last ? last.id : null;
      return { items, next, elsewhere, membershipRequests };
    },

    /**
     * The header's queue badge: open items in the viewer's queue, null when they moderate nothing.
     * Moderating nothing — most members, on every page — is remembered until their site role or a
     * space role changes (`member:<id>`, migration 0017); a count changes with every flag and is not.
     */
    queueBadge: (viewer: MemberViewer) =>
      remembered.remember(`queue:${viewer.id}`, () => q.countOpenItemsIfModerating(db, viewer), (count) => (count === null ? { value: null, until: `member:${viewer.id}` } : null)),

    /** One item in full: its flags, the post in context, previous versions and the author's record. */
    async item(viewer: MemberViewer, itemId: number) {
      const item = await requireModeratedItem(db, viewer, itemId, false);
      const [itemFlags, subject, post] = await Promise.all([
        q.listFlagsOfItem(db, viewer, itemId),
        q.findMemberById(db, item.subjectId),
        item.postId !== null ? statements.findPostForModeration(db, viewer, item.postId) : undefined,
      ]);
      const [context, revisions, sanctionHistory, history, authorFlags] = await Promise.all([
        post ? q.listPostsAround(db, viewer, post.threadId, post.number, 2) : [],
        post ? q.listPostRevisions(db, viewer, post.id) : [],
        subject ? q.listSanctions(db, subject.id, 10) : [],
        item.postId !== null ? q.listItemsForPost(db, viewer, item.postId) : [],
        q.listFlagHistoryOfMember(db, viewer, item.subjectId, item.id, 10),
      ]);
      const [decidedBy, restored] = item.decidedById ? await Promise.all([q.findDecider(db, viewer, item.id), q.findRestoreOfItem(db, viewer, item.id)]) : [undefined, undefined];
      const blogTarget = blogTargetOf(item);
      const [blog, blogRevisions] = blogTarget ? await Promise.all([blogTargetDetail(db, viewer, blogTarget), blogTargetRevisions(db, viewer, blogTarget)]) : [undefined, []];
      // A post's earlier versions, or a blog comment's (an item names one target or the other).
      const earlier: { revision: number; bodyHtml: string; createdAt: Date; editorHandle: string }[] = post ? revisions : blogRevisions;
      // A decision of 'restore' is its own record; a post brought back after another decision is said apart.
      const broughtBack = restored && item.decision !== 'restore' ? restored : null;
      return {
        item,
        flags: itemFlags,
        subject,
        post,
        blog: blog ?? null,
        context,
        revisions: earlier,
        sanctions: sanctionHistory,
        history,
        authorFlags,
        decidedBy: decidedBy?.handle ?? null,
        restored: broughtBack,
      };
    },

    /**
     * Decides an item, in one transaction with its effects and its log lines. A second moderator
     * deciding the same item gets a Conflict naming what was decided; nothing is applied twice.
     */
    async decide(viewer: MemberViewer, itemId: number, input: DecisionInput): Promise<{ decision: Decision }> {
      return db.transaction(async (tx) => {
        const item = await requireModeratedItem(tx, viewer, itemId, true);
        if (item.status !== 'open') {
          const by = await q.findDecider(tx, viewer, item.id);
          throw new Conflict(`This item was already decided${by ? ` by @${by.handle}` : ''}: ${item.decision ?? 'closed'}. Nothing was changed.`);
        }
        if (item.excludedModeratorId === viewer.id) throw new Forbidden('This is an appeal of your own decision: another moderator decides it.');
        const allowed: readonly string[] = DECISIONS[item.kind];
        if (!allowed.includes(input.decision)) throw new Invalid(`“${input.decision}” is not a decision for this kind of item.`);
        const needsReason = ['hide', 'delete', 'reject', 'keep_hidden'].includes(input.decision);
        const reason = cleanNote(input.reason, 'reason', needsReason ? 'Give the author a reason; they will see it.' : null);
        const post = item.postId !== null ? await statements.findPostForModeration(tx, viewer, item.postId) : undefined;
        if (item.postId !== null && !post) throw new NotFound();
        const log = (action: string, detail: Record<string, string | number | boolean | null> = {}) =>
          q.insertLog(tx, { actorId: viewer.id, action, postId: item.postId, subjectId: item.subjectId, spaceId: item.spaceId, itemId: item.id, reason, detail });

        let revision = post?.revision ?? null;
        // Who flagged the item and what their flags came to, for their notifications.
        let flagged: { flaggerIds: string[]; verdict: 'agreed' | 'disagreed' | 'dismissed' } | undefined;
        const blogTarget = blogTargetOf(item);
        if (blogTarget) {
          await decideBlogItem(tx, viewer, item, blogTarget, input.decision, reason);
          // A comment held until now reaches its readers, as a held post does: the entry's author and earlier commenters.
          if (item.kind === 'held_post' && input.decision === 'approve' && 'commentId' in blogTarget) await notifier.commentApproved(tx, blogTarget.commentId);
        } else if (item.kind === 'registration') {
          if (input.decision === 'approve') await q.setApprovalPending(tx, item.subjectId, false);
          else {
            await q.setApprovalPending(tx, item.subjectId, false);
            await q.setMemberStatus(tx, item.subjectId, { status: 'suspended', statusUntil: null, statusReason: `Registration not approved: ${reason}` });
          }
          await log(input.decision === 'approve' ? 'approve_registration' : 'reject_registration');
        } else switch (input.decision) {
          case 'keep':
          case 'dismiss': {
            const verdict = input.decision === 'keep' ? 'disagreed' : 'dismissed';
            const flaggers = await q.resolveFlags(tx, item.id, verdict);
            flagged = { flaggerIds: flaggers.map((f) => f.flaggerId), verdict };
            if (verdict === 'disagreed') await q.recordFlagOutcomes(tx, flaggers.map((f) => f.flaggerId), false);
            if (post && post.status === 'hidden' && item.autoHidden) await q.setPostState(tx, post.id, 'published', '');
            await log(input.decision);
            break;
          }
          case 'edit_keep': {
            if (!post) throw new Invalid('Only a post can be edited.');
            const fields: Record<string, string> = {};
            const body = cleanBody(input.body ?? '', fields, 'A post cannot be empty. To take it down, choose Hide or Delete instead.');
            if (fields.body) throw new Invalid(fields.body, fields);
            const saved = await q.updatePostBodyByModerator(tx, post, viewer.id, { bodySource: body, bodyHtml: renderMarkdown(body), renderVersion: CONTENT_PIPELINE_VERSION });
            if (!saved) throw new Conflict('The author changed the post while you were editing it. Reload the item and try again.');
            revision = post.revision + 1;
            const flaggers = await q.resolveFlags(tx, item.id, 'agreed');
            flagged = { flaggerIds: flaggers.map((f) => f.flaggerId), verdict: 'agreed' };
            await q.recordFlagOutcomes(tx, flaggers.map((f) => f.flaggerId), true);
            if (post.status === 'hidden') await q.setPostState(tx, post.id, 'published', '');
            await log('edit');
            break;
          }
          case 'hide':
          case 'keep_hidden': {
            if (!post) throw new Invalid('Only a post can be hidden.');
            const flaggers = await q.resolveFlags(tx, item.id, 'agreed');
            flagged = { flaggerIds: flaggers.map((f) => f.flaggerId), verdict: 'agreed' };
            await q.recordFlagOutcomes(tx, flaggers.map((f) => f.flaggerId), true);
            await q.setPostState(tx, post.id, 'hidden', hiddenNote(reason));
            await log('hide');
            break;
          }
          case 'delete':
          case 'reject': {
            if (!post) throw new Invalid('Only a post can be deleted.');
            const flaggers = await q.resolveFlags(tx, item.id, 'agreed');
            flagged = { flaggerIds: flaggers.map((f) => f.flaggerId), verdict: 'agreed' };
            await q.recordFlagOutcomes(tx, flaggers.map((f) => f.flaggerId), true);
            await q.removePostByModerator(tx, post.id);
            await log(input.decision);
            break;
          }
          case 'approve':
          case 'restore': {
            if (!post) throw new Invalid('Only a post can be approved.');
            await q.setPostState(tx, post.id, 'published', '');
            if (post.status === 'held' && post.number > 1) await q.recordApprovedReply(tx, post);
            await log(input.decision);
            await refreshTrust(tx, post.authorId);
            // A post held until now reaches its readers: the replies, mentions and watchers it concerns.
            if (item.kind === 'held_post') await notifier.postApproved(tx, post.id);
            break;
          }
        }
        if (!(await q.decideItem(tx, item.id, { decision: input.decision, decisionReason: reason, decidedById: viewer.id, targetRevision: revision }))) {
          throw new Conflict('This item was decided by someone else a moment ago. Nothing was changed.');
        }
        if (input.sanction) await applySanction(tx, viewer, item.subjectId, input.sanction, item.id, item.spaceId);
        await notifyOutcome(tx, viewer, item, post, input.decision, flagged);
        return { decision: input.decision };
      });
    },

    /**
     * Bulk action for obvious spam: removes every post by the member in places this moderator
     * moderates, closes their open items, and suspends the account — one transaction.
     */
    /**
     * Brings back a post an item's decision left hidden: a moderator changing their mind, or a
     * second look by another. The item stays decided; the restore has its own log line with its
     * reason, and the author hears of it.
     */
    async restoreHidden(viewer: MemberViewer, itemId: number, rawReason: string): Promise<void> {
      await db.transaction(async (tx) => {
        const item = await requireModeratedItem(tx, viewer, itemId, true);
        if (item.status === 'open') throw new Conflict('This item is still open: decide it instead. Nothing was changed.');
        if (item.postId === null) throw new Invalid('Only a post can be brought back from here.');
        const post = await statements.findPostForModeration(tx, viewer, item.postId);
        if (!post || post.deletedAt) throw new NotFound('That post was removed.');
        if (post.status !== 'hidden') throw new Conflict('The post is not hidden any more. Nothing was changed.');
        const reason = cleanNote(rawReason, 'restoreReason', 'Say why it comes back; its author sees it.');
        await q.setPostState(tx, post.id, 'published', '');
        await q.insertLog(tx, { actorId: viewer.id, action: 'restore', postId: post.id, subjectId: item.subjectId, spaceId: item.spaceId, itemId: item.id, reason });
        await notifier.moderatedContent(tx, { recipientId: post.authorId, actorId: viewer.id, reviewItemId: item.id, outcome: 'restore', threadId: post.threadId, postId: post.id });
      });
    },

    /** The newest review item about a post that this viewer may open (a hidden post's way to its item). */
    async latestItemForPost(viewer: MemberViewer, postId: number): Promise<number> {
      // Newest first; the post's items are about its author, so its author-moderator opens none.
      for (const { id } of await q.listItemsForPost(db, viewer, postId)) if (await q.findVisibleItem(db, viewer, id)) return id;
      throw new NotFound();
    },

    async purgeSpammer(viewer: MemberViewer, handle: string, reason: string): Promise<{ removed: number }> {
      authorize(viewer, { kind: 'user.sanction' });
      const member = await q.findMemberByHandle(db, handle);
      if (!member) throw new NotFound();
      if (member.role !== 'member') throw new Forbidden('Moderators and admins cannot be purged as spammers.');
      const why = cleanNote(reason, 'reason', 'Give a reason; it goes in the log.');
      return db.transaction(async (tx) => {
        const live = await q.listLivePostIdsByAuthor(tx, viewer, member.id);
        for (const { id } of live) await q.removePostByModerator(tx, id);
        await q.closeOpenItemsAbout(tx, viewer, member.id, viewer.id, why);
        await q.insertLog(tx, { actorId: viewer.id, action: 'purge', subjectId: member.id, reason: why, detail: { removed: live.length } });
        await applySanction(tx, viewer, member.id, { kind: 'suspend', reason: why }, null, null);
        return { removed: live.length };
      });
    },

    /** The author edited a hidden post and asks for it back. Needs a newer revision than the one judged. */
    async requestReview(viewer: MemberViewer, postId: number, rawNote: string): Promise<void> {
      const post = await statements.findPostForModeration(db, viewer, postId);
      if (!post || post.authorId !== viewer.id || post.deletedAt) throw new NotFound();
      if (post.status !== 'hidden') throw new Invalid('Only a hidden post can be sent for another review.');
      const note = cleanNote(rawNote, 'note', null);
      const items = await q.listItemsForPost(db, viewer, postId);
      if (items.some((i) => i.status === 'open')) throw new Conflict('Your post is already waiting for a moderator.');
      const judged = items.find((i) => i.targetRevision !== null);
      if (judged && judged.targetRevision !== null && post.revision <= judged.targetRevision) {
        throw new Invalid('Edit the post first: another review looks at a changed version.');
      }
      await db.transaction(async (tx) => {
        const item = await statements.openItemForPost(tx, { kind: 'review_request', postId, subjectId: viewer.id, spaceId: post.spaceId, authorNote: note });
        await q.insertLog(tx, { actorId: viewer.id, action: 'review_request', postId, subjectId: viewer.id, spaceId: post.spaceId, itemId: item.id, reason: note });
      });
    },

    /** The author's one appeal of a moderator's decision, decided by a different moderator. */
    async appeal(viewer: MemberViewer, postId: number, rawNote: string): Promise<void> {
      const post = await statements.findPostForModeration(db, viewer, postId);
      if (!post || post.authorId !== viewer.id || post.deletedAt) throw new NotFound();
      if (post.status !== 'hidden') throw new Invalid('Only a hidden post can be appealed.');
      const note = cleanNote(rawNote, 'note', 'Say why the decision should change; a different moderator will read it.');
      const items = await q.listItemsForPost(db, viewer, postId);
      if (items.some((i) => i.kind === 'appeal')) throw new Conflict('You have already appealed this decision; an appeal can be made once.');
      if (items.some((i) => i.status === 'open')) throw new Conflict('Your post is already waiting for a moderator.');
      const decided = items.find((i) => i.status === 'decided' && i.decidedById !== null);
      if (!decided) throw new Invalid('There is no moderator decision to appeal yet: the post is waiting for its first review.');
      await db.transaction(async (tx) => {
        const item = await statements.openItemForPost(tx, { kind: 'appeal', postId, subjectId: viewer.id, spaceId: post.spaceId, authorNote: note, excludedModeratorId: decided.decidedById });
        await q.insertLog(tx, { actorId: viewer.id, action: 'appeal', postId, subjectId: viewer.id, spaceId: post.spaceId, itemId: item.id, reason: note });
      });
    },

    /** Sanctions a member directly (from their profile), outside the queue. */
    async sanction(viewer: MemberViewer, handle: string, input: SanctionInput): Promise<void> {
      const member = await q.findMemberByHandle(db, handle);
      if (!member) throw new NotFound();
      if (member.role !== 'member') throw new Forbidden('Moderators and admins are not sanctioned from here; change their role first.');
      await db.transaction((tx) => applySanction(tx, viewer, member.id, input, null, null));
    },

    async liftSanction(viewer: MemberViewer, handle: string, rawReason: string): Promise<void> {
      authorize(viewer, { kind: 'user.sanction' });
      const member = await q.findMemberByHandle(db, handle);
      if (!member) throw new NotFound();
      if (member.status === 'active') throw new Invalid('This member is not silenced or suspended.');
      const reason = cleanNote(rawReason, 'reason', null);
      await db.transaction(async (tx) => {
        await q.setMemberStatus(tx, member.id, { status: 'active', statusUntil: null, statusReason: '' });
        await q.insertLog(tx, { actorId: viewer.id, action: 'lift', subjectId: member.id, reason });
      });
    },

    /** A member's standing as moderators see it. */
    async memberRecord(viewer: MemberViewer, handle: string) {
      authorize(viewer, { kind: 'user.sanction' });
      const member = await q.findMemberByHandle(db, handle);
      if (!member) throw new NotFound();
      return { member, sanctions: await q.listSanctions(db, member.id, 20) };
    },

    /** What moderation says to me: my held and hidden posts, my sanctions. */
    async mine(viewer: MemberViewer) {
      const [postsUnderReview, ownSanctions, me] = await Promise.all([
        q.listOwnPostsUnderModeration(db, viewer),
        q.listSanctions(db, viewer.id, 20),
        q.findMemberById(db, viewer.id),
      ]);
      return { posts: postsUnderReview, sanctions: ownSanctions, status: me?.status ?? 'active', statusUntil: me?.statusUntil ?? null, statusReason: me?.statusReason ?? '' };
    },

    log: (viewer: MemberViewer, filter: Omit<q.LogFilter, 'limit'>) => q.listLog(db, viewer, { ...filter, limit: 50 }),

    /** The public transparency page: what moderators did to public content, and why. */
    async publicLog(filter: { before?: number }) {
      const settings = await readSettings();
      const rows = await q.listPublicLog(db, ANONYMOUS, { ...filter, limit: 50 });
      return rows.map((row) => ({ ...row, actorHandle: settings.nameModeratorsPublicly ? row.actorHandle : null }));
    },
  };
}
