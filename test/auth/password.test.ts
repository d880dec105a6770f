import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPasswordStrength, generatePassword, hashPassword, UNKNOWN_USER_HASH, verifyPassword } from '../../src/auth/password.ts';

describe('hashPassword / verifyPassword', () => {
  test('stores scrypt with its parameters and a per-password salt, and verifies only the right password', async () => {
    const a = await hashPassword('pässwörd 1');
    const b = await hashPassword('pässwörd 1');
    assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/);
    assert.notEqual(a, b, 'a fresh salt each time');
    assert.ok(!a.includes('pässwörd'));
    assert.equal(await verifyPassword('pässwörd 1', a), true);
    assert.equal(await verifyPassword('pässwörd 2', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  test('returns false, never throws, for malformed hashes and the unknown-user hash', async () => {
    for (const stored of ['', 'scrypt', 'scrypt$x$8$1$AAAA$BBBB', 'scrypt$99999999$8$1$AAAA$BBBB', 'bcrypt$1$2$3$4$5', `scrypt$32768$8$1$AAAA$${'A'.repeat(10)}`]) {
      assert.equal(await verifyPassword('x', stored), false, stored);
    }
    assert.equal(await verifyPassword('', UNKNOWN_USER_HASH), false);
  });

  test('generates long random passwords and refuses short ones', () => {
    assert.match(generatePassword(), /^[A-Za-z0-9_-]{24}$/);
    assert.notEqual(generatePassword(), generatePassword());
    assert.match(checkPasswordStrength('short') ?? '', /at least 8/);
    assert.equal(checkPasswordStrength('long enough'), null);
  });
});
