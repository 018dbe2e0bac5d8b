import { describe, expect, test } from 'vitest';
import { MARK_END, MARK_START } from '../../server/search/queries.ts';
import { segmentsOf, snippetSegments } from '../../server/search/service.ts';

describe('snippet segments', () => {
  test('the words between the sentinels are highlighted, everything else is plain text', () => {
    expect(segmentsOf(`a <b>${MARK_START}word${MARK_END} & more`)).toEqual([
      { text: 'a <b>', highlighted: false },
      { text: 'word', highlighted: true },
      { text: ' & more', highlighted: false },
    ]);
  });

  test('spaces the headline put inside a mark stay outside it; a mark cut short ends at the text’s end', () => {
    expect(segmentsOf(`x${MARK_START} word ${MARK_END}y ${MARK_START}cut`)).toEqual([
      { text: 'x', highlighted: false },
      { text: ' ', highlighted: false },
      { text: 'word', highlighted: true },
      { text: ' ', highlighted: false },
      { text: 'y ', highlighted: false },
      { text: 'cut', highlighted: true },
    ]);
    expect(segmentsOf(null)).toEqual([]);
  });

  const text = (segments: { text: string }[]) => segments.map((s) => s.text).join('');
  const mark = (word: string) => `${MARK_START}${word}${MARK_END}`;

  test('a snippet from the middle of its text is marked as cut at both ends, one of the whole text at neither', () => {
    const source = `Opening words of a long post. Then the ${'middle '.repeat(5)}hinge sentence here. Closing words of it all.`;
    const cut = snippetSegments({ headline: `the middle middle ${mark('hinge')} sentence`, head: source, tail: source });
    expect(cut[0]).toEqual({ text: '… ', highlighted: false });
    expect(cut.at(-1)).toEqual({ text: ' …', highlighted: false });
    expect(snippetSegments({ headline: `Opening ${mark('words')} of a long post`, head: source, tail: source }).at(-1)).toEqual({ text: ' …', highlighted: false });
    const whole = 'It is <b>the</b> (okapi) round, at 8.';
    // ts_headline printed the tag as a space and left out "It is" and ", at 8.": put back, not cut.
    expect(text(snippetSegments({ headline: `the  (${mark('okapi')}) round`, head: whole, tail: whole }))).toBe('It is the  (okapi) round, at 8.');
  });

  test('a text cut before the headline was made never ends in the snippet; a fragment elsewhere is cut', () => {
    const body = 'Alpha beta gamma delta.';
    expect(text(snippetSegments({ headline: `Alpha beta ${mark('gamma')} delta`, head: body, tail: null }))).toBe('Alpha beta gamma delta …');
    const two = snippetSegments({ headline: `first ${mark('okapi')} words … last ${mark('okapi')} words`, head: 'Some first okapi words', tail: 'the last okapi words!' });
    expect(text(two)).toBe('… first okapi words … last okapi words!');
    // What a fragment itself shows before its first letter is not put back a second time.
    const quoted = '@priya wrote: close to ours, then more words.';
    expect(text(snippetSegments({ headline: `@priya wrote: ${mark('close')}`, head: quoted, tail: quoted }))).toBe('@priya wrote: close …');
    expect(snippetSegments(null)).toEqual([]);
  });

  test('a paragraph that ends without punctuation is set off from the next; lines within a paragraph read on', () => {
    // As the prose rules leave a list: each item marked, its end set off (" —"), the paragraph break kept.
    const list = 'Settings we start with:\n· PEEP 10\n· FiO2 0.6 —\n\nStart low, then titrate.\n\nWe saw it in\nthree patients.';
    const shown = snippetSegments({ headline: `Settings we start with:\n· PEEP 10\n· ${mark('FiO2')} 0.6 —\n\nStart low, then titrate.\n\nWe saw it in\nthree patients`, head: list, tail: list });
    expect(text(shown).replace(/\s+/g, ' ')).toBe('Settings we start with: · PEEP 10 · FiO2 0.6 — Start low, then titrate. We saw it in three patients.');
    expect(shown.find((s) => s.highlighted)).toEqual({ text: 'FiO2', highlighted: true });
    // The paragraph can end in the highlighted word.
    const marked = 'Ask for Dr Okafor\n\nShe knows.';
    expect(text(snippetSegments({ headline: `Ask for Dr ${mark('Okafor')}\n\nShe knows`, head: marked, tail: marked })).replace(/\s+/g, ' ')).toBe('Ask for Dr Okafor · She knows.');
  });
});
