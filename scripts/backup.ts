import { resolve } from 'node:path';
import { statSync } from 'node:fs';
import { backupPglite, backupPostgres } from './backup-archive.ts';
import { CommandError, describeDatabase, formatSeconds, readConfig, refuseIfServerAnswers, runCommand } from './operator-command.ts';

/*
 * `npm run backup -- <file>`: a complete copy of the database in one file. PostgreSQL: pg_dump's
 * custom format, taken from a consistent snapshot while the server keeps running. The embedded
 * database: a copy of its data directory; stop the server first (one process at a time).
 */

const USAGE = 'usage: npm run backup -- <file>   (e.g. backups/rounds-$(date +%F).dump)';

runCommand(async () => {
  const [target, ...rest] = process.argv.slice(2);
  if (!target || rest.length > 0 || target.startsWith('--')) throw new CommandError(USAGE, 2);
  const file = resolve(target);
  const config = readConfig();
  const started = Date.now();
  console.log(`Backing up ${describeDatabase(config)} to ${file}`);
  if (config.databaseUrl) {
    await backupPostgres(config.databaseUrl, file);
  } else {
    await refuseIfServerAnswers(config);
    await backupPglite(config.dataDir, file);
  }
  console.log(`Done in ${formatSeconds(Date.now() - started)}: ${(statSync(file).size / 1_048_576).toFixed(1)} MB. Restore with: npm run restore -- ${target}`);
});
