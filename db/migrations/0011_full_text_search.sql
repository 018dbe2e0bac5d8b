-- Full-text search (server/search). Each searchable text carries a generated tsvector, so every
-- write path — the app, moderation, `npm run rerender`, operator scripts — keeps it right without
-- code or triggers of its own. Titles weigh A, a blog entry's summary B, bodies D: ts_rank then
-- puts a title match above a body match.
--
-- The columns live here and not in db/schema on purpose: whole-row reads (`select({ entry:
-- blogEntries })`, `insert().returning()`) would otherwise carry every vector to the app on hot
-- paths. Only server/search/queries.ts names them.
ALTER TABLE "threads" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, "title"), 'A')) STORED;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "body_source")) STORED;--> statement-breakpoint
ALTER TABLE "blog_entries" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, "title"), 'A')
    || setweight(to_tsvector('english'::regconfig, "summary"), 'B')
    || to_tsvector('english'::regconfig, "body_source")
  ) STORED;--> statement-breakpoint
ALTER TABLE "blog_comments" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "body_source")) STORED;--> statement-breakpoint
CREATE INDEX "threads_search_idx" ON "threads" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "posts_search_idx" ON "posts" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "blog_entries_search_idx" ON "blog_entries" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "blog_comments_search_idx" ON "blog_comments" USING gin ("search_vector");
