-- A reply draft keeps the post it answers (the Reply link it was started from): coming back to it,
-- from the drafts page or the thread's own box, the reply still answers that post. Adding the key
-- checks only reply_drafts' rows (at most a few per member); it holds posts' writes for that long.
ALTER TABLE "reply_drafts" ADD COLUMN "reply_to_post_id" bigint;--> statement-breakpoint
ALTER TABLE "reply_drafts" ADD CONSTRAINT "reply_drafts_reply_to_post_id_posts_id_fk" FOREIGN KEY ("reply_to_post_id") REFERENCES "public"."posts"("id") ON DELETE set null ON UPDATE no action;