import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The one database type the app sees, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/**
 * What query functions take: the database or a transaction (PgTransaction extends PgDatabase), so
 * a caller can make several writes one transaction.
 */
export type Executor = Database;

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /**
   * PostgreSQL only: how long a request may wait for a connection, and how long one statement may
   * run, before it fails (and the request answers 503) instead of hanging while the database is
   * down or stuck. The server sets both (config); scripts keep no statement limit, since seeding
   * and re-rendering run long statements on purpose. Migrations are always exempt.
   */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /**
   * Called with every statement drizzle sends (not the driver's own, e.g. migrations' bookkeeping);
   * tests count statements per page with it to catch N+1 queries. Off when absent.
   */
  onQuery?: (query: string, params: unknown[]) => void;
}

export type QueryLogger = { logQuery(query: string, params: unknown[]): void } | undefined;

function queryLogger(onQuery: DatabaseOptions['onQuery']): QueryLogger {
  return onQuery ? { logQuery: (query, params) => onQuery(query, params) } : undefined;
}

/** Rows of a raw statement, whichever driver ran it (node-postgres and PGlite both answer `rows`). */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  /**
   * Raw SQL outside Drizzle, for libraries that bring their own (the pg-boss job queue). Text
   * without values may hold several statements.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  /** Answers when the database can run a query; used by readiness checks. */
  ping(): Promise<void>;
  /**
   * Listens on a NOTIFY channel on a connection of its own (PostgreSQL) or on the embedded
   * database, reconnecting by itself; `handlers.state(false)` while it may be missing messages.
   */
  listen(channel: string, handlers: ListenHandlers): Listener;
  /** The connection pool's counts, for metrics; null for the embedded database. */
  poolStats(): { total: number; idle: number; waiting: number; max: number } | null;
  close(): Promise<void>;
}

export interface ListenHandlers {
  message(payload: string): void;
  /** true once listening; false when the connection is lost (messages sent meanwhile are lost). */
  state(listening: boolean): void;
}

export interface Listener {
  close(): Promise<void>;
}

/**
 * A LISTEN connection outside the pool (a pooled client would be handed to queries), kept up
 * with a capped backoff: a database restart must not leave the process deaf for good.
 */
