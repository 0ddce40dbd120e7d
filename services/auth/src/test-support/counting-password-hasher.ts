import type { PasswordHasher } from '../domain/password-hasher';

/** A password hasher that records each argon2 verification it makes. */
export interface CountingPasswordHasher extends PasswordHasher {
  /** One entry per verification, in order: `verify` for a stored hash, `dummy` for an unknown email. */
  readonly verifications: string[];
}

/**
 * Wraps a real hasher to count its verifications, so tests can prove how many attempts
 * reached the password check (the work a rate limit has to bound).
 *
 * @param real - the hasher doing the work
 * @example
 * const passwords = countVerifications(await createPasswordHasher(cheap));
 * expect(passwords.verifications).toHaveLength(10);
 */
export function countVerifications(real: PasswordHasher): CountingPasswordHasher {
  const verifications: string[] = [];
  return {
    verifications,
    hash: (plain) => real.hash(plain),
    verify: (hash, plain) => {
      verifications.push('verify');
      return real.verify(hash, plain);
    },
    verifyDummy: (plain) => {
      verifications.push('dummy');
      return real.verifyDummy(plain);
    },
  };
}
