-- What each process keeps between requests (server/events/member-cache.ts) and the event that
-- makes it forget. Site settings (moderation's rules for new posts and flags) are read by every post,
-- reply and flag; they are forgotten on `setting:<key>`, sent at commit whenever a setting is
-- written or removed. Keys only.
CREATE FUNCTION site_settings_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('rounds_events', 'setting:' || OLD.key);
  ELSE
    PERFORM pg_notify('rounds_events', 'setting:' || NEW.key);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER site_settings_notify AFTER INSERT OR UPDATE OR DELETE ON "site_settings"
  FOR EACH ROW EXECUTE FUNCTION site_settings_notify_change();
--> statement-breakpoint
-- Whether a member has an open flag on any post is kept too (server/moderation/service.ts): most
-- have none, and their thread pages then skip looking for them. `flags:<flagger id>` is sent when
-- one of their flags is raised, resolved, withdrawn or removed. Ids only.
CREATE FUNCTION flags_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('rounds_events', 'flags:' || OLD.flagger_id);
  ELSE
    PERFORM pg_notify('rounds_events', 'flags:' || NEW.flagger_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER flags_notify AFTER INSERT OR DELETE OR UPDATE OF status ON "flags"
  FOR EACH ROW EXECUTE FUNCTION flags_notify_change();
