import { auditTrail, getUser, runAction, type AdminAction } from './api-client.js';
import type { AdminUser, AuditEntry } from './api-types.js';
import { errorBox, formatTime, h, table } from './dom.js';
import { watchEnforcement } from './enforcement-watch.js';
import { hrefOf } from './router.js';

const ACTIONS: Record<AdminAction, { readonly label: string; readonly verb: string; readonly reasonRequired: boolean }> = {
  ban: { label: 'Ban', verb: 'Ban', reasonRequired: true },
  unban: { label: 'Unban', verb: 'Unban', reasonRequired: false },
  revoke: { label: 'Revoke sessions', verb: 'Revoke every session of', reasonRequired: false },
};

function facts(user: AdminUser): HTMLDListElement {
  const state = user.bannedAt === null ? 'active' : `banned since ${formatTime(user.bannedAt)}: ${user.banReason ?? 'no reason given'}`;
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'State'),
    h('dd', { class: user.bannedAt === null ? 'active' : 'banned' }, state),
    h('dt', {}, 'Role'),
    h('dd', {}, user.role),
    h('dt', {}, 'Created'),
    h('dd', {}, formatTime(user.createdAt)),
    h('dt', {}, 'Id'),
    h('dd', { class: 'mono' }, user.id),
  );
}

function auditRow(entry: AuditEntry): (Node | string)[] {
  return [formatTime(entry.createdAt), entry.action, entry.reason ?? '—', h('a', { href: hrefOf({ page: 'event', eventId: entry.eventId }), class: 'mono' }, 'enforcement')];
}

/**
 * One account: its state, the actions (each behind a confirmation step with a reason), the
 * enforcement of the last action as it lands, and the audit trail.
 */
export function renderUserPage(main: HTMLElement, userId: string, signal: AbortSignal): void {
  const heading = h('h1', {}, 'User');
  const details = h('div', {});
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
  const confirmation = h('div', {});
  const outcome = h('div', {});
  const audit = h('section', { 'aria-label': 'Audit trail' });
  main.replaceChildren(h('p', {}, h('a', { href: hrefOf({ page: 'users', query: '' }) }, '← Users')), heading, details, actions, confirmation, outcome, audit);

  async function loadAudit(): Promise<void> {
    try {
      const page = await auditTrail(userId);
      audit.replaceChildren(
        h('h2', {}, 'Audit trail'),
        page.items.length === 0
          ? h('p', {}, 'No admin action yet.')
          : table('Admin actions on this account, newest first', ['When', 'Action', 'Reason', 'Event'], page.items, auditRow),
      );
    } catch (error) {
      audit.replaceChildren(h('h2', {}, 'Audit trail'), errorBox(error));
    }
  }

  function show(user: AdminUser): void {
    heading.textContent = user.email;
    document.title = `${user.email} · Veto admin`;
    details.replaceChildren(facts(user));
    const available: AdminAction[] = [user.bannedAt === null ? 'ban' : 'unban', 'revoke'];
    actions.replaceChildren(
      ...available.map((action) => {
        const button = h('button', { type: 'button', class: action === 'ban' ? 'danger' : '' }, ACTIONS[action].label);
        button.addEventListener('click', () => ask(user, action));
        return button;
      }),
    );
  }

  function ask(user: AdminUser, action: AdminAction): void {
    const spec = ACTIONS[action];
    const reason = h('input', { id: 'reason', name: 'reason', type: 'text', maxlength: '500', required: spec.reasonRequired, autocomplete: 'off' });
    const confirm = h('button', { type: 'submit', class: action === 'ban' ? 'danger' : '' }, 'Confirm');
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const problem = h('div', {});
    const form = h(
      'form',
      { class: 'confirmation', 'aria-labelledby': 'confirm-title' },
      h('h2', { id: 'confirm-title' }, `${spec.verb} ${user.email}?`),
      h('label', { for: 'reason' }, spec.reasonRequired ? 'Reason' : 'Reason (optional)'),
      reason,
      h('div', { class: 'buttons' }, confirm, cancel),
      problem,
    );
    cancel.addEventListener('click', () => confirmation.replaceChildren());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      confirm.disabled = true;
      const text = reason.value.trim();
      runAction(action, user.id, text === '' ? undefined : text)
        .then((result) => {
          confirmation.replaceChildren();
          show(result.user);
          outcome.replaceChildren(
            result.eventId === null
              ? h('p', { role: 'status' }, 'Nothing changed: no event was recorded.')
              : watchEnforcement(result.eventId, `${spec.label}: enforcement`, signal),
          );
          void loadAudit();
        })
        .catch((error: unknown) => {
          confirm.disabled = false;
          problem.replaceChildren(errorBox(error));
        });
    });
    outcome.replaceChildren();
    confirmation.replaceChildren(form);
    reason.focus();
  }

  getUser(userId).then(
    (user) => {
      if (!signal.aborted) {
        show(user);
      }
    },
    (error: unknown) => details.replaceChildren(errorBox(error)),
  );
  void loadAudit();
}
