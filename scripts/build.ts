import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/*
 * `npm run build`: compiles the server into one ES module, dist/server.js, which `npm start` and
 * the Docker image run. Running the TypeScript through tsx in production cost ~80 MiB of resident
 * memory for nothing (its transformed sources and source maps, kept for the process's life: 246 MiB
 * at start against 163 MiB for this bundle, measured on rounds_bench). Packages stay external and
 * load from node_modules as before; only our own code is bundled. Tests, dev and scripts keep
 * running the sources through tsx.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = path.join(ROOT, 'dist');
export const SERVER_BUNDLE = path.join(OUT_DIR, 'server.js');

/**
 * Our code finds its files next to its source (`new URL('./migrations', import.meta.url)`), which
 * in the bundle would mean in dist/: each module's import.meta.url becomes its own
 * source file's URL, worked out from where the bundle runs, so the tree can move as a whole (e.g.
 * into a Docker image).
 */
const sourceLocations: Plugin = {
  name: 'source-import-meta-url',
  setup(context) {
    context.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const relative = path.relative(OUT_DIR, args.path).split(path.sep).join('/');
      const contents = source.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`);
      return { contents, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' };
    });
  },
};

/**
 * The node arguments production runs the server with, from the repository root: `npm start`, the
 * Dockerfile, the bench and the system tests say the same (a unit test compares them).
 */
export const PRODUCTION_NODE_ARGS = [
  // Not a limit the server needs (its live heap is 50-100 MiB) but V8's cue to collect: with the
  // default limit (a quarter of the machine's memory, up to 4 GiB) V8 lets the old space grow to
  // 4x the live data between full collections; below 2 GiB the factor shrinks with the limit
  // (1.4 at 512 MiB). Under load short-lived request objects are promoted (a request outlives two
  // scavenges while 50 others run), and that garbage was most of the peak RSS.
  '--max-old-space-size=512',
  // The young generation's half at 8 MiB instead of V8's 16: the process's peak RSS over the same
  // runs fell from 246 to 229 MiB with the same CPU per page (1.90 vs 1.94 ms for a cold thread
  // page, 1.77 vs 1.79 signed in); at 32 MiB it rose to 285 MiB (2026-11-28, docs/benchmark.md 12).
  '--max-semi-space-size=8',
  'dist/server.js',
];

export async function buildServer(): Promise<void> {
  await build({
    entryPoints: { server: path.join(ROOT, 'server', 'main.ts') },
    outdir: OUT_DIR,
    bundle: true,
    // A module imported only when needed (the embedded database: ~40 MB) stays a chunk of its own
    // that loads on first use; in one file its packages would be imported at start-up.
    splitting: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Stack traces in the logs point at the TypeScript sources (node --enable-source-maps).
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [sourceLocations],
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildServer();
}
