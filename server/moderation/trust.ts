/*
 * Trust: how much a member's flags weigh, and when a newcomer stops being one.
 *
 * Trust levels: 0 new (pre-moderated and rate-limited when the site says so), 1 basic, 2 member,
 * 3 leader (granted by admins only). Levels 1 and 2 are earned from activity and lost by nothing
 * but a moderator's decision; moderators and admins weigh most whatever their level.
 */

export interface FlaggerFacts {
  trustLevel: number;
  /** Whether the flagger moderates the place the content is in. */
  moderates: boolean;
  flagsAgreed: number;
  flagsDisagreed: number;
}

/** Below this share of upheld flags (once there are enough to judge), a member's flags cannot hide anything by themselves. */
const POOR_ACCURACY = 0.3;
const DECIDED_FLAGS_TO_JUDGE = 5;

export function flagAccuracy(facts: Pick<FlaggerFacts, 'flagsAgreed' | 'flagsDisagreed'>): number {
  // Laplace smoothing: a newcomer's first flag counts as half right, not as perfect or worthless.
  return (facts.flagsAgreed + 1) / (facts.flagsAgreed + facts.flagsDisagreed + 2);
}

/**
 * A flag's weight toward auto-hiding. A moderator's flag reaches the threshold alone; three
 * members at trust level 1 with an unremarkable record reach the default threshold of 3.
 */
export function flagWeight(facts: FlaggerFacts, autoHideScore: number): number {
  if (facts.moderates) return autoHideScore;
  const decided = facts.flagsAgreed + facts.flagsDisagreed;
  const accuracy = flagAccuracy(facts);
  if (decided >= DECIDED_FLAGS_TO_JUDGE && accuracy < POOR_ACCURACY) return 0;
  const byTrust = [0.5, 1, 1.5, 2][Math.min(Math.max(facts.trustLevel, 0), 3)]!;
  // Accuracy scales between 0.5x (often wrong) and 1.5x (always right); a new flagger gets 1x.
  return Math.round(byTrust * (0.5 + accuracy) * 100) / 100;
}

export interface ActivityFacts {
  trustLevel: number;
  publishedPosts: number;
  accountAgeDays: number;
  daysVisited: number;
  postsRead: number;
  /** Flags against this member's content that moderators upheld in the last 90 days. */
  upheldFlagsAgainst: number;
}

/**
 * The level a member has earned; never lowers a level (only a moderator does that). Reading
 * counts as much as writing for level 1 — a quiet physician who reads for a week is no spammer.
 */
export function earnedTrustLevel(facts: ActivityFacts): number {
  let level = 0;
  const engaged = facts.publishedPosts >= 3 || facts.postsRead >= 30;
  if (engaged && facts.daysVisited >= 2 && facts.accountAgeDays >= 1 && facts.upheldFlagsAgainst === 0) level = 1;
  if (level === 1 && facts.publishedPosts >= 10 && facts.postsRead >= 200 && facts.daysVisited >= 15 && facts.accountAgeDays >= 30) level = 2;
  return Math.max(level, Math.min(facts.trustLevel, 3));
}
