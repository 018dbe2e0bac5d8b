import { describe, expect, test } from 'vitest';
import { quotedPosts, quotedThreadIds } from '../../server/forum/references.ts';
import { quoteMarkdown } from '../../server/forum/service.ts';

describe('a quote links back to the quoted post on its own page of the thread', () => {
  const quote = (number: number) => quoteMarkdown({ number, bodySource: 'Start at 0.1 mcg/kg/min.', author: { handle: 'ada' } }, 11, 'pressors');

  test('a post beyond the first page is linked with its page, so the link works without the script', () => {
    expect(quote(70)).toContain('[wrote](/t/11/pressors?page=3#p70)');
    expect(quote(30)).toContain('[wrote](/t/11/pressors#p30)');
    expect(quote(31)).toContain('[wrote](/t/11/pressors?page=2#p31)');
  });

  test('the quote is still recognised as one, with or without a page', () => {
    for (const number of [1, 70]) {
      const body = `${quote(number)}I agree.`;
      expect(quotedPosts(body)).toEqual([{ threadId: 11, number }]);
      expect(quotedThreadIds(body)).toEqual([11]);
    }
  });
});
