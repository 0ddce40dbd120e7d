import { randomUUID } from 'node:crypto';
import { insertUser } from '../data-access/users-repository';
import { AuthError } from '../errors';
import type { AuthContext } from './auth-context';
import { normalizeEmail } from './public-user';
import { startSession, type SessionTokens } from './start-session';

/**
 * Creates an account with the role `user` and signs it in.
 *
 * @param context - the auth context
 * @param input - email and password, already validated for shape and length
 * @returns the new session's tokens
 * @throws {AuthError} `EMAIL_TAKEN` when an account with this email (any case) exists
 * @example
 * const tokens = await signUp(context, { email: 'ada@example.com', password: 'correct horse' });
 */
export async function signUp(context: AuthContext, input: { email: string; password: string }): Promise<SessionTokens> {
  const email = normalizeEmail(input.email);
  // Hash outside the transaction: argon2 is slow and holds no database resource.
  const passwordHash = await context.passwords.hash(input.password);
  return context.db.transaction(async (tx) => {
    const user = await insertUser(tx, { id: randomUUID(), email, passwordHash, role: 'user', now: new Date(context.clock()) });
    if (user === undefined) {
      throw new AuthError('EMAIL_TAKEN', 'An account with this email already exists');
    }
    return startSession(context, tx, user);
  });
}
