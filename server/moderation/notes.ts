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
