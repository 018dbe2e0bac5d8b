/*
 * What a notification e-mail or digest line may say. The caller describes the activity in full;
 * these functions decide what of it leaves the site. Anything in a confidential space becomes
 * "New activity in a confidential space" and a link by number alone: no space, board or thread
 * name, no text, no author — the link's slug would carry the title, so it is left out too.
 */

/** One notification e-mail: plain text, a path on this site to open. */
export interface NotificationEmail {
  subject: string;
  text: string;
  /** A path on this site ("/t/12/slug#p3"); the mail service makes it absolute. */
  url: string;
  /** The thread a "stop notifications about this thread" link mutes: set where watching brought the e-mail. */
  muteThreadId?: number;
}

/** One line of a daily digest. */
export interface DigestItem {
  title: string;
  text?: string;
  url: string;
}

/** Where a confidential item's link points: by id only (the app redirects to the slugged URL after its own checks). */
export type ConfidentialTarget = { postId: number } | { threadId: number } | null;

export interface Activity {
  /** The space the activity happened in; null for content outside spaces (blogs). */
  space: { level: 'public' | 'members' | 'confidential'; name: string } | null;
  /** One line, e.g. "Dr Ada replied to “Night shifts”". */
  headline: string;
  excerpt?: string;
  url: string;
  /** Used instead of `url` when the space is confidential. */
  target: ConfidentialTarget;
  /** See NotificationEmail.muteThreadId (an id only, so a confidential e-mail may carry it too). */
  muteThreadId?: number;
}

export const CONFIDENTIAL_SUBJECT = 'New activity in a confidential space';

function confidentialPath(target: ConfidentialTarget): string {
  if (target && 'postId' in target) return `/p/${target.postId}`;
  if (target && 'threadId' in target) return `/t/${target.threadId}`;
  return '/';
}

/** The whole e-mail about an item in a confidential space: nothing from the space, only a link. */
export function confidentialNotification(target: ConfidentialTarget): NotificationEmail {
  return {
    subject: CONFIDENTIAL_SUBJECT,
    text: 'There is new activity in a confidential space you belong to. What is said there stays there, so this e-mail does not say what it is: sign in to read it.',
    url: confidentialPath(target),
  };
}

export function confidentialDigestItem(target: ConfidentialTarget): DigestItem {
  return { title: CONFIDENTIAL_SUBJECT, url: confidentialPath(target) };
}

export function activityNotification(activity: Activity): NotificationEmail {
  const mute = activity.muteThreadId !== undefined ? { muteThreadId: activity.muteThreadId } : {};
  if (activity.space?.level === 'confidential') return { ...confidentialNotification(activity.target), ...mute };
  const where = activity.space ? ` in ${activity.space.name}` : '';
  return {
    subject: `${activity.headline}${where}`,
    text: [activity.headline + where, activity.excerpt].filter(Boolean).join('\n\n'),
    url: activity.url,
    ...mute,
  };
}

export function activityDigestItem(activity: Activity): DigestItem {
  if (activity.space?.level === 'confidential') return confidentialDigestItem(activity.target);
  return {
    title: activity.space ? `${activity.headline} (${activity.space.name})` : activity.headline,
    ...(activity.excerpt ? { text: activity.excerpt } : {}),
    url: activity.url,
  };
}
