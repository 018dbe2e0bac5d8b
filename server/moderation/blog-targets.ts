import type { Executor } from '../../db/client.ts';
import * as blogs from '../blogs/queries.ts';
import { entryUrl } from '../blogs/presenters.ts';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import type { MemberViewer, Viewer } from '../policy/index.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { SettingsSource } from './admission.ts';
import { autoHideReason } from './notes.ts';
import * as q from './queries.ts';
import { flagWeight } from './trust.ts';

/*
 * Blog entries and comments in the moderation queue: the same review items, flags and log as
 * posts, with `entry_id` or `comment_id` as the target. Kept apart from the post paths so the
 * forum's moderation stays as it was; service.ts calls in here for items with a blog target.
 */

export type BlogTarget = { entryId: number } | { commentId: number };

const AUTO_HIDDEN_NOTE = 'Members flagged this, so it is hidden until a moderator reviews it. A moderator will look at it soon.';

function hiddenNote(reason: string): string {
  return `A moderator hid this: ${reason}`;
}

/** A held entry or comment goes into its place's queue and the log, in the transaction that wrote it. */
export async function queueHeldBlogTarget(db: Executor, held: BlogTarget & { authorId: string; spaceId: number | null; note: string }): Promise<void> {
  const target: BlogTarget = 'entryId' in held ? { entryId: held.entryId } : { commentId: held.commentId };
  const item = await q.openItemForBlogTarget(db, { kind: 'held_post', target, subjectId: held.authorId, spaceId: held.spaceId });
  await q.insertLog(db, { actorId: null, action: 'hold', ...target, subjectId: held.authorId, spaceId: held.spaceId, itemId: item.id, reason: held.note });
}

/** What moderation needs of a target the viewer can see; undefined when they cannot. */
async function findTarget(db: Executor, viewer: Viewer, target: BlogTarget) {
  if ('entryId' in target) {
    const entry = await blogs.findEntryForModeration(db, viewer, target.entryId);
    return entry && { authorId: entry.authorId, status: entry.moderationStatus, spaceId: entry.visibility === 'space' ? entry.spaceId : null, moderates: entry.moderates };
  }
  const comment = await blogs.findCommentForModeration(db, viewer, target.commentId);
  return comment && { authorId: comment.authorId, status: comment.status, spaceId: comment.visibility === 'space' ? comment.spaceId : null, moderates: comment.moderates };
}

async function setState(db: Executor, target: BlogTarget, status: 'published' | 'hidden', note: string): Promise<void> {
  if ('entryId' in target) await blogs.setEntryModeration(db, target.entryId, status, note);
  else await blogs.setCommentModeration(db, target.commentId, status, note);
}

