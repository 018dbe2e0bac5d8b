import { describe, expect, test } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../server/accounts/passwords.ts';

describe('password rules', () => {
  test('short, common, repeated and personal passwords are refused with a reason', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/);
    expect(passwordProblem('password123')).toMatch(/most common/);
    expect(passwordProblem('1234567890')).toMatch(/most common/);
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/repeated|common/);
    expect(passwordProblem('drsmith-rounds-2026', ['drsmith'])).toMatch(/handle or e-mail/);
  });

  test('a long passphrase is accepted', () => {
    expect(passwordProblem('tidal volume six per kilo')).toBeNull();
  });

  test('hashes are argon2id and verify only the right password', async () => {
    const hash = await hashPassword('tidal volume six per kilo');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(hash, 'tidal volume six per kilo')).toBe(true);
    expect(await verifyPassword(hash, 'tidal volume seven per kilo')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });
});
