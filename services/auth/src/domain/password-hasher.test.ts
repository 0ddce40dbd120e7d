import { createPasswordHasher, type PasswordHasher } from './password-hasher';

// Cheap parameters: the logic is the same, production uses the OWASP defaults.
const CHEAP = { memoryKib: 1024, timeCost: 1, parallelism: 1 };

let passwords: PasswordHasher;
beforeAll(async () => {
  passwords = await createPasswordHasher(CHEAP);
});

describe('createPasswordHasher', () => {
  it('hashes with argon2id and the configured cost, salted', async () => {
    const first = await passwords.hash('correct horse battery');
    const second = await passwords.hash('correct horse battery');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse battery');
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await passwords.hash('correct horse battery');
    await expect(passwords.verify(hash, 'correct horse battery')).resolves.toBe(true);
    await expect(passwords.verify(hash, 'correct horse battery!')).resolves.toBe(false);
  });

  it('never accepts a password against the dummy hash', async () => {
    await expect(passwords.verifyDummy('')).resolves.toBe(false);
    await expect(passwords.verifyDummy('correct horse battery')).resolves.toBe(false);
  });

  it.each([
    { ...CHEAP, memoryKib: 0 },
    { ...CHEAP, timeCost: 1.5 },
    { ...CHEAP, parallelism: -1 },
  ])('throws a TypeError on bad cost %o', async (cost) => {
    await expect(createPasswordHasher(cost)).rejects.toThrow(TypeError);
  });
});
