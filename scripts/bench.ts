import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from './load-generator.ts';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Database } from '../db/client.ts';
import * as schema from '../db/schema/index.ts';
import { hashPassword } from '../server/accounts/passwords.ts';
import { hashToken } from '../server/accounts/service.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { CONTENT_PIPELINE_VERSION } from '../server/content/render-markdown.ts';
import { createNotifier } from '../server/notifications/notifier.ts';
import { createForumService } from '../server/forum/service.ts';
import { REMEMBER_NOTHING } from '../server/events/member-cache.ts';
import { rememberedSettings } from '../server/moderation/admission.ts';
import { ANONYMOUS } from '../server/policy/index.ts';
import { SEARCH_KINDS } from '../server/search/rules.ts';
import { createSearchGate } from '../server/search/gate.ts';
import { createSearchService } from '../server/search/service.ts';
import { createSpacesService } from '../server/spaces/service.ts';
import { buildServer, PRODUCTION_NODE_ARGS } from './build.ts';
import { postBodies } from './large-dataset-plan.ts';
import {
  CommandError,
  countOption,
  formatCount,
  formatSeconds,
  openDatabase,
  parseOptions,
  queryRows,
  redactUrl,
  runCommand,
} from './operator-command.ts';

/*
 * `npm run bench -- [--quick] [--posts N] [--threads N] [--duration S] [--connections N]`
 *
 * Load-tests a real server process on PostgreSQL with autocannon and compares each page with a
 * ceiling (a bare Fastify route running `select 1` on a pool of the same size), then EXPLAINs the
 * SQL behind the read pages. Seeds the database with seed-large.ts first when it is empty.
 * Writes the results into docs/benchmark.md between the bench markers.
 */

/**
 * What the search runs ask for. Words common in the seeded posts ('handover' is in about one post
 * in nine, the others in a few percent, as a topic's words are) and two-word queries of the kind
 * people type.
 */
const SEARCH_WORDS = ['handover', 'sepsis', 'delirium', 'ultrasound', 'tracheostomy'];
/** Members searching at once beside the signed-in thread pages (the `thread-member-searching` run). */
const SEARCHERS = 5;
const SEARCH_PHRASES = ['septic shock', 'delirium screening', 'tracheostomy timing', 'driving pressure', 'handover tool', 'blood culture'];

/**
 * The search latency run: single requests one after another (no concurrency), as a member of the
 * public spaces and as a visitor — what one person waits for a typical query of each kind.
 */
const SEARCH_LATENCY_QUERIES: { kind: string; query: string }[] = [
  ...SEARCH_WORDS.map((w) => ({ kind: 'one common word', query: `q=${encodeURIComponent(w)}` })),
  ...SEARCH_PHRASES.map((p) => ({ kind: 'two words', query: `q=${encodeURIComponent(p)}` })),
  ...['"septic shock"', '"blood culture contamination"', '"night-shift handover"'].map((p) => ({ kind: 'quoted phrase', query: `q=${encodeURIComponent(p)}` })),
  ...['vancomycin', 'benchmark', 'xylophone ward', 'sepsis -screening -shock'].map((p) => ({ kind: 'rare, absent or excluded', query: `q=${encodeURIComponent(p)}` })),
  ...['sepsis&kind=thread', 'delirium&kind=entry', 'ultrasound&from=2025-01-01'].map((p) => ({ kind: 'with a filter', query: `q=${p}` })),
];
const SEARCH_LATENCY_REPEATS = 5;

const RUN_KEYS = ['thread', 'hot', 'cold', 'board', 'home', 'entry', 'profile', 'thread-member', 'board-member', 'home-member', 'entry-member', 'profile-member', 'search', 'search-member', 'thread-member-searching', 'reply', 'start', 'flag', 'notifications', 'queue'] as const;
const USAGE = `usage: npm run bench -- [--quick] [--posts 1000000] [--threads 100000] [--duration 10] [--connections 50] [--only ${RUN_KEYS.join(',')}] [--no-doc]
  DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/rounds_bench (created, migrated and seeded when empty)
  BENCH_CPU_PROFILE=<dir> writes the server's CPU profile there when it stops`;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = fileURLToPath(new URL('../docs/benchmark.md', import.meta.url));
const DOC_START = '<!-- bench:start (written by `npm run bench`; edit outside these markers) -->';
const DOC_END = '<!-- bench:end -->';
const APP_POOL_SIZE = 10; // db/client.ts's default; the ceiling uses the same
/** What a browser sends with every page request; the anonymous cache keeps compressed copies of its pages. */
const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate, br' };

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  ceilingShare: number | null;
  /** CPU time the measured server process spent per answered request: steadier than req/s on a shared machine. */
  cpuMsPerRequest: number | null;
  /** CPU time PostgreSQL's processes spent per answered request (its backends, WAL writer and all), when it runs on this machine. */
  dbCpuMsPerRequest: number | null;
  /** Share of answers served from the anonymous page cache (its x-cache header), for page runs. */
  cacheHitShare: number | null;
}

// ── processes ────────────────────────────────────────────────────────────────

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function startProcess(name: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, args, { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) console.error(`${name} exited with code ${code}:\n${output}`);
  });
  children.push(child);
  return { child, output: () => output };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(url: string, what: string, proc: { child: ChildProcess; output: () => string }): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new CommandError(`${what} stopped before it was ready:\n${proc.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new CommandError(`${what} was not ready at ${url} within 60 s:\n${proc.output()}`);
}

/** Peak resident memory (VmHWM) of a process, in MiB, from /proc. */
function peakRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

function gitRevision(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown revision';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? ' with uncommitted changes' : ''}`;
}

// ── database ─────────────────────────────────────────────────────────────────

async function ensureDatabaseExists(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new CommandError('DATABASE_URL must name a database, e.g. postgres://postgres@127.0.0.1:5432/rounds_bench');
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  try {
    await admin.connect();
  } catch (error) {
    throw new CommandError(`could not connect to PostgreSQL at ${redactUrl(adminUrl.toString())}: ${(error as Error).message}`);
  }
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await admin.query(`create database ${admin.escapeIdentifier(name)}`);
    return true;
  } finally {
    await admin.end();
  }
}

function runSeedLarge(env: NodeJS.ProcessEnv, posts: number, threads: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed-large.ts', '--posts', String(posts), '--threads', String(threads)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(child);
    child.on('exit', (code) => (code === 0 ? resolve(Date.now() - started) : reject(new CommandError(`seed-large failed (exit ${code})`))));
  });
}

