import { ApiError } from './api-client.js';

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | undefined>;

/**
 * Creates an element: attributes (`true` sets an empty one, `false`/`undefined` none), then children
 * (strings become text nodes, so nothing from the API is ever parsed as HTML).
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) {
      element.setAttribute(name, '');
    } else if (typeof value === 'string') {
      element.setAttribute(name, value);
    }
  }
  element.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
  return element;
}

/** A problem as a person reads it: the server's detail, then its code. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return `${error.detail} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** An alert that shows `error`, announced by screen readers. */
export function errorBox(error: unknown): HTMLElement {
  return h('p', { class: 'error', role: 'alert' }, describeError(error));
}

/** A time as the console shows it: local date and time. */
export function formatTime(iso: string | null): string {
  return iso === null ? '—' : new Date(iso).toLocaleString();
}

/** Milliseconds with one decimal, or a dash. */
export function formatMs(ms: number | null): string {
  return ms === null ? '—' : `${ms.toFixed(1)} ms`;
}

/** A table with a header row and one row per item. */
export function table<T>(caption: string, headers: readonly string[], items: readonly T[], row: (item: T) => Child[]): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, ...items.map((item) => h('tr', {}, ...row(item).map((cell) => h('td', {}, cell))))),
  );
}
