import { describe, expect, test } from 'vitest';
import { slugFrom } from '../../server/text/slug.ts';

describe('slugFrom', () => {
  test('a title becomes lower-case words joined by hyphens, transliterated', () => {
    expect(slugFrom('Awake prone positioning — still worth it?')).toBe('awake-prone-positioning-still-worth-it');
    expect(slugFrom('Sepsis in Zürich')).toBe('sepsis-in-zuerich');
  });

  test('a long title ends at a whole word within 60 characters', () => {
    const slug = slugFrom('Nurse-led 10 a.m. discharge target: what happened to our readmissions and bed days');
    expect(slug.length).toBeLessThanOrEqual(60);
    expect(slug).toBe('nurse-led-10-a-m-discharge-target-what-happened-to-our');
    // Cut exactly at a word's end, nothing is dropped.
    expect(slugFrom(`${'a'.repeat(29)} ${'b'.repeat(30)} more`)).toBe(`${'a'.repeat(29)}-${'b'.repeat(30)}`);
  });

  test('one word longer than the limit is cut inside it; nothing usable gives the fallback', () => {
    expect(slugFrom('x'.repeat(80))).toBe('x'.repeat(60));
    expect(slugFrom('!!!')).toBe('topic');
    expect(slugFrom('', 'space')).toBe('space');
  });
});
