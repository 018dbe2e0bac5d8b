import { describe, expect, test } from 'vitest';
import { BLOG_LIMITS, cleanTags, isTag } from '../../server/blogs/rules.ts';

describe('cleanTags', () => {
  test('each tag keeps its writer’s spelling as its label, beside a lower-case slug for its address', () => {
    const fields: Record<string, string> = {};
    expect(cleanTags('ECMO, Point-of-care ultrasound,  NHS   England ', fields)).toEqual([
      { slug: 'ecmo', label: 'ECMO' },
      { slug: 'point-of-care-ultrasound', label: 'Point-of-care ultrasound' },
      { slug: 'nhs-england', label: 'NHS England' },
    ]);
    expect(cleanTags(['COVID-19', 'Sepsis in Zürich'], fields)).toEqual([
      { slug: 'covid-19', label: 'COVID-19' },
      { slug: 'sepsis-in-zuerich', label: 'Sepsis in Zürich' },
    ]);
    expect(fields).toEqual({});
  });

  test('one tag per slug: the first spelling wins; a leading # and empty parts are dropped', () => {
    const fields: Record<string, string> = {};
    expect(cleanTags('ECMO, ecmo, #Ecmo, , !!!, #night shifts', fields)).toEqual([
      { slug: 'ecmo', label: 'ECMO' },
      { slug: 'night-shifts', label: 'night shifts' },
    ]);
    expect(cleanTags(undefined, fields)).toEqual([]);
    expect(fields).toEqual({});
  });

  test('a long tag is cut to the limit, its label and its slug alike, and saved again it stays the same tag', () => {
    const fields: Record<string, string> = {};
    const [tag] = cleanTags('Point of care ultrasound in the emergency department', fields);
    expect(tag).toEqual({ slug: 'point-of-care-ultrasound-in-th', label: 'Point of care ultrasound in th' });
    expect(cleanTags(tag!.label, fields)).toEqual([tag]);
    // A cut that ends on a space or between words leaves no dangling hyphen in the address.
    const [word] = cleanTags(`${'a'.repeat(29)} tail`, fields);
    expect(word).toEqual({ slug: 'a'.repeat(29), label: 'a'.repeat(29) });
    expect(isTag(word!.slug)).toBe(true);
    // Cut by characters, not halves of one.
    expect(cleanTags(`ICU ${'💉'.repeat(40)}`, fields)[0]!.label).toBe(`ICU ${'💉'.repeat(BLOG_LIMITS.tagMax - 4)}`);
  });

  test('a list item with a comma keeps no comma in its label, so the editor’s “a, b” gives it back as one tag', () => {
    const fields: Record<string, string> = {};
    const [tag] = cleanTags(['Lines, drains'], fields);
    expect(tag).toEqual({ slug: 'lines-drains', label: 'Lines drains' });
    expect(cleanTags(tag!.label, fields)).toEqual([tag]);
  });

  test('more than eight different tags are refused with the same message as before; repeats do not count', () => {
    const fields: Record<string, string> = {};
    cleanTags('a1, a2, a3, a4, a5, a6, a7, a8, A8, a8', fields);
    expect(fields).toEqual({});
    cleanTags('a1, a2, a3, a4, a5, a6, a7, a8, a9', fields);
    expect(fields.tags).toBe('Use at most 8 tags.');
  });
});
