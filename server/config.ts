import { resolve } from 'node:path';

/** Everything the process reads from its environment, parsed once at start-up. */
export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** PostgreSQL URL; undefined means the embedded PGlite database. */
  databaseUrl: string | undefined;
  /** Where PGlite keeps its files; 'memory://' for an in-memory database (tests). */
  dataDir: string;
  /**
   * PostgreSQL only. A request waits at most `connectTimeoutMs` for a connection and a statement
   * runs at most `statementTimeoutMs`: while the database is down or stuck, requests fail fast with
   * a 503 instead of piling up.
   */
  database: { poolSize: number; connectTimeoutMs: number; statementTimeoutMs: number };
  sessionSecret: string;
  /** Public origin used in links printed to the console (e.g. one-time sign-in links). */
  publicUrl: string;
  /** Secure cookies need HTTPS; production assumes a TLS-terminating proxy in front. */
  secureCookies: boolean;
  logLevel: string;
  /** Rate limits are real in every mode; tests may lower or raise them explicitly. */
  rateLimits: RateLimitConfig;
  session: { idleDays: number; absoluteDays: number };
  /** How long anonymous visitors' pages (public by construction) may be served from memory; 0 turns it off. */
  anonymousCacheMs: number;
  /** Searches one process runs at once, and how long one may wait for its turn (server/search/gate.ts). */
  search: { concurrency: number; waitMs: number };
  /** A bearer token a monitoring system may use for /metrics from another machine; unset: admins and local requests only. */
  metricsToken: string | undefined;
  /** Who may create members-only and confidential spaces (public ones are always admins'). */
  privateSpaces: { creators: 'admins' | 'trusted'; minTrust: number };
  mail: MailConfig;
  jobs: JobsConfig;
}

export interface MailConfig {
  /** smtp:// or smtps:// URL (credentials inside, never logged); undefined keeps messages in the development outbox. */
  smtpUrl: string | undefined;
  /** The From header of every e-mail. */
  from: string;
  /** First retry delay of a failed send; later ones double (pg-boss backoff). */
  retryDelaySeconds: number;
  retryLimit: number;
}

export interface JobsConfig {
  /** Off: this process enqueues jobs but runs none (a web-only process next to a worker process). */
  work: boolean;
  /** How often an idle worker asks the queue for jobs. */
  pollSeconds: number;
}

export interface RateLimitConfig {
  signInPerIpPerMinute: number;
  registerPerIpPerHour: number;
  signInFailuresPerAccount: number;
  signInFailureWindowMinutes: number;
  /** "Forgot password" requests and verification re-sends from one address. */
  accountMailPerIpPerHour: number;
  /** Searches a member (or, signed out, an address) may run a minute. */
  searchPerMinute: number;
}

export class ConfigError extends Error {}

const DEV_SECRET = 'development-only-secret-not-for-production-use-0123456789';

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function privateSpaceCreators(raw: string | undefined): 'admins' | 'trusted' {
  if (raw === undefined || raw === '' || raw === 'trusted') return 'trusted';
  if (raw === 'admins') return 'admins';
  throw new ConfigError(`PRIVATE_SPACE_CREATORS must be "trusted" or "admins", got "${raw}"`);
}

function smtpUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^smtps?:\/\/[^\s]+$/.test(raw)) throw new ConfigError('SMTP_URL must start with smtp:// or smtps:// (leave it unset to keep e-mails in the development outbox)');
  return raw;
}

