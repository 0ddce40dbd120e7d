import { randomUUID } from 'node:crypto';
import { dropPendingSecurityEvents } from '../data-access/outbox-maintenance-repository';
import type { SignalsDatabase } from '../data-access/database';
import type { StreamRow } from '../data-access/schema';
import { insertSecurityEvent } from '../data-access/security-events-repository';
import { findReceiverStream, updateStream } from '../data-access/streams-repository';
import { claimsForStreamUpdate, type StreamStatus } from './security-event-claims';
import { securityEventRow } from './security-event-row';
import type { StreamManagementContext } from './stream-management-context';
import { streamNotFound } from './stream-not-found';

/** The status of a stream as SSF 1.0 §8.1.2 shows it. */
export interface StreamStatusView {
  readonly stream_id: string;
  readonly status: StreamStatus;
  readonly reason?: string;
}

/**
 * The stream's status document.
 *
 * @param row - the stream
 * @example
 * res.json(toStreamStatus(row));
 */
export function toStreamStatus(row: StreamRow): StreamStatusView {
  return { stream_id: row.id, status: row.status, ...(row.statusReason === null ? {} : { reason: row.statusReason }) };
}

/**
 * Changes a locked stream's status inside the caller's transaction, and tells its receiver first:
 * a stream-updated SET (SSF 1.0 §8.1.5) enters the stream's outbox in the same transaction, ahead
 * of anything the new status lets through, so no receiver finds its stream paused or disabled
 * without having been told. Disabling drops the SETs the stream still held (SSF 1.0 §8.1.2: a
 * disabled stream holds nothing) before the stream-updated SET is written, which stays the one
 * pending SET of the stream. Pausing keeps them: they go out after the stream is enabled again.
 * The same status again changes nothing and writes nothing, except a new reason.
 *
 * @param tx - the transaction holding the stream's row lock
 * @param context - clock, issuer, subject issuer and signing key
 * @param row - the stream, as locked
 * @param change - the new status and why
 * @returns the stream after the change, and whether a SET was written (the caller notifies after the commit)
 * @example
 * const { row, written } = await db.transaction((tx) => applyStreamStatus(tx, context, locked, { status: 'paused' }));
 */
export async function applyStreamStatus(
  tx: SignalsDatabase,
  context: Pick<StreamManagementContext, 'clock' | 'issuer' | 'subjectIssuer' | 'key'>,
  row: StreamRow,
  change: { status: StreamStatus; reason?: string | undefined },
): Promise<{ row: StreamRow; written: boolean }> {
  const now = new Date(context.clock());
  const reason = change.reason ?? null;
  if (change.status === row.status) {
    if (reason === row.statusReason) return { row, written: false };
    return { row: await updateStream(tx, row.id, { statusReason: reason, updatedAt: now }), written: false };
  }
  if (change.status === 'disabled') await dropPendingSecurityEvents(tx, row.id);
  const claims = claimsForStreamUpdate(
    { id: row.id, aud: row.aud, subjectFormat: row.subjectFormat },
    { id: randomUUID(), status: change.status, ...(change.reason === undefined ? {} : { reason: change.reason }) },
    context,
  );
  await insertSecurityEvent(tx, securityEventRow(row.id, claims, context.key, context.clock));
  return { row: await updateStream(tx, row.id, { status: change.status, statusReason: reason, updatedAt: now }), written: true };
}

/**
 * A receiver's stream's status (SSF 1.0 §8.1.2.1).
 *
 * @param context - the database
 * @param receiverId - the authenticated receiver
 * @param streamId - the stream it asked about
 * @throws {SignalsError} `STREAM_NOT_FOUND` when the receiver has no such stream
 * @example
 * res.json(await readStreamStatus(context, receiver.id, query.stream_id));
 */
export async function readStreamStatus(context: Pick<StreamManagementContext, 'db'>, receiverId: string, streamId: string): Promise<StreamStatusView> {
  const row = await findReceiverStream(context.db, receiverId, streamId);
  if (row === undefined) throw streamNotFound(streamId);
  return toStreamStatus(row);
}

/**
 * Sets a receiver's stream's status (SSF 1.0 §8.1.2.2) with {@link applyStreamStatus}, then wakes
 * delivery for the stream-updated SET once it is committed.
 *
 * @param context - see {@link StreamManagementContext}
 * @param receiverId - the authenticated receiver
 * @param change - the stream, the new status and why
 * @throws {SignalsError} `STREAM_NOT_FOUND` when the receiver has no such stream
 * @example
 * res.json(await setStreamStatus(context, receiver.id, { streamId, status: 'paused', reason: 'maintenance' }));
 */
export async function setStreamStatus(
  context: StreamManagementContext,
  receiverId: string,
  change: { streamId: string; status: StreamStatus; reason?: string | undefined },
): Promise<StreamStatusView> {
  const { row, written } = await context.db.transaction(async (tx) => {
    const locked = await findReceiverStream(tx, receiverId, change.streamId, { forUpdate: true });
    if (locked === undefined) throw streamNotFound(change.streamId);
    return applyStreamStatus(tx, context, locked, change);
  });
  if (written) context.pending.notify(row.id);
  return toStreamStatus(row);
}
