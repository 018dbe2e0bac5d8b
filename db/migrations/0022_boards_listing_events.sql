-- Every home page lists the public spaces' boards from one read kept for a moment
-- (server/spaces/public-boards.ts), dropped when the database says a board changed. 0007 said so
-- only for what thread pages print (a rename, a move, an archiving); the listing also prints a
-- board's description and its place in the order, and a new board must not wait to appear.
-- Counters are still left out: boards change on every post.
DROP TRIGGER boards_notify_update ON "boards";
--> statement-breakpoint
CREATE TRIGGER boards_notify_update AFTER UPDATE ON "boards"
  FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug OR OLD.space_id IS DISTINCT FROM NEW.space_id
    OR OLD.archived_at IS DISTINCT FROM NEW.archived_at OR OLD.description IS DISTINCT FROM NEW.description
    OR OLD.position IS DISTINCT FROM NEW.position)
  EXECUTE FUNCTION structure_notify_change();
--> statement-breakpoint
CREATE TRIGGER boards_notify_insert AFTER INSERT ON "boards"
  FOR EACH ROW EXECUTE FUNCTION structure_notify_change();
