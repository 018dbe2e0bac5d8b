-- Live updates: every new notification tells the recipient's open pages (server-sent events)
-- through the event bus channel. The payload is an id, never text; pg_notify delivers at commit,
-- so a rolled-back write announces nothing.
create or replace function notifications_announce() returns trigger as $$
begin
  perform pg_notify('rounds_events', 'user:' || NEW.recipient_id);
  return NEW;
end;
$$ language plpgsql;
--> statement-breakpoint
create trigger notifications_announce after insert on notifications
  for each row execute function notifications_announce();
