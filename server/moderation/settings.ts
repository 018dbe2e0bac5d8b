import { Type, type Static } from '@fastify/type-provider-typebox';
import { Value } from 'typebox/value';

/*
 * Moderation settings an admin changes from /admin. Stored as one JSON document per key in
 * `site_settings`; anything missing or from an older shape falls back to the default here.
 */

export const WatchedWord = Type.Object({
  word: Type.String({ minLength: 1, maxLength: 100 }),
  /** block: refuse the post; hold: send it to the queue; replace: swap in `replacement`. */
  action: Type.Union([Type.Literal('block'), Type.Literal('hold'), Type.Literal('replace')]),
  replacement: Type.String({ maxLength: 100, default: '' }),
});
export type WatchedWord = Static<typeof WatchedWord>;

export const ModerationSettings = Type.Object({
  /** A new member's (trust level 0) first N posts wait for approval; 0 turns pre-moderation off. */
  holdFirstPosts: Type.Integer({ minimum: 0, maximum: 50, default: 0 }),
  /** New accounts wait for a site moderator's approval before they can sign in. */
  holdRegistrations: Type.Boolean({ default: false }),
  /** Flag weight at which content is hidden before review; a moderator's flag alone reaches it. */
  autoHideScore: Type.Number({ minimum: 1, maximum: 100, default: 3 }),
  /** Whether the public transparency page names the moderator who acted. */
  nameModeratorsPublicly: Type.Boolean({ default: false }),
  /** Posts per hour for trust level 0 (new members) and for everyone else. */
  newMemberPostsPerHour: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  memberPostsPerHour: Type.Integer({ minimum: 1, maximum: 10000, default: 120 }),
  /** Links and @mentions a new member may put in one post. */
  newMemberLinksPerPost: Type.Integer({ minimum: 0, maximum: 100, default: 2 }),
  newMemberMentionsPerPost: Type.Integer({ minimum: 0, maximum: 100, default: 2 }),
  /** The same text from the same member within this many minutes is refused as a duplicate (0: off). */
  duplicateWindowMinutes: Type.Integer({ minimum: 0, maximum: 10080, default: 5 }),
  watchedWords: Type.Array(WatchedWord, { maxItems: 500, default: [] }),
});
export type ModerationSettings = Static<typeof ModerationSettings>;

export const MODERATION_SETTINGS_KEY = 'moderation';

export const DEFAULT_MODERATION_SETTINGS: ModerationSettings = Value.Create(ModerationSettings);

/** Reads a stored document leniently: a field that is missing or no longer valid gets its default. */
export function parseModerationSettings(stored: unknown): ModerationSettings {
  const merged = { ...DEFAULT_MODERATION_SETTINGS, ...(typeof stored === 'object' && stored !== null ? stored : {}) };
  const result: Record<string, unknown> = {};
  for (const [key, fallback] of Object.entries(DEFAULT_MODERATION_SETTINGS)) {
    const value = (merged as Record<string, unknown>)[key];
    const schema = ModerationSettings.properties[key as keyof ModerationSettings];
    result[key] = Value.Check(schema, value) ? value : fallback;
  }
  return result as ModerationSettings;
}
