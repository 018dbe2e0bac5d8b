import { describe, expect, test } from 'vitest';
import { MARK_END, MARK_START } from '../../server/search/queries.ts';
import { segmentsOf } from '../../server/search/service.ts';

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
});
