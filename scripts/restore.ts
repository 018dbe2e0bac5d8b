import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { backupKindOf, restorePglite, restorePostgres } from './backup-archive.ts';
import { CommandError, describeDatabase, formatSeconds, readConfig, refuseIfServerAnswers, runCommand } from './operator-command.ts';

/*
 * `npm run restore -- <file>`: loads a backup made by `npm run backup` into an EMPTY database — a
 * new PostgreSQL database (DATABASE_URL) or a new directory for the embedded one (DATA_DIR). It
 * never overwrites data: restoring over a live database is a decision for a person, not a script.
 */

const USAGE = 'usage: npm run restore -- <file>   (into the empty database named by DATABASE_URL, or the empty DATA_DIR)';

runCommand(async () => {
  const [source, ...rest] = process.argv.slice(2);
  if (!source || rest.length > 0 || source.startsWith('--')) throw new CommandError(USAGE, 2);
  const file = resolve(source);
  if (!existsSync(file)) throw new CommandError(`${file} does not exist.\n${USAGE}`, 2);
  const config = readConfig();
  const kind = backupKindOf(file);
  if (!kind) throw new CommandError(`${file} is not a Rounds backup (neither a pg_dump custom-format file nor an embedded-database copy).`);
  if (kind === 'postgres' && !config.databaseUrl) {
    throw new CommandError('this is a PostgreSQL backup: set DATABASE_URL to an empty PostgreSQL database to restore it into.');
  }
  if (kind === 'pglite' && config.databaseUrl) {
    throw new CommandError('this is a copy of the embedded database: unset DATABASE_URL and set DATA_DIR to an empty directory to restore it into.');
  }
  const started = Date.now();
  console.log(`Restoring ${file} into ${describeDatabase(config)}`);
  if (config.databaseUrl) {
    await restorePostgres(config.databaseUrl, file);
  } else {
    await refuseIfServerAnswers(config);
    await restorePglite(config.dataDir, file);
  }
  console.log(`Done in ${formatSeconds(Date.now() - started)}. Start the server on it as usual; migrations newer than the backup are applied at start-up.`);
});
