import { and, asc, gt, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { blogCommentRevisions, blogComments, blogEntries, blogEntryRevisions, postRevisions, posts, users } from '../db/schema/index.ts';
import { CONTENT_PIPELINE_VERSION, renderLongform, renderMarkdown } from '../server/content/render-markdown.ts';
import { describeDatabase, formatCount, formatSeconds, openDatabase, parseOptions, queryRows, readConfig, runCommand } from './operator-command.ts';

/*
 * `npm run rerender [-- --revisions]`: re-renders stored HTML made by an older content pipeline
 * (render_version < CONTENT_PIPELINE_VERSION) — posts, profile bios, blog entries and comments — in batches, so stored
 * HTML never outlives the rules that made it safe. Safe to interrupt and run again.
 *
 * Post revisions keep the HTML of earlier versions and have no render_version of their own: they
 * are all re-rendered when any post or bio was stale (the pipeline changed), or with --revisions.
 */

const USAGE = 'usage: npm run rerender [-- --revisions]';
const BATCH = 500;

/** Rewrites one batch of rows in a single UPDATE … FROM (VALUES …). */
async function updateBatch(
  db: Database,
  table: 'posts' | 'users' | 'post_revisions' | 'blog_entries' | 'blog_comments' | 'blog_entry_revisions' | 'blog_comment_revisions',
  rows: { id: string | number; html: string }[],
  versioned: boolean,
) {
  const htmlColumn = table === 'users' ? sql`bio_html` : sql`body_html`;
  const idType = table === 'users' ? sql`text` : sql`bigint`;
  const values = sql.join(
    rows.map((r) => sql`(${String(r.id)}::${idType}, ${r.html}::text)`),
    sql`, `,
  );
  await db.execute(sql`
    update ${sql.identifier(table)} as t set ${htmlColumn} = v.html${versioned ? sql`, render_version = ${CONTENT_PIPELINE_VERSION}` : sql``}
    from (values ${values}) as v(id, html)
    where t.id = v.id`);
}

runCommand(async () => {
  const { flags } = parseOptions(process.argv.slice(2), { values: [], flags: ['revisions'] }, USAGE);
  const config = readConfig();
  const database = await openDatabase(config);
  const started = Date.now();
  try {
    await database.migrate();
    const { db } = database;
    const [stale] = await queryRows<{ posts: number; users: number }>(
      db,
      sql`select (select count(*) from posts where render_version < ${CONTENT_PIPELINE_VERSION})::int as posts,
                 (select count(*) from users where render_version < ${CONTENT_PIPELINE_VERSION})::int as users`,
    );
    const stalePosts = stale?.posts ?? 0;
    const staleUsers = stale?.users ?? 0;
    const doRevisions = flags.has('revisions') || stalePosts + staleUsers > 0;
    console.log(
      `Content pipeline version ${CONTENT_PIPELINE_VERSION} in ${describeDatabase(config)}: ${formatCount(stalePosts)} post(s) and ${formatCount(staleUsers)} bio(s) to re-render` +
        (doRevisions ? ', and every post revision.' : '.'),
    );

    // Revisions first: if this run stops half-way, the next one still finds stale posts and redoes them.
    if (doRevisions) {
      let done = 0;
      for (let after = 0; ; ) {
        const batch = await db
          .select({ id: postRevisions.id, source: postRevisions.bodySource })
          .from(postRevisions)
          .where(gt(postRevisions.id, after))
          .orderBy(asc(postRevisions.id))
          .limit(BATCH);
        if (batch.length === 0) break;
        await updateBatch(db, 'post_revisions', batch.map((r) => ({ id: r.id, html: renderMarkdown(r.source) })), false);
        done += batch.length;
        after = batch[batch.length - 1]?.id ?? after;
        console.log(`  revisions: ${formatCount(done)}`);
      }
    }

    let postsDone = 0;
    for (let after = 0; ; ) {
      const batch = await db
        .select({ id: posts.id, source: posts.bodySource })
        .from(posts)
        .where(and(gt(posts.id, after), lt(posts.renderVersion, CONTENT_PIPELINE_VERSION)))
        .orderBy(asc(posts.id))
        .limit(BATCH);
      if (batch.length === 0) break;
      await updateBatch(db, 'posts', batch.map((r) => ({ id: r.id, html: renderMarkdown(r.source) })), true);
      postsDone += batch.length;
      after = batch[batch.length - 1]?.id ?? after;
      console.log(`  posts: ${formatCount(postsDone)} / ${formatCount(stalePosts)}`);
    }

    let usersDone = 0;
    for (let after = ''; ; ) {
      const batch = await db
        .select({ id: users.id, source: users.bioSource })
        .from(users)
        .where(and(gt(users.id, after), lt(users.renderVersion, CONTENT_PIPELINE_VERSION)))
        .orderBy(asc(users.id))
        .limit(BATCH);
      if (batch.length === 0) break;
      await updateBatch(db, 'users', batch.map((r) => ({ id: r.id, html: renderMarkdown(r.source) })), true);
      usersDone += batch.length;
      after = batch[batch.length - 1]?.id ?? after;
      console.log(`  bios: ${formatCount(usersDone)} / ${formatCount(staleUsers)}`);
    }

    // Blog entries (the long-form pipeline, with heading anchors), their revisions, and comments.
    let blogDone = 0;
    for (let after = 0; ; ) {
      const batch = await db
        .select({ id: blogEntries.id, source: blogEntries.bodySource })
        .from(blogEntries)
        .where(and(gt(blogEntries.id, after), lt(blogEntries.renderVersion, CONTENT_PIPELINE_VERSION)))
        .orderBy(asc(blogEntries.id))
        .limit(BATCH);
      if (batch.length === 0) break;
      await updateBatch(db, 'blog_entries', batch.map((r) => ({ id: r.id, html: renderLongform(r.source) })), true);
      blogDone += batch.length;
      after = batch[batch.length - 1]?.id ?? after;
    }
    if (doRevisions || blogDone > 0) {
      for (let after = 0; ; ) {
        const batch = await db
          .select({ id: blogEntryRevisions.id, source: blogEntryRevisions.bodySource })
          .from(blogEntryRevisions)
          .where(gt(blogEntryRevisions.id, after))
          .orderBy(asc(blogEntryRevisions.id))
          .limit(BATCH);
        if (batch.length === 0) break;
        await updateBatch(db, 'blog_entry_revisions', batch.map((r) => ({ id: r.id, html: renderLongform(r.source) })), false);
        after = batch[batch.length - 1]?.id ?? after;
      }
    }
    let commentsDone = 0;
    for (let after = 0; ; ) {
      const batch = await db
        .select({ id: blogComments.id, source: blogComments.bodySource })
        .from(blogComments)
        .where(and(gt(blogComments.id, after), lt(blogComments.renderVersion, CONTENT_PIPELINE_VERSION)))
        .orderBy(asc(blogComments.id))
        .limit(BATCH);
      if (batch.length === 0) break;
      await updateBatch(db, 'blog_comments', batch.map((r) => ({ id: r.id, html: renderMarkdown(r.source) })), true);
      blogDone += batch.length;
      commentsDone += batch.length;
      after = batch[batch.length - 1]?.id ?? after;
    }
    // Comments' earlier versions (shown to moderators), like posts': no render_version of their own.
    if (doRevisions || commentsDone > 0) {
      for (let after = 0; ; ) {
        const batch = await db
          .select({ id: blogCommentRevisions.id, source: blogCommentRevisions.bodySource })
          .from(blogCommentRevisions)
          .where(gt(blogCommentRevisions.id, after))
          .orderBy(asc(blogCommentRevisions.id))
          .limit(BATCH);
        if (batch.length === 0) break;
        await updateBatch(db, 'blog_comment_revisions', batch.map((r) => ({ id: r.id, html: renderMarkdown(r.source) })), false);
        after = batch[batch.length - 1]?.id ?? after;
      }
    }
    if (blogDone > 0) console.log(`  blog entries and comments: ${formatCount(blogDone)}`);

    const [left] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from posts where render_version < ${CONTENT_PIPELINE_VERSION}`);
    console.log(`Re-rendered ${formatCount(postsDone)} post(s) and ${formatCount(usersDone)} bio(s) in ${formatSeconds(Date.now() - started)}.`);
    if ((left?.n ?? 0) > 0) console.log(`note: ${formatCount(left?.n ?? 0)} post(s) became stale while this ran (written by an older server?); run it again.`);
  } finally {
    await database.close();
  }
});
