import assert from 'node:assert/strict';
import {
  hashPassword,
  isCommonPassword,
  passwordProblems,
  verifyPassword,
} from '../../src/identity/password';

describe('password policy', () => {
  const cases: [string, string[]][] = [
    ['elf tekens!', ['validation.passwordTooShort']],
    ['password1234', ['validation.passwordCommon']],
    ['PASSWORD1234!!', ['validation.passwordCommon']],
    ['qwertyuiop123', ['validation.passwordCommon']],
    ['1qaz2wsx3edc', ['validation.passwordCommon']],
    ['x'.repeat(257), ['validation.passwordTooLong']],
    ['paard batterij nietje', []],
    ['Een-Zin-Die-Niemand-Kent-42', []],
  ];
  for (const [password, problems] of cases) {
    it(`"${password.length > 30 ? `${password.slice(0, 10)}…` : password}" → ${problems.join(', ') || 'accepted'}`, () => {
      assert.deepEqual(passwordProblems(password), problems);
    });
  }

  it('knows the most common passwords from the shipped list', () => {
    for (const common of ['123456', 'password', 'qwerty', 'welcome'])
      assert.ok(isCommonPassword(common), common);
  });

  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await hashPassword('paard batterij nietje');
    assert.match(hash, /^\$argon2id\$/);
    assert.equal(await verifyPassword(hash, 'paard batterij nietje'), true);
    assert.equal(await verifyPassword(hash, 'paard batterij nietjes'), false);
    assert.equal(await verifyPassword('not a hash', 'x'), false);
  });
});
