-- Drafts count their saves: a page that loaded an older one is refused instead of writing over a newer one.
ALTER TABLE "reply_drafts" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "thread_drafts" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;