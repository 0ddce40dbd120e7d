import { fleet } from './api-client.js';
import type { FleetInstance } from './api-types.js';
import { errorBox, formatMs, formatTime, h, table } from './dom.js';

const REFRESH_EVERY_MS = 2_000;

function instanceRow(instance: FleetInstance): (Node | string)[] {
  return [
    instance.service,
    h('span', { class: 'mono' }, instance.instanceId),
    h('span', { class: `badge ${instance.state}` }, instance.state),
    instance.reason ?? '—',
    instance.lastSeq === null ? '—' : `#${instance.lastSeq}`,
    formatMs(instance.lagMs),
    formatTime(instance.lastAppliedAt),
    formatTime(instance.lastSeenAt),
  ];
}

/** The live fleet as auth sees it through the receipts, refreshed every 2 s while the page is open. */
export function renderFleetPage(main: HTMLElement, signal: AbortSignal): void {
  const body = h('div', {});
  main.replaceChildren(h('h1', {}, 'Fleet'), body);

  async function load(): Promise<void> {
    if (signal.aborted) {
      return;
    }
    try {
      const view = await fleet();
      if (signal.aborted) {
        return;
      }
      body.replaceChildren(
        view.instances.length === 0
          ? h('p', {}, 'No live instance reports enforcement receipts.')
          : table(
              `${view.instances.length} live instance${view.instances.length === 1 ? '' : 's'}`,
              ['Service', 'Instance', 'State', 'Reason', 'Last applied', 'Lag', 'Applied at', 'Last receipt'],
              view.instances,
              instanceRow,
            ),
        h('p', { class: 'meta' }, `checked ${formatTime(view.checkedAt)}`),
      );
    } catch (error) {
      body.replaceChildren(errorBox(error));
      return;
    }
    setTimeout(() => void load(), REFRESH_EVERY_MS);
  }

  void load();
}
