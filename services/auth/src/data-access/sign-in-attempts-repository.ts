import { and, eq, gt, lte, or, sql } from 'drizzle-orm';
import type { Database } from './database';
import { signInAttempts } from './schema';

/**
 * Reserves one attempt for a key in ONE statement (an upsert that increments the key's counter
 * only while it is below the limit, or restarts it when the window has ended), so concurrent
 * attempts on any replica cannot all pass a check made before any of them is counted.
 *
 * @param db - the database
 * @param attempt - the hashed key, the limit, the current time and the start of the oldest live window
 * @returns the start of the window the attempt was counted in, or `undefined` when the limit is reached
 * @example
 * const windowStart = await reserveSignInAttempt(db, { key, limit: 10, now, liveSince: new Date(now.getTime() - 60_000) });
 */
export async function reserveSignInAttempt(db: Database, attempt: { key: string; limit: number; now: Date; liveSince: Date }): Promise<Date | undefined> {
  const expired = sql`${signInAttempts.windowStart} <= ${attempt.liveSince.toISOString()}::timestamptz`;
  const [row] = await db
    .insert(signInAttempts)
    .values({ key: attempt.key, windowStart: attempt.now, attempts: 1 })
    .onConflictDoUpdate({
      target: signInAttempts.key,
      set: {
        windowStart: sql`CASE WHEN ${expired} THEN excluded.window_start ELSE ${signInAttempts.windowStart} END`,
        attempts: sql`CASE WHEN ${expired} THEN 1 ELSE ${signInAttempts.attempts} + 1 END`,
      },
      setWhere: sql`${expired} OR ${signInAttempts.attempts} < ${attempt.limit}`,
    })
    .returning({ windowStart: signInAttempts.windowStart });
  return row?.windowStart;
}

/**
 * Reads when a key's current window started (to tell a refused client when to retry).
 *
 * @param db - the database
 * @param key - the hashed key
 * @returns the window start, or `undefined` when the key has no row (purged since)
 * @example
 * const windowStart = await findSignInWindow(db, key);
 */
export async function findSignInWindow(db: Database, key: string): Promise<Date | undefined> {
  const [row] = await db.select({ windowStart: signInAttempts.windowStart }).from(signInAttempts).where(eq(signInAttempts.key, key));
  return row?.windowStart;
}

/**
 * Gives a reserved attempt back, only in the window it was counted in: once that window has
 * been restarted, the new window's counts belong to other attempts.
 *
 * @param db - the database
 * @param reservations - the hashed keys and the window start each was reserved in
 * @example
 * await releaseSignInAttempts(db, [{ key, windowStart }]);
 */
export async function releaseSignInAttempts(db: Database, reservations: readonly { key: string; windowStart: Date }[]): Promise<void> {
  if (reservations.length === 0) {
    return;
  }
  const reserved = reservations.map(({ key, windowStart }) => and(eq(signInAttempts.key, key), eq(signInAttempts.windowStart, windowStart)));
  await db
    .update(signInAttempts)
    .set({ attempts: sql`${signInAttempts.attempts} - 1` })
    .where(and(or(...reserved), gt(signInAttempts.attempts, 0)));
}

/**
 * Deletes the rows whose window ended at or before `liveSince`, which bounds the table to the
 * keys seen within one window.
 *
 * @param db - the database
 * @param liveSince - the start of the oldest live window
 * @returns how many rows were deleted
 * @example
 * await purgeExpiredSignInAttempts(db, new Date(now.getTime() - 60_000));
 */
export async function purgeExpiredSignInAttempts(db: Database, liveSince: Date): Promise<number> {
  const deleted = await db.delete(signInAttempts).where(lte(signInAttempts.windowStart, liveSince)).returning({ key: signInAttempts.key });
  return deleted.length;
}
