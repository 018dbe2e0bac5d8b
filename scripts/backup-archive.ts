import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readSync, closeSync, renameSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { CommandError, redactUrl } from './operator-command.ts';

/*
 * The two backup formats and how each is made and restored. PostgreSQL: pg_dump's custom format
 * (compressed, restored by pg_restore in one transaction). The embedded database: PGlite's own
 * copy of its data directory as a gzipped tarball (dumpDataDir), opened again with loadDataDir —
 * a physical copy, so it restores everything, byte for byte. The formats are not interchangeable.
 */

export type BackupKind = 'postgres' | 'pglite';

/** pg_dump's custom format starts with "PGDMP"; PGlite's tarball is gzip (1f 8b). */
export function backupKindOf(file: string): BackupKind | undefined {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(5);
    readSync(fd, head, 0, 5, 0);
    if (head.toString('latin1') === 'PGDMP') return 'postgres';
    if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs a PostgreSQL client tool against `databaseUrl`. The password travels in PGPASSWORD, not in
 * the arguments, where any user of the machine could read it in the process list.
 */
function run(tool: string, args: string[], databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const env = { ...process.env };
  if (url.password) {
    env.PGPASSWORD = decodeURIComponent(url.password);
    url.password = '';
  }
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${url.toString()}`], { stdio: ['ignore', 'inherit', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new CommandError(`${tool} was not found: install the PostgreSQL client tools of the server's major version (e.g. apt-get install postgresql-client).`)
          : error,
      ),
    );
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new CommandError(`${tool} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

/** Written next to the target and renamed at the end, so a failed backup never leaves a half file under the real name. */
function partialName(file: string): string {
  return `${file}.partial`;
}

export async function backupPostgres(databaseUrl: string, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const partial = partialName(file);
  try {
    // One snapshot of the whole database (pg_dump reads in a single repeatable-read transaction),
    // migrations table included; owners and grants are the target server's business.
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`], databaseUrl);
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Restores into an empty database only: merging a backup into live data is not a restore. */
export async function restorePostgres(databaseUrl: string, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new CommandError(`could not connect to PostgreSQL at ${redactUrl(databaseUrl)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
        where c.relkind in ('r', 'p') and s.nspname not in ('pg_catalog', 'information_schema') and s.nspname not like 'pg_toast%'`,
    );
    if ((rows[0]?.n ?? 0) > 0) {
      throw new CommandError(
        `the database at ${redactUrl(databaseUrl)} is not empty (${rows[0]!.n} tables). Restore into a new database (createdb rounds_restored), then point DATABASE_URL at it.`,
      );
    }
  } finally {
    await client.end();
  }
  await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', file], databaseUrl);
}

export async function backupPglite(dataDir: string, file: string): Promise<void> {
  if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) throw new CommandError(`there is no embedded database in ${dataDir} to back up.`);
  mkdirSync(dirname(file), { recursive: true });
  const client = new PGlite(dataDir);
  const partial = partialName(file);
  try {
    // A checkpoint first, so the copy holds every committed write in its data files too.
    await client.exec('checkpoint');
    const tarball = await client.dumpDataDir('gzip');
    await writeFile(partial, Buffer.from(await tarball.arrayBuffer()));
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
    await client.close();
  }
}

export async function restorePglite(dataDir: string, file: string): Promise<void> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new CommandError(`${dataDir} is not empty. Restore into a new directory (DATA_DIR=./data-restored), then point DATA_DIR at it.`);
  }
  mkdirSync(dataDir, { recursive: true });
  const tarball = new Blob([await readFile(file)]);
  const client = new PGlite(dataDir, { loadDataDir: tarball });
  try {
    await client.query('select 1');
  } finally {
    await client.close();
  }
}
