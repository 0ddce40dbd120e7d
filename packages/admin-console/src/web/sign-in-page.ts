import { signIn, signOut } from './api-client.js';
import type { SessionUser } from './api-types.js';
import { errorBox, h } from './dom.js';

/**
 * The sign-in form. An account that is not an admin is signed out again at once, with a message
 * saying why: the console's routes would refuse it anyway.
 */
export function renderSignInPage(main: HTMLElement, notice: string | undefined, onSignedIn: (user: SessionUser) => void): void {
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const message = h('div', { class: 'messages' }, notice === undefined ? null : h('p', { class: 'notice', role: 'status' }, notice));
  const form = h(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to the Veto admin console'),
    h('label', { for: 'email' }, 'Email'),
    email,
    h('label', { for: 'password' }, 'Password'),
    password,
    submit,
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.replaceChildren();
    signIn(email.value, password.value)
      .then(async (user) => {
        if (user.role !== 'admin') {
          await signOut();
          message.replaceChildren(h('p', { class: 'error', role: 'alert' }, `${user.email} is not an admin: the console is for admin accounts only.`));
          return;
        }
        onSignedIn(user);
      })
      .catch((error: unknown) => message.replaceChildren(errorBox(error)))
      .finally(() => {
        submit.disabled = false;
      });
  });
  main.replaceChildren(form);
  email.focus();
}