// ── EXPLAIN ──────────────────────────────────────────────────────────────────

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode, depth = 0, out: string[] = []): string[] {
  const on = node['Relation Name'] ? ` on ${node['Relation Name']}` : '';
  const using = node['Index Name'] ? ` using ${node['Index Name']}` : '';
  out.push(`${'  '.repeat(depth)}${node['Node Type']}${on}${using}`);
  for (const child of node.Plans ?? []) planNodes(child, depth + 1, out);
  return out;
}

interface SeqScan {
  relation: string;
  /** Rows the scan read (returned and filtered out), over all loops. */
  rowsRead: number;
}

/** A Seq Scan reading this many rows or more is a finding; below it (the 100-row boards table) it is the right plan. */
const SEQ_SCAN_CONCERN = 1000;

function seqScans(node: PlanNode, out: SeqScan[] = []): SeqScan[] {
  const relation = node['Relation Name'] ?? '';
  if (node['Node Type'] === 'Seq Scan' && ['threads', 'posts', 'boards'].includes(relation)) {
    const loops = node['Actual Loops'] ?? 1;
    out.push({ relation, rowsRead: Math.round(((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * loops) });
  }
  for (const child of node.Plans ?? []) seqScans(child, out);
  return out;
}

function describeSeqScans(scans: SeqScan[]): string {
  return scans
    .map((s) => `Seq Scan on ${s.relation} (${formatCount(s.rowsRead)} rows read${s.rowsRead >= SEQ_SCAN_CONCERN ? ' ⚠' : ', small: fine'})`)
    .join('; ');
}

interface Explained {
  page: string;
  statement: string;
  ms: number;
  planningMs: number;
  nodes: string[];
  seqScans: SeqScan[];
}

/**
 * Runs the same service calls as the page routes (web/routes/forum.tsx) on a drizzle instance
 * whose logger records every statement, then EXPLAIN ANALYZEs each one with its parameters.
 */
async function explainPages(
  url: string,
  setting: Config['privateSpaces'],
  targets: { threadId: number; spaceSlug: string; boardSlug: string },
): Promise<Explained[]> {
  const captured: { query: string; params: unknown[] }[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const db = drizzle(pool, { schema, logger: { logQuery: (query, params) => captured.push({ query, params }) } }) as unknown as Database;
  const spaces = createSpacesService(db, setting);
  const forum = createForumService(db, spaces, createNotifier(), rememberedSettings(db, REMEMBER_NOTHING));
  // One search at a time: each statement is explained alone.
  const search = createSearchService(db, spaces, forum, createSearchGate({ concurrency: 1, waitMs: 600_000 }), { perMinute: 1_000_000 });
  const pages: [string, () => Promise<unknown>][] = [
    ['thread page (cache check)', () => forum.anonymousThreadVersion(targets.threadId)],
    ['thread page', () => forum.threadPage(ANONYMOUS, targets.threadId, 1)],
    [
      'board page',
      async () => {
        const board = await spaces.boardBySlugs(ANONYMOUS, targets.spaceSlug, targets.boardSlug);
        return forum.boardPage(ANONYMOUS, board, 1);
      },
    ],
    ['home page', () => Promise.all([spaces.directory(ANONYMOUS), forum.latest(ANONYMOUS, 'home')])],
    ['search (common word)', () => search.search(ANONYMOUS, { q: SEARCH_WORDS[0]!, kinds: [...SEARCH_KINDS], page: 1 }, 'bench')],
    ['search (two words)', () => search.search(ANONYMOUS, { q: SEARCH_PHRASES[0]!, kinds: [...SEARCH_KINDS], page: 1 }, 'bench')],
  ];
  const results: Explained[] = [];
  try {
    for (const [page, run] of pages) {
      captured.length = 0;
      await run();
      for (const { query, params } of [...captured]) {
        // A search counts its searcher's searches (a rate limit): a write, not one of the page's reads.
        if (/^\s*insert/i.test(query)) continue;
        const result = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number; 'Planning Time': number }] }>(
          `explain (analyze, buffers, format json) ${query}`,
          params,
        );
        const plan = result.rows[0]?.['QUERY PLAN'][0];
        if (!plan) continue;
        results.push({
          page,
          statement: query.replace(/\s+/g, ' ').slice(0, 110),
          ms: plan['Execution Time'],
          planningMs: plan['Planning Time'],
          nodes: planNodes(plan.Plan),
          seqScans: seqScans(plan.Plan),
        });
      }
    }
  } finally {
    await pool.end();
  }
  return results;
}

// ── load ─────────────────────────────────────────────────────────────────────

/**
 * Waits until the server answers /readyz quickly three times in a row: requests abandoned by the
 * previous run (autocannon closes its sockets, the handlers still finish) must not load the next.
 */
