-- Replies members have started and not posted, kept on the server (see db/schema/forum.ts).
CREATE TABLE "reply_drafts" (
	"user_id" text NOT NULL,
	"thread_id" bigint NOT NULL,
	"body" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reply_drafts_user_id_thread_id_pk" PRIMARY KEY("user_id","thread_id")
);
--> statement-breakpoint
ALTER TABLE "reply_drafts" ADD CONSTRAINT "reply_drafts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reply_drafts" ADD CONSTRAINT "reply_drafts_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Posting in a thread ends the author's draft there, whatever wrote the post (a page, the API, a
-- script), in the post's own transaction. Once per statement: a bulk insert checks once.
CREATE FUNCTION posts_end_reply_drafts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "reply_drafts" d USING inserted i WHERE d.user_id = i.author_id AND d.thread_id = i.thread_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER posts_end_reply_drafts AFTER INSERT ON "posts"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION posts_end_reply_drafts();
