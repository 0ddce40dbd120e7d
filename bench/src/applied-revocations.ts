/** One `revocation applied` debug line of a tickets instance. */
export interface AppliedLine {
  readonly eventId: string;
  readonly lagMs: number;
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
  for (const line of output.split('\n')) {
    if (!line.includes('"revocation applied"')) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const { eventId, lagMs, live, msg } = record;
    if (msg !== 'revocation applied' || typeof eventId !== 'string' || typeof lagMs !== 'number' || applied.has(eventId)) continue;
    applied.set(eventId, { eventId, lagMs, live: live === true });
  }
  return applied;
}
