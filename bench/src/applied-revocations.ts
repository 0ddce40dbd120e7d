import { logLines } from './log-lines';

/** One `revocation applied` debug line of a tickets instance. */
export interface AppliedLine {
  readonly eventId: string;
  readonly lagMs: number;
  /** When the instance applied it: epoch ms with a sub-millisecond fraction. */
  readonly appliedAt: number;
  readonly live: boolean;
}

/**
 * Picks the `revocation applied` lines out of a service's pino output (one JSON object per
 * line; anything else is skipped), keyed by event id. When an event was applied twice (a
 * consumer recreated after a reconnect), the first application counts: from then on the
 * instance enforced it.
 *
 * @param output - everything the process wrote
 * @example
 * const applied = appliedRevocations(tickets.output()).get(eventId)?.lagMs;
 */
export function appliedRevocations(output: string): Map<string, AppliedLine> {
  const applied = new Map<string, AppliedLine>();
  for (const { eventId, lagMs, appliedAt, live } of logLines(output, 'revocation applied')) {
    if (typeof eventId !== 'string' || typeof lagMs !== 'number' || typeof appliedAt !== 'number' || applied.has(eventId)) continue;
    applied.set(eventId, { eventId, lagMs, appliedAt, live: live === true });
  }
  return applied;
}

/**
 * Picks the auth service's `outbox events committed` debug lines out of its pino output: when
 * each event's transaction had committed (epoch ms with a sub-millisecond fraction), by event id.
 *
 * @param output - everything the auth process wrote
 * @example
 * const committedAt = committedEvents(stack.auth.output()).get(eventId);
 */
export function committedEvents(output: string): Map<string, number> {
  const committed = new Map<string, number>();
  for (const { eventIds, committedAt } of logLines(output, 'outbox events committed')) {
    if (!Array.isArray(eventIds) || typeof committedAt !== 'number') continue;
    for (const eventId of eventIds) if (typeof eventId === 'string' && !committed.has(eventId)) committed.set(eventId, committedAt);
  }
  return committed;
}

/**
 * Picks the auth service's `outbox event sent` debug lines out of its pino output: when the relay
 * handed each event to the NATS client (epoch ms with a sub-millisecond fraction), by event id.
 *
 * @param output - everything the auth process wrote
 * @example
 * const sentAt = sentEvents(stack.auth.output()).get(eventId);
 */
export function sentEvents(output: string): Map<string, number> {
  const sent = new Map<string, number>();
  for (const { eventId, sentAt } of logLines(output, 'outbox event sent')) {
    if (typeof eventId === 'string' && typeof sentAt === 'number' && !sent.has(eventId)) sent.set(eventId, sentAt);
  }
  return sent;
}
