import { h } from './dom.js';
import { watchEnforcement } from './enforcement-watch.js';

/** The enforcement of one recorded event (linked from the audit trail). */
export function renderEventPage(main: HTMLElement, eventId: string, signal: AbortSignal): void {
  main.replaceChildren(h('h1', {}, 'Event'), watchEnforcement(eventId, `Enforcement of ${eventId}`, signal));
}
