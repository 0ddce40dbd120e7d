import { findUserByEmail, lockUser } from '../data-access/users-repository';
import { AuthError } from '../errors';
import type { AuthContext } from './auth-context';
import { normalizeEmail } from './public-user';
import { startSession, type SessionTokens } from './start-session';

/**
 * Signs a user in with email and password.
 *
 * Only failed attempts count towards the rate limits (per email and per client IP): every
 * attempt is reserved in the shared counters before the password check, and one with the right
 * password releases its reservation, so many users behind one NAT can sign in while guessing
 * stays bounded across all replicas. A refused attempt costs no argon2 work. An unknown email
 * costs one argon2 verification too, against a dummy hash, so timing does not reveal accounts.
 * The password is checked before the ban, so a ban is revealed only to its owner.
 *
 * @param context - the auth context
 * @param input - email, password and the client IP
 * @returns the new session's tokens
 * @throws {RateLimitedError} `RATE_LIMITED` when the email or the IP has too many recent failures
 * @throws {AuthError} `INVALID_CREDENTIALS` for an unknown email or a wrong password; `USER_BANNED` for a banned user with the right password
 * @example
 * const tokens = await signIn(context, { email, password, clientIp: req.ip ?? 'unknown' });
 */
export async function signIn(context: AuthContext, input: { email: string; password: string; clientIp: string }): Promise<SessionTokens> {
  const email = normalizeEmail(input.email);
  const reservation = await context.signInLimiter.reserve({ email, clientIp: input.clientIp });
  const user = await findUserByEmail(context.db, email);
  const passwordMatches = user === undefined ? await context.passwords.verifyDummy(input.password) : await context.passwords.verify(user.passwordHash, input.password);
  if (user === undefined || !passwordMatches) {
    // The reservation stays: it is this failure's count.
    throw new AuthError('INVALID_CREDENTIALS', 'Email or password is wrong');
  }
  // The right password is not a guess, even for a banned account.
  await reservation.release();
  if (user.bannedAt !== null) {
    throw new AuthError('USER_BANNED', 'This account is banned');
  }
  return context.db.transaction(async (tx) => {
    // Checked again under a share lock: a ban committed since the check above wins, and a ban
    // still running waits for this session, then revokes it with a later watermark.
    const locked = await lockUser(tx, user.id, 'share');
    if (locked === undefined) {
      throw new AuthError('INVALID_CREDENTIALS', 'Email or password is wrong');
    }
    if (locked.bannedAt !== null) {
      throw new AuthError('USER_BANNED', 'This account is banned');
    }
    return startSession(context, tx, locked);
  });
}