function mailFrom(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'Rounds <no-reply@localhost>';
  // One line, with an address in it: a header value that cannot smuggle another header.
  if (/[\r\n]/.test(raw) || !/@/.test(raw)) throw new ConfigError('MAIL_FROM must be one line with an e-mail address, e.g. "Rounds <no-reply@example.org>"');
  return raw;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const rawEnv = source.NODE_ENV ?? 'development';
  if (rawEnv !== 'development' && rawEnv !== 'production' && rawEnv !== 'test') {
    throw new ConfigError(`NODE_ENV must be development, production or test, got "${rawEnv}"`);
  }
  const env = rawEnv;
  const port = integer('PORT', source.PORT, 3000, 0, 65535);
  const host = source.HOST || (env === 'production' ? '0.0.0.0' : '127.0.0.1');

  const databaseUrl = source.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql:// (leave it unset for the embedded database)');
  }

  let sessionSecret = source.SESSION_SECRET ?? '';
  if (env === 'production') {
    if (sessionSecret.length < 32) {
      throw new ConfigError('SESSION_SECRET must be set to at least 32 random characters in production (e.g. `openssl rand -hex 32`)');
    }
  } else if (sessionSecret === '') {
    sessionSecret = DEV_SECRET;
  } else if (sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET must be at least 32 characters long');
  }

  const metricsToken = source.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && (metricsToken.length < 32 || !/^[\x21-\x7e]+$/.test(metricsToken))) {
    throw new ConfigError('METRICS_TOKEN must be at least 32 printable characters without spaces (e.g. `openssl rand -hex 32`)');
  }

  const publicUrl = (source.PUBLIC_URL || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`).replace(/\/$/, '');
  return {
    env,
    host,
    port,
    databaseUrl,
    dataDir: source.DATA_DIR === 'memory://' ? 'memory://' : resolve(source.DATA_DIR || 'data'),
    database: {
      poolSize: integer('DB_POOL_SIZE', source.DB_POOL_SIZE, 10, 1, 1000),
      connectTimeoutMs: integer('DB_CONNECT_TIMEOUT_MS', source.DB_CONNECT_TIMEOUT_MS, 5_000, 100, 600_000),
      statementTimeoutMs: integer('DB_STATEMENT_TIMEOUT_MS', source.DB_STATEMENT_TIMEOUT_MS, 5_000, 100, 3_600_000),
    },
    sessionSecret,
    publicUrl,
    secureCookies: env === 'production' && source.INSECURE_COOKIES !== '1',
    logLevel: source.LOG_LEVEL || (env === 'test' ? 'silent' : 'info'),
    rateLimits: {
      signInPerIpPerMinute: integer('RATE_SIGNIN_PER_IP_PER_MINUTE', source.RATE_SIGNIN_PER_IP_PER_MINUTE, 20, 1, 100000),
      registerPerIpPerHour: integer('RATE_REGISTER_PER_IP_PER_HOUR', source.RATE_REGISTER_PER_IP_PER_HOUR, 30, 1, 100000),
      signInFailuresPerAccount: integer('RATE_SIGNIN_FAILURES_PER_ACCOUNT', source.RATE_SIGNIN_FAILURES_PER_ACCOUNT, 10, 1, 1000),
      signInFailureWindowMinutes: 15,
      accountMailPerIpPerHour: integer('RATE_ACCOUNT_MAIL_PER_IP_PER_HOUR', source.RATE_ACCOUNT_MAIL_PER_IP_PER_HOUR, 10, 1, 100000),
      searchPerMinute: integer('RATE_SEARCH_PER_MINUTE', source.RATE_SEARCH_PER_MINUTE, 30, 1, 1_000_000),
    },
    metricsToken,
    anonymousCacheMs: integer('ANON_CACHE_MS', source.ANON_CACHE_MS, env === 'test' ? 0 : 2000, 0, 60_000),
    search: {
      concurrency: integer('SEARCH_CONCURRENCY', source.SEARCH_CONCURRENCY, 2, 1, 1000),
      waitMs: integer('SEARCH_WAIT_MS', source.SEARCH_WAIT_MS, 3_000, 0, 600_000),
    },
    privateSpaces: {
      creators: privateSpaceCreators(source.PRIVATE_SPACE_CREATORS),
      minTrust: integer('PRIVATE_SPACE_MIN_TRUST', source.PRIVATE_SPACE_MIN_TRUST, 0, 0, 4),
    },
    mail: {
      smtpUrl: smtpUrl(source.SMTP_URL),
      from: mailFrom(source.MAIL_FROM),
      retryDelaySeconds: integer('MAIL_RETRY_DELAY_SECONDS', source.MAIL_RETRY_DELAY_SECONDS, 30, 0, 86_400),
      retryLimit: integer('MAIL_RETRY_LIMIT', source.MAIL_RETRY_LIMIT, 8, 0, 100),
    },
    jobs: {
      work: source.JOBS_WORK !== '0',
      // pg-boss polls no faster than every half second; tests want the fastest.
      pollSeconds: integer('JOBS_POLL_SECONDS', source.JOBS_POLL_SECONDS, env === 'test' ? 0 : 2, 0, 3600) || 0.5,
    },
    session: {
      idleDays: integer('SESSION_IDLE_DAYS', source.SESSION_IDLE_DAYS, 14, 1, 365),
      absoluteDays: integer('SESSION_ABSOLUTE_DAYS', source.SESSION_ABSOLUTE_DAYS, 90, 1, 3650),
    },
  };
}
