ALTER TABLE "threads" ADD COLUMN "content_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- The anonymous page cache serves a stored thread page only while the thread's content_version is
-- the one it was rendered at. Triggers keep the version honest whatever code path writes: the app,
-- operator scripts, moderation. Any update of the thread row itself (title, pin, lock, move,
-- delete, a new post's counters) bumps it.
CREATE FUNCTION threads_bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.content_version := OLD.content_version + 1;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER threads_content_version BEFORE UPDATE ON "threads"
  FOR EACH ROW EXECUTE FUNCTION threads_bump_content_version();
--> statement-breakpoint
-- A post edited, removed, hidden, re-rendered or moved changes its thread's pages (both threads' on a move).
CREATE FUNCTION posts_bump_thread_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    UPDATE "threads" SET content_version = content_version + 1 WHERE id IN (OLD.thread_id, NEW.thread_id);
  ELSE
    UPDATE "threads" SET content_version = content_version + 1 WHERE id = OLD.thread_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER posts_thread_version AFTER UPDATE OR DELETE ON "posts"
  FOR EACH ROW EXECUTE FUNCTION posts_bump_thread_version();
--> statement-breakpoint
-- Thread pages print authors' handles, names and titles: renaming someone changes every thread they posted in.
CREATE FUNCTION users_bump_thread_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "threads" SET content_version = content_version + 1
  WHERE id IN (SELECT thread_id FROM "posts" WHERE author_id = NEW.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_thread_versions AFTER UPDATE OF handle, display_name, title ON "users"
  FOR EACH ROW
  WHEN (OLD.handle IS DISTINCT FROM NEW.handle OR OLD.display_name IS DISTINCT FROM NEW.display_name OR OLD.title IS DISTINCT FROM NEW.title)
  EXECUTE FUNCTION users_bump_thread_versions();
