/*
 * What a hidden post tells its author, stored on the post (posts.moderation_note). The views tell
 * an automatic hiding from a moderator's decision by this note: there is no decision to appeal yet.
 */

export function hiddenNote(reason: string): string {
  return `A moderator hid this post: ${reason} You can edit it and ask for another review, or appeal once to a different moderator.`;
}

export const AUTO_HIDDEN_NOTE =
  'Members flagged this post, so it is hidden until a moderator reviews it. You can edit it in the meantime; a moderator will look at it soon.';

/** The moderation log's reason for an automatic hiding (the public log shows it for public posts). */
export const autoHideReason = (score: number, threshold: number): string =>
  `Members' flags reached the score that hides it until a moderator reviews it (${score}; the threshold is ${threshold}).`;

/** "first post is" / "first 3 posts are": said before a newcomer writes and after. */
export const firstPosts = (count: number): string => (count === 1 ? 'first post is' : `first ${count} posts are`);

/**
 * Why a newcomer's post waits, stored with it. A post among their first `count` is checked as such;
 * one written while those still waited is held because they waited, and saying "first post" of it
 * would be wrong. Said in the past, as it stays true after the earlier posts are approved.
 */
export function newcomerHeldNote(count: number, earlierWaiting: boolean): string {
  return earlierWaiting
    ? `You wrote this while your ${count === 1 ? 'first post was' : `first ${count} posts were`} waiting for a moderator, so it waits too. A moderator will look at it soon.`
    : `Welcome! A new member’s ${firstPosts(count)} checked by a moderator before others see ${count === 1 ? 'it' : 'them'}. Yours is waiting for approval.`;
}
