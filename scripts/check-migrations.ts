import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationsFolder } from '../db/client.ts';
import { CommandError, parseOptions, runCommand } from './operator-command.ts';

/*
 * `npm run check` step: fails when db/schema and db/migrations have drifted, i.e. when
 * `drizzle-kit generate` would write a new migration. It runs generate against a throw-away copy
 * of the migrations folder (the real one is never touched) and looks for a new .sql file.
 * (`drizzle-kit check` only validates the migrations against each other, not against the schema.)
 */

const USAGE = 'usage: node --import tsx scripts/check-migrations.ts [--schema ./db/schema/index.ts]';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

runCommand(async () => {
  const { values } = parseOptions(process.argv.slice(2), { values: ['schema'], flags: [] }, USAGE);
  const schema = resolve(ROOT, values.get('schema') ?? 'db/schema/index.ts');
  const work = mkdtempSync(join(tmpdir(), 'rounds-drift-'));
  try {
    const out = join(work, 'migrations');
    cpSync(migrationsFolder, out, { recursive: true });
    const before = new Set(readdirSync(out).filter((f) => f.endsWith('.sql')));
    // drizzle-kit reads `out` relative to the working directory (it prefixes "./"), so give it relative paths.
    const configFile = join(work, 'drizzle.config.json');
    writeFileSync(configFile, JSON.stringify({ dialect: 'postgresql', schema: relative(ROOT, schema), out: relative(ROOT, out) }));
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'drizzle-kit'), ['generate', '--config', configFile, '--name', 'drift_check'], {
      cwd: ROOT,
      encoding: 'utf8',
      // No terminal: a question (drizzle-kit asks whether a column was renamed) must not hang CI.
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
    const created = readdirSync(out).filter((f) => f.endsWith('.sql') && !before.has(f));
    if (created.length > 0) {
      for (const file of created) {
        console.error(`--- ${file} (what drizzle-kit generate would add) ---`);
        console.error(readFileSync(join(out, file), 'utf8').trim());
      }
      throw new CommandError('the schema in db/schema has changes no migration covers: run `npm run db:generate -- --name <what-changed>` and commit the new migration.');
    }
    if (run.error || run.signal) {
      throw new CommandError(
        `drizzle-kit generate did not finish (${run.error?.message ?? run.signal}). It may be asking whether something was renamed: run \`npm run db:generate\` in a terminal to answer it.\n${output}`,
      );
    }
    if (/Interactive prompts require a TTY/i.test(output)) {
      throw new CommandError(
        'the schema in db/schema has changes no migration covers, and drizzle-kit needs to ask whether something was renamed: run `npm run db:generate -- --name <what-changed>` in a terminal, answer it, and commit the new migration.',
      );
    }
    // drizzle-kit exits 0 even when it fails; its message is the only sign.
    if (!/No schema changes/i.test(output)) {
      throw new CommandError(`drizzle-kit generate did not confirm that schema and migrations agree:\n${output}`);
    }
    console.log(`Migrations are in step with the schema (${before.size} migration${before.size === 1 ? '' : 's'}).`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
