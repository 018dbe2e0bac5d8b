import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
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
   * Called with every statement drizzle sends (not the driver's own, e.g. migrations' bookkeeping);
   * tests count statements per page with it to catch N+1 queries. Off when absent.
   */
  onQuery?: (query: string, params: unknown[]) => void;
}

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  /** Answers when the database can run a query; used by readiness checks. */
  ping(): Promise<void>;
  /**
   * Listens on a NOTIFY channel on a connection of its own (PostgreSQL) or on the embedded
   * database, reconnecting by itself; `onState(false)` while it may be missing messages.
   */
  listen(channel: string, handlers: ListenHandlers): Listener;
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

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export function createDatabase(options: DatabaseOptions): DatabaseHandle {
  const onQuery = options.onQuery;
  const logger = onQuery ? { logQuery: (query: string, params: unknown[]) => onQuery(query, params) } : undefined;
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client losing its connection (database restart) must not crash the process.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema, logger }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      migrate: () => migratePg(drizzlePg(pool, { schema }), { migrationsFolder }),
      ping: async () => {
        await pool.query('select 1');
      },
      listen: (channel, handlers) => listenOnPostgres(options.databaseUrl as string, channel, handlers),
      close: () => pool.end(),
    };
  }
  if (options.dataDir !== 'memory://') mkdirSync(options.dataDir, { recursive: true });
  const client = new PGlite(options.dataDir === 'memory://' ? undefined : options.dataDir);
  const pgliteDb = drizzlePglite(client, { schema, logger });
  return {
    db: pgliteDb as unknown as Database,
    kind: 'pglite',
    migrate: () => migratePglite(pgliteDb, { migrationsFolder }),
    ping: async () => {
      await client.query('select 1');
    },
    listen: (channel, handlers) => {
      // One in-process session: its own NOTIFYs reach it as each committing statement returns.
      const unlisten = client.listen(channel, handlers.message).then(
        (stop) => {
          handlers.state(true);
          return stop;
        },
        () => undefined,
      );
      return {
        async close() {
          const stop = await unlisten;
          if (!client.closed) await stop?.();
        },
      };
    },
    close: () => client.close(),
  };
}
