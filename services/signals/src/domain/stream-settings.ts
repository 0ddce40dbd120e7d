import { z } from 'zod';
import { SignalsError } from '../errors';
import { SUBJECT_FORMATS, type SubjectFormat } from './receiver-stream';
import { eventsDelivered, POLL, pollEndpointUrl, PUSH, type DeliveryMethod, type StreamConfiguration } from './stream-configuration';
import { DELIVERY_METHODS } from './transmitter-metadata';

/**
 * The Transmitter-Supplied members of a stream configuration (SSF 1.0 §8.1.1). A receiver may
 * send them back in an update only unchanged (§8.1.1.3 and §8.1.1.4: they "MUST match the
 * expected value"); `stream_id` names the stream and is checked apart.
 */
const READ_ONLY_MEMBERS = ['iss', 'aud', 'events_supported', 'events_delivered', 'min_verification_interval', 'inactivity_timeout'] as const;

const readOnly = Object.fromEntries(READ_ONLY_MEMBERS.map((member) => [member, z.unknown().optional()])) as Record<(typeof READ_ONLY_MEMBERS)[number], z.ZodOptional<z.ZodUnknown>>;

/** Bounds that keep one stream row small; no real receiver comes near them. */
const MAX_EVENTS_REQUESTED = 50;

const deliverySchema = z.object({
  method: z.enum(DELIVERY_METHODS),
  endpoint_url: z.string().min(1).max(2048).optional(),
  authorization_header: z.string().min(1).max(4096).optional(),
});

const receiverSupplied = {
  events_requested: z.array(z.string().min(1).max(512)).max(MAX_EVENTS_REQUESTED).optional(),
  delivery: deliverySchema.optional(),
  description: z.string().max(1024).nullable().optional(),
  format: z.enum(SUBJECT_FORMATS).optional(),
};

/** The body of `POST /ssf/stream` (SSF 1.0 §8.1.1.1): the Receiver-Supplied members, all optional. */
export const createStreamSchema = z.object({ ...receiverSupplied, ...readOnly, stream_id: z.unknown().optional() });

/** The body of `PATCH` and `PUT /ssf/stream` (SSF 1.0 §8.1.1.3, §8.1.1.4): the stream's id and its Receiver-Supplied members. */
export const updateStreamSchema = z.object({ ...receiverSupplied, ...readOnly, stream_id: z.string().min(1).max(64) });

/** A parsed create or update body. */
export type StreamInput = z.output<typeof createStreamSchema>;

/** The stored settings a receiver controls, as the streams table holds them. */
export interface StreamSettings {
  readonly eventsRequested: string[];
  readonly eventsDelivered: string[];
  readonly deliveryMethod: DeliveryMethod;
  readonly endpointUrl: string;
  readonly authorizationHeader: string | null;
  readonly subjectFormat: SubjectFormat;
  readonly description: string | null;
}

/** What settings are resolved against. */
export interface StreamSettingsContext {
  readonly issuer: string;
  /** `VETO_ENV`: `local` allows http push endpoints. */
  readonly env: 'production' | 'local';
  readonly streamId: string;
}

/**
 * Equality of the JSON values the read-only members hold (strings, numbers, arrays of strings),
 * by their serialization: arrays read from the database need not share the prototype of the
 * request's, which a structural comparison would hold against them.
 */
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const fail = (code: 'STREAM_READ_ONLY_FIELD' | 'STREAM_DELIVERY_INVALID', message: string) => new SignalsError(code, message);

/**
 * Refuses Transmitter-Supplied members a receiver tried to set: on creation any (there is nothing
 * they could match), on an update any that differs from the stream's current value.
 *
 * @param input - the parsed body
 * @param current - the stream's configuration now; `undefined` on creation
 * @throws {SignalsError} `STREAM_READ_ONLY_FIELD` naming the member
 * @example
 * checkReadOnlyMembers(body, toStreamConfiguration(row, issuer));
 */
export function checkReadOnlyMembers(input: StreamInput, current: StreamConfiguration | undefined): void {
  for (const member of READ_ONLY_MEMBERS) {
    const value = input[member];
    if (value === undefined) continue;
    if (current === undefined || !sameValue(value, current[member as keyof StreamConfiguration])) {
      throw fail('STREAM_READ_ONLY_FIELD', `${member} is set by the transmitter${current === undefined ? '' : ' and cannot be changed'} (SSF 1.0 §8.1.1)`);
    }
  }
  if (current === undefined && input.stream_id !== undefined) throw fail('STREAM_READ_ONLY_FIELD', 'stream_id is set by the transmitter (SSF 1.0 §8.1.1)');
}

