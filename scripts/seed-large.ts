import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { hashPassword } from '../server/accounts/passwords.ts';
import { CONTENT_PIPELINE_VERSION, renderLongform, renderMarkdown } from '../server/content/render-markdown.ts';
import {
  BOARD_NAMES,
  BODY_TEMPLATES,
  postBodies,
  FIRST_NAMES,
  INSTITUTIONS,
  LAST_NAMES,
  MEMBER_TITLES,
  planThreads,
  postBatches,
  SPECIALTIES,
  threadTitles,
} from './large-dataset-plan.ts';
import {
  CommandError,
  countOption,
  describeDatabase,
  formatCount,
  formatSeconds,
  openDatabase,
  parseOptions,
  queryRows,
  readConfig,
  runCommand,
} from './operator-command.ts';

/*
 * `npm run seed:large -- [--posts N] [--threads N] [--boards N] [--members N] [--private-spaces N] [--blog-entries N] [--force]`
 *
 * A bulk data set for benchmarks, written with set-based SQL (insert … select … generate_series)
 * in one transaction: either the whole forum lands or nothing does. Rows are consistent with what
 * the services would have written — post numbers 1..n per thread, counters and "last post" fields
 * matching the rows, stored HTML produced by the real rendering pipeline — but they do not go
 * through the services, so it takes minutes instead of hours.
 *
 * Besides the public spaces, a few hundred private spaces (two in three confidential, with ground
 * rules their 8–40 members have accepted), each with a board whose threads are written by its own
 * members; and member blogs: long-form entries (one in twenty for signed-in members only, one in
 * twenty-five for the readers of a private space, by its owner), with tags and comments.
 */

const USAGE = `usage: npm run seed:large -- [--posts 1000000] [--threads 100000] [--boards 100] [--members 20000]
                           [--private-spaces 300] [--blog-entries 50000] [--force]
  --boards          public boards (25 to a public space); each private space has one board more
  --force   add another data set to a database that already has threads`;

const BATCH_POSTS = 50_000;

/** One `text[]` parameter from a list of strings (drizzle would otherwise expand a JS array). */
function textArray(values: readonly string[]): SQL {
  if (values.some((v) => v.includes('\u001f'))) throw new Error('unexpected separator in seed text');
  return sql`string_to_array(${values.join('\u001f')}, chr(31))`;
}

const entryBase = (base: { entry: number }) => Number(base.entry);

const BLOG_TAGS = ['critical-care', 'teaching', 'mentorship', 'research', 'quality', 'wellbeing', 'guidelines', 'case-review', 'careers', 'ethics'];

async function one<T>(db: Database, query: SQL): Promise<T> {
  const [row] = await queryRows<T>(db, query);
  if (row === undefined) throw new Error('query returned no row');
  return row;
}

