import { createDatabase } from '../db/client.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

/** Reads the environment once, migrates, listens, and shuts down gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(78);
    }
    throw error;
  }
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await database.migrate();
  const app = await buildApp(config, database);
  const pruner = setInterval(() => {
    app.services.accounts.pruneExpired().catch((error: unknown) => app.log.warn({ err: error }, 'pruning expired sessions failed'));
  }, 3_600_000);
  pruner.unref();
  // Lowered confidentiality levels apply when their week of notice ends, also across restarts.
  const levelChanges = () =>
    app.services.membership.applyDueLevelChanges().catch((error: unknown) => app.log.warn({ err: error }, 'applying level changes failed'));
  await levelChanges();
  const leveller = setInterval(levelChanges, 60_000);
  leveller.unref();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal} received: finishing in-flight requests`);
    clearInterval(pruner);
    clearInterval(leveller);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const where = database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
  console.log(`Rounds is running at ${config.publicUrl}/ (${where})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
