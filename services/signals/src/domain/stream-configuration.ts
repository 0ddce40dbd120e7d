import type { StreamRow } from '../data-access/schema';
import { SECURITY_EVENT_TYPES } from './security-event-types';
import { DELIVERY_METHODS } from './transmitter-metadata';

/** RFC 8935 push: the transmitter POSTs each SET to the receiver's endpoint. */
export const PUSH = DELIVERY_METHODS[0];
/** RFC 8936 poll: the receiver fetches SETs from the transmitter's endpoint. */
export const POLL = DELIVERY_METHODS[1];

/** One of the SSF 1.0 §6.1 delivery methods. */
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];

/**
 * The event types a receiver can ask for (`events_supported`): the RISC and CAEP events Veto's
 * revocations become. Verification and stream-updated events are not in it: SSF 1.0 §8.1.4 and
 * §8.1.5 send them on every stream, whatever it requested.
 */
export const EVENTS_SUPPORTED: readonly string[] = Object.freeze([SECURITY_EVENT_TYPES.accountDisabled, SECURITY_EVENT_TYPES.accountEnabled, SECURITY_EVENT_TYPES.sessionRevoked]);

/** The `delivery` member of a stream configuration (SSF 1.0 §8.1.1). */
export interface StreamDelivery {
  readonly method: DeliveryMethod;
  readonly endpoint_url: string;
  /** Push only: what the receiver asked to find in the `Authorization` header of each push. */
  readonly authorization_header?: string;
}

/** A stream configuration as SSF 1.0 §8.1.1 shows it to its receiver, with Veto's `format` extension. */
export interface StreamConfiguration {
  readonly stream_id: string;
  readonly iss: string;
  readonly aud: string | readonly string[];
  readonly events_supported: readonly string[];
  readonly events_requested: readonly string[];
  readonly events_delivered: readonly string[];
  readonly delivery: StreamDelivery;
  readonly min_verification_interval: number;
  readonly description?: string;
  /** Veto extension (SSF 1.0 §8.1.1 allows additional members): the subject format of user events, `iss_sub` or `email`. */
  readonly format: 'iss_sub' | 'email';
}

/**
 * What this transmitter sends of what a receiver requested: the requested types it supports, in
 * the order of {@link EVENTS_SUPPORTED}, each once.
 *
 * @param requested - the stream's `events_requested`
 * @example
 * eventsDelivered(['https://schemas.openid.net/secevent/caep/event-type/session-revoked', 'urn:example:other']);
 * // ['https://schemas.openid.net/secevent/caep/event-type/session-revoked']
 */
export function eventsDelivered(requested: readonly string[]): string[] {
  return EVENTS_SUPPORTED.filter((type) => requested.includes(type));
}

/**
 * The poll endpoint this transmitter assigns a poll stream (RFC 8936): the issuer's base and
 * `/ssf/poll/<stream id>`.
 *
 * @param issuer - `SIGNALS_ISSUER`
 * @param streamId - the stream
 * @example
 * pollEndpointUrl('https://signals.example.com/', id); // 'https://signals.example.com/ssf/poll/<id>'
 */
export function pollEndpointUrl(issuer: string, streamId: string): string {
  return `${issuer.replace(/\/+$/, '')}/ssf/poll/${streamId}`;
}

/**
 * The stream's configuration as its receiver sees it. `authorization_header` is shown only for
 * push (the receiver gave it; nobody else ever reads this document).
 *
 * @param row - the stored stream
 * @param issuer - `SIGNALS_ISSUER`, the `iss`
 * @example
 * res.status(201).json(toStreamConfiguration(row, issuer));
 */
export function toStreamConfiguration(row: StreamRow, issuer: string): StreamConfiguration {
  const delivery: StreamDelivery =
    row.deliveryMethod === PUSH && row.authorizationHeader !== null
      ? { method: row.deliveryMethod, endpoint_url: row.endpointUrl, authorization_header: row.authorizationHeader }
      : { method: row.deliveryMethod, endpoint_url: row.endpointUrl };
  return {
    stream_id: row.id,
    iss: issuer,
    aud: row.aud,
    events_supported: EVENTS_SUPPORTED,
    events_requested: row.eventsRequested,
    events_delivered: row.eventsDelivered,
    delivery,
    min_verification_interval: row.minVerificationIntervalSeconds,
    ...(row.description === null ? {} : { description: row.description }),
    format: row.subjectFormat,
  };
}
