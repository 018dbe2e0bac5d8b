-- A request to join tells the space's owners and moderators (until now only their manage page showed it).
ALTER TYPE "public"."notification_kind" ADD VALUE 'space_requested' BEFORE 'blog_published';