import { defineConfig } from 'drizzle-kit';

// One migrations folder serves PGlite and PostgreSQL; `drizzle-kit check`/`generate` only read the schema files.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
});