/** A member flags an entry or comment they can read; past the site's threshold it is hidden at once. */
export async function flagBlogTarget(
  db: Executor,
  readSettings: SettingsSource,
  viewer: MemberViewer,
  target: BlogTarget,
  input: { reason: 'spam' | 'abusive' | 'off_topic' | 'misinformation' | 'confidentiality' | 'other'; note: string },
): Promise<{ flagId: number; hidden: boolean }> {
  const found = await findTarget(db, viewer, target);
  if (!found) throw new NotFound('That cannot be flagged.');
  if (found.authorId === viewer.id) throw new Invalid('You cannot flag what you wrote. Edit or delete it instead.');
  const statements = q.moderationStatements(db);
  const settings = await readSettings();
  const facts = await statements.findFlaggerFacts(db, viewer.id);
  const weight = flagWeight(
    { trustLevel: facts?.trustLevel ?? 0, flagsAgreed: facts?.flagsAgreed ?? 0, flagsDisagreed: facts?.flagsDisagreed ?? 0, moderates: found.moderates },
    settings.autoHideScore,
  );
  try {
    return await db.transaction(async (tx) => {
      const opened = await q.openItemForBlogTarget(tx, { kind: 'flagged', target, subjectId: found.authorId, spaceId: found.spaceId });
      const flag = await statements.insertFlag(tx, { itemId: opened.id, ...target, subjectId: found.authorId, flaggerId: viewer.id, reason: input.reason, note: input.note, weight });
      const item = await statements.addToItemScore(tx, opened.id, weight, 1);
      let hidden = false;
      if (weight > 0 && item.score >= settings.autoHideScore && found.status === 'published' && !item.autoHidden) {
        await setState(tx, target, 'hidden', AUTO_HIDDEN_NOTE);
        await q.markAutoHidden(tx, item.id);
        await q.insertLog(tx, { actorId: null, action: 'auto_hide', ...target, subjectId: found.authorId, spaceId: found.spaceId, itemId: item.id, reason: autoHideReason(item.score, settings.autoHideScore) });
        hidden = true;
      }
      return { flagId: flag.id, hidden };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict('You have already flagged this.');
    throw error;
  }
}

/** What the item page shows of a blog target: its text as readers see it, and where it lives. */
export async function blogTargetDetail(db: Executor, viewer: Viewer, target: BlogTarget) {
  if ('entryId' in target) {
    const entry = await blogs.findEntryForModeration(db, viewer, target.entryId);
    return entry && { kind: 'entry' as const, title: entry.title, bodyHtml: entry.bodyHtml, status: entry.moderationStatus, url: entryUrl(entry.authorHandle, entry.slug), editedAt: null };
  }
  const comment = await blogs.findCommentForModeration(db, viewer, target.commentId);
  return (
    comment && {
      kind: 'comment' as const,
      title: comment.entryTitle,
      bodyHtml: comment.bodyHtml,
      status: comment.status,
      url: `${entryUrl(comment.entryAuthorHandle, comment.entrySlug)}#c${comment.id}`,
      editedAt: comment.editedAt,
    }
  );
}

/**
 * The earlier versions of a blog comment under review, newest first, read through the comment's
 * own visibility (as `listPostRevisions` reads a post's through `postVisible`): a comment edited
 * after it was flagged still shows its moderators what was flagged. Entries keep theirs in the editor.
 */
export async function blogTargetRevisions(db: Executor, viewer: Viewer, target: BlogTarget) {
  if (!('commentId' in target)) return [];
  return blogs.listCommentRevisions(db, viewer, target.commentId);
}

/** Blog entries and comments are not edited by moderators here: every other decision applies. */
export function decisionsForTarget<D extends string>(decisions: readonly D[], item: { entryId: number | null; commentId: number | null }): readonly D[] {
  return item.entryId !== null || item.commentId !== null ? decisions.filter((d) => d !== 'edit_keep') : decisions;
}

export function blogTargetOf(item: { entryId: number | null; commentId: number | null }): BlogTarget | undefined {
  if (item.entryId !== null) return { entryId: item.entryId };
  if (item.commentId !== null) return { commentId: item.commentId };
  return undefined;
}

/** Puts back what flags hid automatically, when every flag was withdrawn. */
export async function restoreAutoHidden(db: Executor, target: BlogTarget): Promise<void> {
  await setState(db, target, 'published', '');
}

/**
 * Applies a decision on an item about an entry or comment, inside the decision's transaction
 * (service.ts closes the item and applies any sanction after).
 */
export async function decideBlogItem(
  tx: Executor,
  viewer: MemberViewer,
  item: { id: number; subjectId: string; spaceId: number | null; autoHidden: boolean },
  target: BlogTarget,
  decision: string,
  reason: string,
): Promise<void> {
  const log = (action: string) => q.insertLog(tx, { actorId: viewer.id, action, ...target, subjectId: item.subjectId, spaceId: item.spaceId, itemId: item.id, reason });
  const found = await findTarget(tx, viewer, target);
  if (!found) {
    // Its author deleted it (or took it back to a draft) while it waited: nothing is left to act
    // on, so whatever was decided, the flags are closed without a verdict and the item with them.
    if (!(await blogs.blogTargetExists(tx, target))) throw new NotFound();
    await q.resolveFlags(tx, item.id, 'dismissed');
    await log('dismiss');
    return;
  }
  switch (decision) {
    case 'keep':
    case 'dismiss': {
      const verdict = decision === 'keep' ? 'disagreed' : 'dismissed';
      const flaggers = await q.resolveFlags(tx, item.id, verdict);
      if (verdict === 'disagreed') await q.recordFlagOutcomes(tx, flaggers.map((f) => f.flaggerId), false);
      if (found.status === 'hidden' && item.autoHidden) await setState(tx, target, 'published', '');
      await log(decision);
      return;
    }
    case 'hide':
    case 'keep_hidden': {
      const flaggers = await q.resolveFlags(tx, item.id, 'agreed');
      await q.recordFlagOutcomes(tx, flaggers.map((f) => f.flaggerId), true);
      await setState(tx, target, 'hidden', hiddenNote(reason));
      await log('hide');
      return;
    }
    case 'delete':
    case 'reject': {
      const flaggers = await q.resolveFlags(tx, item.id, 'agreed');
      await q.recordFlagOutcomes(tx, flaggers.map((f) => f.flaggerId), true);
      if ('entryId' in target) await blogs.softDeleteEntry(tx, target.entryId);
      else await blogs.softDeleteComment(tx, target.commentId);
      await log(decision);
      return;
    }
    case 'approve':
    case 'restore':
      await setState(tx, target, 'published', '');
      await log(decision);
      return;
    default:
      throw new Invalid('Blog entries and comments are kept, hidden, deleted, dismissed or approved here; edit them from the author’s side.');
  }
}
