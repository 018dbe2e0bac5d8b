-- Blog tags keep the case their writer gave them: "ECMO" and "NHS England" are shown as written
-- (label), while the tag's address and identity stays the lower-case slug in "tag", so "ECMO" and
-- "ecmo" are one tag. Tags written before this were kept as slugs only, and are shown as they were:
-- their label is the slug until their writer retypes it. Added empty, filled, then required (a
-- column cannot be added NOT NULL to rows that have no value for it); the fill rewrites each tag
-- row once, a few per entry, in the migration's one transaction.
ALTER TABLE "blog_entry_tags" ADD COLUMN "label" text;--> statement-breakpoint
UPDATE "blog_entry_tags" SET "label" = "tag";--> statement-breakpoint
ALTER TABLE "blog_entry_tags" ALTER COLUMN "label" SET NOT NULL;
