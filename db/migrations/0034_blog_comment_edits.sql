-- A member can edit their own blog comment, as a post is edited: a revision for compare-and-set saves,
-- when it was last edited ("edited" on the entry page), and every earlier version, so moderators
-- still see what a flagged comment said before it was changed (see db/schema/blogs.ts).
CREATE TABLE "blog_comment_revisions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "blog_comment_revisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"comment_id" bigint NOT NULL,
	"revision" integer NOT NULL,
	"body_source" text NOT NULL,
	"body_html" text NOT NULL,
	"editor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "blog_comments" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "blog_comments" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "blog_comment_revisions" ADD CONSTRAINT "blog_comment_revisions_comment_id_blog_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "public"."blog_comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blog_comment_revisions" ADD CONSTRAINT "blog_comment_revisions_editor_id_users_id_fk" FOREIGN KEY ("editor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "blog_comment_revisions_comment_revision_idx" ON "blog_comment_revisions" USING btree ("comment_id","revision");