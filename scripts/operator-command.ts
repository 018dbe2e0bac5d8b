import type { SQL } from 'drizzle-orm';
import { createDatabase, type Database, type DatabaseHandle } from '../db/client.ts';
import { ConfigError, loadConfig, type Config } from '../server/config.ts';
import { DomainError, Invalid } from '../server/errors.ts';

/*
 * The frame every operator command in scripts/ runs in: configuration read once, the database
 * opened the same way the server opens it, and expected failures reported as one line (no stack
 * trace), with a non-zero exit code.
 */

/** A failure the operator can act on; its message is printed as it is. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function oneLine(error: Error): string {
  let text = error.message;
  if (error instanceof Invalid && Object.keys(error.fields).length > 0) {
    const details = Object.entries(error.fields)
      .filter(([, problem]) => problem.trim() !== '' && !text.includes(problem))
      .map(([field, problem]) => `${field}: ${problem}`)
      .join('; ');
    if (details) text = `${text} (${details})`;
  }
  return text.replace(/\s*\n\s*/g, ' ');
}

/** Runs a command and exits: 0 on success, the command's code, or 1 (2 for usage) on failure. */
export function runCommand(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof CommandError) {
        // Written by these scripts: may carry a usage text on the following lines.
        console.error(`error: ${error.message}`);
        process.exit(error.exitCode);
      }
      if (error instanceof ConfigError) {
        console.error(`configuration error: ${oneLine(error)}`);
        process.exit(78);
      }
      if (error instanceof DomainError) {
        console.error(`error: ${oneLine(error)}`);
        process.exit(1);
      }
      // Unexpected: the stack is what someone will need to fix it.
      console.error(error);
      process.exit(1);
    },
  );
}

export function readConfig(): Config {
  return loadConfig();
}

/** A PostgreSQL URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}

export function describeDatabase(config: Config): string {
  return config.databaseUrl ? `PostgreSQL at ${redactUrl(config.databaseUrl)}` : `the embedded database in ${config.dataDir}`;
}

const ONE_PROCESS =
  'The embedded database (PGlite) can be used by one process at a time: stop the Rounds server first, run this command, then start the server again.';

/**
 * PGlite takes no lock on its directory, so a second process opening it does not fail: it
 * silently corrupts it. The server is the usual other process, so look for it before opening.
 */
export async function refuseIfServerAnswers(config: Config): Promise<void> {
  if (config.port === 0) return;
  const url = `http://127.0.0.1:${config.port}/readyz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(800) });
    const text = await response.text();
    if (text.includes('"ready"')) {
      throw new CommandError(
        `a Rounds server is answering at ${url}. ${ONE_PROCESS} (If that server uses another database, set PORT to a free port for this command.)`,
      );
    }
  } catch (error) {
    if (error instanceof CommandError) throw error;
    // Nothing listening (or something else): carry on.
  }
}

/** Opens the database the server would open, and proves it answers. */
export async function openDatabase(config: Config, options: { poolSize?: number } = {}): Promise<DatabaseHandle> {
  if (!config.databaseUrl) await refuseIfServerAnswers(config);
  const handle = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: options.poolSize });
  try {
    await handle.ping();
  } catch (error) {
    await handle.close().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    if (config.databaseUrl) throw new CommandError(`could not connect to PostgreSQL at ${redactUrl(config.databaseUrl)}: ${reason}`);
    throw new CommandError(`could not open the embedded database in ${config.dataDir}: ${reason}. ${ONE_PROCESS}`);
  }
  return handle;
}

/** Rows of a raw statement, whichever driver is underneath (both return `{ rows }`). */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** `--name value` and `--flag` options; anything else is a usage error. */
export function parseOptions(
  argv: string[],
  known: { values: readonly string[]; flags: readonly string[] },
  usage: string,
): { values: Map<string, string>; flags: Set<string> } {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    if (name !== undefined && known.flags.includes(name) && inline === undefined) {
      flags.add(name);
    } else if (name !== undefined && known.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new CommandError(`--${name} needs a value.\n${usage}`, 2);
      values.set(name, value);
    } else {
      throw new CommandError(`unknown argument "${arg}".\n${usage}`, 2);
    }
  }
  return { values, flags };
}

/** A whole number option such as `--posts 1000000` (underscores and commas allowed). */
export function countOption(values: Map<string, string>, name: string, fallback: number, min: number, max: number, usage: string): number {
  const raw = values.get(name);
  if (raw === undefined) return fallback;
  const cleaned = raw.replace(/[_,]/g, '');
  if (!/^\d+$/.test(cleaned)) throw new CommandError(`--${name} must be a whole number, got "${raw}".\n${usage}`, 2);
  const value = Number(cleaned);
  if (value < min || value > max) throw new CommandError(`--${name} must be between ${min} and ${max}, got ${value}.\n${usage}`, 2);
  return value;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
