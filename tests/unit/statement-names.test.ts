import { describe, expect, test } from 'vitest';
import { StatementNames } from '../../db/client.ts';

describe('which statements the PostgreSQL pool sends named (parsed once per connection)', () => {
  test('a statement is named from its second run on, always under the same name', () => {
    const names = new StatementNames();
    const text = 'select "id" from "threads" where "id" = $1';
    expect(names.nameFor(text)).toBeUndefined();
    const name = names.nameFor(text);
    expect(name).toMatch(/^r_[0-9a-f]{24}$/);
    expect(names.nameFor(text)).toBe(name);
    expect(names.nameFor('select "id" from "posts" where "id" = $1')).toBeUndefined();
  });

  test('text searches stay unnamed: their plan depends on the words searched', () => {
    const names = new StatementNames();
    const search = `select id from posts where search_vector @@ websearch_to_tsquery('english', $1)`;
    for (let i = 0; i < 5; i++) expect(names.nameFor(search)).toBeUndefined();
  });

  test('no more names than the limit: what each connection keeps is bounded', () => {
    const names = new StatementNames(2);
    const named = ['a', 'b', 'c'].map((table) => {
      const text = `select 1 from ${table} where id = $1`;
      names.nameFor(text);
      return names.nameFor(text);
    });
    expect(named.filter(Boolean)).toHaveLength(2);
    expect(named[2]).toBeUndefined();
  });
});
