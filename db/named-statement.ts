import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Executor } from './client.ts';

const dialect = new PgDialect();

export interface NamedStatement<Row> {
  /** Runs on `executor` (the database, or a transaction: then inside it) with the placeholders' values. */
  execute(executor: Executor, values: Record<string, unknown>): Promise<Row[]>;
}

/**
 * A raw statement (`sql` with `sql.placeholder(...)` for every value) sent as a named prepared
 * statement: each connection parses it once. Unlike drizzle's own `.prepare()`, which binds to the
 * database it was built on, this runs on whatever executor it is given, so it works inside a
 * transaction. The text is built once, so it never varies under its name (a driver refuses two
 * texts under one name).
 *
 * PostgreSQL still plans a named statement anew on each run while a plan made for the actual
 * values looks cheaper than a generic one, which it does for statements whose branches the values
 * switch off. `genericPlan` makes it reuse one plan: it runs `SET LOCAL plan_cache_mode =
 * force_generic_plan` first, which holds until the transaction ends, so give it only to
 * statements inside write transactions whose statements look rows up by key (never a search).
 */
export function namedStatement<Row>(name: string, query: SQL, options: { genericPlan?: boolean } = {}): NamedStatement<Row> {
  const built = dialect.sqlToQuery(query);
  return {
    async execute(executor, values) {
      if (options.genericPlan) await executor.execute(sql`set local plan_cache_mode = force_generic_plan`);
      const result: unknown = await executor._.session.prepareQuery(built, undefined, name, false).execute(values);
      // node-postgres and PGlite both answer `{ rows }` for a statement without mapped fields.
      return (result as { rows: Row[] }).rows;
    },
  };
}
