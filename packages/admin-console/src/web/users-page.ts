import { searchUsers } from './api-client.js';
import type { AdminUser } from './api-types.js';
import { errorBox, formatTime, h, table } from './dom.js';
import { hrefOf } from './router.js';

const SEARCH_DELAY_MS = 250;

function userRow(user: AdminUser): (Node | string)[] {
  return [h('a', { href: hrefOf({ page: 'user', id: user.id }) }, user.email), user.role, user.bannedAt === null ? 'active' : 'banned', formatTime(user.createdAt)];
}

/** Searches accounts by part of their email, as the admin types; the query is kept in the URL. */
export function renderUsersPage(main: HTMLElement, initialQuery: string, signal: AbortSignal): void {
  const input = h('input', { id: 'search-users', type: 'search', name: 'query', autocomplete: 'off', placeholder: 'part of an email' });
  input.value = initialQuery;
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  const form = h('form', { role: 'search', class: 'search' }, h('label', { for: 'search-users' }, 'Search users'), input, h('button', { type: 'submit' }, 'Search'));
  let generation = 0;

  async function load(query: string, cursor?: string): Promise<void> {
    const mine = ++generation;
    history.replaceState(null, '', hrefOf({ page: 'users', query }));
    try {
      const page = await searchUsers(query, cursor);
      if (mine !== generation || signal.aborted) {
        return;
      }
      const more = page.nextCursor === null ? null : h('button', { type: 'button' }, 'Next page');
      more?.addEventListener('click', () => void load(query, page.nextCursor ?? undefined));
      results.replaceChildren(
        page.items.length === 0 ? h('p', {}, 'No account matches.') : table('Accounts, newest first', ['Email', 'Role', 'State', 'Created'], page.items, userRow),
        more ?? '',
      );
    } catch (error) {
      if (mine === generation) {
        results.replaceChildren(errorBox(error));
      }
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(input.value.trim()), SEARCH_DELAY_MS);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    void load(input.value.trim());
  });
  signal.addEventListener('abort', () => clearTimeout(timer));
  main.replaceChildren(h('h1', {}, 'Users'), form, results);
  input.focus();
  void load(initialQuery);
}
