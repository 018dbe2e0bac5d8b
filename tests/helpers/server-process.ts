import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRODUCTION_NODE_ARGS } from '../../scripts/build.ts';

/*
 * The real server as a child process (`node --import tsx server/main.ts`, or the compiled bundle as
 * `npm start` runs it), for system tests that need what one test process cannot give: a kill -9,
 * two app processes on one database, or the production build.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerData {
  /** A PostgreSQL database; unset means the embedded database in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
}

export interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr so far, for failure messages. */
  output: () => string;
  /** SIGKILL if it still runs; safe to call twice, and after it exited. */
  kill: () => void;
}

/**
 * Starts the server on `data` with `env` on top of the test's environment (DATABASE_URL only as
 * `data` says); resolves once /readyz answers 200. `onStart` receives it as soon as it is spawned,
 * so the caller can register its cleanup even when start-up then fails.
 */
export async function startServer(
  data: ServerData,
  options: {
    env?: Record<string, string>;
    onStart?: (server: RunningServer) => void;
    /** Run dist/server.js with production's node arguments (build it first) instead of the sources. */
    built?: boolean;
  } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  if (data.databaseUrl) env.DATABASE_URL = data.databaseUrl;
  if (data.dataDir) env.DATA_DIR = data.dataDir;
  Object.assign(env, options.env);
  const args = options.built ? PRODUCTION_NODE_ARGS : ['--import', 'tsx', 'server/main.ts'];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const server: RunningServer = {
    child,
    baseUrl,
    exited,
    output: () => output,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  options.onStart?.(server);
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the server exited before it was ready:\n${output}`);
    const ready = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
    if (ready) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server was not ready within a minute:\n${output}`);
}

/** SIGTERM, then SIGKILL if it has not stopped within 20 s; resolves once it exited. */
export async function stopGracefully(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const stopped = await Promise.race([server.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000))]);
  if (!stopped) {
    server.kill();
    await server.exited;
  }
}
