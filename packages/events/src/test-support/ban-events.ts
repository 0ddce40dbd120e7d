import { createEvent } from '../create-event';
import type { VetoEvent } from '../event-schemas';
import type { DeliveredEvent } from '../fan-out-subscription';

/** A valid `user.banned` event of a user, revoked now. */
export function banOf(userId: string): VetoEvent {
  return createEvent('user.banned', { userId, revokedAt: new Date().toISOString() }, { source: 'test' });
}

/** The banned users of delivered events, in delivery order. */
export const userIds = (delivered: DeliveredEvent[]): string[] => delivered.map(({ event }) => event.data.userId);
