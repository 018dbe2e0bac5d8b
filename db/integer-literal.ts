import { sql, type Placeholder, type SQL } from 'drizzle-orm';

/**
 * A whole number written into a statement's text instead of sent as a parameter: for page sizes and
 * offsets the code chooses (never input). PostgreSQL's kept plan for `LIMIT $n` assumes a tenth of
 * the rows and never wins against a plan made for the value, so such statements were planned afresh
 * on every run; with the number in the text, one plan is kept per page size.
 */
export function integerLiteral(n: number): SQL {
  if (!Number.isSafeInteger(n)) throw new TypeError(`integerLiteral takes a whole number, not ${n}`);
  return sql.raw(String(n));
}

/** The same, for drizzle's `.limit()` and `.offset()`, which write an SQL chunk as it is. */
export function limitLiteral(n: number): Placeholder {
  return integerLiteral(n) as unknown as Placeholder;
}
