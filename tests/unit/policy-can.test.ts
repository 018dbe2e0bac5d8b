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

  test('site management is for admins; thread moderation for moderators and admins', () => {
    expect(can(member({ role: 'moderator' }), { kind: 'site.manage' }).allowed).toBe(false);
    expect(can(member({ role: 'admin' }), { kind: 'site.manage' }).allowed).toBe(true);
    expect(can(member({ role: 'moderator' }), { kind: 'thread.moderate' }).allowed).toBe(true);
    expect(can(member(), { kind: 'thread.moderate' }).allowed).toBe(false);
  });
});
