/** Whether the error, bare or wrapped by Drizzle, carries this SQLSTATE. */
function hasSqlState(error: unknown, state: string): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (typeof e === 'object' && 'code' in e && (e as { code: unknown }).code === state) return true;
    e = typeof e === 'object' && 'cause' in e ? (e as { cause: unknown }).cause : undefined;
  }
  return false;
}

/** PostgreSQL's unique_violation. */
export function isUniqueViolation(error: unknown): boolean {
  return hasSqlState(error, '23505');
}

/** query_canceled: here only by the connection's statement_timeout. */
export function isStatementTimeout(error: unknown): boolean {
  return hasSqlState(error, '57014');
}

/** Node socket errors that mean the database server cannot be reached. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that mean "the database is not there for you right now", not "this query is wrong":
 * class 08 (connection exception), 57P01–57P03 (shut down, crash shutdown, cannot connect now),
 * 53300 (too many connections) and 57014 (cancelled — here only by statement_timeout).
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** node-postgres raises these as plain Errors without a code. */
const DRIVER_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'is not queryable',
  'Cannot use a pool after calling end on the pool',
];

/**
 * True when an error (bare or wrapped by Drizzle) means the database could not be reached or
 * dropped the connection, so the request failed through no fault of its own and may be retried.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = 'code' in e ? (e as { code: unknown }).code : undefined;
    if (typeof code === 'string' && (UNREACHABLE.has(code) || UNAVAILABLE_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    const message = e instanceof Error ? e.message : '';
    if (DRIVER_MESSAGES.some((m) => message.includes(m))) return true;
    // A refused connection to a host with several addresses arrives as an AggregateError.
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    e = 'cause' in e ? (e as { cause: unknown }).cause : undefined;
  }
  return false;
}
