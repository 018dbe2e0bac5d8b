-- A change of address waits for a link sent to the new address (purpose change_email). The value is
-- added in a migration of its own: PostgreSQL does not let a transaction use an enum value it added.
ALTER TYPE "public"."account_token_purpose" ADD VALUE 'change_email';