import { randomUUID } from 'node:crypto';
import { createEvent, type VetoEvent } from '@veto/events';
import { selectRows } from '@veto/storage';
import { openTestDatabase, type TestDatabase } from '@veto/storage/testing';
import { sql } from 'drizzle-orm';
import type { SignalsDatabase } from '../data-access/database';
import { MIGRATIONS_FOLDER } from '../data-access/migrations-folder';
import { insertReceiver } from '../data-access/receivers-repository';
import { schema, streams, type SecurityEventRow, type StreamRow } from '../data-access/schema';
import { insertSecurityEvent } from '../data-access/security-events-repository';
import { newReceiverCredential } from '../domain/receiver-credential';
import { claimsForEvent } from '../domain/security-event-claims';
import { securityEventRow } from '../domain/security-event-row';
import { SECURITY_EVENT_TYPES } from '../domain/security-event-types';
import type { SigningKey } from '../domain/signing-key';

/** The audience of the test streams unless told otherwise. */
export const TEST_AUDIENCE = 'https://receiver.example.com';

/** A migrated signals database for one test file. */
export type SignalsTestDatabase = TestDatabase<typeof schema>;

/**
 * Opens the signals test database (PGlite, or PostgreSQL with `DATABASE_URL`).
 *
 * @example
 * beforeAll(async () => { database = await openSignalsTestDatabase(); });
 */
export function openSignalsTestDatabase(): Promise<SignalsTestDatabase> {
  return openTestDatabase({ schema, schemaName: 'signals', migrationsFolder: MIGRATIONS_FOLDER });
}

/**
 * Stores a receiver directly (the admin API is another part's) and returns its id and bearer credential.
 *
 * @example
 * const receiver = await insertTestReceiver(db);
 */
export async function insertTestReceiver(db: SignalsDatabase, name = 'test receiver'): Promise<{ id: string; credential: string }> {
  const id = randomUUID();
  const { credential, secretHash } = newReceiverCredential(id);
  await insertReceiver(db, { id, name, secretHash, createdAt: new Date(), revokedAt: null, revokedReason: null });
  return { id, credential };
}

/**
 * Stores a stream directly: enabled, push to `endpointUrl`, `iss_sub`, delivering account-disabled
 * unless overridden.
 *
 * @example
 * const stream = await insertTestStream(db, receiver.id, { deliveryMethod: 'urn:ietf:rfc:8936', status: 'paused' });
 */
export async function insertTestStream(db: SignalsDatabase, receiverId: string, overrides: Partial<StreamRow> = {}): Promise<StreamRow> {
  const now = new Date();
  const id = overrides.id ?? randomUUID();
  const row: StreamRow = {
    id,
    receiverId,
    aud: TEST_AUDIENCE,
    description: null,
    eventsRequested: [SECURITY_EVENT_TYPES.accountDisabled],
    eventsDelivered: [SECURITY_EVENT_TYPES.accountDisabled],
    deliveryMethod: 'urn:ietf:rfc:8935',
    endpointUrl: 'http://127.0.0.1:9/unused',
    authorizationHeader: null,
    subjectFormat: 'iss_sub',
    status: 'enabled',
    statusReason: null,
    minVerificationIntervalSeconds: 60,
    lastVerificationAt: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  if (row.deliveryMethod === 'urn:ietf:rfc:8936' && overrides.endpointUrl === undefined) row.endpointUrl = `https://signals.example.com/ssf/poll/${id}`;
  await db.insert(streams).values(row);
  return row;
}

/**
 * Changes a stream's status directly.
 *
 * @example
 * await setStreamStatus(db, stream.id, 'enabled');
 */
export async function setStreamStatus(db: SignalsDatabase, streamId: string, status: StreamRow['status']): Promise<void> {
  await db.execute(sql`update streams set status = ${status} where id = ${streamId}`);
}

/**
 * Stores the SET of a new `user.banned` event for a stream, as the consumer would, and returns it.
 *
 * @example
 * const { jti } = await insertBanSet(db, stream, key, issuer);
 */
export async function insertBanSet(db: SignalsDatabase, stream: StreamRow, key: SigningKey, issuer: string, userId = randomUUID()): Promise<{ jti: string; event: VetoEvent }> {
  const event = createEvent('user.banned', { userId, revokedAt: new Date().toISOString(), reason: 'test' }, { source: 'auth' });
  const claims = claimsForEvent(event, stream, { issuer, subjectIssuer: 'veto-auth', clock: Date.now });
  await insertSecurityEvent(db, securityEventRow(stream.id, claims, key, Date.now));
  return { jti: claims.jti, event };
}

/**
 * Every SET of a stream (every stream when none is given), in `seq` order.
 *
 * @example
 * const rows = await securityEventsOf(db, stream.id);
 */
export async function securityEventsOf(db: SignalsDatabase, streamId?: string): Promise<SecurityEventRow[]> {
  const rows = await selectRows<Record<string, unknown>>(
    db,
    streamId === undefined ? sql`select * from security_events order by seq` : sql`select * from security_events where stream_id = ${streamId} order by seq`,
  );
  return rows.map((row) => ({
    seq: Number(row.seq),
    streamId: row.stream_id as string,
    jti: row.jti as string,
    eventType: row.event_type as string,
    sourceId: row.source_id as string,
    token: row.token as string,
    state: row.state as SecurityEventRow['state'],
    attempts: row.attempts as number,
    nextAttemptAt: row.next_attempt_at === null ? null : new Date(row.next_attempt_at as string),
    lastError: row.last_error as string | null,
    createdAt: new Date(row.created_at as string),
    deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at as string),
  }));
}
