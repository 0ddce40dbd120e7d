import type { VetoEvent } from '@veto/events';
import type { SignalsDatabase } from '../data-access/database';
import { dropOldestPending, streamsForSetType } from '../data-access/delivery-repository';
import { insertSecurityEvent } from '../data-access/security-events-repository';
import { SignalsError } from '../errors';
import { setTypeOfEvent } from './delivery-event-type';
import { claimsForEvent, type SecurityEventContext } from './security-event-claims';
import { securityEventRow } from './security-event-row';
import type { SigningKey } from './signing-key';

/** What the fan-out of one Veto event needs. */
export interface FanOutContext extends SecurityEventContext {
  /** The database: the fan-out runs in one transaction of it. */
  readonly db: SignalsDatabase;
  readonly key: SigningKey;
  /** `SIGNALS_PAUSED_MAX_EVENTS`: the most pending SETs a paused stream keeps. */
  readonly pausedMaxEvents: number;
}

/** What the fan-out of one Veto event did, stream by stream. */
export interface FanOutResult {
  /** The SET event type, or `undefined` when no receiver is told about this Veto event. */
  readonly setType: string | undefined;
  /** Streams that got a new SET (a redelivered event's stream, whose SET was there, is not listed). */
  readonly written: readonly string[];
  /** Streams in `email` format for an event without an address. */
  readonly skippedEmailUnknown: readonly string[];
  /** Paused streams that set aside their oldest SETs, and how many. */
  readonly droppedPaused: readonly { streamId: string; count: number }[];
}

/**
 * The user's email address when the event carries one: `data.email`, an optional field the auth
 * service adds to user events; read defensively (any non-empty string), so an event without it,
 * or from before it existed, is simply one without an address.
 */
function emailIn(event: VetoEvent): string | undefined {
  const email = (event.data as { email?: unknown }).email;
  return typeof email === 'string' && email !== '' ? email : undefined;
}

/**
 * Turns one Veto event into one SET per stream that delivers its SET type and is `enabled` or
 * `paused`, all in ONE transaction: either every stream's SET is stored or none is, so the caller
 * acknowledges the event only after this resolves. Idempotent: a redelivered event finds its SETs
 * (same `jti`) and writes nothing. A stream in `email` format gets no SET when the event carries
 * no address: the receiver chose that format, and blocking the consumer (every other stream and
 * every later event) on one stream's missing address would be worse than that stream missing one
 * event; the caller logs and counts it. A paused stream then keeps at most `pausedMaxEvents`
 * pending SETs, the newest (see {@link dropOldestPending}).
 *
 * @param context - database, key, issuers, clock and the paused bound
 * @param event - a validated Veto event
 * @returns what was written, skipped and set aside
 * @throws whatever the database throws (nothing was written then); SignalsError from the encoder other than `SUBJECT_EMAIL_UNKNOWN`
 * @example
 * const result = await storeSecurityEvents(context, item.event);
 * item.ack();
 */
export async function storeSecurityEvents(context: FanOutContext, event: VetoEvent): Promise<FanOutResult> {
  const setType = setTypeOfEvent(event.type);
  if (setType === undefined) return { setType, written: [], skippedEmailUnknown: [], droppedPaused: [] };
  const email = emailIn(event);
  const emailOf = () => email;
  return context.db.transaction(async (tx) => {
    const written: string[] = [];
    const skippedEmailUnknown: string[] = [];
    const droppedPaused: { streamId: string; count: number }[] = [];
    for (const stream of await streamsForSetType(tx, setType)) {
      let claims;
      try {
        claims = claimsForEvent(event, stream, context, emailOf);
      } catch (error) {
        if (error instanceof SignalsError && error.code === 'SUBJECT_EMAIL_UNKNOWN') {
          skippedEmailUnknown.push(stream.id);
          continue;
        }
        throw error;
      }
      if (await insertSecurityEvent(tx, securityEventRow(stream.id, claims, context.key, context.clock))) written.push(stream.id);
      if (stream.status === 'paused') {
        const count = await dropOldestPending(tx, stream.id, context.pausedMaxEvents);
        if (count > 0) droppedPaused.push({ streamId: stream.id, count });
      }
    }
    return { setType, written, skippedEmailUnknown, droppedPaused };
  });
}
