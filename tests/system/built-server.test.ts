import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { buildServer, PRODUCTION_NODE_ARGS } from '../../scripts/build.ts';
import { emptyPostgresDatabase } from '../helpers/database.ts';
import { startServer, stopGracefully, type ServerData } from '../helpers/server-process.ts';

/*
 * Production runs the compiled bundle (dist/server.js), not the TypeScript sources: the bundle
 * must find its migrations and static files from dist/, start on an empty database, and serve.
 * PGlite in a temporary directory, or a new database on the PostgreSQL server at DATABASE_URL.
 */

const postgresUrl = process.env.DATABASE_URL;
const root = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe(`the production build (${postgresUrl ? 'PostgreSQL' : 'PGlite data directory'})`, () => {
  test('the built server migrates an empty database, answers /readyz, serves a page and its stylesheet, and stops on SIGTERM', async () => {
    await buildServer();
    const data: ServerData = {};
    if (postgresUrl) {
      const fresh = await emptyPostgresDatabase(postgresUrl);
      cleanups.push(() => fresh.drop());
      data.databaseUrl = fresh.url;
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), 'rounds-built-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      data.dataDir = path.join(dir, 'data');
    }
    const server = await startServer(data, { built: true, onStart: (started) => cleanups.push(started.kill) });

    // Every body is read: an unread one keeps its connection busy, and shutdown waits for it.
    const ready = await fetch(`${server.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    await ready.arrayBuffer();
    const home = await fetch(`${server.baseUrl}/`);
    expect(home.status).toBe(200);
    const html = await home.text();
    // Static files are served from web/static, found from dist/ through the bundle's source locations.
    const stylesheet = /<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/.exec(html)?.[1];
    expect(stylesheet).toBeDefined();
    const css = await fetch(`${server.baseUrl}${stylesheet}`);
    expect(css.status).toBe(200);
    expect(await css.text()).toContain('{');

    await stopGracefully(server);
    expect(await server.exited, server.output()).toBe(0);
  }, 120_000);

  test('npm start and the Dockerfile run the server with the same node arguments as the bench and these tests', () => {
    const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(packageJson.scripts.start).toContain(`node ${PRODUCTION_NODE_ARGS.join(' ')}`);
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const command = /^CMD (.+)$/m.exec(dockerfile)?.[1];
    expect(command && JSON.parse(command)).toEqual(['node', ...PRODUCTION_NODE_ARGS]);
  });
});
