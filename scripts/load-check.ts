import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase } from '../db/client.ts';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { runLoadCheck } from './load-consistency.ts';
import { CommandError, runCommand } from './operator-command.ts';

/*
 * `npm run load:check -- --clients 20 --seconds 20 [--url http://host:port]`
 *
 * Without --url it starts a server of its own in this process: on DATABASE_URL when set, else on
 * an embedded database in a temporary directory (removed afterwards). With --url it loads a
 * running server; DATABASE_URL must then name that server's PostgreSQL, because the check makes
 * its members there and recounts the rows afterwards (an embedded database cannot be opened by
 * two processes). Exits 1 on any violation.
 */

const USAGE = 'usage: npm run load:check -- [--clients 20] [--seconds 20] [--url http://127.0.0.1:3000]';

function whole(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new CommandError(`--${name} must be a whole number from 1 to ${max}\n${USAGE}`, 2);
  return Number(raw);
}

runCommand(async () => {
  const { values } = parseArgs({ options: { clients: { type: 'string' }, seconds: { type: 'string' }, url: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const clients = whole('clients', values.clients, 20, 500);
  const seconds = whole('seconds', values.seconds, 20, 3600);
  const databaseUrl = process.env.DATABASE_URL || undefined;
  if (values.url && !databaseUrl) throw new CommandError(`--url needs DATABASE_URL set to that server's PostgreSQL (to make the check's members and recount the rows)\n${USAGE}`, 2);

  const dataDir = databaseUrl ? undefined : mkdtempSync(path.join(tmpdir(), 'rounds-load-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir ?? 'memory://', PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const database = await createDatabase({ databaseUrl, dataDir: dataDir ?? 'memory://', poolSize: Math.min(20, clients + 2) });
  try {
    await database.migrate();
    const app = await buildApp(config, database);
    try {
      let baseUrl = values.url?.replace(/\/$/, '');
      if (!baseUrl) {
        await app.listen({ port: 0, host: '127.0.0.1' });
        const address = app.server.address();
        if (!address || typeof address === 'string') throw new Error('the server did not report its port');
        baseUrl = `http://127.0.0.1:${address.port}`;
      } else {
        await app.ready();
      }
      console.log(`Loading ${baseUrl} with ${clients} clients for ${seconds} s (${databaseUrl ? 'PostgreSQL' : `embedded database in ${dataDir}`})`);
      const summary = await runLoadCheck(app, database.db, baseUrl, { clients, seconds, log: (line) => console.log(line) });
      console.log(summary.text);
      return summary.violations.length === 0 ? 0 : 1;
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
});