function listenOnPostgres(connectionString: string, channel: string, handlers: ListenHandlers): Listener {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let delayMs = 100;
  const lost = (lostClient: pg.Client) => {
    if (client !== lostClient) return;
    client = null;
    handlers.state(false);
    lostClient.end().catch(() => {});
    schedule();
  };
  const schedule = () => {
    if (closed) return;
    retry = setTimeout(() => void connect(), delayMs);
    retry.unref();
    delayMs = Math.min(delayMs * 2, 5_000);
  };
  const connect = async () => {
    const candidate = new pg.Client({ connectionString, keepAlive: true, connectionTimeoutMillis: 5_000 });
    candidate.on('notification', (message) => {
      if (message.channel === channel && client === candidate) handlers.message(message.payload ?? '');
    });
    candidate.on('error', () => lost(candidate));
    candidate.on('end', () => lost(candidate));
    try {
      await candidate.connect();
      await candidate.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch {
      candidate.end().catch(() => {});
      schedule();
      return;
    }
    if (closed) {
      await candidate.end().catch(() => {});
      return;
    }
    client = candidate;
    delayMs = 100;
    handlers.state(true);
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}

/** The advisory lock every process migrating a PostgreSQL database holds while it does. */
const MIGRATION_LOCK = 'rounds:migrations';

/**
 * Settings for every connection of the app's pool, given at start-up after any `options` the URL
 * already carries (a connection string that is not a URL is left as it is):
 * - no JIT: a forum runs many short statements at once, and JIT compiled the search's and the
 *   policy's statements on every call (their estimated costs are high): ~90 ms of LLVM for a
 *   statement that runs in 1 ms;
 * - no parallel workers: they add start-up cost per statement and take cores other requests need.
 * Not `plan_cache_mode=force_generic_plan`: it applies to every statement with parameters, the
 * unnamed ones drizzle sends included, and a search planned without its words read a million
 * rows (search p50 140 → 645 ms).
 */
function withSessionSettings(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const given = url.searchParams.get('options');
    url.searchParams.set('options', [given, '-c jit=off -c max_parallel_workers_per_gather=0'].filter(Boolean).join(' '));
    return url.toString();
  } catch {
    return databaseUrl;
  }
}

/**
 * Names for the statements the app sends again and again, so that each pooled connection parses
 * them once and PostgreSQL may keep their plans, as JDBC and postgres.js do by default. drizzle
 * sends its statements unnamed, and PostgreSQL then parses and plans every one on every call: on
 * the bench's replies that was ~2 ms of PostgreSQL's time each (the thread lock, the membership
 * check and the notifications' fan-out were each planned longer than they ran).
 *
 * - A text is named the second time it is seen: one-off statements (scripts, migrations' own
 *   connection) never take a slot, and at most `limit` texts are named per process, which bounds
 *   what each server connection keeps (PostgreSQL frees them when the connection closes).
 * - Text searches (`@@`) are never named: how to run one depends on its words, and a plan made
 *   without them (PostgreSQL switches a named statement to a generic plan after five runs when it
 *   looks no worse) read a million rows once (see `withSessionSettings`).
 * - The app has always sent some statements named (`.prepare()`, `namedStatement`), so a pooler
 *   between it and PostgreSQL must carry them (PgBouncer 1.21+ with `max_prepared_statements`, or
 *   session mode); README *Scaling* says so.
 */
export class StatementNames {
  private readonly named = new Map<string, string>();
  private seenOnce = new Set<string>();

  constructor(private readonly limit = 256) {}

  nameFor(text: string): string | undefined {
    const name = this.named.get(text);
    if (name) return name;
    if (this.named.size >= this.limit || text.includes('@@')) return undefined;
    if (!this.seenOnce.has(text)) {
      // Bounded: statements with a varying list (`in ($1, $2, …)`) could otherwise grow it forever.
      if (this.seenOnce.size >= 4_096) this.seenOnce = new Set();
      this.seenOnce.add(text);
      return undefined;
    }
    this.seenOnce.delete(text);
    const fresh = `r_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    this.named.set(text, fresh);
    return fresh;
  }
}

type QueryConfigLike = { text?: unknown; name?: unknown };

function preparesRepeatedStatements(client: pg.PoolClient, names: StatementNames): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = (config: unknown): unknown => {
    if (typeof config !== 'object' || config === null) return config;
    const { text, name } = config as QueryConfigLike;
    if (name !== undefined || typeof text !== 'string') return config;
    const fresh = names.nameFor(text);
    return fresh ? { ...config, name: fresh } : config;
  };
  client.query = ((config: unknown, ...rest: unknown[]) => query(named(config), ...rest)) as typeof client.query;
}

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** PostgreSQL when `databaseUrl` is set, else the embedded database in `dataDir` ('memory://' for none on disk). */
export async function createDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const databaseUrl = options.databaseUrl;
    const max = options.poolSize ?? 10;
    const statementTimeoutMs = options.statementTimeoutMs;
    const statementNames = new StatementNames();
    const pool = new pg.Pool({
      connectionString: withSessionSettings(databaseUrl),
      max,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      // The server stops a long statement; the client-side timeout also catches a database that
      // stopped answering altogether (a host gone without closing its sockets).
      ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 1_000 } : {}),
    });
    // An idle client losing its connection (database restart) must not crash the process; the pool
    // drops it and opens a new one on the next query, so the app recovers by itself.
    pool.on('error', () => {});
    // The pool listens for errors only on idle clients. A checked-out client whose connection dies
    // while no statement runs on it (between the statements of a transaction) would emit 'error'
    // with no listener and crash the process; its next statement fails instead (and the request
    // with a 503), and the pool discards it on release.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      preparesRepeatedStatements(client, statementNames);
    });
    const db = drizzlePg(pool, { schema, logger: queryLogger(options.onQuery) }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      // Its own connection without the statement timeout: building an index on a large table may
      // take minutes.
      migrate: async () => {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          // Drizzle's migrator takes no lock: two processes starting at once (replicas after a
          // deploy) both found the same migrations missing, both applied them, and one stopped on
          // "type already exists". One at a time: the second finds them applied. The lock is the
          // session's, so it ends with the connection even when migrating fails.
          await client.query('select pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
        } finally {
          await client.end();
        }
      },
      executeSql: (text, values) => pool.query(text, values?.length ? values : undefined),
      ping: async () => {
        await pool.query('select 1');
      },
      listen: (channel, handlers) => listenOnPostgres(databaseUrl, channel, handlers),
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
      close: () => pool.end(),
    };
  }
  // Imported only when used: the embedded engine's module alone costs ~40 MB of memory.
  const { openEmbedded } = await import('./embedded.ts');
  return openEmbedded(options.dataDir, queryLogger(options.onQuery));
}
