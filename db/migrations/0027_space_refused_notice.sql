-- A refused request to join tells the member (until now they waited for an answer that never came).
ALTER TYPE "public"."notification_kind" ADD VALUE 'space_refused' BEFORE 'blog_published';