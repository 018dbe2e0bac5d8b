-- Live updates: a notification created or read announces `user:<recipient>` on the event bus
-- channel (server/events/bus.ts), so the member's open pages update their bell. The payload is an
-- id, never text; NOTIFY is sent at commit, so a rolled-back write says nothing.
CREATE FUNCTION notifications_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rounds_events', 'user:' || NEW.recipient_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER notifications_notify AFTER INSERT OR UPDATE OF read_at ON "notifications"
  FOR EACH ROW EXECUTE FUNCTION notifications_notify_change();
