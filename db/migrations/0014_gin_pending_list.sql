-- New rows reach a GIN index through its pending list, which every search reads in full until it is
-- merged. At PostgreSQL's default limit (4 MB) a search read ~500 pending pages (4 ms a kind) after
-- a few thousand posts, and autovacuum merges the list of a million-row table only every ~200,000
-- inserts. A small list keeps searches cheap; the writer that fills it merges it (a few ms, once
-- every few hundred posts).
ALTER INDEX "threads_search_idx" SET (gin_pending_list_limit = 256);--> statement-breakpoint
ALTER INDEX "posts_search_idx" SET (gin_pending_list_limit = 256);--> statement-breakpoint
ALTER INDEX "blog_entries_search_idx" SET (gin_pending_list_limit = 256);--> statement-breakpoint
ALTER INDEX "blog_comments_search_idx" SET (gin_pending_list_limit = 256);
