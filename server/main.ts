import { createDatabase } from '../db/client.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

/** How long in-flight requests get to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

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
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...config.database });
  await database.migrate();
  const app = await buildApp(config, database);
  const pruner = setInterval(() => {
    app.services.accounts.pruneExpired().catch((error: unknown) => app.log.warn({ err: error }, 'pruning expired sessions failed'));
    app.services.accountEmails.pruneExpired().catch((error: unknown) => app.log.warn({ err: error }, 'pruning expired e-mail links failed'));
    app.services.mail.pruneDelivered().catch((error: unknown) => app.log.warn({ err: error }, 'pruning delivered e-mails failed'));
    app.services.forum.pruneOldDrafts().catch((error: unknown) => app.log.warn({ err: error }, 'pruning old drafts failed'));
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
    app.log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    // A request that never ends (a stuck client, a database that stopped answering) must not keep
    // the process from stopping: after the deadline it exits anyway, and says so with its code.
    const deadline = setTimeout(() => {
      app.log.error({ graceMs: SHUTDOWN_GRACE_MS }, 'shutdown deadline passed: exiting with requests still open');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    deadline.unref();
    clearInterval(pruner);
    clearInterval(leveller);
    try {
      // Stops accepting, closes idle keep-alive sockets, waits for in-flight requests, runs onClose hooks.
      await app.close();
      await database.close();
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ port: config.port, host: config.host });
  const where = database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
  // The listening address matters when PORT=0 picked a free port; the public URL is what people open.
  console.log(`Rounds is running at ${config.port === 0 ? address : config.publicUrl}/ (${where})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
