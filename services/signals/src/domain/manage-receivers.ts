import { randomUUID } from 'node:crypto';
import type { ReceiverRow } from '../data-access/schema';
import { findReceiver, insertReceiver } from '../data-access/receivers-repository';
import { listReceivers, markReceiverRevoked } from '../data-access/receivers-admin-repository';
import { listStreams, lockActiveStreams } from '../data-access/streams-repository';
import { SignalsError } from '../errors';
import { newReceiverCredential } from './receiver-credential';
import type { StreamManagementContext } from './stream-management-context';
import { applyStreamStatus } from './stream-status';

/** A receiver as the admin API shows it. */
export interface ReceiverView {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly revoked_at: string | null;
  readonly revoked_reason: string | null;
  /** Its streams, oldest first. */
  readonly streams: readonly { readonly stream_id: string; readonly status: string; readonly delivery_method: string; readonly description: string | null }[];
}

/** The `reason` of the stream-updated SET a receiver's revocation sends: the admin's own reason may be internal. */
export const RECEIVER_REVOKED_REASON = "The receiver's credential was revoked";

function toView(row: ReceiverRow, streams: ReceiverView['streams']): ReceiverView {
  return {
    id: row.id,
    name: row.name,
    created_at: row.createdAt.toISOString(),
    revoked_at: row.revokedAt?.toISOString() ?? null,
    revoked_reason: row.revokedReason,
    streams,
  };
}

async function viewsOf(context: Pick<StreamManagementContext, 'db'>, rows: readonly ReceiverRow[]): Promise<ReceiverView[]> {
  if (rows.length === 0) return [];
  const streams = await listStreams(
    context.db,
    rows.map((row) => row.id),
  );
  return rows.map((row) =>
    toView(
      row,
      streams
        .filter((stream) => stream.receiverId === row.id)
        .map((stream) => ({ stream_id: stream.id, status: stream.status, delivery_method: stream.deliveryMethod, description: stream.description })),
    ),
  );
}

/**
 * Registers a receiver and makes its credential, which is returned this once: only the hash of
 * its secret is stored.
 *
 * @param context - database and clock
 * @param name - a label for admins
 * @returns the receiver and its credential
 * @example
 * const { credential } = await registerReceiver(context, 'Acme SIEM');
 */
export async function registerReceiver(
  context: Pick<StreamManagementContext, 'db' | 'clock'>,
  name: string,
): Promise<{ id: string; name: string; created_at: string; credential: string }> {
  const id = randomUUID();
  const { credential, secretHash } = newReceiverCredential(id);
  const createdAt = new Date(context.clock());
  await insertReceiver(context.db, { id, name, secretHash, createdAt, revokedAt: null, revokedReason: null });
  return { id, name, created_at: createdAt.toISOString(), credential };
}

/**
 * Every receiver with its streams, oldest first.
 *
 * @param context - the database
 * @example
 * res.json({ receivers: await readReceivers(context) });
 */
export async function readReceivers(context: Pick<StreamManagementContext, 'db'>): Promise<ReceiverView[]> {
  return viewsOf(context, await listReceivers(context.db));
}

/**
 * Revokes a receiver: its credential is refused from the next request on (the receiver check reads
 * the row every time), and each of its streams not yet disabled is disabled the usual way, a
 * stream-updated SET first (SSF 1.0 §8.1.5) and its held SETs dropped, in the same transaction, so
 * a push receiver is told and nothing piles up for a receiver that can no longer poll. Idempotent:
 * revoking again changes nothing and keeps the first time and reason.
 *
 * @param context - see {@link StreamManagementContext}
 * @param id - the receiver
 * @param reason - why, for admins (not sent to the receiver)
 * @returns the receiver after the revocation
 * @throws {SignalsError} `RECEIVER_NOT_FOUND`
 * @example
 * res.json(await revokeReceiver(context, req.params.id, body.reason));
 */
export async function revokeReceiver(context: StreamManagementContext, id: string, reason: string): Promise<ReceiverView> {
  const notified = await context.db.transaction(async (tx) => {
    const row = await findReceiver(tx, id);
    if (row === undefined) throw new SignalsError('RECEIVER_NOT_FOUND', `No receiver ${id}`);
    if (!(await markReceiverRevoked(tx, id, { at: new Date(context.clock()), reason }))) return [];
    const disabled: string[] = [];
    for (const stream of await lockActiveStreams(tx, id)) {
      const { written } = await applyStreamStatus(tx, context, stream, { status: 'disabled', reason: RECEIVER_REVOKED_REASON });
      if (written) disabled.push(stream.id);
    }
    return disabled;
  });
  for (const streamId of notified) context.pending.notify(streamId);
  const row = await findReceiver(context.db, id);
  if (row === undefined) throw new SignalsError('RECEIVER_NOT_FOUND', `No receiver ${id}`);
  const [view] = await viewsOf(context, [row]);
  if (view === undefined) throw new Error('a receiver without its view');
  return view;
}
