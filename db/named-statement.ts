import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Executor } from './client.ts';

const dialect = new PgDialect();

export interface NamedStatement<Row> {
  /** Runs on `executor` (the database, or a transaction: then inside it) with the placeholders' values. */
  execute(executor: Executor, values: Record<string, unknown>): Promise<Row[]>;
}

const SET_GENERIC = sql`set local plan_cache_mode = force_generic_plan`;

/** Transactions begun by `withGenericPlans`: their statements need not ask again. */
const genericTransactions = new WeakSet<Executor>();

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
      if (options.genericPlan && !genericTransactions.has(executor)) await executor.execute(SET_GENERIC);
      const result: unknown = await executor._.session.prepareQuery(built, undefined, name, false).execute(values);
      // node-postgres and PGlite both answer `{ rows }` for a statement without mapped fields.
      return (result as { rows: Row[] }).rows;
    },
  };
}

/** What drizzle's `.prepare(name)` answers, as far as running it goes. */
interface Prepared<Result> {
  execute(values?: Record<string, unknown>): Promise<Result>;
}

/**
 * A statement drizzle built once (`.prepare(name)` on the database, with `sql.placeholder` for
 * every value) that runs on whichever executor it is given: the database, or a transaction (then
 * inside it). drizzle's own prepared statement is bound to the database it was built on, and
 * building a statement with the policy's sub-queries anew cost ~0.1 ms of the server's CPU each
 * time: a third of a reply's. The prepared object stays as drizzle made it; a transaction's copy
 * differs only in the connection it runs on (drizzle's prepared queries keep it as `client`, for
 * node-postgres and PGlite alike, as their sessions do).
 */
export function onAnyExecutor<Result>(prepared: Prepared<Result>): (executor: Executor, values?: Record<string, unknown>) => Promise<Result> {
  const own = (prepared as unknown as { client: unknown }).client;
  return (executor, values) => {
    const client = (executor as unknown as { _: { session: { client: unknown } } })._.session.client;
    if (client === own) return prepared.execute(values);
    const bound = Object.create(prepared, { client: { value: client } }) as Prepared<Result>;
    return bound.execute(values);
  };
}

/**
 * `build(db)` once per database handle, for query modules whose callers pass the database on
 * every call. Build prepared statements with it and run them through `onAnyExecutor`: then it does
 * not matter which executor asked first, every run uses the one it is given. (A transaction asking
 * gets its own build, forgotten with it.)
 */
export function oncePerDatabase<T>(build: (db: Executor) => T): (db: Executor) => T {
  const built = new WeakMap<Executor, T>();
  return (db) => {
    let found = built.get(db);
    if (found === undefined) {
      found = build(db);
      built.set(db, found);
    }
    return found;
  };
}

/** A placeholder named after each field, for an insert's values prepared once: `.values({ ...placeholders('a', 'b') })`. */
export function placeholders<Name extends string>(...names: Name[]): Record<Name, Placeholder<Name>> {
  return Object.fromEntries(names.map((name) => [name, sql.placeholder(name)])) as Record<Name, Placeholder<Name>>;
}

/**
 * Runs `work` in a transaction whose named statements reuse one plan each (`SET LOCAL
 * plan_cache_mode = force_generic_plan`), for reads whose statements PostgreSQL would otherwise plan
 * on every run: a statement that applies the visibility rules of every kind of content costs ~5 ms
 * to plan and ~0.3 ms to run, and its generic plan, costed a few percent above a plan for the
 * values, is never chosen. The transaction costs three short round trips (one, for a write that
 * needs a transaction anyway). Only for statements that look rows up by key (never a search,
 * whose plan depends on its words).
 */
export async function withGenericPlans<T>(db: Executor, work: (tx: Executor) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(SET_GENERIC);
    genericTransactions.add(tx);
    return work(tx);
  });
}
