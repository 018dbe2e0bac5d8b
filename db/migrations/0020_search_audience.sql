-- A search does no work for content the viewer cannot read (server/search/README.md, "Timing").
--
-- Before this, what a search cost depended on matches the viewer could NOT see: older matches were
-- each read from the table (~7 µs) before the visibility predicate dropped them, and recent ones
-- were each checked. A visitor timing searches could tell that a word is written in confidential
-- spaces, and roughly how often: at a million posts, a word in 9,000 confidential posts answered in
-- ~100 ms, a word written nowhere in ~43 ms.
--
-- Threads and posts now carry their audience: 'public' and 'members' for every space of those
-- levels, the space's id for a confidential one (`search_audience`). Their GIN index holds each
-- word once per audience ('shock§public', 'shock§131': `search_terms`; the text parser never makes
-- a lexeme with '§' in it, and positions and weights are kept, so phrases still match), and a
-- search asks for each of its words in the audiences the viewer may read only
-- (`search_terms_query`). The index then never touches another audience's entries for a word: a
-- search costs the same whether or not the word is written where the viewer cannot read.
--
-- Tried first and measured at a million posts, a word in 9,000 confidential posts against a word
-- written nowhere: a multi-column GIN index (space_id, search_vector) with btree_gin — the planner
-- was free to use it for the words alone and filter the space after reading each row, and on small
-- tables it did; a lexeme per space beside the words — intersecting a word with the hundred spaces
-- a member may read took 125 ms against 1.4 ms; a lexeme per audience beside the words — 52 ms
-- against 2 ms for a member, 3.5 against 0.4 for a visitor: the index still walked the word's
-- entries in every audience.
--
-- The audience is kept by triggers, whatever writes (the app, scripts, a restore): taken from the
-- board's space (a thread) or the thread (a post) when the row is written, and carried along when a
-- thread moves to another board, a board to another space, or a space changes level. Like
-- search_vector it is not in db/schema: only server/search/queries.ts and the policy's
-- `readableAudiences` use it. It decides nothing: visibility is still the policy's predicates,
-- checked on every match; a wrong audience could hide a match from its readers, never show one.
--
-- Filling the column rewrites every thread and post: ~1.5 min a million posts on two vCPUs, with
-- writes to posts waiting (migrations run in one transaction). Plan a quiet moment on a large site.
CREATE FUNCTION search_audience(level confidentiality_level, space_id bigint) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN level = 'confidential' THEN space_id::text ELSE level::text END;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "audience" text;--> statement-breakpoint
UPDATE "threads" SET "audience" = search_audience("spaces"."level", "spaces"."id")
  FROM "boards" JOIN "spaces" ON "spaces"."id" = "boards"."space_id" WHERE "boards"."id" = "threads"."board_id";--> statement-breakpoint
ALTER TABLE "threads" ALTER COLUMN "audience" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "audience" text;--> statement-breakpoint
UPDATE "posts" SET "audience" = "threads"."audience" FROM "threads" WHERE "threads"."id" = "posts"."thread_id";--> statement-breakpoint
ALTER TABLE "posts" ALTER COLUMN "audience" SET NOT NULL;--> statement-breakpoint
CREATE FUNCTION thread_audience() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.audience := (SELECT search_audience(spaces.level, spaces.id) FROM boards JOIN spaces ON spaces.id = boards.space_id WHERE boards.id = NEW.board_id);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER threads_audience BEFORE INSERT OR UPDATE OF board_id ON "threads"
  FOR EACH ROW EXECUTE FUNCTION thread_audience();--> statement-breakpoint
CREATE FUNCTION post_audience() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.audience := (SELECT audience FROM threads WHERE id = NEW.thread_id);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER posts_audience BEFORE INSERT OR UPDATE OF thread_id ON "posts"
  FOR EACH ROW EXECUTE FUNCTION post_audience();--> statement-breakpoint
-- Carried along. WHEN is checked without calling the function, so the counters' updates on every
-- reply pay nothing for it.
CREATE FUNCTION thread_audience_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE posts SET audience = NEW.audience WHERE thread_id = NEW.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER threads_audience_changed AFTER UPDATE ON "threads"
  FOR EACH ROW WHEN (OLD.audience IS DISTINCT FROM NEW.audience) EXECUTE FUNCTION thread_audience_changed();--> statement-breakpoint
CREATE FUNCTION board_audience_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE threads SET audience = (SELECT search_audience(level, id) FROM spaces WHERE id = NEW.space_id) WHERE board_id = NEW.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER boards_audience_changed AFTER UPDATE ON "boards"
  FOR EACH ROW WHEN (OLD.space_id IS DISTINCT FROM NEW.space_id) EXECUTE FUNCTION board_audience_changed();--> statement-breakpoint
-- A level change rewrites the space's threads and posts (seconds for a large space; level changes
-- are rare and confirmed by every owner).
CREATE FUNCTION space_audience_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE threads SET audience = search_audience(NEW.level, NEW.id) WHERE board_id IN (SELECT id FROM boards WHERE space_id = NEW.id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER spaces_audience_changed AFTER UPDATE ON "spaces"
  FOR EACH ROW WHEN (OLD.level IS DISTINCT FROM NEW.level) EXECUTE FUNCTION space_audience_changed();--> statement-breakpoint
DROP INDEX "threads_search_idx";--> statement-breakpoint
DROP INDEX "posts_search_idx";--> statement-breakpoint
-- Each lexeme of the tsvector's text form ('word':1,3A) gets '§' and the audience; positions and
-- weights stay. For rows the expression is read from before this migration's UPDATE (an index
-- build reads them too) the audience is null and so is the expression, which GIN accepts.
CREATE FUNCTION search_terms(words tsvector, audience text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN regexp_replace(words::text, '''((?:[^'']|'''')*)''', '''\1§' || audience || '''', 'g')::tsvector;--> statement-breakpoint
-- What the index is asked for a query: its words in the audiences given, each as (word§audience | …);
-- with no audience, '\1§' alone, which no row holds. GIN answers a query of words, AND, OR and NOT
-- exactly, but a phrase only with a recheck of each row through search_terms (~50 µs a row): a
-- query with a phrase is asked as its positive words (querytree) with phrases as plain AND, a
-- superset of its matches, and the search checks each row's own search_vector against the whole
-- query. A query with nothing to look up (stop words only, or only exclusions) finds nothing here.
CREATE FUNCTION search_terms_query(words tsquery, audiences text[]) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN querytree(words) IN ('', 'T') THEN '''§'''::tsquery
    ELSE regexp_replace(
      CASE WHEN words::text ~ '<(-|[0-9]+)>' THEN regexp_replace(querytree(words), '<(-|[0-9]+)>', '&', 'g') ELSE words::text END,
      '''((?:[^'']|'''')*)''', '(''\1§' || array_to_string(audiences, ''' | ''\1§') || ''')', 'g')::tsquery END;--> statement-breakpoint
-- The small pending list of migration 0014, as before. The expression must stay as
-- server/search/queries.ts writes it (`reachOf`), or the index is not used.
CREATE INDEX "threads_search_audience_idx" ON "threads" USING gin (search_terms("search_vector", "audience")) WITH (gin_pending_list_limit = 256);--> statement-breakpoint
CREATE INDEX "posts_search_audience_idx" ON "posts" USING gin (search_terms("search_vector", "audience")) WITH (gin_pending_list_limit = 256);
