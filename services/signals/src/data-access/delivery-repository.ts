import { selectRows } from '@veto/storage';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { SignalsDatabase } from './database';
import { SECURITY_EVENT_TYPES } from '../domain/security-event-types';
import { receivers, securityEvents, streams, type SecurityEventRow, type StreamRow } from './schema';

const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const STREAM_UPDATED = SECURITY_EVENT_TYPES.streamUpdated;

/**
 * Whether a pending SET may be delivered now: every SET of an `enabled` stream; of a paused or
 * disabled one, the SETs up to and including its latest stream-updated SET. The receiver learns
 * of a pause or a disable from that SET (SSF 1.0 §8.1.5), after what was queued before it, and the
 * SETs that came after the pause wait until the stream is enabled again.
 */
const deliverable = sql`(${streams.status} = 'enabled' or ${securityEvents.seq} <= (
  select max(u.seq) from ${securityEvents} u where u.stream_id = ${streams.id} and u.event_type = ${STREAM_UPDATED}))`;

/**
 * The streams an event of this SET type goes to: `events_delivered` lists it, the stream is
 * `enabled` or `paused` (a paused stream holds its SETs; a disabled one gets nothing), and its
 * receiver is not revoked.
 *
 * @param db - the database or a transaction
 * @param setType - the SET event type URI
 * @example
 * for (const stream of await streamsForSetType(tx, SECURITY_EVENT_TYPES.accountDisabled)) { ... }
 */
export async function streamsForSetType(db: SignalsDatabase, setType: string): Promise<StreamRow[]> {
  const rows = await db
    .select({ stream: streams })
    .from(streams)
    .innerJoin(receivers, eq(receivers.id, streams.receiverId))
    .where(and(inArray(streams.status, ['enabled', 'paused']), isNull(receivers.revokedAt), sql`${streams.eventsDelivered} @> ${JSON.stringify([setType])}::jsonb`))
    .orderBy(asc(streams.id));
  return rows.map((row) => row.stream);
}

/**
 * Sets aside the oldest pending SETs of a stream beyond `keep` (state `dead`, `last_error`
 * `PAUSED_OVERFLOW`): the bound of a paused stream. Dead, not deleted: the `jti` stays taken, so a
 * redelivered Veto event does not bring the SET back, and an admin can still see and re-drive it.
 *
 * @param db - the database or a transaction
 * @param streamId - the stream
 * @param keep - how many pending SETs may stay
 * @returns how many were set aside
 * @example
 * const dropped = await dropOldestPending(tx, stream.id, config.pausedMaxEvents);
 */
export async function dropOldestPending(db: SignalsDatabase, streamId: string, keep: number): Promise<number> {
  const dropped = await selectRows<{ seq: number }>(
    db,
    sql`
    update ${securityEvents} set state = 'dead', last_error = ${`PAUSED_OVERFLOW: the stream was paused with ${keep} SETs pending; the oldest was set aside`}, next_attempt_at = null
    where seq in (
      select seq from ${securityEvents} where stream_id = ${streamId} and state = 'pending'
      order by seq desc offset ${keep}
    )
    returning seq`,
  );
  return dropped.length;
}

/**
 * The push streams of non-revoked receivers, each with the due time of its first pending SET that
 * may be delivered now (`pending` false otherwise; see `deliverable`): what the push worker waits
 * on and delivers.
 *
 * @param db - the database
 * @example
 * const streams = await pushStreams(db);
 */
export async function pushStreams(db: SignalsDatabase): Promise<{ streamId: string; pending: boolean; dueAt: Date | undefined }[]> {
  const rows = await selectRows<{ stream_id: string; pending: boolean; due_at: string | Date | null }>(
    db,
    sql`
    select s.id as stream_id, h.seq is not null as pending, h.next_attempt_at as due_at
    from ${streams} s
    join ${receivers} r on r.id = s.receiver_id and r.revoked_at is null
    left join lateral (
      select e.seq, e.next_attempt_at from ${securityEvents} e
      where e.stream_id = s.id and e.state = 'pending' order by e.seq limit 1
    ) h on s.status = 'enabled' or h.seq <= (
      select max(u.seq) from ${securityEvents} u where u.stream_id = s.id and u.event_type = ${STREAM_UPDATED})
    where s.delivery_method = ${PUSH}
    order by s.id`,
  );
  return rows.map((row) => ({ streamId: row.stream_id, pending: row.pending, dueAt: row.due_at === null ? undefined : new Date(row.due_at) }));
}

/** What the push worker needs to send a stream's next SET. */
export interface PushHead {
  readonly seq: number;
  readonly jti: string;
  readonly token: string;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly endpointUrl: string;
  readonly authorizationHeader: string | null;
}

/**
 * The first pending SET of a push stream of a non-revoked receiver, with where to push it, when it
 * may be delivered now (see `deliverable`); `undefined` otherwise.
 *
 * @param db - the database
 * @param streamId - the stream
 * @example
 * const head = await pushHead(db, streamId);
 */
export async function pushHead(db: SignalsDatabase, streamId: string): Promise<PushHead | undefined> {
  const [row] = await db
    .select({
      seq: securityEvents.seq,
      jti: securityEvents.jti,
      token: securityEvents.token,
      attempts: securityEvents.attempts,
      nextAttemptAt: securityEvents.nextAttemptAt,
      endpointUrl: streams.endpointUrl,
      authorizationHeader: streams.authorizationHeader,
    })
    .from(securityEvents)
    .innerJoin(streams, eq(streams.id, securityEvents.streamId))
    .innerJoin(receivers, eq(receivers.id, streams.receiverId))
    .where(and(eq(securityEvents.streamId, streamId), eq(securityEvents.state, 'pending'), deliverable, eq(streams.deliveryMethod, PUSH), isNull(receivers.revokedAt)))
    .orderBy(asc(securityEvents.seq))
    .limit(1);
  return row;
}