/**
 * A push endpoint must be https: the SETs, and the `authorization_header` the receiver chose,
 * travel to it, and an http endpoint would hand both to anyone on the path. It must not carry
 * credentials or a fragment either. `http` is allowed in local mode only, for a receiver on the
 * developer's machine. (The endpoint is a URL the transmitter will call from inside the cluster:
 * https alone does not stop a receiver naming an internal host, see the README.)
 */
function checkPushEndpoint(endpoint: string | undefined, env: 'production' | 'local'): string {
  if (endpoint === undefined) throw fail('STREAM_DELIVERY_INVALID', 'delivery.endpoint_url is required for push delivery (RFC 8935)');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw fail('STREAM_DELIVERY_INVALID', 'delivery.endpoint_url is not a URL');
  }
  const schemes = env === 'local' ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) throw fail('STREAM_DELIVERY_INVALID', `delivery.endpoint_url must be https${env === 'local' ? ' or http' : ''}`);
  if (url.username !== '' || url.password !== '' || url.hash !== '' || endpoint.includes('#')) {
    throw fail('STREAM_DELIVERY_INVALID', 'delivery.endpoint_url must not carry credentials or a fragment; use delivery.authorization_header');
  }
  return endpoint;
}

/**
 * The stored settings of a stream from a create or update body, over a base: the stream's current
 * settings for `PATCH` (absent members keep their value), the defaults for `POST` and `PUT`
 * (absent members are reset, SSF 1.0 §8.1.1.4). Defaults: no events requested, poll delivery
 * (without one, SSF 1.0 §8.1.1.1 leaves the method to the transmitter; poll needs nothing of the receiver), `iss_sub` subjects, no description.
 * A poll stream's `endpoint_url` is the transmitter's: a receiver may send it back unchanged only.
 *
 * @param input - the parsed body
 * @param base - what absent members take; `undefined`: the defaults
 * @param context - issuer, mode and the stream's id
 * @throws {SignalsError} `STREAM_DELIVERY_INVALID` for a push stream without an acceptable endpoint, or a poll
 *   stream given an `authorization_header`; `STREAM_READ_ONLY_FIELD` for a poll `endpoint_url` not the assigned one
 * @example
 * const settings = resolveStreamSettings(body, undefined, { issuer, env: config.env, streamId: randomUUID() });
 */
export function resolveStreamSettings(input: StreamInput, base: StreamSettings | undefined, context: StreamSettingsContext): StreamSettings {
  const eventsRequested = input.events_requested === undefined ? (base?.eventsRequested ?? []) : [...new Set(input.events_requested)];
  const description = input.description === undefined ? (base?.description ?? null) : input.description;
  const subjectFormat = input.format ?? base?.subjectFormat ?? 'iss_sub';
  const delivery =
    input.delivery ??
    (base === undefined
      ? { method: POLL }
      : { method: base.deliveryMethod, endpoint_url: base.endpointUrl, ...(base.authorizationHeader === null ? {} : { authorization_header: base.authorizationHeader }) });
  const common = { eventsRequested, eventsDelivered: eventsDelivered(eventsRequested), subjectFormat, description };
  if (delivery.method === PUSH) {
    return { ...common, deliveryMethod: PUSH, endpointUrl: checkPushEndpoint(delivery.endpoint_url, context.env), authorizationHeader: delivery.authorization_header ?? null };
  }
  const assigned = pollEndpointUrl(context.issuer, context.streamId);
  if (delivery.endpoint_url !== undefined && delivery.endpoint_url !== assigned) {
    throw fail('STREAM_READ_ONLY_FIELD', `delivery.endpoint_url of a poll stream is set by the transmitter: ${assigned}`);
  }
  if (delivery.authorization_header !== undefined) {
    throw fail('STREAM_DELIVERY_INVALID', 'delivery.authorization_header applies to push delivery only; poll requests carry the receiver credential');
  }
  return { ...common, deliveryMethod: POLL, endpointUrl: assigned, authorizationHeader: null };
}
