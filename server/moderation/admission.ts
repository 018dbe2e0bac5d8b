import type { Executor } from '../../db/client.ts';
import type { MemberCache } from '../events/member-cache.ts';
import { Invalid, TooManyRequests } from '../errors.ts';
import type { MemberViewer } from '../policy/index.ts';
import { newcomerHeldNote } from './notes.ts';
import { refreshTrust } from './promotion.ts';
import * as q from './queries.ts';
import { MODERATION_SETTINGS_KEY, parseModerationSettings, type ModerationSettings, type WatchedWord } from './settings.ts';

/*
 * Admission: what happens to a new post before it is written. Rate limits and duplicates refuse it
 * (the form keeps the text); watched words block, hold or rewrite it; a newcomer's first posts are
 * held for approval. Everything is counted from the database, so limits hold across processes.
 */

export interface Admission {
  status: 'published' | 'held';
  body: string;
  /** Why a held post waits, in words for its author. */
  note: string;
}

export async function loadModerationSettings(db: Executor): Promise<ModerationSettings> {
  return parseModerationSettings(await q.readSetting(db, MODERATION_SETTINGS_KEY));
}

/** Announced by the database when the settings are written; also their key among what is remembered. */
export const SETTINGS_CHANGED = `setting:${MODERATION_SETTINGS_KEY}`;

/** The moderation settings as a post, a reply or a flag reads them. */
export type SettingsSource = () => Promise<ModerationSettings>;

/**
 * The settings as this process last read them, until it hears that they were written
 * (`setting:moderation`, migration 0018): every post, reply and flag read them, one of a reply's ten
 * round trips. The administrator's own process has heard the change before their save is answered
 * (writes-heard); another process obeys it within milliseconds. The value is shared: never changed.
 */
