import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Database } from './database';
import { refreshTokens, sessions, type RefreshTokenRow } from './schema';

/** The columns of a new refresh token. */
export interface NewRefreshToken {
  readonly tokenHash: string;
  readonly sessionId: string;
  readonly family: string;
  readonly now: Date;
  readonly expiresAt: Date;
}

/**
 * Stores a refresh token (its hash only).
 *
 * @param db - database or transaction
 * @param token - hash, session, family and lifetime
 * @example
 * await insertRefreshToken(tx, { tokenHash, sessionId, family: sessionId, now, expiresAt });
 */
export async function insertRefreshToken(db: Database, token: NewRefreshToken): Promise<void> {
  await db.insert(refreshTokens).values({
    tokenHash: token.tokenHash,
    sessionId: token.sessionId,
    family: token.family,
    createdAt: token.now,
    expiresAt: token.expiresAt,
  });
}

/**
 * Reads a refresh token and locks its row until the transaction ends
 * (`SELECT … FOR UPDATE`), so two refreshes with the same token run one after the other.
 *
 * @param tx - an open transaction
 * @param tokenHash - SHA-256 hash of the presented token
 * @returns the row or `undefined`
 * @example
 * await db.transaction(async (tx) => { const row = await lockRefreshToken(tx, hash); ... });
 */
export async function lockRefreshToken(tx: Database, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).for('update');
  return row;
}

/**
 * Reads a refresh token without locking it.
 *
 * @param db - database or transaction
 * @param tokenHash - SHA-256 hash of the presented token
 * @returns the row or `undefined`
 * @example
 * const row = await findRefreshToken(db, hash);
 */
export async function findRefreshToken(db: Database, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
  return row;
}

/**
 * Marks a refresh token as used and points it at its successor.
 *
 * @param tx - the transaction holding the row lock
 * @param tokenHash - the token being rotated
 * @param replacedBy - hash of the new token
 * @param now - rotation time
 * @example
 * await markRefreshTokenRotated(tx, row.tokenHash, next.hash, now);
 */
export async function markRefreshTokenRotated(tx: Database, tokenHash: string, replacedBy: string, now: Date): Promise<void> {
  await tx.update(refreshTokens).set({ rotatedAt: now, replacedBy }).where(eq(refreshTokens.tokenHash, tokenHash));
}

/**
 * Revokes every not yet revoked refresh token of a session.
 *
 * @param db - database or transaction
 * @param sessionId - the session
 * @param now - revocation time
 * @returns how many tokens were revoked
 * @example
 * await revokeRefreshTokensOfSession(tx, sid, now);
 */
export async function revokeRefreshTokensOfSession(db: Database, sessionId: string, now: Date): Promise<number> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.sessionId, sessionId), isNull(refreshTokens.revokedAt)))
    .returning({ tokenHash: refreshTokens.tokenHash });
  return rows.length;
}

/**
 * Revokes every not yet revoked refresh token of every session of a user.
 *
 * @param tx - database or transaction
 * @param userId - the user
 * @param now - revocation time
 * @returns how many tokens were revoked
 * @example
 * await revokeRefreshTokensOfUser(tx, user.id, now);
 */
export async function revokeRefreshTokensOfUser(tx: Database, userId: string, now: Date): Promise<number> {
  const sessionsOfUser = tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId));
  const rows = await tx
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(inArray(refreshTokens.sessionId, sessionsOfUser), isNull(refreshTokens.revokedAt)))
    .returning({ tokenHash: refreshTokens.tokenHash });
  return rows.length;
}
