-- Search finds the words of units written with a slash: "16 micrograms/mL", "0.1 mcg/kg/min",
-- "AUC/MIC". PostgreSQL's text parser reads such a run as one file-path token ('micrograms/ml',
-- 'mcg/kg/min'), so a search for "micrograms" or "mcg" missed every dose written that way. Each
-- vector is now made from the text with a zero-width space (chr(8203)) after every slash between
-- two word characters, which the parser takes as a break: 'microgram', 'ml', 'mcg', 'kg', 'min',
-- at their positions, so "mg/kg" as a query (server/search/queries.ts splits it the same way) is
-- still a phrase. A slash elsewhere is left alone: "</b>" stays a tag the parser skips.
--
-- A generated column's expression cannot be changed in place before PostgreSQL 17: each column
-- is dropped (with its index) and made again, which rewrites the table. Measured: 22 s for 200,000
-- posts, 20,000 threads and 10,000 entries on two vCPUs (~2 min a million posts), with writes to
-- those tables waiting. Plan a quiet moment on a large site.
ALTER TABLE "threads" DROP COLUMN "search_vector";--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, regexp_replace("title", '(\w)/(?=\w)', '\1/' || chr(8203), 'g')), 'A')) STORED;--> statement-breakpoint
ALTER TABLE "posts" DROP COLUMN "search_vector";--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (to_tsvector('english'::regconfig, regexp_replace("body_source", '(\w)/(?=\w)', '\1/' || chr(8203), 'g'))) STORED;--> statement-breakpoint
ALTER TABLE "blog_entries" DROP COLUMN "search_vector";--> statement-breakpoint
ALTER TABLE "blog_entries" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, regexp_replace("title", '(\w)/(?=\w)', '\1/' || chr(8203), 'g')), 'A')
    || setweight(to_tsvector('english'::regconfig, regexp_replace("summary", '(\w)/(?=\w)', '\1/' || chr(8203), 'g')), 'B')
    || to_tsvector('english'::regconfig, regexp_replace("body_source", '(\w)/(?=\w)', '\1/' || chr(8203), 'g'))
  ) STORED;--> statement-breakpoint
ALTER TABLE "blog_comments" DROP COLUMN "search_vector";--> statement-breakpoint
ALTER TABLE "blog_comments" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (to_tsvector('english'::regconfig, regexp_replace("body_source", '(\w)/(?=\w)', '\1/' || chr(8203), 'g'))) STORED;--> statement-breakpoint
-- The indexes of migrations 0020 and 0021, as they were.
CREATE INDEX "threads_search_audience_idx" ON "threads" USING gin (search_terms("search_vector", "audience")) WITH (gin_pending_list_limit = 256);--> statement-breakpoint
CREATE INDEX "posts_search_audience_idx" ON "posts" USING gin (search_terms("search_vector", "audience")) WITH (gin_pending_list_limit = 256);--> statement-breakpoint
CREATE INDEX "blog_entries_search_audience_idx" ON "blog_entries" USING gin (search_terms("search_vector", "audience")) WITH (gin_pending_list_limit = 256);--> statement-breakpoint
CREATE INDEX "blog_comments_search_audience_idx" ON "blog_comments" USING gin (search_terms("search_vector", "audience")) WITH (gin_pending_list_limit = 256);
