import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id cost parameters. */
export interface PasswordHashingCost {
  readonly memoryKib: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** Hashes and verifies passwords with argon2id. */
export interface PasswordHasher {
  /** @returns a PHC-format argon2id hash */
  hash(password: string): Promise<string>;
  /** @returns whether the password matches the hash */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Verifies against a hash of a random secret, always `false`: sign-in calls it for
   * an unknown email so both paths cost one argon2 verification.
   */
  verifyDummy(password: string): Promise<false>;
}

/**
 * Creates the password hasher and computes the dummy hash once.
 *
 * @param cost - argon2id parameters (production: OWASP m=19456 KiB, t=2, p=1; tests use cheaper ones)
 * @returns the hasher
 * @throws {TypeError} when a cost parameter is not a positive integer
 * @example
 * const passwords = await createPasswordHasher({ memoryKib: 19456, timeCost: 2, parallelism: 1 });
 */
export async function createPasswordHasher(cost: PasswordHashingCost): Promise<PasswordHasher> {
  for (const [name, value] of Object.entries(cost)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`${name} must be a positive integer`);
    }
  }
  // argon2id is the library's default algorithm (its `Algorithm` const enum cannot be imported under isolatedModules).
  const options = { memoryCost: cost.memoryKib, timeCost: cost.timeCost, parallelism: cost.parallelism };
  const dummyHash = await hash(randomBytes(32).toString('base64url'), options);
  return {
    hash: (password) => hash(password, options),
    verify: (passwordHash, password) => verify(passwordHash, password),
    verifyDummy: async (password) => {
      await verify(dummyHash, password);
      return false;
    },
  };
}
