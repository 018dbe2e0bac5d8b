-- Every app process hears what changed through one NOTIFY channel (server/events/bus.ts), whatever
-- wrote it: the app in another process, an operator's SQL, a migration. Payloads are `<kind>:<id>`
-- only, never content. NOTIFY is sent at commit, so a rolled-back write says nothing.
--
-- A thread row changes on every new post (its counters), edit, removal, move, pin, lock, and on
-- its authors' renames (0003's triggers bump content_version): its pages are out of date.
CREATE FUNCTION threads_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM pg_notify('rounds_events', 'board:' || NEW.board_id);
    RETURN NULL;
  END IF;
  PERFORM pg_notify('rounds_events', 'thread:' || OLD.id);
  PERFORM pg_notify('rounds_events', 'board:' || OLD.board_id);
  IF TG_OP = 'UPDATE' AND NEW.board_id IS DISTINCT FROM OLD.board_id THEN
    PERFORM pg_notify('rounds_events', 'board:' || NEW.board_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER threads_notify AFTER INSERT OR UPDATE OR DELETE ON "threads"
  FOR EACH ROW EXECUTE FUNCTION threads_notify_change();
--> statement-breakpoint
-- What every thread page prints of its board and space (names, slugs, level, archived) and what
-- decides who may read it. Counters are left out: boards change on every post.
CREATE FUNCTION structure_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rounds_events', 'structure:' || TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER spaces_notify_update AFTER UPDATE ON "spaces"
  FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug OR OLD.level IS DISTINCT FROM NEW.level
    OR OLD.archived_at IS DISTINCT FROM NEW.archived_at)
  EXECUTE FUNCTION structure_notify_change();
--> statement-breakpoint
CREATE TRIGGER spaces_notify_delete AFTER DELETE ON "spaces"
  FOR EACH ROW EXECUTE FUNCTION structure_notify_change();
--> statement-breakpoint
CREATE TRIGGER boards_notify_update AFTER UPDATE ON "boards"
  FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug OR OLD.space_id IS DISTINCT FROM NEW.space_id
    OR OLD.archived_at IS DISTINCT FROM NEW.archived_at)
  EXECUTE FUNCTION structure_notify_change();
--> statement-breakpoint
CREATE TRIGGER boards_notify_delete AFTER DELETE ON "boards"
  FOR EACH ROW EXECUTE FUNCTION structure_notify_change();
