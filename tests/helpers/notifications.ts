import { expect } from 'vitest';
import type { TestApp } from './app.ts';
import type { TestMember } from './factories.ts';

/** One line of a member's notification list, as the JSON API gives it. */
export interface InboxItem {
  id: number;
  kind: string;
  count: number;
  unread: boolean;
  text: string;
  excerpt: string;
  url: string;
  actor: string | null;
}

/** The member's notifications through the API (newest first), and the unread count. */
export async function inbox(app: TestApp, member: TestMember, query = ''): Promise<{ items: InboxItem[]; next: number | null; unreadCount: number }> {
  // A member's own writes go through HTTP, whose answers wait until the process has heard what they
  // changed (the bell's "anything unread?" is remembered until then); tests write through services.
  await app.events.settled();
  const res = await app.inject({ method: 'GET', url: `/api/v1/notifications${query}`, headers: member.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
