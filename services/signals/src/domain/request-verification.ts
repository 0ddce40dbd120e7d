import { randomUUID } from 'node:crypto';
import { insertSecurityEvent } from '../data-access/security-events-repository';
import { claimVerification, findReceiverStream } from '../data-access/streams-repository';
import { SignalsError } from '../errors';
import { claimsForVerification } from './security-event-claims';
import { securityEventRow } from './security-event-row';
import type { StreamManagementContext } from './stream-management-context';
import { streamNotFound } from './stream-not-found';

/**
 * A verification asked for sooner than the stream's `min_verification_interval` after the last:
 * `VERIFICATION_TOO_FREQUENT`, with the seconds to wait for the `Retry-After` header.
 *
 * @example
 * throw new VerificationTooFrequentError(12);
 */
export class VerificationTooFrequentError extends SignalsError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('VERIFICATION_TOO_FREQUENT', `Verification of this stream was requested less than its min_verification_interval ago; retry in ${String(retryAfterSeconds)} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A receiver's verification request (SSF 1.0 §8.1.4.2): a verification SET, with the receiver's
 * `state`, enters the stream's outbox, and delivery is woken. At most one per
 * `min_verification_interval` per stream (the interval is checked and the time recorded in one
 * statement); a paused stream holds the SET like any other, a disabled one refuses.
 *
 * @param context - see {@link StreamManagementContext}
 * @param receiverId - the authenticated receiver
 * @param request - the stream and the optional `state`
 * @throws {SignalsError} `STREAM_NOT_FOUND`; `STREAM_DISABLED`; {@link VerificationTooFrequentError} `VERIFICATION_TOO_FREQUENT`
 * @example
 * await requestVerification(context, receiver.id, { streamId: body.stream_id, state: body.state });
 */
export async function requestVerification(context: StreamManagementContext, receiverId: string, request: { streamId: string; state?: string | undefined }): Promise<void> {
  const streamId = await context.db.transaction(async (tx) => {
    const row = await findReceiverStream(tx, receiverId, request.streamId, { forUpdate: true });
    if (row === undefined) throw streamNotFound(request.streamId);
    if (row.status === 'disabled') throw new SignalsError('STREAM_DISABLED', 'The stream is disabled: it delivers nothing, verification included; enable it first');
    const now = context.clock();
    const intervalMs = row.minVerificationIntervalSeconds * 1000;
    if (!(await claimVerification(tx, row.id, new Date(now), new Date(now - intervalMs)))) {
      const last = row.lastVerificationAt?.getTime() ?? now;
      throw new VerificationTooFrequentError(Math.max(1, Math.ceil((last + intervalMs - now) / 1000)));
    }
    const claims = claimsForVerification(
      { id: row.id, aud: row.aud, subjectFormat: row.subjectFormat },
      { id: randomUUID(), ...(request.state === undefined ? {} : { state: request.state }) },
      context,
    );
    await insertSecurityEvent(tx, securityEventRow(row.id, claims, context.key, context.clock));
    return row.id;
  });
  context.pending.notify(streamId);
}
