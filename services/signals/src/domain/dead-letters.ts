import { listDeadSecurityEvents, redriveDeadSecurityEvents } from '../data-access/outbox-maintenance-repository';
import { findStream } from '../data-access/streams-repository';
import { SignalsError } from '../errors';
import type { StreamManagementContext } from './stream-management-context';

/** A dead SET as the admin API shows it: where it was going and why push gave up, never the token. */
export interface DeadLetterView {
  readonly seq: number;
  readonly stream_id: string;
  readonly receiver_id: string;
  readonly jti: string;
  readonly event_type: string;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly created_at: string;
}

/**
 * The SETs push gave up on, oldest first, of one stream or of all.
 *
 * @param context - the database
 * @param filter - the stream (optional) and the most to return
 * @example
 * res.json({ dead_letters: await readDeadLetters(context, { limit: 100 }) });
 */
export async function readDeadLetters(context: Pick<StreamManagementContext, 'db'>, filter: { streamId?: string | undefined; limit: number }): Promise<DeadLetterView[]> {
  const rows = await listDeadSecurityEvents(context.db, { limit: filter.limit, ...(filter.streamId === undefined ? {} : { streamId: filter.streamId }) });
  return rows.map((row) => ({
    seq: row.seq,
    stream_id: row.streamId,
    receiver_id: row.receiverId,
    jti: row.jti,
    event_type: row.eventType,
    attempts: row.attempts,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
  }));
}

/**
 * Puts a stream's dead SETs (all, or the given `seqs`) back to pending with no attempts, and wakes
 * delivery. The same token goes out again (same `jti`), so a receiver that did get it once
 * deduplicates it.
 *
 * @param context - database and pending signal
 * @param request - the stream and optionally which SETs
 * @returns how many were re-driven
 * @throws {SignalsError} `STREAM_NOT_FOUND` for an unknown stream
 * @example
 * res.json({ redriven: await redriveDeadLetters(context, { streamId, seqs: [12] }) });
 */
export async function redriveDeadLetters(
  context: Pick<StreamManagementContext, 'db' | 'pending'>,
  request: { streamId: string; seqs?: readonly number[] | undefined },
): Promise<number> {
  const stream = await findStream(context.db, request.streamId);
  if (stream === undefined) throw new SignalsError('STREAM_NOT_FOUND', `No stream ${JSON.stringify(request.streamId.slice(0, 64))}`);
  const redriven = await redriveDeadSecurityEvents(context.db, stream.id, request.seqs);
  if (redriven > 0) context.pending.notify(stream.id);
  return redriven;
}
