ALTER TYPE "public"."notification_kind" ADD VALUE 'blog_comment';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'blog_comment_followed';--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "blog_comment_id" bigint;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_blog_comment_id_blog_comments_id_fk" FOREIGN KEY ("blog_comment_id") REFERENCES "public"."blog_comments"("id") ON DELETE no action ON UPDATE no action;