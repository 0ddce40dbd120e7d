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

/** The `data` schema of each event type: the single source of truth for payload shapes. */
export const EVENT_DATA_SCHEMAS = {
  'user.banned': z.object({ userId: id, reason: z.string().max(500).optional(), revokedAt: timestamp }),
  'user.unbanned': z.object({ userId: id }),
  'user.sessions_revoked': z.object({ userId: id, revokedAt: timestamp }),
  'session.revoked': z.object({ userId: id, sessionId: id, revokedAt: timestamp }),
} as const satisfies Record<EventType, z.ZodType>;

/** The envelope fields shared by every event, independent of its type and version. */
export const envelopeSchema = z.object({
  id,
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: timestamp,
  source: z.string().min(1).max(200),
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
