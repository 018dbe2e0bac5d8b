-- What a process remembers about a member between requests (server/events/member-cache.ts: their
-- sign-in session or API token and the account fields a request needs, whether they moderate a
-- space) is forgotten when it hears `member:<id>`: sent at commit when those account fields change
-- or the account is deleted, when one of their sessions changes (signed out, expiry extended, all
-- ended by a password change or a suspension), when one of their space memberships changes, and
-- when one of their API tokens is revoked. Ids only, never content.
CREATE FUNCTION users_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rounds_events', 'member:' || OLD.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- The columns of `SessionUser` (server/accounts/sessions.ts) only: counters such as posts_read
-- change on every page that shows a member new posts, and would forget their session each time.
CREATE TRIGGER users_notify AFTER UPDATE ON "users"
  FOR EACH ROW
  WHEN ((OLD.handle, OLD.display_name, OLD.role, OLD.trust_level, OLD.status, OLD.status_until, OLD.last_visited_on)
    IS DISTINCT FROM (NEW.handle, NEW.display_name, NEW.role, NEW.trust_level, NEW.status, NEW.status_until, NEW.last_visited_on))
  EXECUTE FUNCTION users_notify_change();
--> statement-breakpoint
CREATE TRIGGER users_notify_delete AFTER DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION users_notify_change();
--> statement-breakpoint
CREATE FUNCTION member_rows_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM pg_notify('rounds_events', 'member:' || NEW.user_id);
  ELSE
    PERFORM pg_notify('rounds_events', 'member:' || OLD.user_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A new session is nobody's remembered value yet: only its end or extension is announced.
CREATE TRIGGER sessions_notify AFTER UPDATE OR DELETE ON "sessions"
  FOR EACH ROW EXECUTE FUNCTION member_rows_notify_change();
--> statement-breakpoint
CREATE TRIGGER space_members_notify AFTER INSERT OR UPDATE OR DELETE ON "space_members"
  FOR EACH ROW EXECUTE FUNCTION member_rows_notify_change();
--> statement-breakpoint
-- A revoked API token (its "last used" minute is written while it is not remembered).
CREATE TRIGGER api_tokens_notify AFTER DELETE ON "api_tokens"
  FOR EACH ROW EXECUTE FUNCTION member_rows_notify_change();
--> statement-breakpoint
-- The visitor session (CSRF secret, flash messages) is remembered under a digest of its id: the
-- id itself is half of a cookie and stays off the channel.
CREATE FUNCTION visitor_sessions_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rounds_events', 'visitor:' || md5(OLD.sid));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER visitor_sessions_notify AFTER UPDATE OR DELETE ON "visitor_sessions"
  FOR EACH ROW EXECUTE FUNCTION visitor_sessions_notify_change();
