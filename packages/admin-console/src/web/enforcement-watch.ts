import { enforcementOf } from './api-client.js';
import type { Enforcement } from './api-types.js';
import { errorBox, formatMs, h } from './dom.js';

const POLL_EVERY_MS = 250;
const GIVE_UP_AFTER_MS = 30_000;

/** The one-line result, e.g. `enforced · 2/2 instances`. */
export function summaryOf(enforcement: Enforcement, gaveUp: boolean): string {
  const { total, enforced } = enforcement.instances;
  const state = enforcement.enforcedEverywhere ? 'enforced' : gaveUp ? 'not enforced everywhere' : 'pending';
  const count = `${enforced}/${total} instance${total === 1 ? '' : 's'}`;
  const note = !enforcement.published ? ' (not yet published to the bus)' : total === 0 && enforcement.enforcedEverywhere ? ' (no live instance reports)' : '';
  return `${state} · ${count}${note}`;
}

function instanceList(enforcement: Enforcement): HTMLUListElement {
  const enforced = enforcement.enforced.map((instance) =>
    h(
      'li',
      { class: 'instance enforced' },
      h('span', { class: 'instance-name' }, `${instance.service} ${instance.instanceId}`),
      h('span', { class: 'badge enforced' }, 'enforced'),
      instance.afterMs === null ? 'applied before this auth replica was watching' : `${formatMs(instance.afterMs)} after the commit`,
    ),
  );
  const missing = enforcement.missing.map((instance) =>
    h(
      'li',
      { class: 'instance pending' },
      h('span', { class: 'instance-name' }, `${instance.service} ${instance.instanceId}`),
      h('span', { class: 'badge pending' }, 'pending'),
      `feed ${instance.state}${instance.reason === null ? '' : ` (${instance.reason})`}, last applied #${instance.lastSeq ?? '—'}`,
    ),
  );
  return h('ul', { class: 'instances', 'aria-label': 'Instances' }, ...enforced, ...missing);
}

/**
 * Watches an event land: polls its enforcement every 250 ms until every live instance applied it
 * (or 30 s pass), listing each instance as it ticks from "pending" to "enforced" with its delay.
 * The summary line is an aria-live region, so the outcome is announced once it changes.
 */
export function watchEnforcement(eventId: string, title: string, signal: AbortSignal): HTMLElement {
  const summary = h('p', { class: 'summary', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }, 'pending · waiting for the first receipt');
  const detail = h('div', { class: 'enforcement-detail' });
  const section = h('section', { class: 'enforcement', 'aria-label': 'Enforcement' }, h('h2', {}, title), summary, detail);
  const started = performance.now();

  async function poll(): Promise<void> {
    if (signal.aborted) {
      return;
    }
    let enforcement: Enforcement;
    try {
      enforcement = await enforcementOf(eventId);
    } catch (error) {
      summary.textContent = 'enforcement unknown';
      detail.replaceChildren(errorBox(error));
      return;
    }
    if (signal.aborted) {
      return;
    }
    const gaveUp = !enforcement.enforcedEverywhere && performance.now() - started >= GIVE_UP_AFTER_MS;
    const text = summaryOf(enforcement, gaveUp);
    // Rewriting the same text would make some screen readers repeat it every 250 ms.
    if (summary.textContent !== text) {
      summary.textContent = text;
    }
    summary.className = `summary ${enforcement.enforcedEverywhere ? 'enforced' : gaveUp ? 'missing' : 'pending'}`;
    detail.replaceChildren(
      instanceList(enforcement),
      h('p', { class: 'meta' }, `${enforcement.type} · event ${enforcement.eventId}${enforcement.streamSeq === null ? '' : ` · stream #${enforcement.streamSeq}`}`),
    );
    if (!enforcement.enforcedEverywhere && !gaveUp) {
      setTimeout(() => void poll(), POLL_EVERY_MS);
    }
  }

  void poll();
  return section;
}
