import { describe, expect, test } from 'vitest';
import { ANONYMOUS, can, type MemberViewer } from '../../server/policy/index.ts';

const member = (overrides: Partial<MemberViewer> = {}): MemberViewer => ({
  kind: 'member',
  id: 'u1',
  handle: 'alice',
  displayName: 'Alice',
  role: 'member',
  status: 'active',
  trustLevel: 0,
  ...overrides,
});
const thread = { locked: false, boardArchived: false, authorId: 'u2' };
const post = { authorId: 'u1', deleted: false, threadLocked: false };

describe('who may write what', () => {
  test('visitors may not write anything', () => {
    expect(can(ANONYMOUS, { kind: 'post.reply', thread }).allowed).toBe(false);
    expect(can(ANONYMOUS, { kind: 'thread.create', boardArchived: false }).reason).toBe('Please sign in to continue.');
  });

  test('members reply and start threads unless the board is archived or the thread locked', () => {
    expect(can(member(), { kind: 'post.reply', thread }).allowed).toBe(true);
    expect(can(member(), { kind: 'post.reply', thread: { ...thread, locked: true } }).reason).toMatch(/locked/);
    expect(can(member(), { kind: 'thread.create', boardArchived: true }).reason).toMatch(/archived/);
  });

  test('moderators may still reply in a locked thread (to explain why it was locked)', () => {
    expect(can(member({ role: 'moderator' }), { kind: 'post.reply', thread: { ...thread, locked: true } }).allowed).toBe(true);
  });

  test('silenced and suspended members cannot post', () => {
    for (const status of ['silenced', 'suspended'] as const) {
      expect(can(member({ status }), { kind: 'post.reply', thread }).allowed).toBe(false);
    }
  });

  test('only the author edits or deletes a post, and never a removed one', () => {
    expect(can(member(), { kind: 'post.edit', post }).allowed).toBe(true);
    expect(can(member({ id: 'u9' }), { kind: 'post.edit', post }).allowed).toBe(false);
    expect(can(member({ id: 'u9', role: 'admin' }), { kind: 'post.delete', post }).allowed).toBe(false);
    expect(can(member(), { kind: 'post.delete', post: { ...post, deleted: true } }).allowed).toBe(false);
  });

  test('only its writer edits a blog comment, never a removed one, and not while silenced; site staff neither', () => {
    const comment = { authorId: 'u1', deleted: false };
    expect(can(member(), { kind: 'blog.editComment', comment }).allowed).toBe(true);
    expect(can(member({ id: 'u9' }), { kind: 'blog.editComment', comment }).reason).toBe('Only the author of a comment can change it.');
    expect(can(member({ id: 'u9', role: 'admin' }), { kind: 'blog.editComment', comment }).allowed).toBe(false);
    expect(can(member(), { kind: 'blog.editComment', comment: { ...comment, deleted: true } }).reason).toMatch(/removed/);
    expect(can(member({ status: 'silenced' }), { kind: 'blog.editComment', comment }).allowed).toBe(false);
    expect(can(ANONYMOUS, { kind: 'blog.editComment', comment }).allowed).toBe(false);
    // Removing stays open to a silenced writer (taking something down is never refused).
    expect(can(member({ status: 'silenced' }), { kind: 'blog.deleteComment', comment }).allowed).toBe(true);
  });

  test('site management is for admins; thread moderation for moderators and admins', () => {
    expect(can(member({ role: 'moderator' }), { kind: 'site.manage' }).allowed).toBe(false);
    expect(can(member({ role: 'admin' }), { kind: 'site.manage' }).allowed).toBe(true);
    expect(can(member({ role: 'moderator' }), { kind: 'thread.moderate' }).allowed).toBe(true);
    expect(can(member(), { kind: 'thread.moderate' }).allowed).toBe(false);
  });
});
