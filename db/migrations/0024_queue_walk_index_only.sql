DROP INDEX "review_items_priority_idx";--> statement-breakpoint
DROP INDEX "review_items_age_idx";--> statement-breakpoint
CREATE INDEX "review_items_priority_idx" ON "review_items" USING btree ("score" DESC NULLS FIRST,"id" DESC NULLS FIRST,"space_id") WHERE "review_items"."status" = 'open';--> statement-breakpoint
CREATE INDEX "review_items_age_idx" ON "review_items" USING btree ("created_at","id","space_id") WHERE "review_items"."status" = 'open';