import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { SignalsDatabase } from './database';
import { securityEvents, streams } from './schema';

/** A SET push gave up on, as the dead-letter listing shows it. */
export interface DeadSecurityEvent {
  readonly seq: number;
  readonly streamId: string;
  readonly receiverId: string;
  readonly jti: string;
  readonly eventType: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
}

/**
 * Deletes a stream's pending SETs: what disabling a stream does to the events it held (SSF 1.0
 * §8.1.2: a disabled stream "will not hold any events for later transmission"). Delivered and
 * dead SETs stay, as history and for an admin.
 *
 * @param db - the transaction changing the status
 * @param streamId - the stream
 * @returns how many were dropped
 * @example
 * await dropPendingSecurityEvents(tx, row.id);
 */
export async function dropPendingSecurityEvents(db: SignalsDatabase, streamId: string): Promise<number> {
  const dropped = await db
    .delete(securityEvents)
    .where(and(eq(securityEvents.streamId, streamId), eq(securityEvents.state, 'pending')))
    .returning({ seq: securityEvents.seq });
  return dropped.length;
}

/**
 * The dead SETs, oldest first, of one stream or of all.
 *
 * @param db - the database
 * @param filter - the stream (optional) and the most rows to return
 * @example
 * const dead = await listDeadSecurityEvents(db, { streamId, limit: 100 });
 */
export async function listDeadSecurityEvents(db: SignalsDatabase, filter: { streamId?: string; limit: number }): Promise<DeadSecurityEvent[]> {
  const conditions: SQL[] = [eq(securityEvents.state, 'dead')];
  if (filter.streamId !== undefined) conditions.push(eq(securityEvents.streamId, filter.streamId));
  return db
    .select({
      seq: securityEvents.seq,
      streamId: securityEvents.streamId,
      receiverId: streams.receiverId,
      jti: securityEvents.jti,
      eventType: securityEvents.eventType,
      attempts: securityEvents.attempts,
      lastError: securityEvents.lastError,
      createdAt: securityEvents.createdAt,
    })
    .from(securityEvents)
    .innerJoin(streams, eq(streams.id, securityEvents.streamId))
    .where(and(...conditions))
    .orderBy(asc(securityEvents.seq))
    .limit(filter.limit);
}

/**
 * Puts a stream's dead SETs (all, or those of `seqs`) back in line: pending, no attempts, due now.
 * Only dead ones change: a seq that is pending, delivered or another stream's is left alone.
 *
 * @param db - the database or a transaction
 * @param streamId - the stream
 * @param seqs - which SETs; all dead ones of the stream when undefined
 * @returns how many were re-driven
 * @example
 * const redriven = await redriveDeadSecurityEvents(db, streamId, [12, 13]);
 */
export async function redriveDeadSecurityEvents(db: SignalsDatabase, streamId: string, seqs?: readonly number[]): Promise<number> {
  const conditions: SQL[] = [eq(securityEvents.streamId, streamId), eq(securityEvents.state, 'dead')];
  if (seqs !== undefined) conditions.push(inArray(securityEvents.seq, [...seqs]));
  const redriven = await db
    .update(securityEvents)
    .set({ state: 'pending', attempts: 0, nextAttemptAt: null })
    .where(and(...conditions))
    .returning({ seq: securityEvents.seq });
  return redriven.length;
}
