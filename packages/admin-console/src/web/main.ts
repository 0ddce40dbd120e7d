import { currentUser, signOut, whenSessionEnds } from './api-client.js';
import type { SessionUser } from './api-types.js';
import { describeError, h } from './dom.js';
import { renderEventPage } from './event-page.js';
import { renderFleetPage } from './fleet-page.js';
import { hrefOf, navigate, parseRoute } from './router.js';
import { renderSignInPage } from './sign-in-page.js';
import { renderUserPage } from './user-page.js';
import { renderUsersPage } from './users-page.js';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
let session: SessionUser | undefined;
let notice: string | undefined;
// Aborted on every navigation, so a page's polling stops when the admin leaves it.
let pageLife = new AbortController();

function renderNav(): void {
  if (session === undefined) {
    nav.replaceChildren();
    return;
  }
  const out = h('button', { type: 'button' }, 'Sign out');
  out.addEventListener('click', () => {
    signOut()
      .catch(() => undefined)
      .finally(() => {
        session = undefined;
        notice = 'Signed out.';
        navigate({ page: 'sign-in' });
      });
  });
  nav.replaceChildren(
    h('a', { href: hrefOf({ page: 'users', query: '' }) }, 'Users'),
    h('a', { href: hrefOf({ page: 'fleet' }) }, 'Fleet'),
    h('span', { class: 'who' }, session.email),
    out,
  );
}

async function render(): Promise<void> {
  pageLife.abort();
  pageLife = new AbortController();
  const signal = pageLife.signal;
  const route = parseRoute(location.hash);
  if (session === undefined && route.page !== 'sign-in') {
    try {
      session = await currentUser();
    } catch (error) {
      main.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The auth service cannot be reached: ${describeError(error)}`));
      return;
    }
    if (signal.aborted) {
      return;
    }
  }
  if (route.page !== 'sign-in' && session?.role !== 'admin') {
    if (session !== undefined) {
      notice = `${session.email} is not an admin: the console is for admin accounts only.`;
      session = undefined;
    }
    navigate({ page: 'sign-in' });
    return;
  }
  renderNav();
  document.title = 'Veto admin';
  switch (route.page) {
    case 'sign-in':
      renderSignInPage(main, notice, (user) => {
        session = user;
        notice = undefined;
        navigate({ page: 'users', query: '' });
      });
      return;
    case 'users':
      renderUsersPage(main, route.query, signal);
      return;
    case 'user':
      renderUserPage(main, route.id, signal);
      return;
    case 'event':
      renderEventPage(main, route.eventId, signal);
      return;
    case 'fleet':
      renderFleetPage(main, signal);
      return;
  }
}

whenSessionEnds((error) => {
  session = undefined;
  notice = `Your session ended (${error.code}): sign in again.`;
  navigate({ page: 'sign-in' });
});
window.addEventListener('hashchange', () => void render());
void render();
