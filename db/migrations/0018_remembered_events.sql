-- What each process keeps between requests (server/events/member-cache.ts) and the event that
-- makes it forget, sent at commit, ids and keys only:
-- - `setting:<key>` when a site setting is written or removed: the moderation settings, read by
--   every post, reply and flag;
-- - `flags:<flagger id>` when one of a member's flags is raised, resolved, withdrawn or removed:
--   whether they have an open flag on any post (most have none, and their thread pages then skip
--   looking for them).
-- One function for both: the trigger names the event's prefix and the column that completes it.
CREATE FUNCTION notify_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rounds_events', TG_ARGV[0] || ':' || (to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END) ->> TG_ARGV[1]));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER site_settings_notify AFTER INSERT OR UPDATE OR DELETE ON "site_settings"
  FOR EACH ROW EXECUTE FUNCTION notify_row_change('setting', 'key');
--> statement-breakpoint
CREATE TRIGGER flags_notify AFTER INSERT OR DELETE OR UPDATE OF status ON "flags"
  FOR EACH ROW EXECUTE FUNCTION notify_row_change('flags', 'flagger_id');