export function rememberedSettings(db: Executor, remembered: MemberCache): SettingsSource {
  return () => remembered.remember(SETTINGS_CHANGED, () => loadModerationSettings(db), (value) => ({ value, until: SETTINGS_CHANGED }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A watched word matches as a whole word (or phrase), ignoring case. */
export function watchedWordPattern(word: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(word.trim())}(?![\\p{L}\\p{N}_])`, 'giu');
}

export function applyWatchedWords(body: string, words: WatchedWord[]): { body: string; blocked: string[]; held: string[] } {
  const blocked: string[] = [];
  const held: string[] = [];
  let text = body;
  for (const entry of words) {
    const pattern = watchedWordPattern(entry.word);
    if (!pattern.test(text)) continue;
    pattern.lastIndex = 0;
    if (entry.action === 'block') blocked.push(entry.word);
    else if (entry.action === 'hold') held.push(entry.word);
    else text = text.replace(pattern, entry.replacement);
  }
  return { body: text, blocked, held };
}

function countLinks(body: string): number {
  return (body.match(/https?:\/\/|\]\(/gi) ?? []).length;
}

function countMentions(body: string): number {
  return new Set(body.match(/(?:^|[^\w@/.])@[a-z0-9][a-z0-9_-]{2,29}\b/gi) ?? []).size;
}

/** A refusal of the text: the form shows it at the message field, the text kept. */
function refusal(message: string): Invalid {
  return new Invalid(message, { body: message });
}

function blockedWords(words: string[]): string {
  return `This site does not accept posts containing “${words.join('”, “')}”. Please rephrase.`;
}

function tooManyLinks(settings: ModerationSettings): string {
  return `New members can include up to ${settings.newMemberLinksPerPost} links in a post.`;
}

function tooManyMentions(settings: ModerationSettings): string {
  return `New members can mention up to ${settings.newMemberMentionsPerPost} people in a post.`;
}

function seconds(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.ceil(s / 60)} min`;
}

/**
 * Decides a new post's fate. `moderates`: the author moderates the place (never held or limited
 * by the newcomer rules there). Throws `Invalid` or `TooManyRequests` with a message for the author.
 * Its reads run on `tx`, the database or the post's transaction, with statements built for `db`.
 */
export async function admitPost(
  db: Executor,
  tx: Executor,
  settings: ModerationSettings,
  viewer: MemberViewer,
  input: { body: string; moderates: boolean },
): Promise<Admission> {
  const staff = input.moderates || viewer.role !== 'member';
  // A newcomer may have earned level 1 since their session began: look before treating them as new.
  const newcomer = viewer.trustLevel === 0 && !staff && (await refreshTrust(tx, viewer.id)) === 0;

  if (!staff) {
    const limit = newcomer ? settings.newMemberPostsPerHour : settings.memberPostsPerHour;
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    const window = settings.duplicateWindowMinutes * 60_000;
    // One statement for both checks; the limit is still reported before a duplicate.
    const { limitReachedAt, duplicateOf } = await q.findOwnRecentPosting(db, tx, viewer.id, {
      since: hourAgo,
      nth: limit,
      bodySource: input.body,
      duplicateSince: window > 0 ? new Date(Date.now() - window) : null,
    });
    if (limitReachedAt) {
      const freesAt = limitReachedAt.getTime() + 60 * 60_000;
      throw new TooManyRequests(
        `You have posted ${limit} times in the last hour${newcomer ? ', the limit for new members' : ''}. You can post again in ${seconds(freesAt - Date.now())}.`,
      );
    }
    if (duplicateOf !== null) {
      throw new Invalid(
        'You posted exactly this text a few minutes ago. Edit the earlier post instead, or change this one.',
        { body: 'The same text was already posted.' },
        // Their own post: the permalink still asks the policy, in case they have lost the space since.
        { href: `/p/${duplicateOf}`, label: 'Open your earlier post' },
      );
    }
  }
  if (newcomer) {
    if (countLinks(input.body) > settings.newMemberLinksPerPost) {
      throw refusal(tooManyLinks(settings));
    }
    if (countMentions(input.body) > settings.newMemberMentionsPerPost) {
      throw refusal(tooManyMentions(settings));
    }
  }

  const watched = staff ? { body: input.body, blocked: [], held: [] } : applyWatchedWords(input.body, settings.watchedWords);
  if (watched.blocked.length > 0) {
    throw refusal(blockedWords(watched.blocked));
  }
  if (watched.held.length > 0) {
    return { status: 'held', body: watched.body, note: 'Your post contains words this site reviews before publishing. A moderator will look at it soon.' };
  }
  if (newcomer && settings.holdFirstPosts > 0) {
    const own = await q.countOwnPosts(tx, viewer.id);
    if (own.published < settings.holdFirstPosts) {
      const earlierWaiting = own.published + own.held >= settings.holdFirstPosts;
      return { status: 'held', body: watched.body, note: newcomerHeldNote(settings.holdFirstPosts, earlierWaiting) };
    }
  }
  return { status: 'published', body: watched.body, note: '' };
}

/**
 * An edit of something already written (a post, a comment, a published entry): the same watched
 * words and new members' limits as a new post, so an edit cannot carry in what a post could not.
 * What the text already had is not held against it (a moderator approved it, or a rule came
 * later). A word the site holds for review cannot be held in an edit without taking from readers
 * what they already have, so a published text's edit is refused with a way on. Rate limits and
 * duplicates are for new posts. `moderates` is asked only when a rule would apply. Returns the
 * text to store (watched words' replacements made).
 */
export async function admitEdit(
  db: Executor,
  settings: ModerationSettings,
  viewer: MemberViewer,
  input: { body: string; before: string; published: boolean; moderates: () => Promise<boolean> },
): Promise<string> {
  if (viewer.role !== 'member') return input.body;
  const watched = applyWatchedWords(input.body, settings.watchedWords);
  const had = applyWatchedWords(input.before, settings.watchedWords);
  const blocked = watched.blocked.filter((word) => !had.blocked.includes(word));
  const held = input.published ? watched.held.filter((word) => !had.held.includes(word)) : [];
  const links = countLinks(input.body);
  const mentions = countMentions(input.body);
  const overLinks = links > settings.newMemberLinksPerPost && links > countLinks(input.before);
  const overMentions = mentions > settings.newMemberMentionsPerPost && mentions > countMentions(input.before);
  if (blocked.length === 0 && held.length === 0 && !overLinks && !overMentions && watched.body === input.body) return input.body;
  if (await input.moderates()) return input.body;
  if (blocked.length > 0) {
    throw refusal(blockedWords(blocked));
  }
  if (held.length > 0) {
    throw refusal(`Moderators review “${held.join('”, “')}” before readers see it, and edits are not reviewed. Rephrase it, or say it in a new post, which waits for a moderator.`);
  }
  if ((overLinks || overMentions) && viewer.trustLevel === 0 && (await refreshTrust(db, viewer.id)) === 0) {
    throw refusal(overLinks ? tooManyLinks(settings) : tooManyMentions(settings));
  }
  return watched.body;
}

/** Puts a held post in its space's queue and the log, in the transaction (`tx`) that wrote it. */
export async function queueHeldPost(db: Executor, tx: Executor, post: { id: number; authorId: string; spaceId: number; note: string }): Promise<void> {
  const item = await q.moderationStatements(db).openItemForPost(tx, { kind: 'held_post', postId: post.id, subjectId: post.authorId, spaceId: post.spaceId });
  await q.insertLog(tx, { actorId: null, action: 'hold', postId: post.id, subjectId: post.authorId, spaceId: post.spaceId, itemId: item.id, reason: post.note });
}

/** Puts a new account in the site's queue, in the transaction that created it. */
export async function queueRegistration(db: Executor, userId: string): Promise<void> {
  const item = await q.openItemForMember(db, 'registration', userId);
  await q.insertLog(db, { actorId: null, action: 'hold_registration', subjectId: userId, itemId: item.id, reason: 'The site holds new registrations for approval.' });
}