/**
 * Records a push attempt's result on a SET still pending (an admin may have changed it meanwhile):
 * delivered, failed with the next attempt's time, or dead.
 *
 * @param db - the database
 * @param seq - the SET
 * @param result - the new state
 * @returns whether the SET was still pending
 * @example
 * await recordPushResult(db, head.seq, { state: 'delivered', attempts: head.attempts + 1, at: new Date(clock()) });
 */
export async function recordPushResult(
  db: SignalsDatabase,
  seq: number,
  result:
    | { state: 'delivered'; attempts: number; at: Date }
    | { state: 'pending'; attempts: number; nextAttemptAt: Date; lastError: string }
    | { state: 'dead'; attempts: number; lastError: string },
): Promise<boolean> {
  const values =
    result.state === 'delivered'
      ? { state: result.state, attempts: result.attempts, deliveredAt: result.at, nextAttemptAt: null }
      : result.state === 'pending'
        ? { attempts: result.attempts, nextAttemptAt: result.nextAttemptAt, lastError: result.lastError }
        : { state: result.state, attempts: result.attempts, lastError: result.lastError, nextAttemptAt: null };
  const updated = await db
    .update(securityEvents)
    .set(values)
    .where(and(eq(securityEvents.seq, seq), eq(securityEvents.state, 'pending')))
    .returning({ seq: securityEvents.seq });
  return updated.length === 1;
}

/**
 * A poll stream of this receiver (RFC 8936), or `undefined`: another receiver's stream, a push
 * stream and an unknown id look the same to the caller.
 *
 * @param db - the database
 * @param receiverId - the authenticated receiver
 * @param streamId - the stream in the poll URL
 * @example
 * const stream = await findPollStream(db, receiver.id, req.params.streamId);
 */
export async function findPollStream(db: SignalsDatabase, receiverId: string, streamId: string): Promise<StreamRow | undefined> {
  const [row] = await db
    .select()
    .from(streams)
    .where(and(eq(streams.id, streamId), eq(streams.receiverId, receiverId), eq(streams.deliveryMethod, POLL)))
    .limit(1);
  return row;
}

/**
 * Settles polled SETs the receiver acknowledged (`ack`) or reported errors for (`setErrs`, RFC
 * 8936 §2.4): both become `delivered` (the receiver will not get them again); an error is kept in
 * `last_error`. Unknown or already settled `jti`s are ignored.
 *
 * @param db - the database
 * @param streamId - the poll stream
 * @param acks - acknowledged `jti`s
 * @param errors - `jti` → the receiver's `err` and `description`
 * @param now - when
 * @returns how many were acknowledged and how many recorded as errors
 * @example
 * await settlePolled(db, stream.id, body.ack, body.setErrs, new Date(clock()));
 */
export async function settlePolled(
  db: SignalsDatabase,
  streamId: string,
  acks: readonly string[],
  errors: Readonly<Record<string, { err: string; description?: string | undefined }>>,
  now: Date,
): Promise<{ acked: number; errored: number }> {
  let acked = 0;
  let errored = 0;
  await db.transaction(async (tx) => {
    if (acks.length > 0) {
      const rows = await tx
        .update(securityEvents)
        .set({ state: 'delivered', deliveredAt: now })
        .where(and(eq(securityEvents.streamId, streamId), eq(securityEvents.state, 'pending'), inArray(securityEvents.jti, [...acks])))
        .returning({ seq: securityEvents.seq });
      acked = rows.length;
    }
    for (const [jti, error] of Object.entries(errors)) {
      const rows = await tx
        .update(securityEvents)
        .set({ state: 'delivered', deliveredAt: now, lastError: `setErr ${error.err}${error.description === undefined ? '' : `: ${error.description}`}` })
        .where(and(eq(securityEvents.streamId, streamId), eq(securityEvents.state, 'pending'), eq(securityEvents.jti, jti)))
        .returning({ seq: securityEvents.seq });
      errored += rows.length;
    }
  });
  return { acked, errored };
}

/**
 * The first `limit` pending SETs of a stream that may be delivered now, in order (see `deliverable`).
 *
 * @param db - the database
 * @param streamId - the stream
 * @param limit - how many at most
 * @example
 * const rows = await pendingSecurityEvents(db, stream.id, maxEvents + 1);
 */
export async function pendingSecurityEvents(db: SignalsDatabase, streamId: string, limit: number): Promise<Pick<SecurityEventRow, 'seq' | 'jti' | 'token'>[]> {
  return db
    .select({ seq: securityEvents.seq, jti: securityEvents.jti, token: securityEvents.token })
    .from(securityEvents)
    .innerJoin(streams, eq(streams.id, securityEvents.streamId))
    .where(and(eq(securityEvents.streamId, streamId), eq(securityEvents.state, 'pending'), deliverable))
    .orderBy(asc(securityEvents.seq))
    .limit(limit);
}

/**
 * How many SETs of every stream are pending: the `veto_signals_sets_pending` gauge.
 *
 * @param db - the database
 * @example
 * createDeliveryMetrics(registry, () => countAllPending(db));
 */
export async function countAllPending(db: SignalsDatabase): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(securityEvents)
    .where(eq(securityEvents.state, 'pending'));
  return row?.count ?? 0;
}
