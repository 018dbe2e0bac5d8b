import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Executor } from './client.ts';

const dialect = new PgDialect();

export interface NamedStatement<Row> {
  /** Runs on `executor` (the database, or a transaction: then inside it) with the placeholders' values. */
  execute(executor: Executor, values: Record<string, unknown>): Promise<Row[]>;
}

/**
 * A raw statement (`sql` with `sql.placeholder(...)` for every value) sent as a named prepared
 * statement: each connection parses and plans it once and then reuses the plan. For hot writes
 * whose SQL is costlier to plan than to run (visibility sub-queries). Unlike drizzle's own
 * `.prepare()`, which binds to the database it was built on, this runs on whatever executor it is
 * given, so it works inside a transaction. The text is built once, so it never varies under its
 * name (a driver refuses two texts under one name).
 */
export function namedStatement<Row>(name: string, query: SQL): NamedStatement<Row> {
  const built = dialect.sqlToQuery(query);
  return {
    async execute(executor, values) {
      const result: unknown = await executor._.session.prepareQuery(built, undefined, name, false).execute(values);
      // node-postgres and PGlite both answer `{ rows }` for a statement without mapped fields.
      return (result as { rows: Row[] }).rows;
    },
  };
}
