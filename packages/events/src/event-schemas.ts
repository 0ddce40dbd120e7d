import { z } from 'zod';

/** The event types Veto publishes, in the order they were introduced. */
export const EVENT_TYPES = ['user.banned', 'user.unbanned', 'user.sessions_revoked', 'session.revoked'] as const;

/** One of {@link EVENT_TYPES}. */
export type EventType = (typeof EVENT_TYPES)[number];

/** The only envelope version this package reads and writes. */
export const EVENT_VERSION = 1;

// `new Date().toISOString()` always yields milliseconds and `Z`; anything less precise
// would let a token issued in the same second as a revocation be mistaken for an older one.
const timestamp = z.iso.datetime({ precision: 3 });
const id = z.string().min(1).max(128).regex(/^\S+$/, 'must not contain whitespace');

// The descriptions only document the fields: the AsyncAPI contract (docs/asyncapi.yaml) is generated from these schemas.
const userId = id.describe('The user, as the `sub` claim of their access tokens.');
const revokedAt = timestamp.describe('Tokens of the user issued (`iat`) at or before this instant are revoked.');
// Optional, so events recorded before it parse, and consumers that do not know it ignore it.
const email = z.email().optional().describe("The user's email address when the event was recorded, for consumers that name users by email (the signals service's email subjects).");

/** The `data` schema of each event type: the single source of truth for payload shapes. */
export const EVENT_DATA_SCHEMAS = {
  'user.banned': z.object({ userId, email, reason: z.string().max(500).optional().describe('Free text for humans, never parsed.'), revokedAt }),
  'user.unbanned': z.object({ userId, email }),
  'user.sessions_revoked': z.object({ userId, email, revokedAt }),
  'session.revoked': z.object({
    userId,
    email,
    sessionId: id.describe('The session, as the `sid` claim of its access tokens.'),
    revokedAt: timestamp.describe('When the session was revoked: every token of the session is rejected, for one token lifetime from this instant.'),
  }),
} as const satisfies Record<EventType, z.ZodType>;

/** The envelope fields shared by every event, independent of its type and version. */
export const envelopeSchema = z.object({
  id: id.describe('Unique per event and sent as the `Nats-Msg-Id` header: deduplicate on it.'),
  type: z.string().min(1).describe('The event type; the subject is `<prefix>.<type>`.'),
  version: z.number().int().positive().describe('The envelope version.'),
  occurredAt: timestamp.describe('When the fact happened, UTC with milliseconds.'),
  source: z.string().min(1).max(200).describe('The producing service, for example `auth`.'),
  data: z.unknown(),
});

type EventOfType<T extends EventType> = {
  id: string;
  type: T;
  version: typeof EVENT_VERSION;
  occurredAt: string;
  source: string;
  data: z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;
};

/** A validated event: a union discriminated on `type`. */
export type VetoEvent = { [T in EventType]: EventOfType<T> }[EventType];

/** The event variant of a given type. */
export type EventOf<T extends EventType> = Extract<VetoEvent, { type: T }>;

/**
 * Tells whether a string names a known event type.
 *
 * @param value - any string
 * @example
 * if (isEventType(raw.type)) subjectFor(raw.type);
 */
export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
