-- A confidential space answers "not found" to everyone outside it: "by request" could never be used
-- (and "open" was already refused). Spaces that said so are invitation-only, as they were in effect.
UPDATE "spaces" SET "join_policy" = 'invite' WHERE "level" = 'confidential' AND "join_policy" <> 'invite';--> statement-breakpoint
ALTER TABLE "spaces" ADD CONSTRAINT "spaces_confidential_by_invitation" CHECK ("spaces"."level" <> 'confidential' or "spaces"."join_policy" = 'invite');
