import { describe, expect, test } from 'vitest';
import { applyWatchedWords } from '../../server/moderation/admission.ts';
import { earnedTrustLevel, flagAccuracy, flagWeight } from '../../server/moderation/trust.ts';

const member = { trustLevel: 1, moderates: false, flagsAgreed: 0, flagsDisagreed: 0 };

describe('flag weight', () => {
  test('three members at trust level 1 with no record reach the default threshold of 3', () => {
    expect(3 * flagWeight(member, 3)).toBeCloseTo(3);
  });

  test('a moderator of the place reaches the threshold alone, whatever it is', () => {
    expect(flagWeight({ ...member, moderates: true }, 7)).toBe(7);
  });

  test('higher trust and a good record weigh more; a newcomer weighs half', () => {
    expect(flagWeight({ ...member, trustLevel: 0 }, 3)).toBeCloseTo(0.5);
    expect(flagWeight({ ...member, trustLevel: 2 }, 3)).toBeGreaterThan(flagWeight(member, 3));
    expect(flagWeight({ ...member, flagsAgreed: 20 }, 3)).toBeGreaterThan(flagWeight(member, 3));
  });

  test('a member whose flags are mostly rejected stops counting toward auto-hide', () => {
    expect(flagWeight({ ...member, flagsDisagreed: 8, flagsAgreed: 1 }, 3)).toBe(0);
    // Too few decisions to judge: still counts.
    expect(flagWeight({ ...member, flagsDisagreed: 3 }, 3)).toBeGreaterThan(0);
  });

  test('accuracy is smoothed: a first flag counts as half right', () => {
    expect(flagAccuracy({ flagsAgreed: 0, flagsDisagreed: 0 })).toBe(0.5);
  });
});

describe('earned trust', () => {
  const fresh = { trustLevel: 0, publishedPosts: 0, accountAgeDays: 0, daysVisited: 0, postsRead: 0, upheldFlagsAgainst: 0 };
  test('level 1 takes a day, two visits, and either a few posts or some reading', () => {
    expect(earnedTrustLevel({ ...fresh, publishedPosts: 3, daysVisited: 2, accountAgeDays: 0.5 })).toBe(0);
    expect(earnedTrustLevel({ ...fresh, publishedPosts: 3, daysVisited: 1, accountAgeDays: 2 })).toBe(0);
    expect(earnedTrustLevel({ ...fresh, publishedPosts: 3, daysVisited: 2, accountAgeDays: 2 })).toBe(1);
    // A reader who has not posted yet earns it too.
    expect(earnedTrustLevel({ ...fresh, postsRead: 30, daysVisited: 2, accountAgeDays: 2 })).toBe(1);
  });
  test('level 2 takes a month of steady reading, writing and visiting', () => {
    const steady = { ...fresh, publishedPosts: 10, postsRead: 200, daysVisited: 15, accountAgeDays: 31 };
    expect(earnedTrustLevel(steady)).toBe(2);
    expect(earnedTrustLevel({ ...steady, daysVisited: 14 })).toBe(1);
  });
  test('upheld flags against a member hold them back; earned levels never drop here', () => {
    expect(earnedTrustLevel({ ...fresh, publishedPosts: 10, postsRead: 100, daysVisited: 5, accountAgeDays: 10, upheldFlagsAgainst: 1 })).toBe(0);
    expect(earnedTrustLevel({ ...fresh, trustLevel: 3 })).toBe(3);
  });
});

describe('watched words', () => {
  const words = [
    { word: 'casino', action: 'block' as const, replacement: '' },
    { word: 'miracle cure', action: 'hold' as const, replacement: '' },
    { word: 'darn', action: 'replace' as const, replacement: 'd*rn' },
  ];
  test('match whole words and phrases in any case, never inside other words', () => {
    expect(applyWatchedWords('A CASINO night', words).blocked).toEqual(['casino']);
    expect(applyWatchedWords('Casinos and casinology', words).blocked).toEqual([]);
    expect(applyWatchedWords('This Miracle Cure works', words).held).toEqual(['miracle cure']);
    expect(applyWatchedWords('darn it, Darn! darned', words).body).toBe('d*rn it, d*rn! darned');
  });
  test('regular-expression characters in a word are taken literally', () => {
    expect(applyWatchedWords('costs $5.00 (c++)', [{ word: 'c++', action: 'block', replacement: '' }]).blocked).toEqual(['c++']);
    expect(applyWatchedWords('costs 5x00', [{ word: '5.00', action: 'block', replacement: '' }]).blocked).toEqual([]);
  });
});
