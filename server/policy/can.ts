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

export interface MembershipFacts {
  role: 'owner' | 'moderator' | 'member';
  status: 'active' | 'invited' | 'requested' | 'removed' | 'banned';
}

export interface SpaceFacts {
  level: 'public' | 'members' | 'confidential';
  joinPolicy: 'open' | 'request' | 'invite';
  archived: boolean;
  /** The viewer's membership, or null when they have none. */
  membership: MembershipFacts | null;
}

/** Who may create members-only and confidential spaces: a site setting. */
export interface PrivateSpaceSetting {
  creators: 'admins' | 'trusted';
  minTrust: number;
}

export type Action =
  | { kind: 'thread.create'; boardArchived: boolean }
  | { kind: 'post.reply'; thread: ThreadFacts }
  | { kind: 'post.edit'; post: PostFacts }
  | { kind: 'post.delete'; post: PostFacts }
  | { kind: 'thread.moderate' }
  | { kind: 'content.flag' }
  | { kind: 'user.sanction' }
  | { kind: 'site.manage' }
  | { kind: 'space.create'; level: SpaceFacts['level']; setting: PrivateSpaceSetting }
  | { kind: 'space.post'; space: SpaceFacts }
  | { kind: 'space.join'; space: SpaceFacts }
  | { kind: 'space.manageMembers'; space: SpaceFacts }
  | { kind: 'space.govern'; space: SpaceFacts }
  | { kind: 'space.structure'; space: SpaceFacts }
  | { kind: 'blog.write' }
  | { kind: 'blog.edit'; entry: { authorId: string } }
  | { kind: 'blog.comment'; entry: { commentsOpen: boolean; authorId: string } }
  | { kind: 'blog.editComment'; comment: { authorId: string; deleted: boolean } }
  | { kind: 'blog.deleteComment'; comment: { authorId: string } };

export interface Decision {
  allowed: boolean;
  /** Said to the person when the answer is no. */
  reason: string;
}

const yes: Decision = { allowed: true, reason: '' };
const no = (reason: string): Decision => ({ allowed: false, reason });

/** Whether the viewer may write at all: signed in and neither silenced nor suspended. Pages ask it to offer no button the policy would refuse. */
export function mayWrite(viewer: Viewer): boolean {
  return viewer.kind === 'member' && viewer.status === 'active';
}

export function can(viewer: Viewer, action: Action): Decision {
  if (viewer.kind === 'anonymous') return no('Please sign in to continue.');
  const staff = viewer.role === 'admin' || viewer.role === 'moderator';
  const writer = mayWrite(viewer) ? yes : no('Your account is silenced or suspended, so you cannot post right now.');
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
    case 'content.flag':
      // Silenced members can still tell moderators about a problem; suspended ones are signed out.
      return viewer.status === 'suspended' ? no('Your account is suspended.') : yes;
    case 'user.sanction':
      return staff ? yes : no('Only site moderators can sanction a member.');
    case 'site.manage':
      return viewer.role === 'admin' ? yes : no('Only administrators can do that.');
    case 'space.create':
      if (viewer.role === 'admin') return yes;
      if (action.level === 'public') return no('Only administrators create public spaces.');
      if (action.setting.creators === 'admins') return no('On this site only administrators create private spaces.');
      if (viewer.trustLevel < action.setting.minTrust) return no('You can create a private space once you have taken part here a little longer.');
      return writer;
    case 'space.post': {
      const m = action.space.membership;
      if (action.space.archived) return no('This space is archived: it can be read but takes no new posts.');
      if (m?.status === 'banned') return no('You were banned from this space, so you cannot post here.');
      if (action.space.level === 'confidential' || action.space.joinPolicy !== 'open') {
        if (m?.status !== 'active') return no('Only members of this space can post here. Join it first.');
      }
      return writer;
    }
    case 'space.join': {
      const m = action.space.membership;
      if (m?.status === 'active') return no('You are already a member of this space.');
      if (m?.status === 'banned') return no('You were banned from this space.');
      if (action.space.joinPolicy === 'invite') return no('This space is by invitation only.');
      return yes;
    }
    case 'space.manageMembers': {
      const m = action.space.membership;
      return m?.status === 'active' && (m.role === 'owner' || m.role === 'moderator') ? yes : no('Only the owners and moderators of this space can do that.');
    }
    case 'space.govern': {
      const m = action.space.membership;
      return m?.status === 'active' && m.role === 'owner' ? yes : no('Only the owners of this space can do that.');
    }
    case 'space.structure': {
      const m = action.space.membership;
      if (m?.status === 'active' && m.role === 'owner') return yes;
      // Site admins run the public and members-only areas; a confidential space is its owners' alone.
      if (viewer.role === 'admin' && action.space.level !== 'confidential') return yes;
      return no('Only the owners of this space (or site administrators, outside confidential spaces) can change it.');
    }
    case 'blog.write':
      return writer;
    case 'blog.edit':
      if (action.entry.authorId !== viewer.id) return no('Only the author can change this entry.');
      return writer;
    case 'blog.comment':
      if (!action.entry.commentsOpen) return no('The author has closed comments on this entry.');
      return writer;
    case 'blog.editComment':
      // As a post: its writer only (site staff neither), never once removed, and not while silenced.
      if (action.comment.deleted) return no('This comment was removed and can no longer be changed.');
      if (action.comment.authorId !== viewer.id) return no('Only the author of a comment can change it.');
      return writer;
    case 'blog.deleteComment':
      return action.comment.authorId === viewer.id ? yes : no('Only the author of a comment can remove it.');
  }
}

/** Throws the refusal as a domain error, for services. */
export function authorize(viewer: Viewer, action: Action): void {
  const decision = can(viewer, action);
  if (!decision.allowed) throw new Forbidden(decision.reason);
}
