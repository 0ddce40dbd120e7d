import { randomUUID } from 'node:crypto';
import type { StreamRow } from '../data-access/schema';
import { deleteReceiverStream, findReceiverStream, insertStream, listStreams, updateStream } from '../data-access/streams-repository';
import { toStreamConfiguration, type StreamConfiguration } from './stream-configuration';
import type { StreamManagementContext } from './stream-management-context';
import { streamNotFound } from './stream-not-found';
import { checkReadOnlyMembers, resolveStreamSettings, type StreamInput, type StreamSettings } from './stream-settings';

/** The settings a receiver controls, as they are stored now: the base of a `PATCH`. */
function currentSettings(row: StreamRow): StreamSettings {
  const { eventsRequested, eventsDelivered, deliveryMethod, endpointUrl, authorizationHeader, subjectFormat, description } = row;
  return { eventsRequested, eventsDelivered, deliveryMethod, endpointUrl, authorizationHeader, subjectFormat, description };
}

/**
 * Creates a stream for a receiver (SSF 1.0 §8.1.1.1), enabled. A receiver may have several. Its
 * `aud` is the receiver's id: the one name of the receiver this transmitter has, stable across its
 * streams and renames; its `min_verification_interval` is the configured one, kept for the stream.
 *
 * @param context - see {@link StreamManagementContext}
 * @param receiverId - the authenticated receiver
 * @param input - the parsed body
 * @returns the stream configuration
 * @throws {SignalsError} `STREAM_READ_ONLY_FIELD`, `STREAM_DELIVERY_INVALID` (see `resolveStreamSettings`)
 * @example
 * res.status(201).json(await createStream(context, receiver.id, body));
 */
export async function createStream(context: StreamManagementContext, receiverId: string, input: StreamInput): Promise<StreamConfiguration> {
  checkReadOnlyMembers(input, undefined);
  const id = randomUUID();
  const settings = resolveStreamSettings(input, undefined, { issuer: context.issuer, env: context.env, streamId: id });
  const now = new Date(context.clock());
  const row = await insertStream(context.db, {
    id,
    receiverId,
    aud: receiverId,
    ...settings,
    status: 'enabled',
    statusReason: null,
    minVerificationIntervalSeconds: context.minVerificationIntervalSeconds,
    lastVerificationAt: null,
    createdAt: now,
    updatedAt: now,
  });
  return toStreamConfiguration(row, context.issuer);
}

/**
 * One of a receiver's streams (SSF 1.0 §8.1.1.2).
 *
 * @param context - the database and issuer
 * @param receiverId - the authenticated receiver
 * @param streamId - the stream
 * @throws {SignalsError} `STREAM_NOT_FOUND` when the receiver has no such stream
 * @example
 * res.json(await readStream(context, receiver.id, query.stream_id));
 */
export async function readStream(context: Pick<StreamManagementContext, 'db' | 'issuer'>, receiverId: string, streamId: string): Promise<StreamConfiguration> {
  const row = await findReceiverStream(context.db, receiverId, streamId);
  if (row === undefined) throw streamNotFound(streamId);
  return toStreamConfiguration(row, context.issuer);
}

/**
 * Every stream of a receiver, oldest first (SSF 1.0 §8.1.1.2 without `stream_id`); maybe none.
 *
 * @param context - the database and issuer
 * @param receiverId - the authenticated receiver
 * @example
 * res.json(await readStreams(context, receiver.id));
 */
export async function readStreams(context: Pick<StreamManagementContext, 'db' | 'issuer'>, receiverId: string): Promise<StreamConfiguration[]> {
  return (await listStreams(context.db, [receiverId])).map((row) => toStreamConfiguration(row, context.issuer));
}

/**
 * Updates (`patch`: the members given, SSF 1.0 §8.1.1.3) or replaces (`replace`: absent members
 * reset to their defaults, §8.1.1.4) a receiver's stream. Transmitter-Supplied members may come
 * back only unchanged. `events_delivered` follows `events_requested`.
 *
 * @param context - see {@link StreamManagementContext}
 * @param receiverId - the authenticated receiver
 * @param input - the parsed body, `stream_id` included
 * @param mode - `patch` or `replace`
 * @returns the stream configuration after the change
 * @throws {SignalsError} `STREAM_NOT_FOUND`; `STREAM_READ_ONLY_FIELD`; `STREAM_DELIVERY_INVALID`
 * @example
 * res.json(await changeStream(context, receiver.id, body, 'patch'));
 */
export async function changeStream(
  context: StreamManagementContext,
  receiverId: string,
  input: StreamInput & { stream_id: string },
  mode: 'patch' | 'replace',
): Promise<StreamConfiguration> {
  return context.db.transaction(async (tx) => {
    const row = await findReceiverStream(tx, receiverId, input.stream_id, { forUpdate: true });
    if (row === undefined) throw streamNotFound(input.stream_id);
    checkReadOnlyMembers(input, toStreamConfiguration(row, context.issuer));
    const settings = resolveStreamSettings(input, mode === 'patch' ? currentSettings(row) : undefined, { issuer: context.issuer, env: context.env, streamId: row.id });
    const changed = await updateStream(tx, row.id, { ...settings, updatedAt: new Date(context.clock()) });
    return toStreamConfiguration(changed, context.issuer);
  });
}

/**
 * Deletes a receiver's stream and every SET it still had (SSF 1.0 §8.1.1.5): nothing more is
 * delivered on it.
 *
 * @param context - the database
 * @param receiverId - the authenticated receiver
 * @param streamId - the stream
 * @throws {SignalsError} `STREAM_NOT_FOUND` when the receiver has no such stream
 * @example
 * await deleteStream(context, receiver.id, query.stream_id);
 */
export async function deleteStream(context: Pick<StreamManagementContext, 'db'>, receiverId: string, streamId: string): Promise<void> {
  if (!(await deleteReceiverStream(context.db, receiverId, streamId))) throw streamNotFound(streamId);
}
