import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, test } from 'vitest';
import { createDatabase } from '../../db/client.ts';
import { users } from '../../db/schema/index.ts';
import { csrfTokenIn } from '../helpers/browser-session.ts';

const root = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'rounds-shutdown-'));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the real server (`node --import tsx server/main.ts`) on a free port with its own embedded database. */
async function startServer(): Promise<{ process: ChildProcess; origin: string; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  const started = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const origin = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /Rounds is running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match) resolve(match[1]!);
    };
    started.stdout!.on('data', look);
    started.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
  return { process: started, origin, output: () => output };
}

function get(origin: string, path: string, agent: Agent): Promise<{ status: number; body: string; cookie: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(`${origin}${path}`, { agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookie: [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]).join('; ') }));
    })
      .on('error', reject)
      .end();
  });
}

function exited(process: ChildProcess): Promise<number | null> {
  return process.exitCode !== null ? Promise.resolve(process.exitCode) : new Promise((resolve) => process.once('exit', (code) => resolve(code)));
}

/** Resolves once the port refuses new connections. */
async function refusesConnections(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect(port, '127.0.0.1');
      probe.once('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the server kept accepting connections after SIGTERM');
}

describe('graceful shutdown of the real server process', () => {
  test('on SIGTERM the server stops accepting connections, finishes a request still being sent (the account it creates is saved), closes idle keep-alive connections and exits 0', async () => {
    const server = await startServer();
    child = server.process;
    const port = Number(new URL(server.origin).port);

    // A keep-alive connection left idle after its request must not hold the shutdown.
    const keepAlive = new Agent({ keepAlive: true });
    const form = await get(server.origin, '/register', keepAlive);
    expect(form.status).toBe(200);
    const csrf = csrfTokenIn(form.body)!;
    expect(csrf).toBeTruthy();

    const handle = `late${Date.now().toString(36)}`;
    const body = new URLSearchParams({ handle, displayName: 'Dr Late Sender', email: `${handle}@example.org`, password: 'a slow upload is still a request 91', _csrf: csrf }).toString();
    const socket: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    const answered = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    const half = Math.floor(body.length / 2);
    socket.write(
      `POST /register HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCookie: ${form.cookie}\r\n\r\n${body.slice(0, half)}`,
    );
    // The server has the request's headers and half its body when the signal arrives.
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.process.kill('SIGTERM');
    await refusesConnections(port);
    expect(server.process.exitCode).toBeNull();

    socket.write(body.slice(half));
    await answered;
    expect(response).toMatch(/^HTTP\/1\.1 303 /);
    expect(response).toMatch(/\r\nlocation: \/\r\n/i);

    const code = await exited(server.process);
    expect(code, server.output()).toBe(0);
    keepAlive.destroy();

    // The write is in the database, and the database was closed cleanly enough to open again.
    const database = await createDatabase({ databaseUrl: undefined, dataDir });
    try {
      const rows = await database.db.select({ handle: users.handle }).from(users).where(eq(users.handle, handle));
      expect(rows).toHaveLength(1);
    } finally {
      await database.close();
    }
  }, 90_000);
});
