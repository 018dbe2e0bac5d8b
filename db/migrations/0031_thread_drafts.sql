-- New threads members have started and not posted, kept on the server (see db/schema/forum.ts).
CREATE TABLE "thread_drafts" (
	"user_id" text NOT NULL,
	"board_id" bigint NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "thread_drafts_user_id_board_id_pk" PRIMARY KEY("user_id","board_id")
);
--> statement-breakpoint
ALTER TABLE "thread_drafts" ADD CONSTRAINT "thread_drafts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "thread_drafts" ADD CONSTRAINT "thread_drafts_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Starting a thread on a board ends the author's draft there, in the thread's own transaction.
CREATE FUNCTION threads_end_thread_drafts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "thread_drafts" d USING inserted i WHERE d.user_id = i.author_id AND d.board_id = i.board_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER threads_end_thread_drafts AFTER INSERT ON "threads"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION threads_end_thread_drafts();
