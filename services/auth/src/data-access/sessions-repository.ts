import { and, eq, getTableColumns, isNull } from 'drizzle-orm';
import type { Database } from './database';
import type { Role } from '@veto/auth-lib';
import { sessions, users, type SessionRow } from './schema';

/** Why a session ended. */
export type SessionRevokeReason = 'signout' | 'refresh_token_reused' | 'user_banned' | 'sessions_revoked';

/**
 * Inserts a new session.
 *
 * @param db - database or transaction
 * @param session - id (the `sid` claim), owner and creation time
 * @returns the stored row
 * @example
 * await insertSession(tx, { id: randomUUID(), userId: user.id, now });
 */
export async function insertSession(db: Database, session: { id: string; userId: string; now: Date }): Promise<SessionRow> {
  const [row] = await db.insert(sessions).values({ id: session.id, userId: session.userId, createdAt: session.now }).returning();
  if (row === undefined) {
    throw new Error('INSERT … RETURNING returned no session row');
  }
  return row;
}

/**
 * Finds a session by id.
 *
 * @param db - database or transaction
 * @param id - session id (`sid`)
 * @returns the row or `undefined`
 * @example
 * const session = await findSession(db, claims.sid);
 */
export async function findSession(db: Database, id: string): Promise<SessionRow | undefined> {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
  return row;
}

/**
 * Marks a session revoked, once: an already revoked session keeps its first time and reason.
 *
 * @param db - database or transaction
 * @param id - session id
 * @param reason - why it ends
 * @param now - revocation time
 * @returns the row, with its owner's email, when this call revoked it; `undefined` when it was unknown or already revoked
 * @example
 * await revokeSession(tx, sid, 'signout', new Date(clock()));
 */
export async function revokeSession(db: Database, id: string, reason: SessionRevokeReason, now: Date): Promise<(SessionRow & { email: string }) | undefined> {
  // The owner's email comes back from the same statement (UPDATE … FROM users), for the
  // session.revoked event: sign-out and refresh-token reuse need no second query for it.
  const [row] = await db
    .update(sessions)
    .set({ revokedAt: now, revokeReason: reason })
    .from(users)
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt), eq(users.id, sessions.userId)))
    .returning({ ...getTableColumns(sessions), email: users.email });
  return row;
}

/**
 * Marks every live session of a user revoked.
 *
 * @param tx - database or transaction
 * @param userId - the user
 * @param reason - why they end
 * @param now - revocation time
 * @returns the ids of the sessions this call revoked
 * @example
 * await revokeSessionsOfUser(tx, user.id, 'user_banned', now);
 */
export async function revokeSessionsOfUser(tx: Database, userId: string, reason: SessionRevokeReason, now: Date): Promise<string[]> {
  const rows = await tx
    .update(sessions)
    .set({ revokedAt: now, revokeReason: reason })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.map((row) => row.id);
}

/**
 * The state that decides whether a session's tokens are still good, in one indexed query
 * (primary key of sessions, joined to its user): who owns it, whether it ended, whether the
 * owner is banned, and the owner's role as stored now.
 *
 * @param db - database
 * @param sessionId - the `sid` claim
 * @returns the state, or `undefined` for an unknown session
 * @example
 * const state = await findSessionState(db, claims.sid);
 */
export async function findSessionState(
  db: Database,
  sessionId: string,
): Promise<{ userId: string; revokedAt: Date | null; userBannedAt: Date | null; userRole: Role } | undefined> {
  const [row] = await db
    .select({ userId: sessions.userId, revokedAt: sessions.revokedAt, userBannedAt: users.bannedAt, userRole: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sessionId));
  return row;
}
