import { Forbidden } from '../errors.ts';
import type { Viewer } from './viewer.ts';

/*
 * Write permissions. Reads are decided by visibility.ts; a write first reads its target through a
 * visibility predicate (so an invisible target is a 404), then asks `can` here.
 */

export interface ThreadFacts {
  locked: boolean;
  boardArchived: boolean;
  authorId: string;
}

export interface PostFacts {
  authorId: string;
  deleted: boolean;
  threadLocked: boolean;
}

export type Action =
  | { kind: 'thread.create'; boardArchived: boolean }
  | { kind: 'post.reply'; thread: ThreadFacts }
  | { kind: 'post.edit'; post: PostFacts }
  | { kind: 'post.delete'; post: PostFacts }
  | { kind: 'thread.moderate' }
  | { kind: 'site.manage' };

export interface Decision {
  allowed: boolean;
  /** Said to the person when the answer is no. */
  reason: string;
}

const yes: Decision = { allowed: true, reason: '' };
const no = (reason: string): Decision => ({ allowed: false, reason });

export function can(viewer: Viewer, action: Action): Decision {
  if (viewer.kind === 'anonymous') return no('Please sign in to continue.');
  const staff = viewer.role === 'admin' || viewer.role === 'moderator';
  const writer =
    viewer.status === 'active' ? yes : no('Your account is silenced or suspended, so you cannot post right now.');
  switch (action.kind) {
    case 'thread.create':
      if (action.boardArchived) return no('This board is archived: it can be read but takes no new threads.');
      return writer;
    case 'post.reply':
      if (action.thread.boardArchived) return no('This board is archived: it can be read but takes no new replies.');
      if (action.thread.locked && !staff) return no('This thread is locked: it takes no new replies.');
      return writer;
    case 'post.edit':
    case 'post.delete':
      if (action.post.deleted) return no('This post was removed and can no longer be changed.');
      if (action.post.authorId !== viewer.id) return no('Only the author can change this post.');
      if (action.post.threadLocked && !staff) return no('This thread is locked: its posts can no longer be changed.');
      return writer;
    case 'thread.moderate':
      return staff ? yes : no('Only moderators can do that.');
    case 'site.manage':
      return viewer.role === 'admin' ? yes : no('Only administrators can do that.');
  }
}

/** Throws the refusal as a domain error, for services. */
export function authorize(viewer: Viewer, action: Action): void {
  const decision = can(viewer, action);
  if (!decision.allowed) throw new Forbidden(decision.reason);
}
