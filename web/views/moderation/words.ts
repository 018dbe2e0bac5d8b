import { FLAG_REASON_LABELS, FLAG_REASONS, type Decision, type FlagReason } from '../../../server/moderation/service.ts';

/*
 * The words moderation pages use for the service's codes: one place, so the queue, the item, the
 * log and the author's pages say the same thing.
 */

export { FLAG_REASONS, FLAG_REASON_LABELS };

export const KIND_LABELS = {
  flagged: 'Flagged',
  held_post: 'Held post',
  review_request: 'Review request',
  appeal: 'Appeal',
  registration: 'Registration',
} as const;
export type ItemKind = keyof typeof KIND_LABELS;
export const ITEM_KINDS = Object.keys(KIND_LABELS) as ItemKind[];

export const DECISION_LABELS: Record<Decision, { label: string; hint: string }> = {
  keep: { label: 'Keep', hint: 'Nothing wrong: the post stays (or comes back) and the flags are declined.' },
  hide: { label: 'Hide', hint: 'Members stop seeing it; the author sees your reason and may edit, ask again or appeal.' },
  delete: { label: 'Delete', hint: 'Removed for good; a tombstone says a moderator removed it.' },
  dismiss: { label: 'Dismiss', hint: 'Close the flags without judging the post (duplicates, mistakes).' },
  edit_keep: { label: 'Edit and keep', hint: 'Fix the text yourself (below) and keep the post; the flags are upheld.' },
  approve: { label: 'Approve', hint: 'Publish the held post.' },
  reject: { label: 'Reject', hint: 'Do not publish it; the author sees your reason.' },
  restore: { label: 'Restore', hint: 'Publish the post again.' },
  keep_hidden: { label: 'Keep hidden', hint: 'It stays hidden; the author sees your reason.' },
};

/** What a decision does to a new account waiting for approval, where that differs from a post. */
const REGISTRATION_HINTS: Partial<Record<Decision, string>> = {
  approve: 'Let the new account take part.',
  reject: 'Refuse the account; the person is told your reason.',
};

export function decisionHint(kind: string, decision: Decision): string {
  return (kind === 'registration' ? REGISTRATION_HINTS[decision] : undefined) ?? DECISION_LABELS[decision].hint;
}

/** Decisions the author is told the reason for, so a reason is required. */
export const NEEDS_REASON: readonly string[] = ['hide', 'delete', 'reject', 'keep_hidden'];

export const LOG_ACTIONS: Record<string, string> = {
  auto_hide: 'Hidden automatically',
  hold: 'Held for approval',
  keep: 'Kept',
  dismiss: 'Flags dismissed',
  edit: 'Edited by a moderator',
  hide: 'Hidden',
  delete: 'Deleted',
  reject: 'Rejected',
  approve: 'Approved',
  restore: 'Restored',
  review_request: 'Review requested',
  appeal: 'Appealed',
  warn: 'Warning',
  silence: 'Silenced',
  suspend: 'Suspended',
  lift: 'Sanction lifted',
  pin: 'Thread pinned',
  unpin: 'Thread unpinned',
  lock: 'Thread locked',
  unlock: 'Thread unlocked',
  purge: 'Spam purged',
  settings: 'Settings changed',
  hold_registration: 'Registration held for approval',
  approve_registration: 'Registration approved',
  reject_registration: 'Registration refused',
};

export const actionLabel = (action: string) => LOG_ACTIONS[action] ?? action;

export const SANCTION_LABELS = { warn: 'Warning', silence: 'Silenced', suspend: 'Suspended' } as const;

export function reasonLabel(reason: string): string {
  return (FLAG_REASON_LABELS as Record<string, string>)[reason] ?? reason;
}

export function isFlagReason(value: string | undefined): value is FlagReason {
  return value !== undefined && (FLAG_REASONS as readonly string[]).includes(value);
}

/** A flag score or weight, to two decimals at most (weights are fractions of one). */
export const formatScore = (n: number) => String(Math.round(n * 100) / 100);