runCommand(async () => {
  const { values, flags } = parseOptions(process.argv.slice(2), { values: ['posts', 'threads', 'boards', 'members', 'private-spaces', 'blog-entries'], flags: ['force'] }, USAGE);
  const postTotal = countOption(values, 'posts', 1_000_000, 1, 50_000_000, USAGE);
  const threadTotal = countOption(values, 'threads', Math.max(1, Math.round(postTotal / 10)), 1, 5_000_000, USAGE);
  const boardTotal = countOption(values, 'boards', 100, 1, 10_000, USAGE);
  const memberTotal = countOption(values, 'members', 20_000, 1, 5_000_000, USAGE);
  const privateTotal = countOption(values, 'private-spaces', Math.min(300, Math.max(0, Math.floor(threadTotal / 300))), 0, 100_000, USAGE);
  const entryTotal = countOption(values, 'blog-entries', Math.round(postTotal / 20), 0, 10_000_000, USAGE);
  if (postTotal < threadTotal) throw new CommandError(`--posts (${postTotal}) must be at least --threads (${threadTotal}): every thread has an opening post.`, 2);
  if (boardTotal + privateTotal > threadTotal) throw new CommandError(`--boards plus --private-spaces (${boardTotal + privateTotal}) must not exceed --threads (${threadTotal}).`, 2);
  if (privateTotal > 0 && memberTotal < 40) throw new CommandError('private spaces need at least 40 members to draw theirs from.', 2);

  const config = readConfig();
  const database = await openDatabase(config, { poolSize: 2 });
  const started = Date.now();
  const elapsed = () => formatSeconds(Date.now() - started);
  try {
    await database.migrate();
    const { db } = database;
    const existing = await one<{ threads: boolean; member1: boolean }>(
      db,
      sql`select exists(select 1 from threads) as threads, exists(select 1 from users where lower(handle) = 'member1') as member1`,
    );
    if (existing.threads && !flags.has('force')) {
      throw new CommandError(`${describeDatabase(config)} already has threads. Seed an empty database, or pass --force to add another data set beside them.`);
    }
    // A second data set needs handles, e-mails and slugs of its own.
    const tag = existing.member1 ? randomBytes(3).toString('hex') : '';
    const suffix = tag ? `-${tag}` : '';

    console.log(
      `Seeding ${formatCount(postTotal)} posts in ${formatCount(threadTotal)} threads on ${formatCount(boardTotal)} public boards and ` +
        `${formatCount(privateTotal)} private spaces, ${formatCount(memberTotal)} members, ${formatCount(entryTotal)} blog entries, into ${describeDatabase(config)}${tag ? ` (data set tag "${tag}")` : ''}`,
    );

    const password = randomBytes(12).toString('base64url');
    const passwordHash = await hashPassword(password); // one argon2id hash shared by every seeded member
    // Private boards take part in the plan as boards boardTotal … boardTotal + privateTotal - 1.
    const plan = planThreads(threadTotal, postTotal, boardTotal + privateTotal);
    const titles = threadTitles();
    const bodies = postBodies().map((source) => ({ source, html: renderMarkdown(source) as string }));
    const longforms = Array.from({ length: 12 }, (_, k) => {
      const part = (n: number) => BODY_TEMPLATES[(k * 5 + n * 7) % BODY_TEMPLATES.length] as string;
      const source = `${part(0)}\n\n## What we tried\n\n${part(1)}\n\n${part(2)}\n\n## What we would do again\n\n${part(3)}\n\n${part(4)}`;
      return { source, html: renderLongform(source) as string };
    });
    const rules = { source: 'Everything said here stays here. We meet every three weeks; we hold each other to what we promise.', html: '' };
    rules.html = renderMarkdown(rules.source) as string;
    const spaceTotal = Math.max(1, Math.ceil(boardTotal / 25));

    let written = 0;
    let firstThreadId = 0;
    await db.transaction(async (tx) => {
      // Commit durability is irrelevant for a seed that can be run again; nothing else changes.
      await tx.execute(sql`set local synchronous_commit = off`);
      await tx.execute(sql`set local work_mem = '64MB'`);
      const base = await one<{ space: number; board: number; thread: number; post: number; entry: number; comment: number }>(
        tx,
        sql`select (select coalesce(max(id), 0) from spaces)::bigint as space, (select coalesce(max(id), 0) from boards)::bigint as board,
                   (select coalesce(max(id), 0) from threads)::bigint as thread, (select coalesce(max(id), 0) from posts)::bigint as post,
                   (select coalesce(max(id), 0) from blog_entries)::bigint as entry, (select coalesce(max(id), 0) from blog_comments)::bigint as comment`,
      );
      const spaceBase = Number(base.space);
      const boardBase = Number(base.board);
      const threadBase = Number(base.thread);
      firstThreadId = threadBase + 1;
      const postBase = Number(base.post);

      // Members.
      const userId = (n: SQL) => sql`${`seed${suffix}-`} || (${n})::text`;
      await tx.execute(sql`
        insert into users (id, handle, display_name, email, password_hash, role, trust_level, title, specialty, institution,
                           bio_source, bio_html, render_version, created_at, updated_at)
        select ${userId(sql`g`)}, 'member' || g || ${suffix},
               (${textArray(FIRST_NAMES)})[1 + g % ${FIRST_NAMES.length}] || ' ' || (${textArray(LAST_NAMES)})[1 + (g / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}],
               'member' || g || ${suffix} || '@example.org', ${passwordHash}, 'member', 2,
               (${textArray(MEMBER_TITLES)})[1 + g % ${MEMBER_TITLES.length}],
               (${textArray(SPECIALTIES)})[1 + (g * 7) % ${SPECIALTIES.length}],
               (${textArray(INSTITUTIONS)})[1 + (g * 13) % ${INSTITUTIONS.length}],
               '', '', ${CONTENT_PIPELINE_VERSION}, now() - interval '800 days' + g * (interval '30 days' / ${memberTotal}), now()
        from generate_series(1, ${memberTotal}) g`);
      console.log(`  members: ${formatCount(memberTotal)}  (${elapsed()})`);

      // Spaces and boards.
      await tx.execute(sql`
        insert into spaces (id, slug, name, description, level, join_policy, position)
        overriding system value
        select ${spaceBase} + g, 'bench' || ${suffix} || '-' || g, 'Benchmark space ' || g || ${suffix},
               'A generated space for load tests.', 'public', 'open', 1000 + ${spaceBase} + g
        from generate_series(1, ${spaceTotal}) g`);
      await tx.execute(sql`
        insert into boards (id, space_id, slug, name, description, position)
        overriding system value
        select ${boardBase} + g, ${spaceBase} + 1 + (g - 1) % ${spaceTotal}, 'board-' || g,
               (${textArray(BOARD_NAMES)})[1 + (g - 1) % ${BOARD_NAMES.length}] || ' ' || g, 'A generated board.', g
        from generate_series(1, ${boardTotal}) g`);
      // Private spaces: g % 3 = 0 members-only (join by request), else confidential (by invitation,
      // ground rules version 1); one board each; 8-40 members who accepted the rules, the first
      // the owner and the second a moderator. Member k of private space g is seeded member
      // 1 + (g * 131 + k * 7919) % memberTotal: distinct for k <= 40.
      const privateSpaceId = (g: SQL) => sql`${spaceBase + spaceTotal}::bigint + (${g})`;
      const privateSize = (g: SQL) => sql`(8 + ((${g}) * 7) % 33)`;
      const privateMember = (g: SQL, k: SQL) => userId(sql`1 + ((${g}) * 131 + (${k}) * 7919) % ${memberTotal}`);
      if (privateTotal > 0) {
        await tx.execute(sql`
          insert into spaces (id, slug, name, description, level, join_policy, position, rules_source, rules_html, rules_version)
          overriding system value
          select ${privateSpaceId(sql`g`)}, 'circle' || ${suffix} || '-' || g, 'Peer circle ' || g || ${suffix},
                 'A generated private group.', (case when g % 3 = 0 then 'members' else 'confidential' end)::confidentiality_level,
                 (case when g % 3 = 0 then 'request' else 'invite' end)::join_policy, 2000 + ${spaceBase} + g,
                 case when g % 3 = 0 then '' else ${rules.source} end, case when g % 3 = 0 then '' else ${rules.html} end,
                 case when g % 3 = 0 then 0 else 1 end
          from generate_series(1, ${privateTotal}) g`);
        await tx.execute(sql`
          insert into boards (id, space_id, slug, name, description, position)
          overriding system value
          select ${boardBase + boardTotal} + g, ${privateSpaceId(sql`g`)}, 'circle-board', 'Case discussions', 'A generated board.', 1
          from generate_series(1, ${privateTotal}) g`);
        await tx.execute(sql`
          insert into space_members (space_id, user_id, role, status, rules_accepted_version)
          select ${privateSpaceId(sql`g`)}, ${privateMember(sql`g`, sql`k`)},
                 (case k when 1 then 'owner' when 2 then 'moderator' else 'member' end)::space_role, 'active',
                 case when g % 3 = 0 then 0 else 1 end
          from generate_series(1, ${privateTotal}) g
          cross join lateral generate_series(1, ${privateSize(sql`g`)}) k
          on conflict do nothing`);
      }
      console.log(`  spaces: ${spaceTotal} public, ${formatCount(privateTotal)} private; boards: ${formatCount(boardTotal + privateTotal)}  (${elapsed()})`);

      // The plan: one row per thread with its counts, ids and times, so threads and posts agree.
      await tx.execute(sql`create temporary table seed_bodies (k int primary key, source text not null, html text not null) on commit drop`);
      await tx.execute(sql`
        insert into seed_bodies (k, source, html)
        select k - 1, s, h from unnest(${textArray(bodies.map((b) => b.source))}, ${textArray(bodies.map((b) => b.html))}) with ordinality as t(s, h, k)`);
      await tx.execute(sql`create temporary table seed_titles (k int primary key, title text not null, slug text not null) on commit drop`);
      await tx.execute(sql`
        insert into seed_titles (k, title, slug)
        select k - 1, t, s from unnest(${textArray(titles.map((t) => t.title))}, ${textArray(titles.map((t) => t.slug))}) with ordinality as x(t, s, k)`);
      await tx.execute(sql`
        create temporary table seed_plan on commit drop as
        with counts as (
          select ord, c::int as post_count, b::int as board_index
          from unnest(string_to_array(${Array.from(plan.postCounts).join(',')}, ','), string_to_array(${Array.from(plan.boardIndexes).join(',')}, ','))
               with ordinality as x(c, b, ord)
        ), placed as (
          select ord, post_count, board_index,
                 ${postBase}::bigint + sum(post_count) over (order by ord) - post_count + 1 as first_post_id,
                 now() - interval '730 days' + (ord - 1) * (interval '720 days' / ${threadTotal}) as created_at
          from counts
        )
        select ${threadBase}::bigint + ord as thread_id, ord, post_count, first_post_id,
               ${boardBase}::bigint + 1 + board_index as board_id,
               case when board_index >= ${boardTotal} then board_index - ${boardTotal} + 1 end as private_g,
               created_at,
               least(interval '1 minute' * (5 + (ord * 7919) % 600), (now() - created_at) / post_count) as gap,
               row_number() over (partition by board_index order by ord) = 1 as pinned,
               (ord * 31) % 97 = 0 as locked,
               (ord * 7) % ${titles.length} as title_k
        from placed`);
      await tx.execute(sql`create index on seed_plan (ord)`);
      await tx.execute(sql`analyze seed_plan`);
      console.log(`  thread plan ready  (${elapsed()})`);

      // In a private space, only its members write.
      const author = (thread: SQL, n: SQL) => sql`case when p.private_g is null
        then ${userId(sql`1 + ((${thread}) * 7919 + (${n}) * 104729) % ${memberTotal}`)}
        else ${privateMember(sql`p.private_g`, sql`1 + ((${thread}) * 7 + (${n}) * 3) % ${privateSize(sql`p.private_g`)}`)} end`;
      await tx.execute(sql`
        insert into threads (id, board_id, author_id, title, slug, pinned, locked, post_count, last_post_at, last_post_author_id, created_at)
        overriding system value
        select p.thread_id, p.board_id, ${author(sql`p.thread_id`, sql`1`)}, t.title, t.slug, p.pinned, p.locked, p.post_count,
               p.created_at + (p.post_count - 1) * p.gap, ${author(sql`p.thread_id`, sql`p.post_count`)}, p.created_at
        from seed_plan p join seed_titles t on t.k = p.title_k
        order by p.ord`);
      console.log(`  threads: ${formatCount(threadTotal)}  (${elapsed()})`);

      // Posts, in batches of thread ranges; ids are assigned here so replies can point at earlier posts.
      for (const batch of postBatches(plan.postCounts, BATCH_POSTS)) {
        await tx.execute(sql`
          insert into posts (id, thread_id, number, author_id, body_source, body_html, render_version, reply_to_post_id, created_at, deleted_at)
          overriding system value
          select p.first_post_id + g.n - 1, p.thread_id, g.n, ${author(sql`p.thread_id`, sql`g.n`)}, b.source, b.html, ${CONTENT_PIPELINE_VERSION},
                 case when g.n > 2 and (p.thread_id * 13 + g.n * 7) % 5 = 0 then p.first_post_id + (p.thread_id + g.n) % (g.n - 1) end,
                 p.created_at + (g.n - 1) * p.gap,
                 case when g.n > 1 and (p.thread_id * 17 + g.n * 3) % 1000 = 0 then p.created_at + (g.n - 1) * p.gap + interval '1 hour' end
          from seed_plan p
          cross join lateral generate_series(1, p.post_count) as g(n)
          join seed_bodies b on b.k = (p.thread_id * 31 + g.n * 17) % ${bodies.length}
          where p.ord between ${batch.from} and ${batch.to}
          order by 1`);
        written += batch.posts;
        console.log(`  posts: ${formatCount(written)} / ${formatCount(postTotal)} (${Math.round((100 * written) / postTotal)}%)  (${elapsed()})`);
      }

      // Blog entries: published over the last two years; every 20th for signed-in members, every
      // 25th for one private space's readers (written by its owner); tags; 0-4 comments each.
      if (entryTotal > 0) {
        await tx.execute(sql`create temporary table seed_longforms (k int primary key, source text not null, html text not null) on commit drop`);
        await tx.execute(sql`
          insert into seed_longforms (k, source, html)
          select k - 1, s, h from unnest(${textArray(longforms.map((b) => b.source))}, ${textArray(longforms.map((b) => b.html))}) with ordinality as t(s, h, k)`);
        const entrySpace = (g: SQL) => sql`(1 + ((${g}) / 25) % ${Math.max(1, privateTotal)})`;
        const entryIsSpace = (g: SQL) => (privateTotal > 0 ? sql`(${g}) % 25 = 0` : sql`false`);
        await tx.execute(sql`
          insert into blog_entries (id, author_id, title, slug, summary, body_source, body_html, render_version, status, published_at,
                                    visibility, space_id, created_at, updated_at)
          overriding system value
          select ${entryBase(base)} + g,
                 case when ${entryIsSpace(sql`g`)} then ${privateMember(entrySpace(sql`g`), sql`1`)}
                      else ${userId(sql`1 + (g * 104729) % ${memberTotal}`)} end,
                 t.title, t.slug || '-' || g, '', b.source, b.html, ${CONTENT_PIPELINE_VERSION}, 'published',
                 now() - interval '720 days' + g * (interval '719 days' / ${entryTotal}),
                 (case when ${entryIsSpace(sql`g`)} then 'space' when g % 20 = 0 then 'members' else 'public' end)::blog_visibility,
                 case when ${entryIsSpace(sql`g`)} then ${privateSpaceId(entrySpace(sql`g`))} end,
                 now() - interval '720 days' + g * (interval '719 days' / ${entryTotal}), now()
          from generate_series(1, ${entryTotal}::bigint) g
          join seed_titles t on t.k = (g * 13) % ${titles.length}
          join seed_longforms b on b.k = g % ${longforms.length}`);
        await tx.execute(sql`
          insert into blog_entry_tags (entry_id, tag, label)
          select ${entryBase(base)} + g, tag, tag
          from generate_series(1, ${entryTotal}::bigint) g
          cross join lateral (values ((${textArray(BLOG_TAGS)})[1 + g % ${BLOG_TAGS.length}]), ((${textArray(BLOG_TAGS)})[1 + (g * 7 + 3) % ${BLOG_TAGS.length}])) as x(tag)
          on conflict do nothing`);
        await tx.execute(sql`
          insert into blog_comments (id, entry_id, author_id, body_source, body_html, render_version, created_at)
          overriding system value
          select ${Number(base.comment)} + row_number() over (order by e.id, c), e.id,
                 case when e.visibility = 'space'
                      then ${privateMember(entrySpace(sql`(e.id - ${entryBase(base)})`), sql`2 + c`)}
                      else ${userId(sql`1 + (e.id * 31 + c * 7919) % ${memberTotal}`)} end,
                 b.source, b.html, ${CONTENT_PIPELINE_VERSION}, e.published_at + c * interval '3 hours'
          from blog_entries e
          cross join lateral generate_series(1, (e.id % 5)::int) c
          join seed_bodies b on b.k = (e.id * 7 + c) % ${bodies.length}
          where e.id > ${entryBase(base)}`);
        console.log(`  blog entries: ${formatCount(entryTotal)} with tags and comments  (${elapsed()})`);
      }

      // Board counters from the rows, exactly as the services keep them.
      await tx.execute(sql`
        update boards b set thread_count = s.threads, post_count = s.posts, last_post_at = s.last_at
        from (select board_id, count(*)::int as threads, sum(post_count)::int as posts, max(last_post_at) as last_at
              from threads where board_id > ${boardBase} group by board_id) s
        where s.board_id = b.id`);
      // Identity sequences continue after the ids given explicitly above.
      for (const table of ['spaces', 'boards', 'threads', 'posts', 'blog_entries', 'blog_comments'] as const) {
        await tx.execute(sql`select setval(pg_get_serial_sequence(${table}, 'id'), greatest(1, (select max(id) from ${sql.identifier(table)})))`);
      }
    });
    console.log(`  committed  (${elapsed()})`);

    // Fresh rows need their visibility map and statistics before a benchmark means anything.
    await db.execute(sql`vacuum (analyze) users, spaces, space_members, boards, threads, posts, blog_entries, blog_entry_tags, blog_comments`);
    console.log(`  vacuum analyze done  (${elapsed()})`);

    const sizes = await one<{ posts: string; total: string }>(
      db,
      sql`select pg_size_pretty(pg_total_relation_size('posts')) as posts, pg_size_pretty(pg_database_size(current_database())) as total`,
    );
    const busiest = await one<{ n: number }>(db, sql`select count(*)::int as n from threads where post_count >= 30 and id >= ${firstThreadId}`);
    console.log('');
    console.log(`Seeded in ${elapsed()}: ${formatCount(memberTotal)} members, ${spaceTotal} public and ${formatCount(privateTotal)} private space(s), ` +
      `${formatCount(boardTotal + privateTotal)} boards, ${formatCount(threadTotal)} threads (${formatCount(busiest.n)} with 30+ posts), ` +
      `${formatCount(postTotal)} posts, ${formatCount(entryTotal)} blog entries.`);
    console.log(`Posts table ${sizes.posts}; database ${sizes.total}.`);
    console.log(`Members sign in as member1${suffix} … member${memberTotal}${suffix}; their shared password: ${password}`);
  } finally {
    await database.close();
  }
});
