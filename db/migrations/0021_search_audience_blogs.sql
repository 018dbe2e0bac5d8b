-- Blog entries and comments get an audience for search too, as threads and posts did in 0020, so
-- that a search's timing cannot hint at entries the searcher may not read either: an entry in a
-- confidential space, a members-only entry (for visitors), someone's draft.
--
-- An entry's audience: 'author:<id>' while it is a draft (only its author reads it; publishing is a
-- write, so the audience follows); otherwise 'public', 'members', or — for an entry in a space —
-- its space's audience (`search_audience`). Scheduled entries count as their audience already: they
-- go live at their time without a write. Held and hidden entries stay in their audience (their
-- moderators and author read them; others' searches touch them, as before). A comment's audience
-- is its entry's. Kept by triggers, carried along when an entry changes, and when a space changes
-- level. The policy's predicates still decide every match.
CREATE FUNCTION entry_audience(status blog_entry_status, visibility blog_visibility, author_id text, space_id bigint) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN CASE
    WHEN status = 'draft' THEN 'author:' || author_id
    WHEN visibility = 'space' THEN (SELECT search_audience(spaces.level, spaces.id) FROM spaces WHERE spaces.id = space_id)
    ELSE visibility::text
  END;--> statement-breakpoint
ALTER TABLE "blog_entries" ADD COLUMN "audience" text;--> statement-breakpoint
UPDATE "blog_entries" SET "audience" = entry_audience("status", "visibility", "author_id", "space_id");--> statement-breakpoint
ALTER TABLE "blog_entries" ALTER COLUMN "audience" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "blog_comments" ADD COLUMN "audience" text;--> statement-breakpoint
UPDATE "blog_comments" SET "audience" = "blog_entries"."audience" FROM "blog_entries" WHERE "blog_entries"."id" = "blog_comments"."entry_id";--> statement-breakpoint
ALTER TABLE "blog_comments" ALTER COLUMN "audience" SET NOT NULL;--> statement-breakpoint
CREATE FUNCTION blog_entry_audience() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.audience := entry_audience(NEW.status, NEW.visibility, NEW.author_id, NEW.space_id);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER blog_entries_audience BEFORE INSERT OR UPDATE OF status, visibility, author_id, space_id ON "blog_entries"
  FOR EACH ROW EXECUTE FUNCTION blog_entry_audience();--> statement-breakpoint
CREATE FUNCTION blog_comment_audience() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.audience := (SELECT audience FROM blog_entries WHERE id = NEW.entry_id);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER blog_comments_audience BEFORE INSERT OR UPDATE OF entry_id ON "blog_comments"
  FOR EACH ROW EXECUTE FUNCTION blog_comment_audience();--> statement-breakpoint
CREATE FUNCTION blog_entry_audience_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE blog_comments SET audience = NEW.audience WHERE entry_id = NEW.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER blog_entries_audience_changed AFTER UPDATE ON "blog_entries"
  FOR EACH ROW WHEN (OLD.audience IS DISTINCT FROM NEW.audience) EXECUTE FUNCTION blog_entry_audience_changed();--> statement-breakpoint
CREATE FUNCTION space_entries_audience_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE blog_entries SET audience = entry_audience(status, visibility, author_id, space_id) WHERE space_id = NEW.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER spaces_entries_audience_changed AFTER UPDATE ON "spaces"
  FOR EACH ROW WHEN (OLD.level IS DISTINCT FROM NEW.level) EXECUTE FUNCTION space_entries_audience_changed();--> statement-breakpoint
DROP INDEX "blog_entries_search_idx";--> statement-breakpoint
DROP INDEX "blog_comments_search_idx";--> statement-breakpoint
-- As 0020's: the expression must stay as server/search/queries.ts writes it (`reachOf`).
CREATE INDEX "blog_entries_search_audience_idx" ON "blog_entries" USING gin (search_terms("search_vector", "audience")) WITH (gin_pending_list_limit = 256);--> statement-breakpoint
CREATE INDEX "blog_comments_search_audience_idx" ON "blog_comments" USING gin (search_terms("search_vector", "audience")) WITH (gin_pending_list_limit = 256);