async function settle(appUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let quick = 0;
  while (quick < 3 && Date.now() < deadline) {
    const started = Date.now();
    try {
      await fetch(`${appUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
      quick = Date.now() - started < 50 ? quick + 1 : 0;
    } catch {
      quick = 0;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks are 1/100 s). */
function cpuTimeMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * CPU time of every PostgreSQL process on this machine, by pid (Linux /proc; the processes named
 * `postgres`). Empty when there are none to read: a database elsewhere, or another OS.
 */
function postgresCpuMs(): Map<number, number> {
  const found = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const ms = cpuTimeMs(Number(entry));
      if (ms !== null) found.set(Number(entry), ms);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return found;
}

/**
 * What PostgreSQL's processes spent between two readings. A backend started in between counts from
 * nothing; one that ended in between is lost (the pool keeps its connections through a run).
 */
function postgresCpuSpent(before: Map<number, number>, after: Map<number, number>): number | null {
  if (after.size === 0) return null;
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}

interface Measured {
  result: autocannon.Result;
  /** The load run beside the measured one (`alongside`), if any: its answers share the CPU columns' time, so those are left out. */
  alongside?: autocannon.Result;
  cpuMsPerRequest: number | null;
  dbCpuMsPerRequest: number | null;
  cacheHitShare: number | null;
}

/** Counts the anonymous cache's x-cache answers; reset before each measured run. */
const cacheCount = { hit: 0, miss: 0, none: 0 };
function countCache(_status: number, _body: string, _context: object, headers: IncomingHttpHeaders | undefined): void {
  const value = headers?.['x-cache'];
  // 'stale': a page whose time ran out, served while one request renders its replacement.
  if (value === 'hit' || value === 'stale') cacheCount.hit++;
  else if (value === 'miss') cacheCount.miss++;
  else cacheCount.none++;
}

async function measure(
  name: string,
  options: autocannon.Options,
  warmupSeconds: number,
  appUrl: string,
  pid: number | undefined,
  alongside?: autocannon.Options,
): Promise<Measured> {
  await settle(appUrl);
  process.stdout.write(`  ${name}: warming up… `);
  await Promise.all([autocannon({ ...options, duration: warmupSeconds }), alongside && autocannon({ ...alongside, duration: warmupSeconds })]);
  await settle(appUrl);
  process.stdout.write('measuring… ');
  cacheCount.hit = cacheCount.miss = cacheCount.none = 0;
  const cpuBefore = cpuTimeMs(pid);
  const dbCpuBefore = postgresCpuMs();
  const [result, beside] = await Promise.all([autocannon(options), alongside && autocannon({ ...alongside, duration: options.duration ?? 10 })]);
  if (beside) {
    console.log(`${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms; alongside ${Math.round(beside.requests.average)} req/s, p99 ${beside.latency.p99} ms` + (beside.non2xx || beside.errors ? `, ${beside.non2xx} non-2xx, ${beside.errors} errors alongside` : ''));
    await settle(appUrl);
    return { result, alongside: beside, cpuMsPerRequest: null, dbCpuMsPerRequest: null, cacheHitShare: null };
  }
  const counted = cacheCount.hit + cacheCount.miss;
  const cacheHitShare = counted > 0 ? (100 * cacheCount.hit) / (counted + cacheCount.none) : null;
  // Abandoned requests still finish after the run; their CPU belongs to it too.
  await settle(appUrl);
  const cpuAfter = cpuTimeMs(pid);
  const dbSpent = postgresCpuSpent(dbCpuBefore, postgresCpuMs());
  const answered = result.requests.total;
  const cpuMsPerRequest = cpuBefore !== null && cpuAfter !== null && answered > 0 ? (cpuAfter - cpuBefore) / answered : null;
  const dbCpuMsPerRequest = dbSpent !== null && answered > 0 ? dbSpent / answered : null;
  console.log(
    `${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ${cpuMsPerRequest?.toFixed(2) ?? '?'} CPU ms/request` +
      (dbCpuMsPerRequest === null ? '' : ` (PostgreSQL ${dbCpuMsPerRequest.toFixed(2)})`) +
      (cacheHitShare === null ? '' : `, ${cacheHitShare.toFixed(0)}% cache hits`) +
      (result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''),
  );
  return { result, cpuMsPerRequest, dbCpuMsPerRequest, cacheHitShare };
}

function toRow(name: string, { result, alongside, cpuMsPerRequest, dbCpuMsPerRequest, cacheHitShare }: Measured, ceiling: number | null): Row {
  return {
    cpuMsPerRequest,
    dbCpuMsPerRequest,
    cacheHitShare,
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + (alongside?.non2xx ?? 0),
    errors: result.errors + result.timeouts + (alongside ? alongside.errors + alongside.timeouts : 0),
    ceilingShare: ceiling ? (100 * result.requests.average) / ceiling : null,
  };
}

function table(rows: Row[]): string {
  const header = '| name | requests/s | p50 ms | p99 ms | non-2xx | errors | % of ceiling | server CPU ms/req | PostgreSQL CPU ms/req | cache hits |';
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${formatCount(Math.round(r.rps))} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r.ceilingShare === null ? '100%' : `${r.ceilingShare.toFixed(0)}%`} | ${r.cpuMsPerRequest?.toFixed(2) ?? '–'} | ${r.dbCpuMsPerRequest?.toFixed(2) ?? '–'} | ${r.cacheHitShare === null ? '–' : `${r.cacheHitShare.toFixed(0)}%`} |`,
  );
  return [header, rule, ...lines].join('\n');
}

function writeDoc(section: string): void {
  mkdirSync(fileURLToPath(new URL('../docs', import.meta.url)), { recursive: true });
  const block = `${DOC_START}\n${section.trim()}\n${DOC_END}`;
  if (!existsSync(DOC)) {
    writeFileSync(DOC, `# Benchmark\n\n${block}\n`);
    return;
  }
  const current = readFileSync(DOC, 'utf8');
  const start = current.indexOf(DOC_START);
  const end = current.indexOf(DOC_END);
  const next = start >= 0 && end > start ? `${current.slice(0, start)}${block}${current.slice(end + DOC_END.length)}` : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, next);
}

/** Signs in through the page form (CSRF token and all) and returns the session cookie a browser would send. */
interface LatencyRow {
  kind: string;
  viewer: string;
  samples: number;
  p50: number;
  p95: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Each query of SEARCH_LATENCY_QUERIES, one request at a time, after one unmeasured request. */
async function searchLatency(appUrl: string, viewers: { label: string; headers: Record<string, string> }[]): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  for (const viewer of viewers) {
    const byKind = new Map<string, number[]>();
    for (const { kind, query } of SEARCH_LATENCY_QUERIES) {
      for (let i = 0; i <= SEARCH_LATENCY_REPEATS; i++) {
        const started = performance.now();
        const response = await fetch(`${appUrl}/api/v1/search?${query}`, { headers: viewer.headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new CommandError(`GET /api/v1/search?${query} answered ${response.status}`);
        if (i > 0) byKind.set(kind, [...(byKind.get(kind) ?? []), performance.now() - started]);
      }
    }
    const all: number[] = [];
    for (const [kind, samples] of byKind) {
      all.push(...samples);
      const sorted = [...samples].sort((a, b) => a - b);
      rows.push({ kind, viewer: viewer.label, samples: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? 0 });
    }
    const sorted = all.sort((a, b) => a - b);
    rows.push({ kind: '**all of the above**', viewer: viewer.label, samples: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? 0 });
  }
  return rows;
}

function latencyTable(rows: LatencyRow[]): string {
  const lines = rows.map((r) => `| ${r.kind} | ${r.viewer} | ${r.samples} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${r.max.toFixed(0)} |`);
  return ['| query | viewer | requests | p50 ms | p95 ms | max ms |', '|---|---|---:|---:|---:|---:|', ...lines].join('\n');
}

/** The runs that write; the runs after them read what they wrote (notifications, the review queue). */
const WRITE_RUNS = new Set(['reply', 'start', 'flag']);

/**
 * What autovacuum does within a minute of such writes, done by hand when the server runs without
 * it (this project's CI PostgreSQL does): ten seconds of flags make ~7,000 open review items, and
 * on statistics from before them PostgreSQL sorted every open item for each queue page instead of
 * walking its index (PostgreSQL 3 → 12 ms a page, growing with the queue).
 */
async function analyzeWrittenTables(db: Database): Promise<void> {
  process.stdout.write('  autovacuum is off on this server: analyzing the tables the writes filled, as it would… ');
  const started = performance.now();
  await db.execute(sql`analyze posts, threads, notifications, review_items, flags, thread_watches`);
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function signInCookie(appUrl: string, login: string, password: string): Promise<string> {
  const form = await fetch(`${appUrl}/signin`);
  const html = await form.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const visitor = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (!csrf) throw new CommandError('the sign-in page carried no CSRF token');
  const response = await fetch(`${appUrl}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor },
    body: new URLSearchParams({ login, password, _csrf: csrf, next: '/' }).toString(),
  });
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
  const session = cookies.find((c) => /^(__Host-)?rounds_session=/.test(c));
  if (response.status !== 303 || !session) throw new CommandError(`signing in ${login} through the form answered ${response.status}`);
  // The visitor cookie too, as a browser keeps both (flash messages, the CSRF secret).
  const jar = new Map([...visitor.split('; '), ...cookies].filter(Boolean).map((c) => [c.split('=')[0] ?? '', c]));
  return [...jar.values()].join('; ');
}

// ── main ─────────────────────────────────────────────────────────────────────

runCommand(async () => {
  const { values, flags } = parseOptions(
    process.argv.slice(2),
    { values: ['posts', 'threads', 'duration', 'connections', 'only'], flags: ['quick', 'no-doc'] },
    USAGE,
  );
  const only = values.get('only')?.split(',');
  const known: readonly string[] = RUN_KEYS;
  if (only?.some((key) => !known.includes(key))) throw new CommandError(`--only takes a comma-separated list of ${known.join(', ')}.\n${USAGE}`, 2);
  const quick = flags.has('quick');
  const posts = countOption(values, 'posts', quick ? 50_000 : 1_000_000, 1, 50_000_000, USAGE);
  const threads = countOption(values, 'threads', quick ? 5_000 : Math.max(1, Math.round(posts / 10)), 1, 5_000_000, USAGE);
  const duration = countOption(values, 'duration', 10, 1, 600, USAGE);
  const connections = countOption(values, 'connections', 50, 1, 1000, USAGE);
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/rounds_bench';
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl });
  const url = config.databaseUrl ?? databaseUrl;
  const started = Date.now();
  const loadBefore = loadAverage();

  console.log(`Benchmark on ${redactUrl(url)} — ${connections} connections, ${duration} s per run (load average ${loadBefore})`);
  if (Number(loadBefore.split(' ')[0]) > 1) {
    console.warn(`warning: the machine is busy (1-minute load average ${loadBefore.split(' ')[0]} on ${cpus().length} cores): figures will be low and noisy.`);
  }
  if (await ensureDatabaseExists(url)) console.log(`Created database ${new URL(url).pathname.slice(1)}.`);

  const database = await openDatabase(config, { poolSize: 2 });
  let seededMs: number | null = null;
  try {
    await database.migrate();
    const { db } = database;
    const [existing] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from threads`);
    if (!existing?.n) {
      console.log(`Database is empty: seeding ${formatCount(posts)} posts / ${formatCount(threads)} threads with seed-large…`);
      seededMs = await runSeedLarge({ ...process.env, DATABASE_URL: url }, posts, threads);
    }
    const [size] = await queryRows<{ posts: number; threads: number; boards: number; users: number; bytes: string; sharedBuffers: string; autovacuum: string }>(
      db,
      sql`select (select count(*) from posts)::int as posts, (select count(*) from threads)::int as threads,
                 (select count(*) from boards)::int as boards, (select count(*) from users)::int as users,
                 pg_size_pretty(pg_database_size(current_database())) as bytes, current_setting('shared_buffers') as "sharedBuffers",
                 current_setting('autovacuum') as autovacuum`,
    );
    if (!size) throw new Error('no size row');
    if (seededMs === null && Math.abs(size.posts - posts) > posts * 0.05) {
      console.log(`note: using the existing data (${formatCount(size.posts)} posts); drop the database to benchmark ${formatCount(posts)}.`);
    }
    // The buffer cache is the server setting that most changes these figures: the run names it.
    console.log(
      `Data: ${formatCount(size.posts)} posts, ${formatCount(size.threads)} threads, ${formatCount(size.boards)} boards, ${formatCount(size.users)} users (${size.bytes}); PostgreSQL shared_buffers ${size.sharedBuffers}, autovacuum ${size.autovacuum}.`,
    );

    // Targets: threads with a full first page, the busiest board, and threads open for replies.
    const threadTargets = await queryRows<{ id: number; slug: string }>(
      db,
      sql`select t.id::int as id, t.slug from threads t join boards b on b.id = t.board_id join spaces s on s.id = b.space_id
          where t.post_count >= 30 and t.deleted_at is null and s.level = 'public' and b.archived_at is null and s.archived_at is null
          order by md5(t.id::text) limit 100`,
    );
    // Public threads with 10+ posts, for the cold run: many more pages than the cache holds (it
    // keeps ~5,000 compressed thread pages in 32 MiB), so nearly every request renders.
    const coldTargets = await queryRows<{ id: number; slug: string }>(
      db,
      sql`select t.id::int as id, t.slug from threads t join boards b on b.id = t.board_id join spaces s on s.id = b.space_id
          where t.post_count >= 10 and t.deleted_at is null and s.level = 'public' and b.archived_at is null and s.archived_at is null
          order by md5(t.id::text || 'cold') limit 30000`,
    );
    const [board] = await queryRows<{ space: string; board: string }>(
      db,
      sql`select s.slug as space, b.slug as board from boards b join spaces s on s.id = b.space_id
          where s.level = 'public' and b.archived_at is null and s.archived_at is null order by b.thread_count desc limit 1`,
    );
    const replyTargets = await queryRows<{ id: number }>(
      db,
      sql`select t.id::int as id from threads t join boards b on b.id = t.board_id join spaces s on s.id = b.space_id
          where not t.locked and t.deleted_at is null and s.level = 'public' and b.archived_at is null and s.archived_at is null
          order by md5(t.id::text) limit 1000`,
    );
    const entryTargets = await queryRows<{ handle: string; slug: string }>(
      db,
      sql`select u.handle, e.slug from blog_entries e join users u on u.id = e.author_id
          where e.status = 'published' and e.visibility = 'public' and e.moderation_status = 'published' and e.deleted_at is null
          order by md5(e.id::text) limit 100`,
    );
    const profileTargets = await queryRows<{ handle: string }>(
      db,
      sql`select u.handle from users u where u.status = 'active' and u.id like 'seed%' order by md5(u.id) limit 100`,
    );
    const boardIds = await queryRows<{ id: number }>(
      db,
      sql`select b.id::int as id from boards b join spaces s on s.id = b.space_id
          where s.level = 'public' and b.archived_at is null and s.archived_at is null order by b.id`,
    );
    // Posts to flag: a fresh random draw each run, outside the measured threads, so no post
    // collects enough flags to be hidden and no writer flags the same post twice — nor one it
    // wrote in an earlier run's replies, nor one flagged in an earlier run (both are refused).
    const flagTargets = await queryRows<{ id: number }>(
      db,
      sql`select p.id::int as id from posts p join threads t on t.id = p.thread_id join boards b on b.id = t.board_id join spaces s on s.id = b.space_id
          where s.level = 'public' and p.status = 'published' and p.deleted_at is null and p.number > 1 and t.post_count < 30
            and p.author_id not like 'bench-writer-%' and not exists (select 1 from flags f where f.post_id = p.id)
          order by md5(p.id::text || ${randomBytes(4).toString('hex')}) limit 40000`,
    );
    if (threadTargets.length === 0 || !board || replyTargets.length === 0) {
      throw new CommandError('the database has no public thread with 30+ posts to benchmark; drop it and let the bench seed it.');
    }

    // Writers: bench-only members with a fresh password each run; one token per writer. A
    // thousand, so that each posts a few times a run, as busy people do: admission reads a
    // member's posts of the last hour, and with a hundred writers each had hundreds of them.
    const writerCount = Math.max(1000, connections * 2);
    const writerPassword = randomBytes(16).toString('base64url');
    const writerHash = await hashPassword(writerPassword);
    await db.execute(sql`
      insert into users (id, handle, display_name, email, password_hash, role, trust_level, render_version)
      select 'bench-writer-' || g, 'bench-writer-' || g, 'Bench writer ' || g, 'bench-writer-' || g || '@example.org', ${writerHash}, 'member', 2, ${CONTENT_PIPELINE_VERSION}
      from generate_series(1, ${writerCount}) g
      on conflict (id) do update set password_hash = excluded.password_hash, status = 'active'`);
    await db.execute(sql`delete from api_tokens where user_id like 'bench-writer-%'`);
    // Every run starts as the first did: an earlier run's replies left the writers, who watch the
    // threads they replied to, with unread notifications, and the signed-in pages' bell then asked
    // a costlier question than on a fresh seed (which made runs on one database incomparable).
    await db.execute(sql`update notifications set read_at = now() where recipient_id like 'bench-writer-%' and read_at is null`);
    // The signed-in members belong to three private spaces each (two of them confidential), as a
    // member of a peer group does: their home page lists those spaces first, and their searches and
    // boards read those spaces' content beside the public spaces'.
    await db.execute(sql`
      insert into space_members (space_id, user_id, role, status, rules_accepted_version)
      select s.id, 'bench-writer-' || (1 + (s.n - 1) / 3), 'member', 'active', s.rules_version
      from (select id, rules_version, row_number() over (order by id) as n from spaces where level <> 'public') s
      where s.n <= 60
      on conflict (space_id, user_id) do update set status = 'active', rules_accepted_version = excluded.rules_accepted_version`);
    // One site moderator reads the review queue (bench-writer-1; the others are plain members).
    await db.execute(sql`update users set role = 'moderator' where id = 'bench-writer-1'`);
    // The bench measures write throughput, not the per-member hourly limit (120 by default), which
    // a hundred writers posting for minutes would reach: lift it on this dedicated database.
    await db.execute(sql`
      insert into site_settings (key, value) values ('moderation', ${JSON.stringify({ memberPostsPerHour: 10000 })}::jsonb)
      on conflict (key) do update set value = site_settings.value || excluded.value`);

    // Processes: the ceiling and the app, each on its own free port.
    const baseEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'DATA_DIR') baseEnv[key] = value;
    const ceilingPort = await freePort();
    const ceiling = startProcess('ceiling', ['--import', 'tsx', 'scripts/bench-ceiling.ts'], { ...baseEnv, DATABASE_URL: url, PORT: String(ceilingPort) });
    const appPort = await freePort();
    // The server runs as `npm start` runs it: the compiled bundle, built from this checkout.
    await buildServer();
    // BENCH_CPU_PROFILE=<dir> writes the server's CPU profile there when it stops (open it in Chrome's DevTools).
    const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
    const app = startProcess('server', [...profile, ...PRODUCTION_NODE_ARGS], {
      ...baseEnv,
      NODE_ENV: 'production',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      INSECURE_COOKIES: '1',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(appPort),
      DATABASE_URL: url,
      // The bench signs in its writers from one address; the limit protects real sign-in forms.
      RATE_SIGNIN_PER_IP_PER_MINUTE: '100',
      // The search runs ask how many searches a second the machine answers, fifty at once: more
      // than the default wait for a turn (3 s) lets queue on a slow machine, where the rest would be
      // told to try again. The turns themselves (SEARCH_CONCURRENCY) are the default.
      SEARCH_WAIT_MS: '60000',
      // Twenty members and one address search for seconds on end: far past a person's 30 a minute.
      RATE_SEARCH_PER_MINUTE: '1000000',
    });
    const ceilingUrl = `http://127.0.0.1:${ceilingPort}`;
    const appUrl = `http://127.0.0.1:${appPort}`;
    await waitFor(`${ceilingUrl}/`, 'the ceiling process', ceiling);
    await waitFor(`${appUrl}/readyz`, 'the server', app);
    console.log(`Server ready at ${appUrl} (pid ${app.child.pid}); ceiling at ${ceilingUrl}.`);

    // One look at each page before loading it: a benchmark of error pages is worthless.
    const threadPaths = threadTargets.map((t) => `/t/${t.id}/${t.slug}`);
    const boardPath = `/s/${board.space}/${board.board}`;
    const sample = async (path: string) => {
      const response = await fetch(`${appUrl}${path}`);
      const text = await response.text();
      if (response.status !== 200) throw new CommandError(`GET ${path} answered ${response.status}; not benchmarking an error page.`);
      const cookie = response.headers.get('set-cookie');
      // What goes over the wire to a browser (fetch would decompress, so ask node:http's way: read the header).
      const compressed = await fetch(`${appUrl}${path}`, { headers: BROWSER_HEADERS });
      await compressed.arrayBuffer();
      const wire = Number(compressed.headers.get('content-length') ?? Buffer.byteLength(text));
      return { bytes: Buffer.byteLength(text), wire, posts: (text.match(/<article class="post"/g) ?? []).length, cookie };
    };
    const kb = (page: { bytes: number; wire: number }) => `${Math.round(page.bytes / 1024)} KB (${(page.wire / 1024).toFixed(1)} KB compressed)`;
    const threadSample = await sample(threadPaths[0] ?? '/');
    const boardSample = await sample(boardPath);
    const homeSample = await sample('/');
    console.log(
      `Pages: thread ${kb(threadSample)} with ${threadSample.posts} posts, board ${kb(boardSample)}, home ${kb(homeSample)}` +
        (threadSample.cookie || boardSample.cookie || homeSample.cookie ? ' — note: an anonymous page set a cookie' : ''),
    );

    // One token through the API (so that path is known to work), the others written as the API
    // writes them: a thousand password checks would take a minute.
    const firstToken = await fetch(`${appUrl}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bench-writer-1', password: writerPassword, name: 'bench' }),
    });
    const firstBody = (await firstToken.json()) as { token?: string };
    if (firstToken.status !== 201 || !firstBody.token) throw new CommandError(`POST /api/v1/auth/token for bench-writer-1 answered ${firstToken.status}: ${JSON.stringify(firstBody)}`);
    const tokens: string[] = [firstBody.token];
    for (let i = 2; i <= writerCount; i++) tokens.push(`rnd_${randomBytes(32).toString('base64url')}`);
    await db.insert(schema.apiTokens).values(tokens.slice(1).map((token, i) => ({ userId: `bench-writer-${i + 2}`, name: 'bench', tokenHash: hashToken(token) })));

    // Browser sessions for the signed-in page runs: the sign-in form, as a browser fills it in.
    const sessionCookies: string[] = [];
    for (let i = 1; i <= Math.min(writerCount, 20); i++) sessionCookies.push(await signInCookie(appUrl, `bench-writer-${i}`, writerPassword));
    const moderatorCookie = sessionCookies[0] ?? '';

    // Load.
    const base = { connections, duration, timeout: 10 } as const;
    const warmup = Math.min(3, duration);
    let nextThread = 0;
    let nextCold = 0;
    const coldPaths = coldTargets.map((t) => `/t/${t.id}/${t.slug}`);
    const page = (paths: () => string, cookie?: () => string) => ({
      ...base,
      url: appUrl,
      requests: [
        {
          method: 'GET' as const,
          headers: BROWSER_HEADERS,
          onResponse: countCache,
          setupRequest: (req: autocannon.Request) => ({ ...req, path: paths(), ...(cookie ? { headers: { ...BROWSER_HEADERS, cookie: cookie() } } : {}) }),
        },
      ],
    });
    let nextCookie = 0;
    const member = () => sessionCookies[nextCookie++ % sessionCookies.length] ?? '';
    let nextEntry = 0;
    const entryPaths = entryTargets.map((e) => `/u/${e.handle}/blog/${e.slug}`);
    let nextProfile = 0;
    const profilePaths = profileTargets.map((u) => `/u/${u.handle}`);
    const post = (path: () => string, body: () => string) => ({
      ...base,
      url: appUrl,
      requests: [
        {
          method: 'POST' as const,
          setupRequest: (req: autocannon.Request) => ({
            ...req,
            path: path(),
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[nextToken++ % tokens.length]}` },
            body: body(),
          }),
        },
      ],
    });
    let nextStart = 0;
    let nextFlag = 0;
    let nextSearch = 0;
    let nextReply = 0;
    let nextToken = 0;
    // Unique across runs: the same text twice within minutes is refused as a duplicate.
    const runTag = randomBytes(4).toString('hex');
    // The seed's texts, so what the bench writes keeps the data's vocabulary: wordless posts piled up
    // run after run among the newest rows, where search looks first, and searches slowed down.
    const bodies = postBodies();
    const replyBody = (n: number) => JSON.stringify({ body: `Benchmark reply ${runTag}-${n}.\n\n${bodies[n % bodies.length]}` });
    const runs: { key: string; name: string; label: string; options: autocannon.Options; alongside?: autocannon.Options }[] = [
      // Thread pages come from the anonymous cache while the thread is unchanged (each hit re-reads the
      // thread's version from PostgreSQL); "cold" cycles through more threads than the cache holds.
      {
        key: 'thread',
        name: 'thread page, 30 posts (anonymous, rotating over 100 threads)',
        label: 'thread page',
        options: page(() => threadPaths[nextThread++ % threadPaths.length] ?? '/'),
      },
      { key: 'hot', name: 'thread page, one hot thread (anonymous)', label: 'hot thread', options: page(() => threadPaths[0] ?? '/') },
      {
        key: 'cold',
        name: `thread page, cold: every request renders (anonymous, cycling over ${formatCount(coldPaths.length)} threads)`,
        label: 'cold thread page',
        options: page(() => coldPaths[nextCold++ % coldPaths.length] ?? '/'),
      },
      { key: 'board', name: 'board page (busiest board, anonymous; 2 s cache)', label: 'board page', options: page(() => boardPath) },
      { key: 'home', name: 'home page (anonymous; 2 s cache)', label: 'home page', options: page(() => '/') },
      { key: 'entry', name: 'blog entry (anonymous, rotating over 100 entries; 2 s cache)', label: 'blog entry', options: page(() => entryPaths[nextEntry++ % entryPaths.length] ?? '/blog') },
      { key: 'profile', name: 'profile (anonymous, rotating over 100 members; 2 s cache)', label: 'profile', options: page(() => profilePaths[nextProfile++ % profilePaths.length] ?? '/') },
      // Signed in: no shared cache (each page is the member's own), so every request renders.
      { key: 'thread-member', name: 'thread page, 30 posts (signed in, 20 members, 100 threads)', label: 'thread page (member)', options: page(() => threadPaths[nextThread++ % threadPaths.length] ?? '/', member) },
      { key: 'board-member', name: 'board page (signed in)', label: 'board page (member)', options: page(() => boardPath, member) },
      { key: 'home-member', name: 'home page (signed in)', label: 'home page (member)', options: page(() => '/', member) },
      { key: 'entry-member', name: 'blog entry (signed in)', label: 'blog entry (member)', options: page(() => entryPaths[nextEntry++ % entryPaths.length] ?? '/blog', member) },
      { key: 'profile-member', name: 'profile (signed in, rotating over 100 members)', label: 'profile (member)', options: page(() => profilePaths[nextProfile++ % profilePaths.length] ?? '/', member) },
      // The API is never cached: every request ranks, counts and builds snippets.
      {
        key: 'search',
        name: `search API, one common word (anonymous, rotating over ${SEARCH_WORDS.length} words; no cache)`,
        label: 'search API',
        options: { ...base, url: appUrl, requests: [{ method: 'GET' as const, setupRequest: (req: autocannon.Request) => ({ ...req, path: `/api/v1/search?q=${encodeURIComponent(SEARCH_WORDS[nextSearch++ % SEARCH_WORDS.length]!)}` }) }] },
      },
      {
        key: 'search',
        // A unique (ignored) parameter per request: the anonymous cache would otherwise answer
        // nearly every request of a few rotating queries, and this run is about searching.
        name: `search page, two words (anonymous, rotating over ${SEARCH_PHRASES.length} queries; every request searches and renders)`,
        label: 'search page',
        options: page(() => `/search?q=${encodeURIComponent(SEARCH_PHRASES[nextSearch % SEARCH_PHRASES.length]!)}&bench=${nextSearch++}`),
      },
      {
        key: 'search-member',
        // A member's search also reads the members-only and confidential spaces they belong to.
        name: `search page, two words (signed in, 20 members, rotating over ${SEARCH_PHRASES.length} queries)`,
        label: 'search page (member)',
        options: page(() => `/search?q=${encodeURIComponent(SEARCH_PHRASES[nextSearch++ % SEARCH_PHRASES.length]!)}`, member),
      },
      {
        // What searching costs everyone else: signed-in thread pages while a few members search
        // without pause (searches take turns, SEARCH_CONCURRENCY; server/search/gate.ts).
        key: 'thread-member-searching',
        name: `thread page, 30 posts (signed in) while ${SEARCHERS} members search without pause`,
        label: 'thread page (member) beside searches',
        options: page(() => threadPaths[nextThread++ % threadPaths.length] ?? '/', member),
        alongside: { ...page(() => `/search?q=${encodeURIComponent(SEARCH_PHRASES[nextSearch++ % SEARCH_PHRASES.length]!)}`, member), connections: SEARCHERS },
      },
      {
        key: 'reply',
        name: 'reply POST via JSON API (Bearer)',
        label: 'reply POST',
        options: post(() => `/api/v1/threads/${replyTargets[nextReply++ % replyTargets.length]?.id ?? 1}/posts`, () => replyBody(nextReply)),
      },
      {
        key: 'start',
        name: 'new thread POST via JSON API (Bearer)',
        label: 'thread POST',
        options: post(
          () => `/api/v1/boards/${boardIds[nextStart++ % boardIds.length]?.id ?? 1}/threads`,
          () => JSON.stringify({ title: `Benchmark question ${runTag}-${nextStart}: how do you staff nights?`, body: `Asked by the benchmark (${runTag}-${nextStart}).\n\n${bodies[nextStart % bodies.length]}` }),
        ),
      },
      {
        key: 'flag',
        name: 'flag POST via JSON API (Bearer)',
        label: 'flag POST',
        // Writer i flags post i: a fresh pair every time, so no flag is a duplicate.
        options: post(() => `/api/v1/posts/${flagTargets[nextFlag++ % flagTargets.length]?.id ?? 1}/flags`, () => JSON.stringify({ reason: 'off_topic' })),
      },
      // After the writes, so the signed-in members have replies to their threads waiting.
      { key: 'notifications', name: 'notifications page (signed in, 20 members, after the writes)', label: 'notifications', options: page(() => '/notifications', member) },
      { key: 'queue', name: 'review queue (site moderator, after the flags)', label: 'review queue', options: page(() => '/mod/queue', () => moderatorCookie) },
    ];
    let latency: LatencyRow[] = [];
    if (!only || only.includes('search')) {
      await settle(appUrl);
      process.stdout.write('  search latency, one request at a time… ');
      latency = await searchLatency(appUrl, [
        { label: 'visitor', headers: {} },
        { label: 'member', headers: { authorization: `Bearer ${tokens[0] ?? ''}` } },
      ]);
      const overall = latency.filter((r) => r.kind.startsWith('**'));
      console.log(overall.map((r) => `${r.viewer}: p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, max ${r.max.toFixed(0)} ms`).join('; '));
    }
    const rows: Row[] = [];
    console.log('Running:');
    const ceilingResult = await measure('ceiling (select 1)', { ...base, url: `${ceilingUrl}/` }, warmup, appUrl, ceiling.child.pid);
    const ceilingRps = ceilingResult.result.requests.average;
    rows.push(toRow('ceiling: bare Fastify + `select 1`', ceilingResult, null));
    let unanalyzedWrites = false;
    for (const run of runs) {
      if (only && !only.includes(run.key)) continue;
      if (unanalyzedWrites && !WRITE_RUNS.has(run.key)) {
        unanalyzedWrites = false;
        await analyzeWrittenTables(db);
      }
      const measured = await measure(run.label, run.options, warmup, appUrl, app.child.pid, run.alongside);
      const beside = measured.alongside && ` — alongside ${formatCount(Math.round(measured.alongside.requests.average))} searches/s, p99 ${measured.alongside.latency.p99} ms`;
      rows.push(toRow(`${run.name}${beside ?? ''}`, measured, ceilingRps));
      if (WRITE_RUNS.has(run.key) && size.autovacuum === 'off') unanalyzedWrites = true;
    }

    const rssApp = peakRssMiB(app.child.pid);
    const rssCeiling = peakRssMiB(ceiling.child.pid);
    await stopProcess(app.child);
    await stopProcess(ceiling.child);
    const loadAfter = loadAverage();

    console.log('');
    console.log(table(rows));
    console.log('');
    console.log(`Server peak RSS (VmHWM): ${rssApp ?? '?'} MiB (ceiling process: ${rssCeiling ?? '?'} MiB). Load average before ${loadBefore}, after ${loadAfter}.`);
    if (latency.length > 0) {
      console.log('');
      console.log(`Search API, one request at a time (${SEARCH_LATENCY_REPEATS} of each query after one unmeasured):`);
      console.log(latencyTable(latency));
    }

    const threadRow = rows.find((r) => r.name.startsWith('thread page'));
    const belowTarget = threadRow && ((threadRow.ceilingShare ?? 0) < 40 || threadRow.p99 >= 50);
    if (belowTarget) console.log(`warning: the thread page is below target (${threadRow.ceilingShare?.toFixed(0)}% of ceiling, p99 ${threadRow.p99} ms; target ≥ 40% and p99 < 50 ms).`);
    const writeRows = rows.filter((r) => r.name.includes(' POST '));
    const slowReads = rows.filter((r) => r.ceilingShare !== null && !writeRows.includes(r) && (r.ceilingShare < 30 || r.p99 >= 50));
    for (const r of slowReads) console.log(`below the read target (≥ 30% of ceiling, p99 < 50 ms): ${r.name} — ${r.ceilingShare?.toFixed(0)}%, p99 ${r.p99} ms`);
    for (const r of writeRows.filter((w) => w.rps < 500)) console.log(`below the write target (≥ 500/s): ${r.name} — ${Math.round(r.rps)}/s`);
    if (rssApp !== null && rssApp >= 300) console.log(`above the memory target (< 300 MiB RSS): ${rssApp} MiB`);

    // EXPLAIN after the load, on the same data.
    const first = threadTargets[0];
    const explained = first ? await explainPages(url, config.privateSpaces, { threadId: first.id, spaceSlug: board.space, boardSlug: board.board }) : [];
    console.log('');
    console.log('EXPLAIN ANALYZE of the SQL behind the pages (anonymous viewer):');
    for (const e of explained) {
      console.log(`  [${e.page}] execution ${e.ms.toFixed(2)} ms, planning ${e.planningMs.toFixed(2)} ms  ${e.statement}…`);
      for (const node of e.nodes) console.log(`      ${node}`);
      if (e.seqScans.length > 0) console.log(`      ${describeSeqScans(e.seqScans)}`);
    }
    const concerning = explained.filter((e) => e.seqScans.some((s) => s.rowsRead >= SEQ_SCAN_CONCERN));
    console.log(
      concerning.length === 0
        ? `No Seq Scan reading ${formatCount(SEQ_SCAN_CONCERN)}+ rows of threads, posts or boards.`
        : `Seq Scans reading ${formatCount(SEQ_SCAN_CONCERN)}+ rows in ${concerning.length} statement(s): ${concerning.map((e) => e.page).join(', ')}.`,
    );

    const failed = rows.filter((r) => r.non2xx > 0 || r.errors > 0);
    if (failed.length > 0) {
      throw new CommandError(`${failed.map((r) => r.name).join(', ')}: non-2xx responses or errors during the run; figures not written to docs/benchmark.md.`);
    }

    if (only) console.log('(--only: a partial run; docs/benchmark.md left as it was.)');
    if (!flags.has('no-doc') && !only) {
      const [version] = await queryRows<{ v: string }>(db, sql`select current_setting('server_version') as v`);
      const cpu = cpus()[0]?.model ?? 'unknown CPU';
      const when = new Date().toISOString().replace('T', ' ').slice(0, 16);
      const command = `npm run bench${quick ? ' -- --quick' : ''}`;
      const explainSummary = explained
        .map(
          (e) =>
            `- ${e.page}: execution ${e.ms.toFixed(2)} ms, planning ${e.planningMs.toFixed(2)} ms — \`${e.statement.slice(0, 60)}…\`` +
            (e.seqScans.length ? ` — ${e.seqScans.some((s) => s.rowsRead >= SEQ_SCAN_CONCERN) ? '**' : ''}${describeSeqScans(e.seqScans)}${e.seqScans.some((s) => s.rowsRead >= SEQ_SCAN_CONCERN) ? '**' : ''}` : ''),
        )
        .join('\n');
      writeDoc(`
### Latest run — ${when} UTC

- Code: ${gitRevision()}
- Machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM; Node ${process.version}; PostgreSQL ${version?.v ?? '?'} on the same machine
- Load average before / after: ${loadBefore} / ${loadAfter} (load generator, server, ceiling and PostgreSQL share the cores)
- Data: ${formatCount(size.posts)} posts, ${formatCount(size.threads)} threads, ${formatCount(size.boards)} boards, ${formatCount(size.users)} users (${size.bytes}; PostgreSQL shared_buffers ${size.sharedBuffers}, autovacuum ${size.autovacuum}${size.autovacuum === 'off' ? ': the tables the writes filled were analyzed before the reads after them' : ''})${seededMs === null ? '' : `; seeded by seed-large in ${formatSeconds(seededMs)}`}
- Command: \`${command}\` — ${connections} connections, ${duration} s per run after a ${warmup} s warm-up; app pool ${APP_POOL_SIZE} connections, ceiling pool ${APP_POOL_SIZE}
- Pages: thread ${kb(threadSample)} (${threadSample.posts} posts, rotating over ${threadPaths.length} threads), board \`${boardPath}\` ${kb(boardSample)}, home ${kb(homeSample)}; page requests send \`accept-encoding: ${BROWSER_HEADERS['accept-encoding']}\` as browsers do; replies spread over ${replyTargets.length} threads by ${tokens.length} token holders

${table(rows)}

Server peak RSS (VmHWM): ${rssApp ?? '?'} MiB.

Search API, one request at a time (${SEARCH_LATENCY_REPEATS} of each query after one unmeasured), before the load runs:

${latencyTable(latency)}

EXPLAIN ANALYZE (anonymous viewer), per statement:

${explainSummary}
`);
      console.log(`\nWrote the results to ${DOC}.`);
    }
    console.log(`Benchmark finished in ${formatSeconds(Date.now() - started)}.`);
  } finally {
    await database.close();
    for (const child of children) await stopProcess(child);
  }
});
