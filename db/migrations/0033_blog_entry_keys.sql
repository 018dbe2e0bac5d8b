-- A new blog entry carries its editor page's key: the first autosave and the Save button make one entry, not two.
ALTER TABLE "blog_entries" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "blog_entries_author_idempotency_idx" ON "blog_entries" USING btree ("author_id","idempotency_key");