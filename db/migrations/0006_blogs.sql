CREATE TYPE "public"."blog_entry_status" AS ENUM('draft', 'scheduled', 'published');--> statement-breakpoint
CREATE TYPE "public"."blog_visibility" AS ENUM('public', 'members', 'space');--> statement-breakpoint
CREATE TABLE "blog_comments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "blog_comments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"entry_id" bigint NOT NULL,
	"author_id" text NOT NULL,
	"parent_id" bigint,
	"body_source" text NOT NULL,
	"body_html" text NOT NULL,
	"render_version" integer NOT NULL,
	"status" "content_status" DEFAULT 'published' NOT NULL,
	"moderation_note" text DEFAULT '' NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blog_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "blog_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"author_id" text NOT NULL,
	"title" text NOT NULL,
	"slug" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"body_source" text NOT NULL,
	"body_html" text NOT NULL,
	"render_version" integer NOT NULL,
	"status" "blog_entry_status" DEFAULT 'draft' NOT NULL,
	"publish_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"visibility" "blog_visibility" DEFAULT 'public' NOT NULL,
	"space_id" bigint,
	"comments_open" boolean DEFAULT true NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"moderation_status" "content_status" DEFAULT 'published' NOT NULL,
	"moderation_note" text DEFAULT '' NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blog_entry_revisions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "blog_entry_revisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"entry_id" bigint NOT NULL,
	"revision" integer NOT NULL,
	"title" text NOT NULL,
	"body_source" text NOT NULL,
	"body_html" text NOT NULL,
	"editor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blog_entry_slugs" (
	"author_id" text NOT NULL,
	"slug" text NOT NULL,
	"entry_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "blog_entry_slugs_author_id_slug_pk" PRIMARY KEY("author_id","slug")
);
--> statement-breakpoint
CREATE TABLE "blog_entry_tags" (
	"entry_id" bigint NOT NULL,
	"tag" text NOT NULL,
	CONSTRAINT "blog_entry_tags_entry_id_tag_pk" PRIMARY KEY("entry_id","tag")
);
--> statement-breakpoint
DROP INDEX "flags_open_profile_idx";--> statement-breakpoint
DROP INDEX "review_items_open_profile_idx";--> statement-breakpoint
ALTER TABLE "flags" ADD COLUMN "entry_id" bigint;--> statement-breakpoint
ALTER TABLE "flags" ADD COLUMN "comment_id" bigint;--> statement-breakpoint
ALTER TABLE "moderation_log" ADD COLUMN "entry_id" bigint;--> statement-breakpoint
ALTER TABLE "moderation_log" ADD COLUMN "comment_id" bigint;--> statement-breakpoint
ALTER TABLE "review_items" ADD COLUMN "entry_id" bigint;--> statement-breakpoint
ALTER TABLE "review_items" ADD COLUMN "comment_id" bigint;--> statement-breakpoint
ALTER TABLE "blog_comments" ADD CONSTRAINT "blog_comments_entry_id_blog_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."blog_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blog_comments" ADD CONSTRAINT "blog_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blog_entries" ADD CONSTRAINT "blog_entries_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blog_entries" ADD CONSTRAINT "blog_entries_space_id_spaces_id_fk" FOREIGN KEY ("space_id") REFERENCES "public"."spaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blog_entry_revisions" ADD CONSTRAINT "blog_entry_revisions_entry_id_blog_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."blog_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blog_entry_revisions" ADD CONSTRAINT "blog_entry_revisions_editor_id_users_id_fk" FOREIGN KEY ("editor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blog_entry_slugs" ADD CONSTRAINT "blog_entry_slugs_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blog_entry_slugs" ADD CONSTRAINT "blog_entry_slugs_entry_id_blog_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."blog_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blog_entry_tags" ADD CONSTRAINT "blog_entry_tags_entry_id_blog_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."blog_entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "blog_comments_entry_idx" ON "blog_comments" USING btree ("entry_id","id");--> statement-breakpoint
CREATE INDEX "blog_comments_author_idx" ON "blog_comments" USING btree ("author_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE UNIQUE INDEX "blog_entries_author_slug_idx" ON "blog_entries" USING btree ("author_id","slug");--> statement-breakpoint
CREATE INDEX "blog_entries_author_published_idx" ON "blog_entries" USING btree ("author_id","published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "blog_entries_published_idx" ON "blog_entries" USING btree ("published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "blog_entries"."status" <> 'draft' and "blog_entries"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "blog_entries_scheduled_idx" ON "blog_entries" USING btree ("publish_at") WHERE "blog_entries"."status" = 'scheduled';--> statement-breakpoint
CREATE UNIQUE INDEX "blog_entry_revisions_entry_revision_idx" ON "blog_entry_revisions" USING btree ("entry_id","revision");--> statement-breakpoint
CREATE INDEX "blog_entry_slugs_entry_idx" ON "blog_entry_slugs" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "blog_entry_tags_tag_idx" ON "blog_entry_tags" USING btree ("tag","entry_id");--> statement-breakpoint
ALTER TABLE "flags" ADD CONSTRAINT "flags_entry_id_blog_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."blog_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flags" ADD CONSTRAINT "flags_comment_id_blog_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "public"."blog_comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_log" ADD CONSTRAINT "moderation_log_entry_id_blog_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."blog_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_log" ADD CONSTRAINT "moderation_log_comment_id_blog_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "public"."blog_comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_entry_id_blog_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."blog_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_comment_id_blog_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "public"."blog_comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "flags_open_entry_idx" ON "flags" USING btree ("flagger_id","entry_id") WHERE "flags"."status" = 'open' and "flags"."entry_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "flags_open_comment_idx" ON "flags" USING btree ("flagger_id","comment_id") WHERE "flags"."status" = 'open' and "flags"."comment_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_open_entry_idx" ON "review_items" USING btree ("kind","entry_id") WHERE "review_items"."status" = 'open' and "review_items"."entry_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_open_comment_idx" ON "review_items" USING btree ("kind","comment_id") WHERE "review_items"."status" = 'open' and "review_items"."comment_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "flags_open_profile_idx" ON "flags" USING btree ("flagger_id","subject_id") WHERE "flags"."status" = 'open' and "flags"."post_id" is null and "flags"."entry_id" is null and "flags"."comment_id" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_open_profile_idx" ON "review_items" USING btree ("kind","subject_id") WHERE "review_items"."status" = 'open' and "review_items"."post_id" is null and "review_items"."entry_id" is null and "review_items"."comment_id" is null;