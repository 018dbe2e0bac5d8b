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
   * PostgreSQL only: how long a request may wait for a connection, and how long one statement may
   * run, before it fails (and the request answers 503) instead of hanging while the database is
   * down or stuck. The server sets both (config); scripts keep no statement limit, since seeding
   * and re-rendering run long statements on purpose. Migrations are always exempt.
   */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
}

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  /** Answers when the database can run a query; used by readiness checks. */
  ping(): Promise<void>;
  /** The connection pool's counts, for metrics; null for the embedded database. */
  poolStats(): { total: number; idle: number; waiting: number; max: number } | null;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export function createDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const databaseUrl = options.databaseUrl;
    const max = options.poolSize ?? 10;
    const statementTimeoutMs = options.statementTimeoutMs;
    const pool = new pg.Pool({
      connectionString: databaseUrl,
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
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = drizzlePg(pool, { schema }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      // Its own connection without the statement timeout: building an index on a large table may
      // take minutes.
      migrate: async () => {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
        } finally {
          await client.end();
        }
      },
      ping: async () => {
        await pool.query('select 1');
      },
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
      close: () => pool.end(),
    };
  }
  if (options.dataDir !== 'memory://') mkdirSync(options.dataDir, { recursive: true });
  const client = new PGlite(options.dataDir === 'memory://' ? undefined : options.dataDir);
  const pgliteDb = drizzlePglite(client, { schema });
  return {
    db: pgliteDb as unknown as Database,
    kind: 'pglite',
    migrate: () => migratePglite(pgliteDb, { migrationsFolder }),
    ping: async () => {
      await client.query('select 1');
    },
    poolStats: () => null,
    close: () => client.close(),
  };
}
