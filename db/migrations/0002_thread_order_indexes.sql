DROP INDEX "posts_author_created_idx";--> statement-breakpoint
DROP INDEX "threads_board_activity_idx";--> statement-breakpoint
DROP INDEX "threads_activity_idx";--> statement-breakpoint
CREATE INDEX "posts_author_created_idx" ON "posts" USING btree ("author_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "threads_board_activity_idx" ON "threads" USING btree ("board_id","pinned" DESC NULLS FIRST,"last_post_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "threads_activity_idx" ON "threads" USING btree ("last_post_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);