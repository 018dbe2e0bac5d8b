import Fastify from 'fastify';
import pg from 'pg';

/*
 * The benchmark's ceiling: the cheapest request this stack can answer with a database round trip —
 * Fastify, no plugins, one `select 1` on a pg Pool the size of the app's (db/client.ts: max 10).
 * Started by scripts/bench.ts as its own process, like the app, so both pay the same costs.
 *
 *   DATABASE_URL=postgres://… PORT=4000 node --import tsx scripts/bench-ceiling.ts
 */

const databaseUrl = process.env.DATABASE_URL;
const port = Number(process.env.PORT ?? '0');
if (!databaseUrl || !Number.isInteger(port)) {
  console.error('error: set DATABASE_URL and PORT');
  process.exit(2);
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
pool.on('error', () => {});
const app = Fastify({ logger: false });

app.get('/', async () => {
  const result = await pool.query<{ one: number }>('select 1 as one');
  return { one: result.rows[0]?.one };
});

const shutdown = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

await app.listen({ port, host: '127.0.0.1' });
console.log(`ceiling listening on http://127.0.0.1:${port}/`);
